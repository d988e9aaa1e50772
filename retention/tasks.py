"""Celery tasks for retention: thin; the work is in services.py."""

from celery import shared_task

from . import services


@shared_task(name="retention.tasks.retention_sweep")
def retention_sweep() -> dict:
    """Daily: list cases past retention as due, purge those past the grace period (or whose
    purge was interrupted), note the field keys in use. Running it twice does no harm."""
    return services.sweep()
