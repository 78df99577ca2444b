"""Django's password change page, which also ends a roster account's first-login password change."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from people.services import PASSWORD_CHANGE_SESSION_KEY, password_changed


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(self.request.user)
        self.request.session.pop(PASSWORD_CHANGE_SESSION_KEY, None)
        return response
