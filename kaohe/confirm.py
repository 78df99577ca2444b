"""Confirmation before an irreversible step: the step's POST first shows a page naming what will happen, and
only the same POST sent again from that page, with `confirmed=yes`, goes through.

A view calls `confirmation_page` first thing after its permission checks:

    page = confirmation_page(request, title="结束民主测评", consequences=[...], button="结束测评并计分",
                             back=reverse("ballots:round", args=[year]))
    if page is not None:
        return page
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.http import HttpRequest
from django.template.response import TemplateResponse

CONFIRM_FIELD = "confirmed"
CONFIRMED = "yes"


def confirmation_page(
    request: HttpRequest,
    *,
    title: str,
    consequences: Sequence[str],
    button: str,
    back: str,
    back_post: Mapping[str, str] | None = None,
) -> TemplateResponse | None:
    """None when the POST was confirmed; otherwise the page that asks, which re-sends the POST's own fields.

    `back` is where "返回" leads. With `back_post` (e.g. ``{"action": "save"}`` on a form that was about to be
    submitted), "返回" posts the same fields to `back` with these values instead, so that nothing typed is lost."""
    if request.POST.get(CONFIRM_FIELD) == CONFIRMED:
        return None
    fields = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
        for value in request.POST.getlist(name)
    ]
    back_fields = None
    if back_post is not None:
        back_fields = [(name, value) for name, value in fields if name not in back_post] + list(back_post.items())
    context = {
        "title": title,
        "consequences": consequences,
        "button": button,
        "back": back,
        "fields": fields,
        "back_fields": back_fields,
    }
    return TemplateResponse(request, "includes/confirm.html", context)
