"""Pinned query counts: a page or an API list runs exactly the number of queries recorded for
it in tests/query_counts.json, however much data it shows.

    with assert_pinned_queries("page.history"):
        client.get(...)

A count that changes fails the test, whether it grew (a query per row crept in) or shrank (pin
the better number). To re-pin after a deliberate change, run the tests with
PIN_QUERY_COUNTS=1: the counts measured are written to the file instead of being checked (a
name measured twice in one run must still give the same count), and the diff is reviewed like
any other change.
"""

import json
import os
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

PINS = Path(__file__).with_name("query_counts.json")
_measured: dict[str, int] = {}


def pinned(name: str) -> int:
    pins = json.loads(PINS.read_text())
    assert name in pins, f"no query count pinned for {name!r}: run with PIN_QUERY_COUNTS=1"
    return pins[name]


def _pin(name: str, count: int) -> None:
    pins = json.loads(PINS.read_text()) if PINS.exists() else {}
    pins[name] = count
    PINS.write_text(json.dumps(dict(sorted(pins.items())), indent=2) + "\n")


@contextmanager
def assert_pinned_queries(name: str):
    """The block runs exactly the pinned number of queries for `name`."""
    with CaptureQueriesContext(connection) as captured:
        yield captured
    count = len(captured)
    if os.environ.get("PIN_QUERY_COUNTS"):
        expected = _measured.setdefault(name, count)
        _pin(name, expected)
    else:
        expected = pinned(name)
    if count != expected:
        queries = "\n".join(f"  {q['sql']}" for q in captured.captured_queries)
        raise AssertionError(f"{name}: {count} queries, pinned {expected}:\n{queries}")
