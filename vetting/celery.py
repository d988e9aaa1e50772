import logging
import os

from celery import Celery, bootsteps, signals
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetting.settings")

logger = logging.getLogger(__name__)

app = Celery("vetting")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["vetting"])


def _beat(role: str) -> None:
    from common import health

    try:
        health.write_heartbeat(role)
    except Exception:  # a heartbeat must never stop the worker or beat; it just goes stale
        logger.warning("Could not write the %s heartbeat", role, exc_info=True)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """The worker's main process writes a heartbeat every few seconds while it consumes
    (read by `manage.py healthcheck worker`). A hung or dead main process stops writing."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        self.timer_entry = None

    def start(self, worker):
        from common.health import WORKER_HEARTBEAT_SECONDS

        _beat("worker")
        self.timer_entry = worker.timer.call_repeatedly(
            WORKER_HEARTBEAT_SECONDS, _beat, ("worker",), priority=10
        )

    def stop(self, worker):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None


app.steps["worker"].add(WorkerHeartbeat)


@signals.worker_init.connect
def serve_metrics(**kwargs):
    """With VETTING_METRICS=1 and VETTING_METRICS_WORKER_PORT, the worker serves its own metrics
    (report job durations and failures), protected like the web's /metrics."""
    from django.conf import settings

    from common import metrics

    port = os.environ.get("VETTING_METRICS_WORKER_PORT", "")
    if metrics.enabled() and port:
        metrics.serve_worker_metrics(int(port))
        logger.info("Serving worker metrics on port %s", port)
    elif port and not settings.VETTING_METRICS:
        logger.info("VETTING_METRICS_WORKER_PORT is set but metrics are off")


class HeartbeatScheduler(PersistentScheduler):
    """Beat's scheduler, writing a heartbeat on every tick (read by `manage.py healthcheck beat`).
    Beat ticks at least every CELERY_BEAT_MAX_LOOP_INTERVAL seconds."""

    def tick(self, *args, **kwargs):
        _beat("beat")
        return super().tick(*args, **kwargs)
