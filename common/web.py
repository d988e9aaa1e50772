"""Helpers for server-rendered pages, shared by every app's views."""

import base64
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
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


# ---------------------------------------------------------------- keyset pages

# A list shows its exact number of rows up to this many; above it, "more than" this many: the
# number is counted over at most COUNT_LIMIT + 1 rows, however long the list is.
COUNT_LIMIT = 1000


@dataclass
class KeysetPage:
    """One page of a list read by keyset: the rows after (or before) the last row the reader
    saw, in a fixed order ending with a unique key, so a page costs the same at any depth (no
    OFFSET) and rows added meanwhile neither repeat nor hide others.

    Links: `?after=<next_cursor>` and `?before=<previous_cursor>` (other parameters, the
    filters and the search, stay as they are). `count` is the number of rows up to
    COUNT_LIMIT; `count_is_lower_bound` says there are more.
    """

    object_list: list
    has_next: bool
    has_previous: bool
    next_cursor: str
    previous_cursor: str
    count: int
    count_is_lower_bound: bool

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _direction(key: str) -> tuple[str, bool]:
    """("created_at", True) for "-created_at": the field and whether it is descending."""
    return key.lstrip("-"), key.startswith("-")


def encode_cursor(values: list) -> str:
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str, model, ordering: tuple[str, ...]) -> list | None:
    """The key values a cursor holds, converted by the model's fields; None when the token is
    not one of ours (hand-edited, truncated, from another list)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(ordering):
            return None
        converted = []
        for key, value in zip(ordering, values, strict=True):
            if value is None or isinstance(value, (list, dict)):
                return None
            converted.append(model._meta.get_field(_direction(key)[0]).to_python(value))
        return converted
    except (ValueError, TypeError, ValidationError, UnicodeDecodeError):
        return None


def _beyond(ordering: tuple[str, ...], values: list, backwards: bool) -> Q:
    """The rows strictly after `values` in `ordering` (strictly before them when `backwards`).

    (a, b) after (x, y) is `a > x OR (a = x AND b > y)`; the first key's `a >= x` is added so
    that the database starts its index scan at the cursor instead of filtering from the top.
    """
    beyond = Q()
    for position in range(len(ordering) - 1, -1, -1):
        name, descending = _direction(ordering[position])
        later = "lt" if descending != backwards else "gt"
        step = Q(**{f"{name}__{later}": values[position]})
        for earlier in range(position):
            step &= Q(**{_direction(ordering[earlier])[0]: values[earlier]})
        beyond = step | beyond if beyond else step
    first, descending = _direction(ordering[0])
    bound = "lte" if descending != backwards else "gte"
    return Q(**{f"{first}__{bound}": values[0]}) & beyond


def keyset_page(
    request, queryset: QuerySet, ordering: tuple[str, ...], size: int = PAGE_SIZE
) -> KeysetPage:
    """The page of `queryset` in `ordering` (its last key unique and no key null) that the
    request's `after` or `before` cursor asks for; the first page without one (or with a
    cursor that is not valid)."""
    model = queryset.model
    after = decode_cursor(request.GET.get("after", ""), model, ordering)
    before = None if after else decode_cursor(request.GET.get("before", ""), model, ordering)
    rows = queryset
    if before is not None:
        backwards = tuple(name if desc else f"-{name}" for name, desc in map(_direction, ordering))
        rows = rows.filter(_beyond(ordering, before, backwards=True)).order_by(*backwards)
        found = list(rows[: size + 1])
        more_before = len(found) > size
        found = found[:size][::-1]
        has_previous, has_next = more_before, True
    else:
        if after is not None:
            rows = rows.filter(_beyond(ordering, after, backwards=False))
        found = list(rows.order_by(*ordering)[: size + 1])
        has_next = len(found) > size
        found = found[:size]
        has_previous = after is not None
    if not found:  # a cursor past the end (the rows went away): nothing to go on from
        has_next = has_previous = False

    def cursor(row) -> str:
        return encode_cursor([getattr(row, _direction(key)[0]) for key in ordering])

    counted = queryset.order_by()[: COUNT_LIMIT + 1].count()
    return KeysetPage(
        object_list=found,
        has_next=has_next,
        has_previous=has_previous,
        next_cursor=cursor(found[-1]) if found else "",
        previous_cursor=cursor(found[0]) if found else "",
        count=min(counted, COUNT_LIMIT),
        count_is_lower_bound=counted > COUNT_LIMIT,
    )
