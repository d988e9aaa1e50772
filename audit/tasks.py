"""Celery tasks of the audit log: thin, idempotent. The work is in services.py."""

from celery import shared_task

from . import services


@shared_task(name="audit.tasks.anchor_chain")
def anchor_chain() -> int | None:
    """Run by beat: seal what is pending and anchor the chain head in the report storage."""
    event = services.anchor_chain()
    return event.sequence if event else None


@shared_task(name="audit.tasks.seal_chain")
def seal_chain() -> int:
    """Run by beat every VETTING_AUDIT_SEAL_SECONDS: the chain's single sealer."""
    return services.seal_all_pending()
