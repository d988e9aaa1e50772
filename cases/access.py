"""Who may open which page: the decorators every case and report page uses."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from . import permissions, selectors
from .services.base import require_role


def require_case_reader(user) -> None:
    if not permissions.can_read_cases(user):
        raise PermissionDenied(
            _(
                "Case pages are for HR, reviewers and compliance. "
                "Your account has none of these roles."
            )
        )


def reader_page(view):
    """Login and a role that may read cases."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_case_reader(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def case_page(view):
    """`reader_page`, plus the case by its reference (404 when unknown or not visible)."""

    @reader_page
    @wraps(view)
    def wrapper(request, reference, *args, **kwargs):
        case = get_object_or_404(selectors.visible_cases(request.user), reference=reference)
        return view(request, case, *args, **kwargs)

    return wrapper


def posts_need(role_set: tuple, action):
    """A page whose POSTs need one of the roles of `role_set` (a role set of cases.permissions,
    as the API's `roles_by_method`): 403 with the services' refusal otherwise (the NotAllowed is
    mapped by common.middleware.ServiceErrorMiddleware, as for every page). GETs pass."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                require_role(request.user, *role_set, action=str(action))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
