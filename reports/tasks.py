"""Celery tasks: thin, idempotent, taking ids. The work is in services.py."""

import datetime
import logging

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from . import services

logger = logging.getLogger(__name__)

# Problems that go away by themselves: the task is retried with growing pauses.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
MAX_RETRIES = 5


class ReportTask(Task):
    """Records the outcome on the job when Celery gives up or schedules a retry."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        transient = isinstance(exc, TRANSIENT_ERRORS)
        message = services.failure_message(
            exc, transient=transient, attempts=self.request.retries + 1
        )
        try:
            services.mark_failed(args[0], message)
        except TRANSIENT_ERRORS:
            # The job stays running; the redispatcher notices the silence and takes over.
            logger.warning("Could not record the failure of report job %s", args[0], exc_info=True)

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        try:
            services.note_retry(args[0], f"{type(exc).__name__}: {exc}"[:300])
        except TRANSIENT_ERRORS:
            logger.warning("Could not note the retry of report job %s", args[0], exc_info=True)


@shared_task(
    bind=True,
    base=ReportTask,
    name="reports.tasks.generate_report",
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=MAX_RETRIES,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def generate_report(self, job_id: int) -> None:
    # A retry (retries > 0) follows a run that ended with a temporary error; any other delivery
    # of a job whose run is alive elsewhere (redispatch, broker redelivery) does nothing.
    services.run_job(job_id, is_retry=self.request.retries > 0)


@shared_task(name="reports.tasks.redispatch_stuck_jobs")
def redispatch_stuck_jobs(running_stale_seconds: int | None = None) -> list[int]:
    """Run by beat every two minutes: hand over jobs the broker lost or whose worker died."""
    options = {}
    if running_stale_seconds is not None:
        options["running_stale_after"] = datetime.timedelta(seconds=running_stale_seconds)
    sent = services.redispatch_stuck_jobs(**options)
    if sent:
        logger.info("Re-dispatched report jobs %s", sent)
    return sent


@shared_task(name="reports.tasks.scheduled_integrity_check")
def scheduled_integrity_check() -> int:
    """Run by beat every night: queue an integrity check (unless one is already pending)."""
    job, _created = services.schedule_integrity_check()
    return job.pk
