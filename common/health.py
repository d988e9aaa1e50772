"""Liveness and readiness: the database, the broker, and heartbeats of workers and beat.

A Celery worker writes a heartbeat every WORKER_HEARTBEAT_SECONDS from its main process, and beat
writes one on every tick (see vetting/celery.py). They go to Redis when REDIS_URL is set (every
container sees them), else to files under VAR_DIR/heartbeats (one machine). `manage.py
healthcheck worker|beat` compares their age with the stale limits below.
"""

import os
import socket
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

WORKER_HEARTBEAT_SECONDS = 15
BEAT_MAX_LOOP_SECONDS = 30  # beat ticks at least this often (CELERY_BEAT_MAX_LOOP_INTERVAL)
# A process silent for longer than this is unhealthy: a few missed beats, not one.
WORKER_STALE_SECONDS = 4 * WORKER_HEARTBEAT_SECONDS
BEAT_STALE_SECONDS = 4 * BEAT_MAX_LOOP_SECONDS
KEY_PREFIX = "vetting:heartbeat:"


def node_name() -> str:
    """This machine or container: workers and beat are checked where they run."""
    return os.environ.get("VETTING_NODE_NAME") or socket.gethostname()


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=3, socket_connect_timeout=3)


def _heartbeat_file(role: str, node: str) -> Path:
    return Path(settings.VAR_DIR) / "heartbeats" / f"{role}-{node}"


def write_heartbeat(role: str, node: str | None = None, now: float | None = None) -> None:
    node = node or node_name()
    now = time.time() if now is None else now
    if settings.REDIS_URL:
        client = _redis()
        try:
            client.set(f"{KEY_PREFIX}{role}:{node}", repr(now), ex=24 * 3600)
        finally:
            client.close()
        return
    path = _heartbeat_file(role, node)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(repr(now))
    temporary.replace(path)


def last_heartbeat(role: str, node: str | None = None) -> float | None:
    """When `role` on `node` last gave a sign of life (a Unix time), or None if never."""
    node = node or node_name()
    if settings.REDIS_URL:
        client = _redis()
        try:
            value = client.get(f"{KEY_PREFIX}{role}:{node}")
        finally:
            client.close()
        return float(value) if value else None
    try:
        return float(_heartbeat_file(role, node).read_text())
    except (OSError, ValueError):
        return None


def heartbeat_problem(role: str, stale_seconds: float, node: str | None = None) -> str:
    """Empty when `role` gave a sign of life within `stale_seconds`, else what is wrong."""
    last = last_heartbeat(role, node)
    if last is None:
        return f"no {role} heartbeat recorded for {node or node_name()}"
    age = time.time() - last
    if age > stale_seconds:
        return f"last {role} heartbeat {age:.0f} s ago (limit {stale_seconds:.0f} s)"
    return ""


def database_problem() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"database: {type(exc).__name__}: {exc}"[:300]
    return ""


def broker_problem() -> str:
    """Empty when the broker answers (or there is none: tasks run in-process)."""
    if not settings.REDIS_URL:
        return ""
    try:
        client = _redis()
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return f"broker: {type(exc).__name__}: {exc}"[:300]
    return ""


def queue_depth() -> int | None:
    """Messages waiting in the Celery queue, or None without a broker (tasks run in-process).
    Raises if the broker cannot be read."""
    if not settings.REDIS_URL:
        return None
    client = _redis()
    try:
        return int(client.llen(settings.CELERY_TASK_DEFAULT_QUEUE))
    finally:
        client.close()
