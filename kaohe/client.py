"""The address a request comes from, for throttles and lockouts (the ballot page, django-axes).

Behind a reverse proxy every request's REMOTE_ADDR is the proxy's: keyed on it, one person's failures would lock
everyone out. The client's own address is taken from X-Forwarded-For only when the request comes from a proxy of
KAOHE_FORWARDED_ALLOW_IPS (the setting gunicorn reads too), and then it is the last address in that header that
is not itself one of those proxies — the first ones are whatever the client chose to send.
"""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.KAOHE_FORWARDED_ALLOW_IPS
    if remote not in trusted and "*" not in trusted:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address
    return forwarded[0] if forwarded else remote
