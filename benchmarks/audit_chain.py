"""`make bench` measure `audit`: what the hash chain costs an audit event write.

The chain is first brought to N sealed events (1,000,000 by default, `--events`), written in
bulk with their hashes as `audit.services.seal_pending` would compute them. Then events are
recorded one by one as the application does, each in its own transaction and sealed when it
commits, and the whole write is timed: insert, commit, seal. Target: median under 2 ms.
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


def bench_audit(count: int, writes: int = WRITES) -> dict:
    from django.db import transaction

    from audit.services import record_event

    chained = ensure_chained_events(count)
    timings = []
    for n in range(writes):
        started = time.perf_counter()
        with transaction.atomic():
            record_event(
                actor=None,
                action="bench.write",
                case_reference="VET-2026-000001",
                summary=f"Benchmark write {n}",
                data={"n": n, "note": "timed"},
            )
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "events_in_chain": chained,
        "writes": writes,
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 3),
    }


def table(result: dict) -> str:
    verdict = "met" if result["median_ms"] < AUDIT_WRITE_TARGET_MS else "MISSED"
    return (
        f"Audit event write with the hash chain at {result['events_in_chain']:,} events "
        f"({result['writes']} writes, each committed and sealed): median "
        f"{result['median_ms']:.2f} ms, p95 {result['p95_ms']:.2f} ms "
        f"(target < {AUDIT_WRITE_TARGET_MS:g} ms median: {verdict})"
    )


def missed(result: dict | None) -> bool:
    return bool(result) and result["median_ms"] >= AUDIT_WRITE_TARGET_MS
