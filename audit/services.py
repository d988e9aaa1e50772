import json
import logging
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from .chain import ANCHOR_FOLDER, CONTENT_FIELDS, GENESIS_HASH, event_hash
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
    """Append an audit event. Call inside the transaction of the change it describes. The event
    joins the hash chain after that transaction commits: at once in embedded mode, otherwise
    within VETTING_AUDIT_SEAL_SECONDS, when the sealer (`audit.tasks.seal_chain`) runs."""
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
    if settings.AUDIT_SEAL_ON_COMMIT:
        # Sealed after the commit, in a short transaction of its own, so that the chain is
        # written in commit order and a long transaction never holds the chain's lock. A failure
        # is logged, and the event is sealed by the next one (or the next anchor).
        transaction.on_commit(partial(seal_pending, event_ids=[event.pk]), robust=True)
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


def seal_pending(limit: int = SEAL_BATCH, event_ids: list[int] | None = None) -> int:
    """Give the oldest unsealed events (or those of `event_ids`: a transaction's own, just
    committed, found by primary key) their place in the chain and their hashes. Returns how
    many were sealed (at most `limit`). Pending events (recorded with a worker, or left by a
    crash) are sealed by the sealer (`audit.tasks.seal_chain`) and by the next anchor
    (`anchor_chain`), which seals every pending event first."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            pending, head = _lock_and_read_pending_postgresql(limit, event_ids)
        else:
            pending, head = _lock_and_read_pending(limit, event_ids)
        if not pending:
            return 0
        sequence, previous = head
        seals = []
        for event in pending:
            sequence += 1
            content = {**event, "sequence": sequence}
            digest = event_hash(previous, content)
            seals.append((event["id"], sequence, previous, digest))
            previous = digest
        _write_seals(seals)
    return len(pending)


# What sealing reads of a pending event: its id and the chain content it already has.
_PENDING_FIELDS = ("id", *(field for field in CONTENT_FIELDS if field != "sequence"))


def _lock_and_read_pending(limit: int, event_ids: list[int] | None):
    """The pending events (as dicts of _PENDING_FIELDS) and the chain head, under the lock."""
    _lock_chain(durable=False)
    unsealed = AuditEvent.objects.filter(sequence__isnull=True)
    if event_ids is not None:
        unsealed = unsealed.filter(pk__in=event_ids)
    return list(unsealed.order_by("id").values(*_PENDING_FIELDS)[:limit]), chain_head()


# The chain's lock, then the pending events (_PENDING_FIELDS, in that order) with the chain head
# beside them, in one round trip: in embedded mode sealing follows every commit that recorded an
# event. Statements after the lock see what was committed while waiting for it (READ COMMITTED).
_SEAL_READ_POSTGRESQL = """
SELECT pg_advisory_xact_lock(%(lock)s);
SET LOCAL synchronous_commit TO OFF;
SELECT event.id, event.at, event.actor_id, event.actor_username, event.action,
       event.object_type, event.object_id, event.case_reference, event.summary, event.data,
       head.sequence, head.hash
FROM audit_auditevent event
LEFT JOIN LATERAL (
    SELECT sequence, hash FROM audit_auditevent
    WHERE sequence IS NOT NULL ORDER BY sequence DESC LIMIT 1
) head ON TRUE
WHERE event.sequence IS NULL AND (%(ids)s::bigint[] IS NULL OR event.id = ANY(%(ids)s))
ORDER BY event.id
LIMIT %(limit)s
"""


def _lock_and_read_pending_postgresql(limit: int, event_ids: list[int] | None):
    data_field = AuditEvent._meta.get_field("data")
    with connection.cursor() as cursor:
        # Sealing can be redone from the events themselves, in the same order, to the same
        # hashes: its commit need not wait for the disk (SET LOCAL above).
        cursor.execute(
            _SEAL_READ_POSTGRESQL, {"lock": CHAIN_LOCK_KEY, "ids": event_ids, "limit": limit}
        )
        rows = cursor.fetchall()
    if not rows:
        return [], None
    pending = []
    for row in rows:
        event = dict(zip(_PENDING_FIELDS, row[: len(_PENDING_FIELDS)], strict=True))
        # The same decoding as the ORM's, so the hash covers what verification will read.
        event["data"] = data_field.from_db_value(event["data"], None, connection)
        pending.append(event)
    head_sequence, head_hash = rows[0][len(_PENDING_FIELDS) :]
    return pending, (head_sequence or 0, head_hash or GENESIS_HASH)


_SEAL_WRITE_POSTGRESQL = """
UPDATE audit_auditevent
SET sequence = seal.sequence, prev_hash = seal.prev_hash, hash = seal.hash
FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[])
    AS seal(id, sequence, prev_hash, hash)
WHERE audit_auditevent.id = seal.id
"""


def _write_seals(seals: list[tuple[int, int, str, str]]) -> None:
    """Write (id, sequence, prev_hash, hash) of each sealed event in one statement."""
    if connection.vendor == "postgresql":
        ids, sequences, previous, hashes = (list(column) for column in zip(*seals, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(_SEAL_WRITE_POSTGRESQL, [ids, sequences, previous, hashes])
        return
    events = [
        AuditEvent(pk=pk, sequence=sequence, prev_hash=prev_hash, hash=digest)
        for pk, sequence, prev_hash, digest in seals
    ]
    AuditEvent.objects.bulk_update(events, ["sequence", "prev_hash", "hash"])


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
