from types import SimpleNamespace

from . import permissions


def permissions_context(request):
    """What the user may do, for showing buttons and links.

    `may.<rule>` is the user-level predicate of cases/permissions.py of the same name; templates
    test these, never a role, so a page offers exactly what the services allow.
    """
    user = getattr(request, "user", None)
    return {
        "may": SimpleNamespace(
            read_cases=permissions.can_read_cases(user),
            open_cases=permissions.can_open_cases(user),
            work_reviews=permissions.can_work_reviews(user),
            reveal_numbers=permissions.can_reveal_numbers(user),
            audit=permissions.can_audit(user),
            manage_retention=permissions.can_manage_retention(user),
            accept_findings=permissions.can_accept_findings(user),
            dismiss_findings=permissions.can_dismiss_findings(user),
        ),
    }
