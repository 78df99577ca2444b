"""Wrong ballot codes are counted per client behind the proxy, in the cache every worker and host shares."""

from django.core.cache import caches
from django.test import Client

PROXY = "127.0.0.1"


def _through_proxy(client_ip: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)


def test_wrong_ballot_codes_are_counted_per_client_in_the_shared_cache(settings, grassroots_group):
    settings.KAOHE_FORWARDED_ALLOW_IPS = [PROXY]
    guesser, voter = _through_proxy("10.0.0.66"), _through_proxy("10.0.0.7")
    for _ in range(30):
        guesser.post("/vote/", {"code": "ABCD-EFGH"})

    assert guesser.post("/vote/", {"code": "ABCD-EFGH"}).status_code == 429
    assert voter.post("/vote/", {"code": "ABCD-EFGH"}).status_code == 400  # refused as unknown, not throttled
    # Another process (a new connection to the same cache) sees the same count.
    assert caches.create_connection("default").get("ballots:failed:10.0.0.66") == 30
