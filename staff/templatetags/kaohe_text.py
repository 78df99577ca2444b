"""How the pages name what the scoring core gives as codes and decimals."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django import template

from scoring.engine import round2
from scoring.models import AssessmentYear, Rule

register = template.Library()


@register.filter
def veto_texts(codes: Iterable[str], year: AssessmentYear) -> str:
    """The veto rules a department broke, each with its text: "V2 发生重大责任事故的"."""
    codes = list(codes or ())
    texts = dict(Rule.objects.filter(scheme_id=year.scheme_id, code__in=codes).values_list("code", "text"))
    return "；".join(f"{code} {texts[code]}" if code in texts else code for code in codes)


@register.filter
def minus(value: Decimal) -> str:
    """A deduction total shown with its sign: 3.5 -> "−3.50", and 0 -> "0.00", never "−0"."""
    return f"−{round2(Decimal(value)):.2f}" if value else "0.00"


@register.filter
def plus(value: Decimal) -> str:
    """A bonus total shown with its sign: 8 -> "+8.00", and 0 -> "0.00", never "+0"."""
    return f"+{round2(Decimal(value)):.2f}" if value else "0.00"
