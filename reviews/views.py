"""The one way to fetch an evidence file: checks that the user may see its record."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

import access
from kaohe.files import serve_private_file
from reviews.models import Evidence


def evidence_download(request: HttpRequest, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    evidence = get_object_or_404(Evidence.objects.select_related("record__year"), pk=pk)
    if not access.may_see_record(request.user, evidence.record):
        # 404, not 403: an unrelated user learns nothing about which files exist.
        raise Http404("没有找到该佐证材料。")
    return serve_private_file(evidence)
