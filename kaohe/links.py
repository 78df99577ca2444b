"""URLs of many objects at the cost of one `reverse()`."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_SENTINEL = "987654321"


def pk_url(name: str, current_app: str | None = None) -> Callable[[int], str]:
    """`lambda pk: reverse(name, args=[pk])` for a URL that takes one integer: one reverse() with a sentinel
    number, then string formatting. A page of hundreds of links spent a few milliseconds in the resolver."""
    head, found, tail = reverse(name, args=[int(_SENTINEL)], current_app=current_app).rpartition(_SENTINEL)
    if not found:  # pragma: no cover — a URL whose pattern does not print its argument
        raise ValueError(f"{name} does not put its argument in the URL")
    return lambda pk: f"{head}{int(pk)}{tail}"
