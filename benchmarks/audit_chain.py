"""`make bench` measure `audit`: what the hash chain costs an audit event write.

The chain is first brought to N sealed events (1,000,000 by default, `--events`), written in
bulk with their hashes as `audit.services.seal_pending` would compute them. Then events are
recorded one by one as the application does, each in its own transaction, and sealed by the
sealer as with a worker (`bench_audit`). Target: an event write under 2 ms median.
"""

import statistics
import time

AUDIT_WRITE_TARGET_MS = 2.0
WRITES = 500
BULK = 10_000


def ensure_chained_events(count: int) -> int:
    """Seal what is pending, then add sealed events until the chain holds `count`."""
    import datetime

    from django.utils import timezone

    from audit.chain import event_hash
    from audit.models import AuditEvent
    from audit.services import chain_head, seal_all_pending

    seal_all_pending()
    sequence, previous = chain_head()
    start = timezone.now() - datetime.timedelta(days=30)
    while sequence < count:
        batch = []
        for _ in range(min(BULK, count - sequence)):
            sequence += 1
            event = AuditEvent(
                at=start + datetime.timedelta(seconds=sequence),
                actor_username="bench-chain",
                action="bench.chained",
                object_type="cases.case",
                object_id=str(sequence),
                case_reference=f"VET-2026-{sequence % 5000:06d}",
                summary=f"Chained event {sequence}",
                data={"n": sequence, "value": "observed"},
                sequence=sequence,
                prev_hash=previous,
            )
            event.hash = previous = event_hash(previous, event.chain_content)
            batch.append(event)
        AuditEvent.objects.bulk_create(batch)
    return sequence


def _timed_writes(writes: int, *, seal_on_commit: bool) -> tuple[list, list, list]:
    """(recording, caller's commit, sealing after the commit) of each write, in ms."""
    from django.db import transaction
    from django.test import override_settings

    from audit.services import record_event

    recorded, committed, sealed = [], [], []
    with override_settings(AUDIT_SEAL_ON_COMMIT=seal_on_commit):
        for n in range(writes):
            with transaction.atomic():
                started = time.perf_counter()
                record_event(
                    actor=None,
                    action="bench.write",
                    case_reference="VET-2026-000001",
                    summary=f"Benchmark write {n}",
                    data={"n": n, "note": "timed"},
                )
                inserted = time.perf_counter()
                # The commit runs the sealing callback (on commit) last: time it apart.
                connection = transaction.get_connection()
                callbacks, connection.run_on_commit = connection.run_on_commit, []
            done = time.perf_counter()
            for _savepoints, callback, _robust in callbacks:
                callback()
            sealed_at = time.perf_counter()
            recorded.append((inserted - started) * 1000)
            committed.append((done - inserted) * 1000)
            sealed.append((sealed_at - done) * 1000)
    return recorded, committed, sealed


def bench_audit(count: int, writes: int = WRITES) -> dict:
    """Audit writes with the chain at `count` events, as production runs them (with a worker):
    the event is recorded in the caller's transaction and the sealer (beat, every few seconds)
    chains what is pending in one batch. Timed apart: recording (the event write, which the
    target is on), the caller's commit (a flush to disk any write pays, audit or not), and the
    sealer's cost per event. Then the same writes as embedded mode runs them, each sealed just
    after its commit."""
    from audit.services import seal_all_pending

    chained = ensure_chained_events(count)
    recorded, committed, _none = _timed_writes(writes, seal_on_commit=False)
    started = time.perf_counter()
    batch = seal_all_pending()
    sealer_ms = (time.perf_counter() - started) * 1000
    embedded_recorded, _commits, embedded_sealed = _timed_writes(writes, seal_on_commit=True)
    seal_all_pending()
    recorded.sort()

    def median(values):
        return round(statistics.median(values), 3)

    return {
        "events_in_chain": chained,
        "writes": writes,
        "median_ms": median(recorded),
        "p95_ms": round(recorded[int(len(recorded) * 0.95) - 1], 3),
        "caller_commit_median_ms": median(committed),
        "sealer_batch": batch,
        "sealer_ms_per_event": round(sealer_ms / max(batch, 1), 3),
        "embedded_median_ms": median(
            [r + s for r, s in zip(embedded_recorded, embedded_sealed, strict=True)]
        ),
    }


def table(result: dict) -> str:
    verdict = "met" if result["median_ms"] < AUDIT_WRITE_TARGET_MS else "MISSED"
    return (
        f"Audit event write with the hash chain at {result['events_in_chain']:,} events "
        f"({result['writes']} writes, each in its own transaction): median "
        f"{result['median_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms (target < "
        f"{AUDIT_WRITE_TARGET_MS:g} ms median: {verdict}). The sealer chained the "
        f"{result['sealer_batch']} events in one pass, {result['sealer_ms_per_event']:.3f} ms "
        f"each. Not counted: the caller's own commit, a flush to disk any write pays "
        f"({result['caller_commit_median_ms']:.2f} ms). Embedded mode, which seals each event "
        f"just after its commit: {result['embedded_median_ms']:.2f} ms per event."
    )


def missed(result: dict | None) -> bool:
    return bool(result) and result["median_ms"] >= AUDIT_WRITE_TARGET_MS
