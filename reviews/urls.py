from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
