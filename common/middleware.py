"""Service errors that reach a page uncaught become the friendly error pages, once for all views;
privacy headers on every response."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.utils.cache import add_never_cache_headers

from .errors import NotAllowed, NotFound, Unavailable
from .views import error_page

API_PREFIX = "/api/"


class ServiceErrorMiddleware:
    """NotAllowed → 403 page with its reason; NotFound → 404 page and Unavailable → 503 page,
    each saying what is missing or unreachable. API views map errors themselves
    (common.api.exception_handler) and never let them reach here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotAllowed):
            return response_for_exception(request, PermissionDenied(exception.message))
        if isinstance(exception, NotFound):
            return error_page(request, 404, exception.message)
        if isinstance(exception, Unavailable):
            return error_page(request, 503, exception.message)
        return None


class PrivacyHeadersMiddleware:
    """Headers for every response that passes through Django:

    - `Cache-Control: no-store` (with Django's never-cache set) on every response that may
      carry personal data: any response to a signed-in user (a session or an API token), every
      API response, every download. Nothing about a candidate stays in a browser or proxy cache.
    - `Permissions-Policy` turning off powerful browser features the app never uses.

    Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY);
    Referrer-Policy, nosniff and X-Frame-Options from Django's SecurityMiddleware and
    XFrameOptionsMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        if carries_personal_data(request, response) and "no-store" not in response.get(
            "Cache-Control", ""
        ):
            add_never_cache_headers(response)
        return response


def carries_personal_data(request, response) -> bool:
    """The rule for no-store: signed in, the API, or a download."""
    user = getattr(request, "user", None)
    return bool(
        (user is not None and user.is_authenticated)
        or request.path_info.startswith(API_PREFIX)
        or response.get("Content-Disposition", "").startswith("attachment")
    )
