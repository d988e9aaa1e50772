from . import roles


def roles_context(request):
    user_roles = roles.user_roles(getattr(request, "user", None))
    return {
        "user_roles": user_roles,
        "is_hr": roles.HR in user_roles,
        "is_reviewer": roles.REVIEWER in user_roles,
        "is_compliance": roles.COMPLIANCE in user_roles,
        "is_admin_role": roles.ADMIN in user_roles,
    }
