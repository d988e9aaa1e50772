"""Celery tasks: thin, idempotent, taking ids or nothing. The work is in services/."""

import logging

from celery import shared_task
from django.db import transaction

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="cases.tasks.rescreen_open_cases", acks_late=True)
def rescreen_open_cases() -> dict:
    """Re-screen every case that is not closed (after reference data changed). Progress:
    `cases.selectors.rescreen_progress()`; the outcome: a `findings.rescreened` audit event."""
    return services.rescreen_open_cases()


@shared_task(name="cases.tasks.rescreen_cases", acks_late=True)
def rescreen_cases(case_ids: list[int]) -> int:
    """Re-screen these cases (linked to one that changed, beyond what its transaction did)."""
    return services.rescreen_cases(case_ids)


@shared_task(name="cases.tasks.review_deadline_reminders")
def review_deadline_reminders() -> dict:
    """Run by beat every ten minutes: remind reviewers and owners of review deadlines near or
    passed, once each (cases/services/deadlines.py)."""
    return services.send_deadline_reminders()


def queue_rescreen(sender, dataset: str = "", version: str = "", **kwargs) -> None:
    """Receiver of `signals.reference.reference_data_updated`: queue one re-screening."""
    logger.info("Reference data %s %s imported: re-screening open cases", dataset, version)
    transaction.on_commit(rescreen_open_cases.delay)
