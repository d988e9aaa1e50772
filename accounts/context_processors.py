from . import roles


def roles_context(request):
    """The user's roles, for showing them (what the user may do comes from cases.permissions)."""
    user_roles = roles.user_roles(getattr(request, "user", None))
    return {
        "user_roles": user_roles,
        "is_admin_role": roles.ADMIN in user_roles,
        # Set by accounts.middleware: the second factor still to do (the menu is hidden until).
        "second_factor_pending": getattr(request, "second_factor_pending", None),
    }
