from django.contrib import admin
from django.urls import include, path

from kaohe.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("ledger/", include("reviews.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("staff.urls")),
    path("", include("workplans.urls")),
    path("", include("ballots.urls")),
    path("workflow/", include("workflow.urls")),
    path("reports/", include("reports.urls")),
]
