"""Celery tasks of notifications: thin, taking ids. The work is in services.py."""

from celery import Task, shared_task
from django.conf import settings

from . import services

# smtplib's errors, refused connections and timeouts are all OSError: retried with growing
# pauses (VETTING_EMAIL_RETRY_SECONDS, 30 s by default, then twice as long each time, at most
# 30 min, with jitter), then recorded as a failure.
TRANSIENT_ERRORS = (OSError,)
MAX_RETRIES = 6


class EmailTask(Task):
    def on_retry(self, exc, task_id, args, kwargs, einfo):
        services.note_email_retry(args[0], f"{type(exc).__name__}: {exc}")

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        attempts = self.request.retries + 1
        services.record_email_failure(
            args[0], f"{type(exc).__name__}: {exc} (after {attempts} attempts)"
        )


@shared_task(
    bind=True,
    base=EmailTask,
    name="notifications.tasks.send_notification_email",
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=MAX_RETRIES,
    retry_backoff=settings.VETTING_EMAIL_RETRY_SECONDS,
    retry_backoff_max=1800,
    retry_jitter=True,
    acks_late=True,
)
def send_notification_email(self, notification_id: int) -> bool:
    return services.send_email(notification_id)
