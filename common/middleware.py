"""Service errors that reach a page uncaught become the friendly error pages, once for all views."""

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception

from .errors import NotAllowed, NotFound, Unavailable
from .views import error_page


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
