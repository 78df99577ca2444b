"""Behind a reverse proxy, throttles and lockouts count per client, not per proxy, and across processes."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from kaohe.client import client_address

PROXY = "127.0.0.1"
PASSWORD = "kaohe-proxy-test-password"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.5", "", "10.0.0.5"),  # straight from a client
        ("10.0.0.5", "1.2.3.4", "10.0.0.5"),  # a client's own X-Forwarded-For is not believed
        (PROXY, "10.0.0.7", "10.0.0.7"),  # through the proxy
        (PROXY, "6.6.6.6, 10.0.0.7", "10.0.0.7"),  # what the client prepended is ignored
        (PROXY, "", PROXY),
    ],
)
def test_client_address_believes_x_forwarded_for_only_from_the_proxy(settings, remote, forwarded, expected):
    settings.KAOHE_FORWARDED_ALLOW_IPS = [PROXY]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


def _through_proxy(client_ip: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)


@pytest.mark.django_db
def test_a_lockout_behind_the_proxy_locks_only_the_failing_client(settings):
    settings.KAOHE_FORWARDED_ALLOW_IPS = [PROXY]
    get_user_model().objects.create_user("alice", password=PASSWORD)
    guesser, alice = _through_proxy("10.0.0.66"), _through_proxy("10.0.0.7")

    statuses = [
        guesser.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code for _ in range(5)
    ]
    response = alice.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert statuses == [200, 200, 200, 200, 429]
    assert response.status_code == 302
    assert "_auth_user_id" in alice.session
