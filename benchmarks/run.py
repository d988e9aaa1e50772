"""`make bench`: how fast reports are produced.

1. Median seconds to generate a typical risk summary PDF (every checklist item answered, some
   red flags observed with notes, 10 evidence files, submitted, reviewed and referred), measured
   as the whole job the worker runs: reading the case, rendering, storing and hashing the file.
2. Audit export of 1,000,000 events: rows per second and peak memory, for CSV and JSON, streamed
   through the same code the export view uses. Each format runs in a fresh process so the peak
   resident memory measured is the export's own, including Django itself.

Everything runs against a throwaway SQLite database in a temporary directory, unless
VETTING_BENCH_DATABASE_URL names a database to use (it receives a million audit rows).
Copy the printed table into README.md's Performance section when the figures change.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PDF_TARGET_SECONDS = 1.5
EXPORT_TARGET_ROWS_PER_SECOND = 50_000
EXPORT_TARGET_PEAK_MB = 200


def setup_django(var_dir: Path) -> None:
    os.environ["VETTING_VAR_DIR"] = str(var_dir)
    os.environ["VETTING_MEDIA_ROOT"] = str(var_dir / "media")
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DATABASE_URL", None)
    if os.environ.get("VETTING_BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["VETTING_BENCH_DATABASE_URL"]
        # A shared database needs its secrets from the environment: the benchmark keeps its
        # own beside its database, so a reused database stays readable.
        import base64
        import secrets

        for name, file_name, generate in (
            ("DJANGO_SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(64)),
            (
                "VETTING_FIELD_KEYS",
                "field_key",
                lambda: base64.urlsafe_b64encode(os.urandom(32)).decode(),
            ),
            ("VETTING_BLIND_INDEX_KEY", "blind_index_key", lambda: secrets.token_urlsafe(32)),
        ):
            if not os.environ.get(name):
                kept = var_dir / file_name  # the names embedded mode used for them
                if not kept.exists():
                    var_dir.mkdir(parents=True, exist_ok=True)
                    kept.write_text(generate())
                    kept.chmod(0o600)
                os.environ[name] = kept.read_text().strip()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetting.settings")
    os.environ.setdefault("VETTING_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def prepare_database() -> None:
    from django.core.management import call_command

    from indicators.services import load_catalogs

    call_command("migrate", verbosity=0, interactive=False)
    load_catalogs()


# ---------------------------------------------------------------- PDF


def typical_case():
    from django.contrib.auth.models import Group, User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts import roles
    from accounts.services import sync_roles
    from cases import selectors, services

    sync_roles()

    def user(name, role):
        person, _ = User.objects.get_or_create(username=name, defaults={"first_name": name})
        person.groups.set(Group.objects.filter(name=role))
        return person

    hr, reviewer = user("bench-hr", roles.HR), user("bench-reviewer", roles.REVIEWER)
    case = services.open_case(
        hr,
        {
            "legal_name": "Jin Park",
            "aliases": ["Jimmy Park"],
            "claimed_country": "CA",
            "claimed_city": "Toronto",
            "claimed_nationality": "CA",
            "sourcing_channel": "staffing_firm",
            "sourcing_name": "Example Staffing",
            "role_applied_for": "Senior backend engineer",
            "shipping_address": "Unit 4, 77 Forwarder Road, Laredo TX",
            "bank_name": "First Example Bank",
            "routing_number": "021000021",
            "account_number": "9876543210123",
            "identity_document_type": "Passport",
            "identity_document_number": "XK1234567",
            "emails": ["jin.park@example.net", "jpark.dev@example.org"],
            "phones": ["+1 416 555 0100"],
            "profiles": [{"kind": "github", "url_or_handle": "https://github.com/jinpark-dev"}],
        },
    )
    observed = {"RF-2023-01", "RF-2023-05", "RF-2023-07"}
    for answer in selectors.answers_for(case):
        if answer.item.code in observed:
            value, note = "observed", "Seen in the interviews and e-mails; see the evidence."
        elif answer.item.is_red_flag:
            value, note = "not_observed", ""
        else:
            value, note = "completed", "Checked by HR against the original documents."
        services.answer_item(hr, case, answer.item.code, value, note)
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(20_000)
    for number in range(1, 11):
        upload = SimpleUploadedFile(f"evidence-{number:02d}.png", png)
        services.upload_evidence(hr, case, upload, f"Screenshot {number}", ["RF-2023-01"])
    services.perform_action(hr, case, "submit")
    services.perform_action(reviewer, case, "start_review")
    services.perform_action(reviewer, case, "refer", "Three advisory indicators observed.")
    return case, hr


def bench_pdf(runs: int) -> dict:
    from reports import services
    from reports.models import ReportJob

    case, requester = typical_case()
    timings, pages = [], 0
    for _ in range(runs + 1):  # the first run loads fonts and templates: reported apart
        job = ReportJob.objects.create(case=case, kind="risk_summary", requester=requester)
        started = time.perf_counter()
        job = services.run_job(job.pk)
        timings.append(time.perf_counter() - started)
    with job.file.open("rb") as stored:
        from pypdf import PdfReader

        pages = len(PdfReader(stored).pages)
    warm = timings[1:]
    return {
        "cold_seconds": round(timings[0], 3),
        "median_seconds": round(statistics.median(warm), 3),
        "runs": [round(t, 3) for t in warm],
        "pages": pages,
        "bytes": job.size,
    }


# ---------------------------------------------------------------- audit export


def insert_events(count: int, batch: int = 10_000) -> None:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from audit.models import AuditEvent

    if AuditEvent.objects.filter(action="bench.event").count() >= count:
        return
    actor, _ = User.objects.get_or_create(username="bench-actor")
    start = timezone.now() - datetime.timedelta(days=30)
    step = datetime.timedelta(days=29) / count
    actions = ["answer.recorded", "evidence.uploaded", "case.submit", "report.downloaded"]
    for offset in range(0, count, batch):
        AuditEvent.objects.bulk_create(
            AuditEvent(
                at=start + step * n,
                actor=actor,
                actor_username=actor.username,
                action="bench.event" if n % 2 else actions[n % 4],
                object_type="cases.case",
                object_id=str(n),
                case_reference=f"VET-2026-{n % 5000:06d}",
                summary=f"RF-2023-{n % 10:02d} answered “observed” on VET-2026-{n % 5000:06d}",
                data={"item": f"RF-2023-{n % 10:02d}", "value": "observed", "n": n},
            )
            for n in range(offset, min(offset + batch, count))
        )


def export_child(export_format: str) -> dict:
    """Runs in its own process: stream the export and report speed and memory."""
    from audit.models import AuditEvent
    from reports import export

    first = AuditEvent.objects.order_by("at").values_list("at", flat=True).first()
    last = AuditEvent.objects.order_by("-at").values_list("at", flat=True).first()
    events = AuditEvent.objects.filter(at__gte=first, at__lte=last).order_by("at", "id")
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = size = 0
    started = time.perf_counter()
    for block in export.blocks(events, export_format):
        size += len(block)
        rows += block.count(b"\n")
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows -= 1 if export_format == "csv" else 2  # header line / the array's brackets
    return {
        "format": export_format,
        "rows": rows,
        "seconds": round(elapsed, 2),
        "rows_per_second": int(rows / elapsed),
        "megabytes_written": round(size / 1e6, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "rss_before_export_mb": round(baseline_mb, 1),
    }


def bench_export(var_dir: Path, count: int) -> list[dict]:
    insert_events(count)
    from django.db import connections

    connections.close_all()
    results = []
    for export_format in ("csv", "json"):
        output = subprocess.run(  # noqa: S603 - runs this very module
            [sys.executable, "-m", "benchmarks.run", "--export-child", export_format],
            cwd=REPO,
            env={**os.environ, "VETTING_VAR_DIR": str(var_dir)},
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(output.stdout.strip().splitlines()[-1]))
    return results


# ---------------------------------------------------------------- report


def table(pdf: dict | None, exports: list[dict], count: int) -> str:
    lines = [
        f"Measured {datetime.date.today().isoformat()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite'} (`make bench`).",
        "",
        "| measure | result | target |",
        "|---|---|---|",
    ]
    if pdf:
        verdict = "✓" if pdf["median_seconds"] < PDF_TARGET_SECONDS else "✗"
        lines.append(
            f"| risk summary PDF, typical case ({pdf['pages']} pages, 10 evidence files): median "
            f"of {len(pdf['runs'])} | {pdf['median_seconds']} s (first run {pdf['cold_seconds']} "
            f"s) | < {PDF_TARGET_SECONDS} s {verdict} |"
        )
    for result in exports:
        fast = result["rows_per_second"] > EXPORT_TARGET_ROWS_PER_SECOND
        small = result["peak_rss_mb"] < EXPORT_TARGET_PEAK_MB
        lines.append(
            f"| audit export {result['format'].upper()}, {count:,} events "
            f"({result['megabytes_written']} MB) | {result['rows_per_second']:,} rows/s, peak "
            f"{result['peak_rss_mb']} MB RSS | > {EXPORT_TARGET_ROWS_PER_SECOND:,} rows/s "
            f"{'✓' if fast else '✗'}, < {EXPORT_TARGET_PEAK_MB} MB {'✓' if small else '✗'} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf-runs", type=int, default=5)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["pdf", "export"])
    parser.add_argument("--export-child", choices=["csv", "json"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.export_child:
        setup_django(Path(os.environ["VETTING_VAR_DIR"]))
        print(json.dumps(export_child(args.export_child)))
        return 0

    with tempfile.TemporaryDirectory(prefix="vetting-bench-") as tmp:
        var_dir = Path(tmp)
        setup_django(var_dir)
        prepare_database()
        pdf = None
        exports = []
        if args.only in (None, "pdf"):
            print("Rendering risk summaries…", flush=True)
            pdf = bench_pdf(args.pdf_runs)
        if args.only in (None, "export"):
            print(f"Inserting {args.events:,} audit events and exporting them…", flush=True)
            exports = bench_export(var_dir, args.events)
    text = table(pdf, exports, args.events)
    print()
    print(text)
    failed = (pdf and pdf["median_seconds"] >= PDF_TARGET_SECONDS) or any(
        r["rows_per_second"] <= EXPORT_TARGET_ROWS_PER_SECOND
        or r["peak_rss_mb"] >= EXPORT_TARGET_PEAK_MB
        for r in exports
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
