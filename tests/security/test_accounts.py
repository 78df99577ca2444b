"""Accounts: login throttling (django-axes), password strength, sessions, production settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.helpers import get_lockout_response
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Kaohe-correct-horse-2023"


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user(
        "alice", email="alice.wang@kaohe.example", password=PASSWORD, first_name="爱丽丝"
    )


def _login(username: str, password: str, ip: str = "10.0.0.1"):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip, HTTP_USER_AGENT="pytest")
    user = authenticate(request=request, username=username, password=password)
    return user, request


def test_login_throttling_locks_account_after_failure_limit(alice):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        user, _request = _login("alice", "wrong-password")
        assert user is None

    user, request = _login("alice", PASSWORD)

    assert user is None
    assert request.axes_locked_out is True
    # The refused sixth attempt counts as a failure too.
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 6


def test_login_throttling_allows_login_below_limit_and_resets(alice):
    for _ in range(4):
        _login("alice", "wrong-password")

    user, request = _login("alice", PASSWORD)
    assert user == alice
    request.session = SessionStore()
    login(request, user)
    # AXES_RESET_ON_SUCCESS: the count starts again after a good login.
    assert AccessAttempt.objects.filter(username="alice").count() == 0


def test_login_throttling_lock_is_per_username_and_ip(alice):
    for _ in range(5):
        _login("alice", "wrong-password", ip="10.0.0.1")

    user, _request = _login("alice", PASSWORD, ip="10.0.0.2")

    assert user == alice


def test_lockout_page_is_chinese_with_status_429(alice):
    for _ in range(5):
        _login("alice", "wrong-password")
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.1")
    request.user = alice  # the page's nav reads request.user

    response = get_lockout_response(request, credentials={"username": "alice"})

    assert response.status_code == 429
    text = response.content.decode()
    assert "账号已暂时锁定" in text
    assert "连续 5 次登录失败" in text
    assert "账号“alice”" in text
    assert "0:15:00" in text


@pytest.mark.parametrize(
    "password, code",
    [
        ("Sh0rt-pw!", "password_too_short"),
        ("7305918264013", "password_entirely_numeric"),
        ("password1234", "password_too_common"),
        ("alice.wang@kaohe.example", "password_too_similar"),
    ],
)
def test_password_validators_refuse_weak_passwords(alice, password, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password, user=alice)
    assert code in [error.code for error in excinfo.value.error_list]


def test_password_too_short_message_is_chinese(alice):
    with pytest.raises(ValidationError) as excinfo:
        validate_password("Sh0rt-pw!", user=alice)
    assert excinfo.value.messages == ["密码太短，至少须有 10 个字符。"]


def test_password_validators_accept_strong_password(alice):
    assert validate_password("Lan-zhou-kaohe-2023!", user=alice) is None


def test_sessions_expire_after_working_day_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.X_FRAME_OPTIONS == "DENY"


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAOHE_", "DJANGO_"))}
    env.update(
        KAOHE_DEBUG="false",
        KAOHE_SECRET_KEY=secrets.token_urlsafe(64),
        KAOHE_ALLOWED_HOSTS="kaohe.example",
        KAOHE_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="kaohe.settings",
    )
    return env


def test_check_deploy_passes_with_production_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_settings_secure_cookies_and_hsts(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_CONTENT_TYPE_NOSNIFF)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "31536000", "True", "True"]


def test_production_settings_refuse_missing_secret_key(tmp_path):
    env = _production_env(tmp_path)
    del env["KAOHE_SECRET_KEY"]

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "environment variable KAOHE_SECRET_KEY is required" in result.stderr


def test_login_page_locks_after_five_failures_with_chinese_page(alice):
    client = Client(REMOTE_ADDR="10.0.0.9")
    statuses = [
        client.post("/accounts/login/", {"username": "alice", "password": "wrong-password"}).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the form with its error, then locked at the fifth

    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
