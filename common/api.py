"""REST API plumbing every app uses: error mapping, cursor pagination, documented errors, files.

The same service error gives the same status code everywhere: ServiceValidationError → 400 with
field messages, NotAllowed → 403, NotFound → 404, InvalidTransition → 409, Unavailable → 503.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import InvalidTransition, NotAllowed, NotFound, ServiceValidationError, Unavailable

# ---------------------------------------------------------------- errors

STATUS_BY_ERROR = (
    (NotAllowed, status.HTTP_403_FORBIDDEN),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (InvalidTransition, status.HTTP_409_CONFLICT),
    (Unavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
)


def _field_errors(errors: dict) -> dict:
    return {
        ("non_field_errors" if field == "__all__" else field): list(messages)
        for field, messages in errors.items()
    }


def exception_handler(exc, context):
    """DRF's handler, plus the services' errors and Django's ValidationError."""
    if isinstance(exc, ServiceValidationError):
        return Response(_field_errors(exc.errors), status=status.HTTP_400_BAD_REQUEST)
    for error_class, code in STATUS_BY_ERROR:
        if isinstance(exc, error_class):
            return Response({"detail": exc.message}, status=code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            body = _field_errors(exc.message_dict)
        else:
            body = {"non_field_errors": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


# ---------------------------------------------------------------- pagination


def cursor_pagination(*ordering: str, page_size: int = 25, max_page_size: int = 100):
    """A cursor pagination class (stable under inserts) over `ordering`."""
    return type(
        "CursorPagination",
        (CursorPagination,),
        {
            "ordering": ordering,
            "page_size": page_size,
            "page_size_query_param": "page_size",
            "max_page_size": max_page_size,
        },
    )


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
    503: OpenApiResponse(
        ErrorSerializer,
        description="The file storage cannot be reached just now; nothing was changed. Try again.",
    ),
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
