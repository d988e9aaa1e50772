"""`make bench` measure `purge`: retention purge throughput, in cases per second.

N cases (20 by default) are opened through the services, each with an evidence file, and
dated past their retention period; then one sweep purges them all (`retention.services.
purge_due`): the tombstone, the personal data, the history rows, the blind indexes, the
redaction of each case's audit events and the deletion of the stored files, each case in its
own transaction. The time of that sweep gives cases per second.

Hook (benchmarks/run.py): `from benchmarks import purge`, then under `if "purge" in
args.only:` call `result = purge.bench_purge(args.purge_cases)`, append `purge.table(result)`
to the text and add `purge.missed(result)` to `failed`.
"""

import datetime
import time

PURGE_TARGET_CASES_PER_SECOND = 5.0
CASES = 20
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(username: str, role: str):
    from django.contrib.auth.models import Group, User

    user, _created = User.objects.get_or_create(username=username)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return User.objects.get(pk=user.pk)  # roles are cached per user object


def make_purgeable_cases(count: int) -> list[int]:
    """`count` closed-cleared cases, each with an evidence file, ended ten years ago."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases import services
    from cases.models import Case, Decision, Status

    hr = _user("bench-purge-hr", "hr")
    ended = timezone.now() - datetime.timedelta(days=3650)
    ids = []
    for n in range(count):
        case = services.open_case(
            hr,
            {
                "legal_name": f"Purge Bench {n}",
                "role_applied_for": "Backend engineer",
                "emails": [f"purge-bench-{n}@example.org"],
                "account_number": f"{n:012d}",
            },
        )
        services.upload_evidence(
            hr, case, SimpleUploadedFile(f"doc{n}.pdf", PDF + str(n).encode()), "doc", []
        )
        ids.append(case.pk)
    Case.objects.filter(pk__in=ids).update(
        status=Status.CLOSED_CLEARED, decision=Decision.CLEARED, closed_at=ended
    )
    return ids


def bench_purge(cases: int = CASES) -> dict:
    from django.utils import timezone

    from retention import services
    from retention.models import PurgeRun, PurgeState

    ids = make_purgeable_cases(cases)
    services.refresh_due()
    PurgeRun.objects.filter(case_id__in=ids).update(purge_after=timezone.now())
    started = time.perf_counter()
    result = services.purge_due()
    seconds = time.perf_counter() - started
    done = PurgeRun.objects.filter(case_id__in=ids, state=PurgeState.DONE).count()
    return {
        "cases": cases,
        "purged": done,
        "failed": result["failed"],
        "seconds": round(seconds, 3),
        "cases_per_second": round(done / seconds, 2) if seconds else 0.0,
    }


def table(result: dict) -> str:
    verdict = "met" if result["cases_per_second"] >= PURGE_TARGET_CASES_PER_SECOND else "MISSED"
    return (
        f"Retention purge of {result['cases']} cases (each with an evidence file and its audit "
        f"events redacted): {result['purged']} purged in {result['seconds']:.2f} s, "
        f"{result['cases_per_second']:.1f} cases/s "
        f"(target >= {PURGE_TARGET_CASES_PER_SECOND:g} cases/s: {verdict})"
    )


def missed(result: dict | None) -> bool:
    return bool(result) and (
        result["failed"] > 0 or result["cases_per_second"] < PURGE_TARGET_CASES_PER_SECOND
    )
