"""Structured logs: a JSON object a line (VETTING_LOG_FORMAT=json), with the request and user ids.

RequestContextMiddleware gives each request an id (the proxy's X-Request-ID when it is a sane
token, else a new one), returns it in the X-Request-ID response header, and keeps it with the
signed-in user's id in context variables that RequestContextFilter copies onto every log record
made while the request runs (in plain-text logs too, as %(request_id)s and %(user_id)s).
"""

import contextvars
import datetime
import json
import logging
import re
import uuid

from django.core.signals import request_finished, request_started

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
user_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("user_id", default="")

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Attributes every LogRecord has; anything else was passed in `extra=` and goes into the line.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "user_id"}


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """A JSON object per record: time (UTC, ISO 8601), level, logger, message, request and user
    ids when known, the exception's traceback, and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "user_id"):
            value = getattr(record, key, "") or ""
            if value:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        return json.dumps(line, default=str, ensure_ascii=False)


def clear_context(**kwargs) -> None:
    request_id_var.set("")
    user_id_var.set("")


request_started.connect(clear_context, dispatch_uid="common.logs.clear_context.started")
request_finished.connect(clear_context, dispatch_uid="common.logs.clear_context.finished")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        # Kept until the request is finished (clear_context), not just while the middleware
        # runs: Django logs "Not Found" and server errors after the middleware has returned.
        request_id_var.set(request.request_id)
        user_id_var.set("")  # set once authentication has run, in process_view
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id_var.set(str(user.pk))
        return None
