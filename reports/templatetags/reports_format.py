"""Number formats of the reports: two decimals exactly as the scoring core gives them (never through float)."""

from decimal import Decimal

from django import template

from scoring.engine import round2

register = template.Library()


@register.filter
def score(value: Decimal | None) -> str:
    """98.4 -> "98.40"; unknown -> "—"."""
    if value is None or value == "":
        return "—"
    return f"{round2(Decimal(value)):.2f}"


@register.filter
def points(value: Decimal | None) -> str:
    """Signed points of a record or category: -5 -> "-5.00", 8 -> "+8.00", 0 -> "0.00"."""
    if value is None:
        return "—"
    value = round2(Decimal(value))
    return f"+{value:.2f}" if value > 0 else f"{value:.2f}"


@register.filter
def money(value: Decimal | None) -> str:
    """2000 -> "2,000.00"; pending -> "待定"."""
    if value is None:
        return "待定"
    return f"{round2(Decimal(value)):,.2f}"


@register.filter
def yuan(value: Decimal | None) -> str:
    """The one money format of the printed documents: 1500 -> "1,500.00 元" (a no-break space: the amount and its unit
    never part at a line's end); pending -> "待定"."""
    if value is None:
        return "待定"
    return f"{money(value)}\u00a0元"


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
