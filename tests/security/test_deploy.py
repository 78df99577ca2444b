"""A deployment refuses to serve with DEBUG on or a weak secret key, and never loads the demo accounts."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAOHE_", "DJANGO_"))}
    env.update(KAOHE_DATA_DIR=str(tmp_path), KAOHE_ALLOWED_HOSTS="kaohe.example", **values)
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


STRONG = secrets.token_urlsafe(64)


@pytest.mark.parametrize(
    ("values", "refusal"),
    [
        ({}, "DEBUG 已开启"),  # KAOHE_DEBUG forgotten: the default is the development set-up
        ({"KAOHE_DEBUG": "true", "KAOHE_SECRET_KEY": STRONG}, "DEBUG 已开启"),
        ({"KAOHE_DEBUG": "false", "KAOHE_SECRET_KEY": "short-key"}, "KAOHE_SECRET_KEY 过弱"),
        ({"KAOHE_DEBUG": "false", "KAOHE_SECRET_KEY": "a" * 60}, "KAOHE_SECRET_KEY 过弱"),
        ({"KAOHE_DEBUG": "false", "KAOHE_SECRET_KEY": "dev-insecure-kaohe-secret-key"}, "KAOHE_SECRET_KEY 过弱"),
    ],
)
@pytest.mark.parametrize("entry", ["kaohe.wsgi", "kaohe.asgi"])
def test_the_served_application_refuses_insecure_settings(tmp_path, values, refusal, entry):
    result = _run(_env(tmp_path, **values), "-c", f"import {entry}")

    assert result.returncode == 1
    assert "ImproperlyConfigured: 拒绝以不安全的配置提供服务" in result.stderr
    assert refusal in result.stderr


def test_the_served_application_starts_with_production_settings(tmp_path):
    result = _run(_env(tmp_path, KAOHE_DEBUG="false", KAOHE_SECRET_KEY=STRONG), "-c", "import kaohe.wsgi; print('ok')")

    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")


def test_a_developer_may_serve_insecure_settings_when_saying_so(tmp_path):
    result = _run(_env(tmp_path, KAOHE_ALLOW_INSECURE="true"), "-c", "import kaohe.wsgi; print('ok')")

    assert (result.returncode, result.stdout) == (0, "ok\n")


def test_load_demo_refuses_a_production_configuration(tmp_path):
    env = _env(tmp_path, KAOHE_DEBUG="false", KAOHE_SECRET_KEY=STRONG)

    result = _run(env, "manage.py", "load_demo")

    assert result.returncode == 1
    assert "示例数据的账号使用公开的演示密码，只能在开发环境（KAOHE_DEBUG=true）载入。" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # refused before touching any database
