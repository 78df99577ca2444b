from django.urls import path

from workflow import views

app_name = "workflow"

urlpatterns = [
    path("", views.year_list, name="years"),
    path("<int:year>/", views.year_detail, name="year"),
    path("<int:year>/next/", views.year_next, name="year_next"),
    path("<int:year>/move/", views.year_move, name="move"),
    path("<int:year>/reopen/", views.year_reopen, name="reopen"),
    path("<int:year>/announce/", views.year_announce, name="announce"),
    path("<int:year>/objections/", views.objection_list, name="objections"),
    path("<int:year>/objections/new/<int:record>/", views.objection_create, name="objection_new"),
    path("objections/<int:pk>/", views.objection_detail, name="objection"),
    path("objections/files/<int:pk>/", views.objection_file, name="objection_file"),
    path("<int:year>/approval/", views.approval, name="approval"),
    path("<int:year>/approval/ties/<int:index>/", views.approval_tie, name="approval_tie"),
    path("<int:year>/approval/awards/", views.approval_award, name="approval_award"),
    path("<int:year>/approval/approve/", views.approval_approve, name="approval_approve"),
    path("<int:year>/notice.pdf", views.notice_pdf, name="notice"),
    path("<int:year>/notice/", views.notice_edit, name="notice_edit"),
    path("<int:year>/notice/draft/", views.notice_generate, name="notice_draft"),
    path("<int:year>/awards/", views.awards, name="awards"),
]
