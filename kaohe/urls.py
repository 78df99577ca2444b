from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from kaohe.views import healthz

admin.site.site_header = "考核系统管理"
admin.site.site_title = "考核系统"
admin.site.index_title = "创先争优绩效考核"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("ledger/", include("reviews.urls")),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico wherever a page names no icon (a download, an error page of the server).
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg")), name="favicon"),
    path("", include("staff.urls")),
    path("", include("workplans.urls")),
    path("", include("ballots.urls")),
    path("workflow/", include("workflow.urls")),
    path("reports/", include("reports.urls")),
    path("notices/", include("notices.urls")),
]
