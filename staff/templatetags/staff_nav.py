"""The navigation bar's entries: only what the signed-in user may use (the views check again)."""

from django import template

import access
from scoring.models import AssessmentYear
from workplans.services import plan_shortfall_rule

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_nav(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_kaohe_nav", None)
    if cached is not None:
        return cached
    year = AssessmentYear.objects.select_related("scheme").order_by("-year").first()
    nav: dict[str, object] = {"year": year, "history": access.may_read_history(user)}
    if year is not None:
        nav["headed"] = access.headed_departments(user)
        nav["supervised"] = bool(access.supervised_departments(user, year))
        nav["results"] = access.may_see_results(user)
        nav["compare"] = access.may_compare(user)
        nav["review_group"] = access.is_reviewer(user)
        nav["lead"] = access.is_review_lead(user)
        nav["sees_all"] = access.sees_all_departments(user)
        if access.is_reviewer(user):
            # The scheme's plan shortfall rule (T4 in district-2023), if it has one and the user records it
            rule = plan_shortfall_rule(year)
            nav["t4"] = rule if rule is not None and access.may_record_rule(user, rule) else None
    request._kaohe_nav = nav
    return nav
