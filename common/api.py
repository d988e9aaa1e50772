"""REST API plumbing every app uses: parsing, error mapping, cursor pagination, documented
errors, files.

The same service error gives the same status code everywhere: ServiceValidationError → 400 with
field messages, NotAllowed → 403, NotFound → 404, InvalidTransition → 409 (StaleVersion: 409
with the current value, see `StaleVersionMixin`), Unavailable → 503. A body over the size limit
is 413. Every error body is JSON, also for what never reaches a view (`common.views` answers
404, 400, 403 and 500 under /api/ in JSON).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import parsers, renderers, serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    ServiceValidationError,
    StaleVersion,
    Unavailable,
)

# ---------------------------------------------------------------- parsing

# No request of this API nests deeper than 4 levels (a history row in a candidate's facts).
MAX_JSON_DEPTH = 20


def json_depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0), without
    recursion."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        pending.extend((child, depth + 1) for child in item)
    return deepest


def _too_deep() -> ParseError:
    return ParseError(
        _("JSON nested too deeply: at most %(n)d levels of lists and objects.")
        % {"n": MAX_JSON_DEPTH}
    )


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit: JSON nested deeper than MAX_JSON_DEPTH (which
    would otherwise exhaust Python's recursion limit and give a 500) is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise _too_deep() from exc
        if json_depth(data) > MAX_JSON_DEPTH:
            raise _too_deep()
        return data


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


def too_large_body() -> dict:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return {
        "detail": _("The request body is too large: at most %(n)s MB (files excepted).")
        % {"n": round(limit / 1048576, 1)}
    }


def exception_handler(exc, context):
    """DRF's handler, plus the services' errors and Django's ValidationError."""
    if isinstance(exc, RequestDataTooBig):
        return Response(too_large_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, RecursionError) and "decoding a JSON" in str(exc):
        # A view with parsers of its own (DRF's token login) decoding deeply nested JSON.
        exc = _too_deep()
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


# ---------------------------------------------------------------- optimistic concurrency


def etag(version: int) -> str:
    """The ETag of an object's version: a quoted integer."""
    return f'"{version}"'


def if_match_version(request) -> int | None:
    """The version a change is based on, from its If-Match header (an ETag this API sent, weak
    or strong). None when there is no If-Match, or it is `*`: then nothing is checked (clients
    written before versions existed keep working). Anything else is a 400."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tag = header.removeprefix("W/").strip()
    if len(tag) >= 2 and tag[0] == tag[-1] == '"':
        tag = tag[1:-1]
    if not tag.isascii() or not tag.isdigit() or len(tag) > 18:
        raise ParseError(
            _('If-Match must be one ETag this API sent, such as "3" (got %(h)s).')
            % {"h": header[:40]}
        )
    return int(tag)


class VersionedMixin:
    """For an endpoint showing one versioned object (`version` field): its ETag header on
    every answer, and a change refused as stale (StaleVersion) answered with 409, the message,
    and the object as it is now stored (`current`, with its ETag).

    The view defines `current_data()`, returning (the object's representation, its version).
    """

    def current_data(self) -> tuple[dict, int]:
        raise NotImplementedError

    def versioned_response(self, status_code=status.HTTP_200_OK, **body) -> Response:
        data, version = self.current_data()
        body = {**body, "current": data} if body else data
        return Response(body, status=status_code, headers={"ETag": etag(version)})

    def handle_exception(self, exc):
        if isinstance(exc, StaleVersion):
            return self.versioned_response(status.HTTP_409_CONFLICT, detail=exc.message)
        return super().handle_exception(exc)


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
        OpenApiTypes.OBJECT,
        description="Not possible in the object's current state (e.g. approving a draft). "
        "On a versioned object (a checklist answer, a candidate's facts) also: someone saved it "
        "after the version named in If-Match; `current` is the object as now stored, and the "
        "ETag header its version.",
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


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The ETag (e.g. "3") of the version the change is based on. If someone saved '
    "the object since, nothing is saved and the answer is 409 with the current value. Optional: "
    "without it (or with *) the change is saved whatever the current version.",
)


# ---------------------------------------------------------------- file downloads


class FileDownloadMixin:
    """For views answering with a file: any Accept header is fine, errors stay JSON."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API without the filter form: vetting's views validate their filters
    with their own serializers and have no `queryset` for django-filter's form to read, so
    drawing it failed every list with a 500."""

    def get_filter_form(self, data, view, request):
        return None
