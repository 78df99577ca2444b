"""The user's notices: the list (newest first, with the unread ones marked) and opening one, which marks it read
and leads to its item. A user sees only his or her own notices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notices import services

PER_PAGE = 50


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = services.notices_of(request.user).select_related("year")
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notices/list.html", {"page": page, "unread": services.unread_count(request.user)})


@login_required
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(services.notices_of(request.user), pk=pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    if not url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None) or not notice.url.startswith("/"):
        return redirect("notices:list")
    return redirect(notice.url)


@login_required
@require_POST
def notice_read_all(request: HttpRequest) -> HttpResponse:
    done = services.notices_mark_read(request.user)
    messages.success(request, f"已将 {done} 条通知标为已读。")
    return redirect("notices:list")
