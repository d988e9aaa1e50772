"""Role rules for API views: which roles an endpoint takes, checked and documented the same way.

Views declare `roles_by_method = {"GET": (...), "POST": (...)}` (a "*" key is the fallback) or
override `get_required_roles(request)` when the roles depend on the request.
"""

from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from . import roles

ANY_ROLE = roles.ALL_ROLES


def _declared_roles(view, method: str) -> tuple[str, ...] | None:
    by_method = getattr(view, "roles_by_method", None) or {}
    method = "GET" if method in SAFE_METHODS else method
    return by_method.get(method, by_method.get("*"))


def required_roles(view, request) -> tuple[str, ...] | None:
    """The roles `view` declares for this request's method; None means any signed-in user."""
    if hasattr(view, "get_required_roles"):
        return view.get_required_roles(request)
    return _declared_roles(view, request.method)


class HasRequiredRole(BasePermission):
    """401 for anonymous callers, 403 when none of the caller's roles may use the endpoint."""

    message = "Your role may not do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            raise exceptions.NotAuthenticated()
        wanted = required_roles(view, request)
        if wanted is None:
            return True
        if roles.has_role(user, *wanted):
            return True
        self.message = "Only {} users may do this.".format(" or ".join(wanted))
        return False


class RoleDocumentingSchema(AutoSchema):
    """Appends the roles an operation needs to its OpenAPI description."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        view = self.view
        if operation is None or not any(
            isinstance(p, HasRequiredRole) for p in view.get_permissions()
        ):
            return operation
        if hasattr(view, "roles_for_schema"):
            wanted = view.roles_for_schema(self.method)
        else:
            wanted = _declared_roles(view, self.method)
        who = ", ".join(wanted) if wanted else "any signed-in user"
        description = operation.get("description", "")
        operation["description"] = f"{description}\n\n**Roles:** {who}.".strip()
        return operation
