"""Friendly error pages and the health checks."""

from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.views.decorators.cache import never_cache

from . import health as health_checks


def _error(request, status: int, template: str, reason: str = ""):
    return render(request, template, {"reason": reason}, status=status)


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
