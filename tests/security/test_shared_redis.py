"""Throttles and lockouts count across processes: the ballot page's wrong codes in Redis (KAOHE_REDIS_URL), the
login failures in the database (django-axes), both shared by every gunicorn worker and host.

A real `redis-server` is started on a free port in a temporary folder; a second process, configured only through
the environment as a deployment is (KAOHE_REDIS_URL, DATABASE_URL), makes the first requests, this process the
rest, and each sees the other's count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import UserFactory
from tests.servers import database_url, redis_server

REPO = Path(__file__).resolve().parents[2]
PROXY = "127.0.0.1"
GUESSER = "10.0.0.66"


@pytest.fixture
def redis_url(tmp_path):
    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture
def redis_cache(settings, redis_url):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    settings.KAOHE_FORWARDED_ALLOW_IPS = [PROXY]
    return redis_url


OTHER_PROCESS = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

def through_proxy():
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.66")

codes = [through_proxy().post("/vote/", {"code": "ABCD-EFGH"}).status_code for _ in range(20)]
logins = [
    through_proxy().post("/accounts/login/", {"username": "walker", "password": "wrong-password"}).status_code
    for _ in range(3)
]
print(json.dumps({"cache": settings.CACHES["default"]["BACKEND"], "codes": codes, "logins": logins}))
"""


def _other_process(redis_url: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kaohe.settings",
        "DATABASE_URL": database_url(),
        "KAOHE_REDIS_URL": redis_url,
        "KAOHE_FORWARDED_ALLOW_IPS": PROXY,
        "KAOHE_DEBUG": "true",
    }
    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)  # the other process reads what this one has committed
def test_wrong_codes_and_login_failures_count_across_two_processes(redis_cache):
    UserFactory(username="walker", password="right-password-0")
    assert django_settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"

    other = _other_process(redis_cache)

    assert other == {
        "cache": "django.core.cache.backends.redis.RedisCache",
        "codes": [400] * 20,
        "logins": [200] * 3,
    }

    def through_proxy(address: str = GUESSER) -> Client:
        return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)

    # 20 wrong codes there + 10 here = the limit of 30: the next one is throttled, another client is not.
    here = [through_proxy().post("/vote/", {"code": "ABCD-EFGH"}).status_code for _ in range(11)]
    assert here == [400] * 10 + [429]
    assert through_proxy("10.0.0.7").post("/vote/", {"code": "ABCD-EFGH"}).status_code == 400

    # 3 failed logins there + 2 here = 5: locked, even with the right password now.
    logins = [
        through_proxy().post("/accounts/login/", {"username": "walker", "password": "wrong-password"}).status_code
        for _ in range(2)
    ]
    assert logins == [200, 429]
    right = through_proxy().post("/accounts/login/", {"username": "walker", "password": "right-password-0"})
    assert right.status_code == 429
