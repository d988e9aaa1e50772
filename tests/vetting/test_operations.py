"""What an operator watches: metrics, structured logs, health endpoints and liveness checks."""

import io
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from common import health, logs, metrics
from tests.helpers import make_user
from vetting.celery import HeartbeatScheduler, WorkerHeartbeat

REPO = Path(__file__).resolve().parents[2]
TOKEN = "a-scrape-token-0123456789"


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def metrics_on(settings):
    settings.VETTING_METRICS = True
    settings.VETTING_METRICS_TOKEN = TOKEN
    settings.VETTING_METRICS_ALLOW = []
    settings.REDIS_URL = ""  # no broker unless a test sets one
    settings.CELERY_TASK_DEFAULT_QUEUE = "vetting"
    return settings


# ---------------------------------------------------------------- metrics


@pytest.mark.django_db
def test_metrics_are_off_by_default(client, settings):
    assert settings.VETTING_METRICS is False
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("authorization", ["", "Bearer wrong-token-0123456789", f"Token {TOKEN}"])
def test_metrics_without_the_token_or_an_allowed_address_are_refused(
    client, metrics_on, authorization
):
    response = client.get("/metrics", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 401
    assert b"vetting_" not in response.content


@pytest.mark.django_db
def test_metrics_with_the_bearer_token_show_request_latency_and_report_jobs(client, metrics_on):
    client.get("/healthz")

    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert response.status_code == 200
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert (
        'vetting_http_request_duration_seconds_count{method="GET",route="healthz",status="200"}'
        in text
    )
    for name in (
        "vetting_report_job_duration_seconds",
        "vetting_report_job_failures",
        "vetting_report_jobs_redispatched",
        'vetting_report_jobs{status="failed"}',
        "vetting_report_oldest_queued_seconds",
    ):
        assert name in text, name
    # No broker (tasks run in-process): no queue to measure.
    assert "vetting_celery_queue_depth" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(("allow", "status"), [(["127.0.0.0/8"], 200), (["10.1.2.3"], 401)])
def test_metrics_from_an_allow_listed_address_need_no_token(client, metrics_on, allow, status):
    metrics_on.VETTING_METRICS_ALLOW = allow
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == status


@pytest.mark.django_db
def test_metrics_show_the_celery_queue_depth_read_from_redis(client, metrics_on):
    if not redis_reachable():
        pytest.skip("Redis at 127.0.0.1:6379 is not running")
    import redis

    queue = f"vetting-test-{uuid.uuid4().hex}"
    metrics_on.REDIS_URL = "redis://127.0.0.1:6379/0"
    metrics_on.CELERY_TASK_DEFAULT_QUEUE = queue
    server = redis.Redis(host="127.0.0.1", port=6379)
    server.rpush(queue, "a", "b", "c")
    try:
        text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    finally:
        server.delete(queue)
    assert f'vetting_celery_queue_depth{{queue="{queue}"}} 3.0' in text


@pytest.mark.django_db
def test_a_broker_that_is_down_does_not_break_the_scrape(client, metrics_on):
    metrics_on.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert 'vetting_celery_queue_depth{queue="vetting"} NaN' in response.content.decode()


@pytest.mark.django_db
def test_the_worker_serves_its_metrics_with_the_same_protection(metrics_on):
    def call(**environ):
        answer = {}
        body = metrics.worker_metrics_app(
            {"REMOTE_ADDR": "192.0.2.7", **environ},
            lambda status, headers: answer.update(status=status),
        )
        return answer["status"], b"".join(body).decode()

    assert call()[0].startswith("401")
    status, text = call(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert status == "200 OK" and "vetting_report_job_duration_seconds" in text


# ---------------------------------------------------------------- logs


def json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


@pytest.mark.django_db
def test_json_log_lines_carry_the_request_id_and_the_signed_in_user(client, json_log):
    user = make_user("hr-logs", "hr")
    client.force_login(user)

    response = client.get("/cases/NO-SUCH-CASE/", HTTP_X_REQUEST_ID="req-42")

    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-42"
    lines = [line for line in json_lines(json_log) if line["logger"] == "django.request"]
    assert lines, json_log.getvalue()
    assert lines[0]["level"] == "WARNING"
    assert lines[0]["request_id"] == "req-42"
    assert lines[0]["user_id"] == str(user.pk)
    assert "NO-SUCH-CASE" in lines[0]["message"]


@pytest.mark.django_db
def test_a_request_without_a_usable_id_gets_a_new_one(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n<script>")
    assert len(response["X-Request-ID"]) == 32 and response["X-Request-ID"].isalnum()


def test_json_log_lines_hold_extra_fields_and_the_traceback(json_log):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("vetting.test").exception("failed job %s", 5, extra={"job": 5})

    (line,) = json_lines(json_log)
    assert line["message"] == "failed job 5" and line["job"] == 5
    assert "ValueError: boom" in line["exception"]
    assert "request_id" not in line  # outside a request


def test_vetting_log_format_json_makes_every_log_line_json(tmp_path):
    code = (
        "import django, logging, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'vetting.settings'); django.setup(); "
        "logging.getLogger('vetting.test').warning('hello %s', 'world')"
    )
    env = {**os.environ, "VETTING_VAR_DIR": str(tmp_path), "VETTING_LOG_FORMAT": "json"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert {"logger": "vetting.test", "message": "hello world", "level": "WARNING"}.items() <= (
        lines[-1].items()
    )


# ---------------------------------------------------------------- health


@pytest.mark.django_db
def test_the_readiness_check_reports_the_database_and_the_broker(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_the_readiness_check_fails_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("broker: ")


@pytest.fixture
def heartbeats(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.REDIS_URL = ""
    return tmp_path


@pytest.mark.parametrize(
    ("role", "stale"),
    [("worker", health.WORKER_STALE_SECONDS), ("beat", health.BEAT_STALE_SECONDS)],
)
def test_healthcheck_fails_without_a_recent_heartbeat(heartbeats, role, stale):
    with pytest.raises(CommandError, match="no .* heartbeat"):
        call_command("healthcheck", role)

    health.write_heartbeat(role, now=time.time() - stale - 5)
    with pytest.raises(CommandError, match="heartbeat .* s ago"):
        call_command("healthcheck", role)

    health.write_heartbeat(role)
    out = io.StringIO()
    call_command("healthcheck", role, stdout=out)
    assert out.getvalue().strip() == f"{role}: ok"


def test_heartbeats_go_to_redis_when_it_is_the_broker(settings):
    if not redis_reachable():
        pytest.skip("Redis at 127.0.0.1:6379 is not running")
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    node = f"test-{uuid.uuid4().hex}"
    health.write_heartbeat("worker", node=node)
    try:
        assert health.heartbeat_problem("worker", 60, node=node) == ""
    finally:
        health._redis().delete(f"{health.KEY_PREFIX}worker:{node}")


def test_the_healthcheck_command_exits_non_zero_when_beat_is_silent(tmp_path):
    env = {**os.environ, "VETTING_VAR_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    command = [sys.executable, "manage.py", "healthcheck", "beat"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 1 and "no beat heartbeat" in result.stderr

    (tmp_path / "heartbeats").mkdir()
    node = health.node_name()
    (tmp_path / "heartbeats" / f"beat-{node}").write_text(repr(time.time()))
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_healthcheck_web_asks_the_servers_readiness(start_live_server, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    url = start_live_server() + "/healthz/ready"
    call_command("healthcheck", "web", "--url", url, stdout=io.StringIO())

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with pytest.raises(CommandError, match="web: unhealthy"):
        call_command("healthcheck", "web", "--url", url, stdout=io.StringIO())


def test_the_worker_writes_its_heartbeat_at_start_and_then_every_15_seconds(heartbeats):
    scheduled = []

    class Timer:
        def call_repeatedly(self, seconds, function, args, priority=0):
            scheduled.append((seconds, function, args))
            return type("Entry", (), {"cancel": lambda self: scheduled.clear()})()

    worker = type("Worker", (), {"timer": Timer()})()
    step = WorkerHeartbeat(worker)
    step.start(worker)

    assert health.heartbeat_problem("worker", 5) == ""
    ((seconds, function, args),) = scheduled
    assert seconds == health.WORKER_HEARTBEAT_SECONDS
    (heartbeats / "heartbeats" / f"worker-{health.node_name()}").unlink()
    function(*args)
    assert health.heartbeat_problem("worker", 5) == ""
    step.stop(worker)
    assert scheduled == []


def test_beat_writes_its_heartbeat_on_every_tick(heartbeats, monkeypatch):
    monkeypatch.setattr("celery.beat.PersistentScheduler.tick", lambda self, *a, **k: 30)
    scheduler = HeartbeatScheduler.__new__(HeartbeatScheduler)  # no schedule file needed

    assert scheduler.tick() == 30
    assert health.heartbeat_problem("beat", 5) == ""


@pytest.mark.django_db
def test_json_log_lines_of_an_api_call_carry_the_token_users_id(client, json_log):
    from accounts import services as account_services

    user = make_user("api-logs", "hr")
    _token, key = account_services.create_api_token(user, name="logs")

    response = client.get("/api/v1/cases/NO-SUCH-CASE/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 404
    lines = [line for line in json_lines(json_log) if line["logger"] == "django.request"]
    assert lines and lines[0]["user_id"] == str(user.pk)


@pytest.mark.django_db
def test_prometheus_scrapes_a_web_container_by_its_internal_address_over_http(client, metrics_on):
    metrics_on.SECURE_SSL_REDIRECT = True
    metrics_on.ALLOWED_HOSTS = ["vetting.example.org"]

    response = client.get("/metrics", HTTP_HOST="web1:8000", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    refused = client.get("/metrics", HTTP_HOST="web1:8000")
    assert refused.status_code == 401
