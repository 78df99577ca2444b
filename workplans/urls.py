"""Monthly plans and summaries, the vice chair's board, T4 suggestions and the self-assessment (kaohe/urls.py
includes them at "", beside the staff pages)."""

from django.urls import path

from workplans import views

app_name = "workplans"

urlpatterns = [
    path("<int:year>/dept/<int:department>/reports/", views.report_list, name="reports"),
    path("<int:year>/dept/<int:department>/reports/<int:month>/", views.report_detail, name="report"),
    path("<int:year>/dept/<int:department>/reports/<int:month>/review/", views.report_review, name="report_review"),
    path("<int:year>/supervision/", views.supervision, name="supervision"),
    path("<int:year>/t4/", views.t4_list, name="t4"),
    path("<int:year>/t4/<int:item>/confirm/", views.t4_confirm, name="t4_confirm"),
    path("<int:year>/t4/<int:item>/dismiss/", views.t4_dismiss, name="t4_dismiss"),
    path("<int:year>/dept/<int:department>/self/", views.self_assessment, name="self"),
    path("<int:year>/dept/<int:department>/self/print/", views.self_assessment_print, name="self_print"),
    path("<int:year>/dept/<int:department>/self/claims/", views.claim_add, name="claim_add"),
    path("<int:year>/dept/<int:department>/self/claims/<int:claim>/delete/", views.claim_delete, name="claim_delete"),
    path(
        "<int:year>/dept/<int:department>/self/claims/<int:claim>/evidence/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path("self-evidence/<int:evidence>/", views.evidence_download, name="evidence"),
]
