from django.contrib import admin
from django.urls import include, path

from kaohe.views import healthz

admin.site.site_header = "考核系统管理"
admin.site.site_title = "考核系统"
admin.site.index_title = "创先争优绩效考核"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("ledger/", include("reviews.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("staff.urls")),
    path("", include("workplans.urls")),
    path("", include("ballots.urls")),
    path("workflow/", include("workflow.urls")),
    path("reports/", include("reports.urls")),
    path("notices/", include("notices.urls")),
]
