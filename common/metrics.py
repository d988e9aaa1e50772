"""Prometheus metrics: request latency, report jobs and queue depth, served at /metrics.

Off unless VETTING_METRICS=1; then a scrape needs `Authorization: Bearer <VETTING_METRICS_TOKEN>`
or a client address in VETTING_METRICS_ALLOW (addresses or networks, comma-separated). Without
either setting every scrape is refused: metrics are never public by accident.

Several processes (gunicorn workers): counters and histograms live in each process. Set
PROMETHEUS_MULTIPROC_DIR to an empty directory shared by the processes (prometheus_client's
multiprocess mode) and every scrape aggregates them; without it a scrape sees only the worker that
answered. Gauges computed at scrape time (queue depth, jobs by status) read Redis and the database,
so they are right in either mode.
"""

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY

from . import health

logger = logging.getLogger(__name__)

REQUEST_LATENCY = Histogram(
    "vetting_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8),
)
REPORT_JOB_DURATION = Histogram(
    "vetting_report_job_duration_seconds",
    "Time a worker spent on one run of a report job, by kind and outcome.",
    ["kind", "outcome"],
    buckets=(0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320, 640),
)
REPORT_JOB_FAILURES = Counter(
    "vetting_report_job_failures",
    "Report jobs that failed for good (the user sees an error and may retry).",
    ["kind"],
)
REPORT_JOBS_REDISPATCHED = Counter(
    "vetting_report_jobs_redispatched",
    "Report jobs handed to the broker again because it lost them or their worker died.",
)

# Scrape-time collectors other apps add (common imports no app): each returns metric families.
_collectors: list[Callable[[], Iterable]] = []


def register_collector(collect: Callable[[], Iterable]) -> None:
    if collect not in _collectors:
        _collectors.append(collect)


def queue_depth() -> int | None:
    return health.queue_depth()


class _ScrapeTimeCollector:
    def collect(self):
        try:
            depth = queue_depth()
        except Exception:  # a broker that is down must not break the scrape
            logger.warning("Could not read the Celery queue length", exc_info=True)
            depth = float("nan")
        if depth is not None:
            gauge = GaugeMetricFamily(
                "vetting_celery_queue_depth",
                "Tasks waiting in the Celery queue (NaN when the broker cannot be read).",
                labels=["queue"],
            )
            gauge.add_metric([settings.CELERY_TASK_DEFAULT_QUEUE], depth)
            yield gauge
        for collect in _collectors:
            try:
                yield from collect()
            except Exception:
                logger.warning("A metrics collector failed", exc_info=True)


def enabled() -> bool:
    return bool(getattr(settings, "VETTING_METRICS", False))


def render() -> bytes:
    """The exposition text: this process's metrics (or all processes' in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessRegistry())
    registry.register(_ScrapeTimeCollector())
    return generate_latest(registry)


class _ProcessRegistry:
    """The default registry's metrics (ours and the process/platform collectors), re-exported."""

    def collect(self):
        return REGISTRY.collect()


def client_allowed(authorization: str, remote_addr: str) -> bool:
    """A bearer token equal to VETTING_METRICS_TOKEN, or a client address in VETTING_METRICS_ALLOW.

    The address is the peer that connected: behind a proxy that is the proxy, so allow-list an
    address only for scrapes that do not pass through the proxy (see README).
    """
    token = getattr(settings, "VETTING_METRICS_TOKEN", "")
    if token and authorization.startswith("Bearer "):
        given = authorization[len("Bearer ") :].strip()
        if hmac.compare_digest(given.encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    for entry in getattr(settings, "VETTING_METRICS_ALLOW", []):
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            logger.warning("VETTING_METRICS_ALLOW has an invalid entry: %r", entry)
    return False


REFUSED = b"A bearer token or an allow-listed address is required.\n"


def metrics_view(request):
    if not enabled():
        raise Http404("Metrics are off.")
    if not client_allowed(
        request.META.get("HTTP_AUTHORIZATION", ""), request.META.get("REMOTE_ADDR", "")
    ):
        response = HttpResponse(REFUSED, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)


def worker_metrics_app(environ, start_response):
    """The same endpoint for a Celery worker, which has no Django server (serve_worker_metrics)."""
    if not client_allowed(environ.get("HTTP_AUTHORIZATION", ""), environ.get("REMOTE_ADDR", "")):
        start_response(
            "401 Unauthorized",
            [("Content-Type", "text/plain; charset=utf-8"), ("WWW-Authenticate", "Bearer")],
        )
        return [REFUSED]
    body = render()
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [body]


def serve_worker_metrics(port: int, address: str = "0.0.0.0"):  # noqa: S104 (inside a container)
    """Serve /metrics of this worker (its pool's processes, in multiprocess mode) on `port`, from
    a daemon thread. Returns the server."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 (the base class's name)
            pass

    server = make_server(address, port, worker_metrics_app, WSGIServer, QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server


class RequestMetricsMiddleware:
    """Observes each request's latency by method, URL pattern (not the path: bounded labels) and
    status. Placed first, so it measures the whole middleware stack.

    It also answers /metrics itself, before the host check and the HTTPS redirect: Prometheus
    scrapes each web container by its internal address (http://web1:8000/metrics), a host name
    the site does not serve, and cannot add the proxy's headers. The token or allow-list still
    applies; when metrics are off the request goes on to the usual 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/metrics" and enabled():
            return metrics_view(request)
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name or "") if match else ""
        REQUEST_LATENCY.labels(
            request.method if request.method in _METHODS else "other",
            route or "unmatched",
            str(response.status_code),
        ).observe(time.perf_counter() - started)
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
