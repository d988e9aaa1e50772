"""Helpers for server-rendered pages, shared by every app's views."""

from django.core.paginator import Page, Paginator
from django.utils.http import url_has_allowed_host_and_scheme

PAGE_SIZE = 25


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(request, default: str) -> str:
    """The posted `next` address when it stays on this site (and on HTTPS if we are), else
    `default`: never an open redirect."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def paginate(request, items, size: int = PAGE_SIZE) -> Page:
    return Paginator(items, size).get_page(request.GET.get("page"))
