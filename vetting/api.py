"""Shared REST API plumbing: error mapping, role permissions, pagination.

Every API view uses these, so the same service error gives the same status code everywhere:
CaseValidationError → 400 with field messages, NotAllowed → 403, InvalidTransition → 409.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts import roles
from cases.errors import CaseValidationError, InvalidTransition, NotAllowed

CASE_READERS = (roles.HR, roles.REVIEWER, roles.COMPLIANCE)
ANY_ROLE = roles.ALL_ROLES
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# ---------------------------------------------------------------- errors


def _field_errors(errors: dict) -> dict:
    return {
        ("non_field_errors" if field == "__all__" else field): list(messages)
        for field, messages in errors.items()
    }


def exception_handler(exc, context):
    """DRF's handler, plus the case services' errors and Django's ValidationError."""
    if isinstance(exc, CaseValidationError):
        return Response(_field_errors(exc.errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotAllowed):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, InvalidTransition):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            body = _field_errors(exc.message_dict)
        else:
            body = {"non_field_errors": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


# ---------------------------------------------------------------- permissions


def required_roles(view, request) -> tuple[str, ...] | None:
    """The roles `view` declares for this request's method; None means any signed-in user.

    Views declare `roles_by_method = {"GET": (...), "POST": (...)}` (a "*" key is the fallback)
    or override `get_required_roles(request)` when the roles depend on the request.
    """
    if hasattr(view, "get_required_roles"):
        return view.get_required_roles(request)
    by_method = getattr(view, "roles_by_method", None) or {}
    method = "GET" if request.method in SAFE_METHODS else request.method
    if method in by_method:
        return by_method[method]
    return by_method.get("*")


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
            by_method = getattr(view, "roles_by_method", None) or {}
            method = "GET" if self.method in SAFE_METHODS else self.method
            wanted = by_method.get(method, by_method.get("*"))
        who = ", ".join(wanted) if wanted else "any signed-in user"
        description = operation.get("description", "")
        operation["description"] = f"{description}\n\n**Roles:** {who}.".strip()
        return operation


# ---------------------------------------------------------------- pagination


class CreatedCursorPagination(CursorPagination):
    """Newest first; stable under inserts (a cursor, not a page number)."""

    ordering = ("-created_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class OldestFirstCursorPagination(CursorPagination):
    """For time lines: oldest event first."""

    ordering = ("at", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# ---------------------------------------------------------------- documented errors


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


_ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Bad input: a list of messages per field; `non_field_errors` for the request "
        "as a whole. Nothing was changed.",
        examples=[
            OpenApiExample(
                "Field messages",
                value={"note": ["A note is required when the answer is “Observed”."]},
                status_codes=["400"],
            )
        ],
    ),
    401: OpenApiResponse(
        ErrorSerializer,
        description="Not signed in: send `Authorization: Token <key>` or a session cookie.",
    ),
    403: OpenApiResponse(
        ErrorSerializer,
        description="Your role may not do this (or the four-eyes rule forbids it).",
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such object, or one you may not see."),
    409: OpenApiResponse(
        ErrorSerializer,
        description="Not possible in the object's current state (e.g. approving a draft).",
        examples=[
            OpenApiExample(
                "Wrong state",
                value={"detail": "Cannot approve (clear) the case: VET-2026-000001 is Draft."},
                status_codes=["409"],
            )
        ],
    ),
}


def error_responses(*codes: int) -> dict:
    """OpenAPI responses for the error codes an operation can return (401 always)."""
    return {code: _ERRORS[code] for code in sorted({401, *codes})}


# ---------------------------------------------------------------- file downloads


class FileDownloadMixin:
    """For views answering with a file: any Accept header is fine, errors stay JSON."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


def attachment_response(file, *, filename: str, content_type: str, sha256: str = ""):
    """A download that browsers save rather than render, never cached, with its hash."""
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    if sha256:
        response["X-Content-SHA256"] = sha256
    return response
