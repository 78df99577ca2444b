"""At login, an account that must change its password is flagged in its session (people.middleware)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from people.services import PASSWORD_CHANGE_SESSION_KEY, password_change_required


@receiver(user_logged_in, dispatch_uid="people_password_change_flag")
def password_change_flag(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and password_change_required(user):
        request.session[PASSWORD_CHANGE_SESSION_KEY] = True
