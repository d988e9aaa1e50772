"""Friendly error pages and the health check."""

from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template


def _error(request, status: int, template: str, reason: str = ""):
    return render(request, template, {"reason": reason}, status=status)


def error_page(request, status: int, reason: str = ""):
    """The error page for `status` (404 or 503) with the reason a service gave."""
    return _error(request, status, f"errors/{status}.html", reason)


def bad_request(request, exception=None):
    return _error(request, 400, "errors/400.html")


def permission_denied(request, exception=None):
    # A PermissionDenied raised with a message says why (e.g. the four-eyes rule): show it.
    reason = str(exception) if exception is not None and exception.args else ""
    return _error(request, 403, "errors/403.html", reason)


def page_not_found(request, exception=None):
    return _error(request, 404, "errors/404.html")


def server_error(request):
    # Rendered without the request's context processors: after a crash they (and the
    # database they read) may be what failed, and the error page must still appear.
    return HttpResponseServerError(get_template("errors/500.html").render({}))


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
