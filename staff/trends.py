"""历年对比: one department's scores, rank, award and deductions over the scored years (charts and a table), and
every department's final score and rank a year. For leadership and the review group (`access.may_see_results`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

import access
from reports.charts import SCREEN, trend_charts
from reports.trends import scored_years, trends


@login_required
def trends_page(request: HttpRequest) -> HttpResponse:
    if not access.may_see_results(request.user):
        raise PermissionDenied("只有领导和考核小组可以查看历年对比。")
    years = scored_years()
    rows = trends(years)
    chosen = next((t for t in rows if t.department == request.GET.get("department")), rows[0] if rows else None)
    charts = []
    if chosen is not None:
        charts = trend_charts([(f"{p.year.year}年", p.result) for p in chosen.points], chosen.categories, SCREEN)
    context = {
        "years": years,
        "trends": rows,
        "chosen": chosen,
        "charts": charts,
    }
    return render(request, "staff/trends.html", context)
