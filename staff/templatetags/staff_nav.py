"""The navigation bar's entries: only what the signed-in user may use (the views check again)."""

from django import template

import access
from notices.services import years_with_unread
from scoring.models import AssessmentYear
from workplans.services import plan_shortfall_rule

register = template.Library()

# Where the home page keeps the user's year (staff.views.SESSION_YEAR).
SESSION_YEAR = "kaohe_year"


def _nav_year(request, years: list[AssessmentYear]) -> AssessmentYear | None:
    """The year the page's URL names; on a page whose URL names none, the year the user last had on the home
    page (or chose in the year switcher); else the newest."""
    match = getattr(request, "resolver_match", None)
    wanted = match.kwargs.get("year") if match is not None else None
    if not isinstance(wanted, int):
        wanted = request.session.get(SESSION_YEAR) if hasattr(request, "session") else None
    for year in years:
        if year.year == wanted:
            return year
    return years[0] if years else None


@register.simple_tag(takes_context=True)
def staff_nav(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_kaohe_nav", None)
    if cached is not None:
        return cached
    years = years_with_unread(user)
    year = _nav_year(request, years)
    nav: dict[str, object] = {
        "year": year,
        "years": years,
        "unread": sum(getattr(y, "unread", 0) for y in years),
        "history": access.may_read_history(user),
    }
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
