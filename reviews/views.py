"""The one way to fetch an evidence file: checks that the user may see its record."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

import access
from reviews.models import Evidence
from reviews.services import evidence_path


def evidence_download(request: HttpRequest, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    evidence = get_object_or_404(Evidence.objects.select_related("record__year"), pk=pk)
    if not access.may_see_record(request.user, evidence.record):
        # 404, not 403: an unrelated user learns nothing about which files exist.
        raise Http404("没有找到该佐证材料。")
    path = evidence_path(evidence)
    if not path.is_file():
        raise Http404("佐证材料文件已丢失。")
    response = FileResponse(path.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(evidence.original_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
