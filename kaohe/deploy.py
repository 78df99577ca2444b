"""What the application refuses to be served with.

`kaohe/wsgi.py` and `kaohe/asgi.py`, the entry points of a deployment (gunicorn), call `served_settings_check()`
before serving: DEBUG on (which shows tracebacks and settings to anyone, and is the default when KAOHE_DEBUG is
forgotten) or a weak or development secret key (with which anyone can forge sessions and ballot-code hashes)
stop the server, unless KAOHE_ALLOW_INSECURE=true says it is a developer's own machine. The development
server (`manage.py runserver`, `make run`) does not go through here.
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_SECRET_KEY = "dev-insecure-kaohe-secret-key"
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_CHARACTERS = 5


def secret_key_is_weak(key: str) -> bool:
    """Django's own measure (`check --deploy`, security.W009): at least 50 characters, 5 different ones."""
    return (
        key == DEVELOPMENT_SECRET_KEY
        or key.startswith("django-insecure")
        or len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_CHARACTERS
    )


def insecure_settings() -> list[str]:
    """Why these settings must not serve users (in Chinese), or nothing."""
    problems = []
    if settings.DEBUG:
        problems.append("DEBUG 已开启（生产环境请设置 KAOHE_DEBUG=false）")
    if secret_key_is_weak(settings.SECRET_KEY):
        problems.append(
            f"KAOHE_SECRET_KEY 过弱或为开发用密钥（至少 {SECRET_KEY_MIN_LENGTH} 个字符，"
            f"例如 python3 -c 'import secrets; print(secrets.token_urlsafe(64))' 生成）"
        )
    return problems


def served_settings_check() -> None:
    """Refuse to serve with insecure settings unless KAOHE_ALLOW_INSECURE=true."""
    if os.environ.get("KAOHE_ALLOW_INSECURE", "").lower() in {"1", "true", "yes", "on"}:
        return
    problems = insecure_settings()
    if problems:
        raise ImproperlyConfigured(
            "拒绝以不安全的配置提供服务：" + "；".join(problems) + "。仅限本机开发时可设置 KAOHE_ALLOW_INSECURE=true。"
        )
