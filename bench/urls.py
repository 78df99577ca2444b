from django.urls import path

from bench import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
