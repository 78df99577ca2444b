"""The navigation bar's entries: only what the signed-in user may use (the views check again)."""

from django import template

import access
from scoring.models import AssessmentYear
from workplans.services import t4_rule

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
    nav: dict[str, object] = {"year": year}
    if year is not None:
        nav["headed"] = access.headed_departments(user)
        nav["supervised"] = bool(access.supervised_departments(user, year))
        nav["results"] = access.may_see_results(user)
        nav["compare"] = access.may_compare(user)
        nav["review_group"] = access.is_reviewer(user)
        nav["lead"] = access.is_review_lead(user)
        nav["sees_all"] = access.sees_all_departments(user)
        if access.is_reviewer(user):
            rule = t4_rule(year)  # None for a scheme without T4 (county-2011)
            nav["t4"] = rule is not None and access.may_record_rule(user, rule)
    request._kaohe_nav = nav
    return nav
