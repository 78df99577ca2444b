"""An account created from the roster must change its initial password first: until it has, every page sends it
to the password change page (people.views.PasswordChangeView clears the flag)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from people.services import PASSWORD_CHANGE_SESSION_KEY

# The pages a flagged account may still open: the password change itself and signing out.
ALLOWED_URL_NAMES = ("password_change", "password_change_done", "logout", "admin:logout")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.session.get(PASSWORD_CHANGE_SESSION_KEY):
            allowed = {reverse(name) for name in ALLOWED_URL_NAMES}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                messages.warning(request, "首次登录请先修改初始密码。")
                return redirect("password_change")
        return self.get_response(request)
