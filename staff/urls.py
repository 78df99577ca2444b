"""Root of the staff pages (kaohe/urls.py includes it at ""): home and accounts without a namespace, as
Django's auth settings expect (LOGIN_URL = "login"), and the pages under the "staff" namespace."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from people.views import PasswordChangeView
from staff import views
from staff.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("staff.page_urls", namespace="staff")),
]
