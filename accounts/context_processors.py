from types import SimpleNamespace

from . import roles


def roles_context(request):
    """The user's roles (for showing them) and what they may do (for showing buttons).

    `may.<rule>` is the user-level predicate of cases/permissions.py of the same name; templates
    test these, never a role, so a page offers exactly what the services allow.
    """
    from cases import permissions

    user = getattr(request, "user", None)
    user_roles = roles.user_roles(user)
    return {
        "user_roles": user_roles,
        "is_admin_role": roles.ADMIN in user_roles,
        "may": SimpleNamespace(
            read_cases=permissions.can_read_cases(user),
            open_cases=permissions.can_open_cases(user),
            work_reviews=permissions.can_work_reviews(user),
            reveal_numbers=permissions.can_reveal_numbers(user),
            audit=permissions.can_audit(user),
        ),
    }
