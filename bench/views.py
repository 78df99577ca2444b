"""A trivial view: the floor the benchmark compares real pages with, and a liveness probe for deployments."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    # Public on purpose: it reveals nothing and touches no data (load balancers and the benchmark call it).
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
