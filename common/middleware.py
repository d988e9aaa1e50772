"""Service errors that reach a page uncaught become the friendly error pages, once for all views."""

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404

from .errors import NotAllowed, NotFound


class ServiceErrorMiddleware:
    """NotAllowed → 403 page with its reason; NotFound → 404 page. API views map errors
    themselves (common.api.exception_handler) and never let them reach here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotAllowed):
            return response_for_exception(request, PermissionDenied(exception.message))
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(exception.message))
        return None
