"""Friendly error pages (JSON bodies under /api/) and the health checks."""

from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import health as health_checks

API_PREFIX = "/api/"


def is_api(request) -> bool:
    """An API request: its errors are JSON bodies, never HTML pages."""
    return request.path.startswith(API_PREFIX)


def _api_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _error(request, status: int, template: str, reason: str = ""):
    return render(request, template, {"reason": reason}, status=status)


def error_page(request, status: int, reason: str = ""):
    """The error page for `status` (404 or 503) with the reason a service gave."""
    return _error(request, status, f"errors/{status}.html", reason)


def bad_request(request, exception=None):
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):
            from .api import too_large_body  # DRF is imported only when an API needs it

            return JsonResponse(too_large_body(), status=413)
        return _api_error(400, _("Bad request."))
    return _error(request, 400, "errors/400.html")


def permission_denied(request, exception=None):
    # A PermissionDenied raised with a message says why (e.g. the four-eyes rule): show it.
    reason = str(exception) if exception is not None and exception.args else ""
    if is_api(request):
        return _api_error(403, reason or _("You do not have permission to do this."))
    return _error(request, 403, "errors/403.html", reason)


def page_not_found(request, exception=None):
    if is_api(request):
        return _api_error(404, _("No such API address."))
    return _error(request, 404, "errors/404.html")


def server_error(request):
    if is_api(request):
        return _api_error(500, _("Internal server error: the error was logged."))
    # Rendered without the request's context processors: after a crash they (and the
    # database they read) may be what failed, and the error page must still appear.
    return HttpResponseServerError(get_template("errors/500.html").render({}))


@never_cache
def health(request):
    """Liveness: the process answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@never_cache
def health_ready(request):
    """Readiness: the database and the broker answer. 503 with the problems otherwise, so a proxy
    or orchestrator stops sending requests here until they are back."""
    checks = {
        "database": health_checks.database_problem(),
        "broker": health_checks.broker_problem(),
    }
    problems = {name: problem for name, problem in checks.items() if problem}
    body = {
        "status": "unavailable" if problems else "ok",
        "checks": {name: problem or "ok" for name, problem in checks.items()},
    }
    return JsonResponse(body, status=503 if problems else 200)
