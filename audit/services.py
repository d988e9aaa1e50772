import json
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone

from .chain import ANCHOR_FOLDER, GENESIS_HASH, event_hash
from .models import AuditEvent

logger = logging.getLogger(__name__)

# Events sealed per transaction; a backlog (after a crash, or a migration) is sealed in turns.
SEAL_BATCH = 2000
# pg_advisory_xact_lock key that makes one writer at a time extend the chain ("vett").
CHAIN_LOCK_KEY = 0x76657474
REDACTED_SUMMARY = "[redacted by a retention purge]"


def record_event(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    case_reference: str = "",
    summary: str,
    data: dict | None = None,
) -> AuditEvent:
    """Append an audit event. Call inside the transaction of the change it describes; the event
    joins the hash chain as soon as that transaction commits."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent.objects.create(
        at=timezone.now(),
        actor=user,
        actor_username=user.get_username() if user else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_reference=case_reference,
        summary=summary[:500],
        data=data or {},
    )
    # Sealed after the commit, in a short transaction of its own, so that the chain is written
    # in commit order and a long transaction never holds the chain's lock. A failure is logged
    # and the event is sealed by the next one (or the next anchor).
    transaction.on_commit(seal_pending, robust=True)
    return event


def _lock_chain(*, durable: bool = True) -> None:
    """Take the chain's lock until the transaction ends. `durable=False` lets the commit return
    before it reaches the disk, for writes that can be redone identically (sealing)."""
    # SQLite needs no lock: in embedded mode every transaction starts IMMEDIATE (one writer).
    if connection.vendor == "postgresql":
        relaxed = "" if durable else "; SET LOCAL synchronous_commit TO OFF"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_advisory_xact_lock(%s){relaxed}", [CHAIN_LOCK_KEY])


def chain_head() -> tuple[int, str]:
    """(sequence, hash) of the last sealed event, or (0, the genesis hash)."""
    head = (
        AuditEvent.objects.filter(sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    return head or (0, GENESIS_HASH)


def seal_pending(limit: int = SEAL_BATCH) -> int:
    """Give the oldest unsealed events their place in the chain and their hashes. Returns how
    many were sealed (at most `limit`)."""
    with transaction.atomic():
        # Sealing can be redone from the events themselves, in the same order, to the same
        # hashes: its commit need not wait for the disk.
        _lock_chain(durable=False)
        # The head is read in the same statement as the pending events: one round trip.
        head = AuditEvent.objects.filter(sequence__isnull=False).order_by("-sequence")
        pending = list(
            AuditEvent.objects.filter(sequence__isnull=True)
            .order_by("id")
            .annotate(
                head_sequence=Subquery(head.values("sequence")[:1]),
                head_hash=Subquery(head.values("hash")[:1]),
            )[:limit]
        )
        if not pending:
            return 0
        sequence = pending[0].head_sequence or 0
        previous = pending[0].head_hash or GENESIS_HASH
        for event in pending:
            sequence += 1
            event.sequence, event.prev_hash = sequence, previous
            event.hash = previous = event_hash(previous, event.chain_content)
        if len(pending) == 1:
            (event,) = pending
            AuditEvent.objects.filter(pk=event.pk).update(
                sequence=event.sequence, prev_hash=event.prev_hash, hash=event.hash
            )
        else:
            AuditEvent.objects.bulk_update(pending, ["sequence", "prev_hash", "hash"])
    return len(pending)


def seal_all_pending() -> int:
    sealed = total = seal_pending()
    while sealed == SEAL_BATCH:
        sealed = seal_pending()
        total += sealed
    return total


def anchor_chain() -> AuditEvent | None:
    """Write the chain head, with the time, to the report storage and to the log itself, so
    that cutting events off the end of the chain shows. Nothing is written when no event was
    recorded since the last anchor."""
    seal_all_pending()
    sequence, head_hash = chain_head()
    last = AuditEvent.objects.filter(sequence=sequence).values_list("action", flat=True).first()
    if last is None or last == "audit.anchored":
        return None
    anchored_at = timezone.now()
    payload = {"sequence": sequence, "hash": head_hash, "anchored_at": anchored_at.isoformat()}
    name = default_storage.save(
        f"{ANCHOR_FOLDER}/{anchored_at:%Y%m%dT%H%M%S}-{sequence:012d}.json",
        ContentFile(json.dumps(payload, sort_keys=True).encode()),
    )
    with transaction.atomic():
        event = record_event(
            actor=None,
            action="audit.anchored",
            summary=f"Audit chain head anchored: event {sequence}",
            data={**payload, "file": name},
        )
    return event


@transaction.atomic
def redact_events(events, *, actor, reason: str) -> int:
    """Replace the summary and data of `events` (a queryset) for a retention purge. The events
    keep their place and hashes in the chain, and an `audit.redacted` event records which were
    redacted, with the hash each had, and why. This is the one way the database lets an audit
    event change (see the trigger in audit/migrations)."""
    _lock_chain()
    seal_all_pending()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # sealing relaxed it; a purge must reach the disk
            cursor.execute("SET LOCAL synchronous_commit TO ON")
    targets = list(
        events.filter(redacted_at__isnull=True).order_by("sequence").values_list("sequence", "hash")
    )
    if not targets:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('vetting.audit_redaction', 'on', true)")
        AuditEvent.objects.filter(sequence__in=[seq for seq, _hash in targets]).update(
            summary=REDACTED_SUMMARY, data={"redacted": True}, redacted_at=timezone.now()
        )
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('vetting.audit_redaction', 'off', true)")
    record_event(
        actor=actor,
        action="audit.redacted",
        summary=f"{len(targets)} audit events redacted: {reason}"[:500],
        data={"reason": reason, "events": [[seq, digest] for seq, digest in targets]},
    )
    return len(targets)
