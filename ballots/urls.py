from django.urls import path

from ballots import views

app_name = "ballots"

urlpatterns = [
    path("vote/", views.vote, name="vote"),
    path("vote/done/", views.vote_done, name="vote_done"),
    path("democratic/", views.index, name="index"),
    path("democratic/<int:year>/open/", views.round_open, name="open"),
    path("democratic/<int:year>/", views.round_detail, name="round"),
    path("democratic/<int:year>/edit/", views.round_edit, name="edit"),
    path("democratic/<int:year>/codes/", views.codes_generate, name="codes"),
    path("democratic/<int:year>/batches/<int:pk>/void/", views.batch_void, name="batch_void"),
    path("democratic/<int:year>/close/", views.round_close, name="close"),
    path("democratic/<int:year>/paper/", views.paper_ballot, name="paper"),
    path("democratic/<int:year>/paper/import/", views.paper_import, name="paper_import"),
    path("democratic/<int:year>/paper/template.xlsx", views.paper_template, name="paper_template"),
    path("democratic/<int:year>/statistics/", views.statistics, name="statistics"),
]
