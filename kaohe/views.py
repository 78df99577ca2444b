"""Views of the project itself, not of one app."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """A liveness probe for deployments, and the floor the benchmark compares real pages with.

    Public on purpose: it reveals nothing and touches no data."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
