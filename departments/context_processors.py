import access


def roles(request):
    """The signed-in user's roles, for the navigation bar (the server checks access again on every view)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset()}
    return {"user_roles": access.roles_of(user)}
