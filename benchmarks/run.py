"""`make bench`: how fast reports are produced and cases screened.

1. Median seconds to generate a typical risk summary PDF (every checklist item answered, some
   red flags observed with notes, 10 evidence files, submitted, reviewed and referred), measured
   as the whole job the worker runs: reading the case, rendering, storing and hashing the file.
2. Audit export of 1,000,000 events: rows per second and peak memory, for CSV and JSON, streamed
   through the same code the export view uses. Each format runs in a fresh process so the peak
   resident memory measured is the export's own, including Django itself.

3. Screening one case (`cases.services.screen_case`, as `open_case` and `update_candidate` run
   it) for a candidate with IP addresses, phones, e-mail addresses, a bank, a shipping address,
   profiles and a history, its findings stored: the median over 200 screenings.
4. Re-screening every open case after a reference-data update: N realistic cases (100,000, or
   VETTING_BENCH_RESCREEN_CASES) are written once (`benchmarks/population.py`), then a fresh
   process imports a new persona dataset with `manage.py update_signal_data`, which re-screens
   them through the real task (in-process, as without Redis). Reported: minutes, cases per
   second and the resident memory at 10%, 50% and 100% of the run (flat memory: the late
   samples are not much above the early one).

5. Audit event writes with the hash chain at 1,000,000 events (`--events`): median and p95 of
   one event recorded, committed and sealed (`benchmarks/audit_chain.py`).
6. Pages at scale (`benchmarks/scale.py`): every list, search, dashboard, detail and save page
   against gunicorn at 1,000 and at N cases (100,000, or VETTING_BENCH_CASES), with the
   case-list throughput of 8 clients; its databases are its own and are kept for the next run.

Everything else runs against a throwaway SQLite database in a temporary directory, unless
VETTING_BENCH_DATABASE_URL names a database to use (it receives a million audit rows and the
benchmark cases, and is reused by the next run). VETTING_BENCH_DIR keeps the SQLite database in
that directory instead, for the next run to reuse. `--only rescreen` (or a comma-separated list
of pdf, export, screen, rescreen, audit, scale) runs only some measurements. Copy the printed
table into README.md's Performance section when the figures change.
"""

import argparse
import datetime
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from benchmarks import audit_chain

REPO = Path(__file__).resolve().parent.parent
PDF_TARGET_SECONDS = 1.5
EXPORT_TARGET_ROWS_PER_SECOND = 50_000
EXPORT_TARGET_PEAK_MB = 200
SCREEN_TARGET_MS = 50
RESCREEN_TARGET_MINUTES = 10  # for 100,000 open cases (and in proportion for more)
RESCREEN_TARGET_CASES = 100_000
RESCREEN_MEMORY_GROWTH_MB = 50  # resident memory from 10% of the run to its end
MEASURES = ("pdf", "export", "screen", "rescreen", "audit", "scale")


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
    from django.conf import settings

    # `update_signal_data` (the re-screening benchmark) writes here, not into signals/data/.
    settings.SIGNALS_DATA_DIR = var_dir / "signal-data"


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

    actor, _ = User.objects.get_or_create(username="bench-actor")
    # Every event inserted here is the benchmark actor's (half of them are `bench.event`):
    # a database that already has some gets only the missing ones.
    existing = AuditEvent.objects.filter(actor=actor).count()
    if existing >= count:
        return
    start = timezone.now() - datetime.timedelta(days=30)
    step = datetime.timedelta(days=29) / count
    actions = ["answer.recorded", "evidence.uploaded", "case.submit", "report.downloaded"]
    for offset in range(existing, count, batch):
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


# ---------------------------------------------------------------- screening one case


def busy_case():
    """A case whose candidate gives every check something to look at; its findings stored."""
    from django.contrib.auth.models import Group, User

    from accounts import roles
    from accounts.services import sync_roles
    from cases import services

    sync_roles()
    hr, _ = User.objects.get_or_create(username="bench-screen-hr")
    hr.groups.set(Group.objects.filter(name=roles.HR))
    return services.open_case(
        hr,
        {
            "legal_name": "Bench Candidate",
            "role_applied_for": "Engineer",
            "claimed_country": "US",
            "routing_number": "026073150",
            "bank_name": "Example Bank",
            "account_number": "9876543210123",
            "shipping_address": "4283 Express Lane\nSuite 1\nSarasota, FL 34238\nUSA",
            "phones": ["+1 646 555 0142", "+82 10 1234 5678", "+850 2 381 2222"],
            "emails": ["a@gmail.com", "b@mailinator.com", "c@belgradeuniversity.edu"],
            "ip_addresses": ["73.0.0.1", "52.1.1.1", "211.234.10.1", "175.45.176.9"],
            "profiles": [{"kind": "github", "url_or_handle": "https://github.com/bench"}],
            "history": [
                {"kind": "education", "organisation": "Uni", "country": "CN"},
                {"kind": "employment", "organisation": "A", "country": "US"},
                {"kind": "employment", "organisation": "B", "country": "KR"},
            ],
        },
    )


def bench_screen(runs: int) -> dict:
    from cases import services
    from cases.models import Finding

    case = busy_case()
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        services.screen_case(case)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    return {
        "runs": runs,
        "findings": Finding.objects.filter(case=case).count(),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        # This process's own CPU time: what the figure would be on an idle machine, less the
        # database's work (SQLite runs in this process; PostgreSQL in its own).
        "median_cpu_ms": round(statistics.median(cpu), 2),
    }


# ---------------------------------------------------------------- re-screening


def rescreen_target_minutes(cases: int) -> float:
    return RESCREEN_TARGET_MINUTES * max(1, cases / RESCREEN_TARGET_CASES)


def rss_mb() -> float:
    """Resident memory now (Linux), else the peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def sampling_memory(samples: list, every: float = 0.1):
    """Record (share of the re-screening done, resident MB) while the block runs."""
    from cases import selectors

    done = threading.Event()

    def sample():
        while not done.wait(every):
            progress = selectors.rescreen_progress() or {}
            share = progress["done"] / progress["total"] if progress.get("total") else 0
            samples.append((share, rss_mb()))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        samples.append((1.0, rss_mb()))


def persona_update(var_dir: Path, cases: int) -> Path:
    """A newer persona dataset: the shipped entries plus the first e-mail address of about one
    benchmark case in a hundred, drawn afresh each run (so a rerun opens and removes some)."""
    from benchmarks.population import own_email
    from signals.reference import PACKAGE_DATA_DIR, read_json

    data = read_json(PACKAGE_DATA_DIR / "persona_identifiers.json")
    provenance = read_json(PACKAGE_DATA_DIR / "persona_identifiers.provenance.json")
    day = max(data["version"].split(".")[0], datetime.date.today().isoformat())
    data["version"] = provenance["version"] = f"{day}.{int(time.time())}"
    draw = random.Random(time.time_ns())
    data["entries"] = data["entries"] + [
        {
            "kind": "email",
            "value": own_email(n),
            "persona": "benchmark persona",
            "source": {"title": "Benchmark data", "url": "https://example.org/benchmark"},
        }
        for n in range(cases)
        if draw.random() < 0.01
    ]
    folder = var_dir / "persona-update"
    folder.mkdir(exist_ok=True)
    (folder / "persona_identifiers.json").write_text(json.dumps(data))
    (folder / "persona_identifiers.provenance.json").write_text(json.dumps(provenance))
    return folder / "persona_identifiers.json"


def rescreen_child(var_dir: Path, cases: int) -> dict:
    """Runs in its own process: import a data update, which re-screens every open case."""
    from django.core.management import call_command

    from cases import selectors

    update = persona_update(var_dir, cases)
    samples: list[tuple[float, float]] = []
    before = rss_mb()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with sampling_memory(samples):
        call_command(
            "update_signal_data",
            "persona_identifiers",
            "--file",
            str(update),
            "--provenance",
            str(update.with_name("persona_identifiers.provenance.json")),
            stdout=open(os.devnull, "w"),  # noqa: SIM115 - closed with the process
        )
    elapsed = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
    progress = selectors.rescreen_progress() or {}
    from audit.models import AuditEvent

    totals = AuditEvent.objects.filter(action="findings.rescreened").order_by("-id").first().data

    def at(share: float) -> float:
        return round(next(rss for done, rss in samples if done >= share), 1)

    return {
        "cases": totals["cases"],
        "opened": totals["opened"],
        "updated": totals["updated"],
        "removed": totals["removed"],
        "finished": bool(progress.get("finished")),
        "seconds": round(elapsed, 1),
        "minutes": round(elapsed / 60, 2),
        "cases_per_second": int(totals["cases"] / elapsed),
        "cpu_seconds": round(cpu_seconds, 1),
        "load_average": os.getloadavg()[0],
        "rss_before_mb": round(before, 1),
        "rss_mb": {"10%": at(0.1), "50%": at(0.5), "100%": at(1.0)},
        "rss_max_mb": round(max(rss for _done, rss in samples), 1),
    }


def bench_rescreen(var_dir: Path, cases: int) -> dict:
    from benchmarks.population import populate

    def progress(done, total):
        if done == total or done // 2000 % 10 == 0:
            print(f"  {done:,} of {total:,} open cases written", flush=True)

    started = time.perf_counter()
    added = populate(cases, progress)
    populated = time.perf_counter() - started
    from django.db import connections

    connections.close_all()
    output = subprocess.run(  # noqa: S603 - runs this very module
        [sys.executable, "-m", "benchmarks.run", "--rescreen-child", str(cases)],
        cwd=REPO,
        env={**os.environ, "VETTING_VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
    )
    if output.returncode:
        raise RuntimeError(f"the re-screening child failed:\n{output.stderr}")
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["populated"] = {"added": added, "seconds": round(populated, 1)}
    return result


# ---------------------------------------------------------------- report


def rescreen_misses(result: dict) -> list[str]:
    """The targets a re-screening result misses, by name."""
    growth = result["rss_max_mb"] - result["rss_mb"]["10%"]
    misses = []
    if result["minutes"] >= rescreen_target_minutes(result["cases"]):
        misses.append("time")
    if growth >= RESCREEN_MEMORY_GROWTH_MB:
        misses.append("memory")
    return misses


def table(pdf: dict | None, exports: list[dict], count: int, screen=None, rescreen=None) -> str:
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
    if screen:
        verdict = "✓" if screen["median_ms"] < SCREEN_TARGET_MS else "✗"
        lines.append(
            f"| screening one case (IP addresses, phones, e-mail, bank, shipping, history; "
            f"{screen['findings']} findings stored): median of {screen['runs']} | "
            f"{screen['median_ms']} ms (p95 {screen['p95_ms']} ms; CPU "
            f"{screen['median_cpu_ms']} ms) | < {SCREEN_TARGET_MS} ms "
            f"{verdict} |"
        )
    if rescreen:
        misses = rescreen_misses(rescreen)
        rss = rescreen["rss_mb"]
        lines.append(
            f"| re-screening {rescreen['cases']:,} open cases after a reference-data update "
            f"(findings opened: {rescreen['opened']:,}, removed: {rescreen['removed']:,}) | "
            f"{rescreen['minutes']} min, {rescreen['cases_per_second']:,} cases/s "
            f"({rescreen['cpu_seconds']} s of CPU); RSS at "
            f"10/50/100%: {rss['10%']} / {rss['50%']} / {rss['100%']} MB | "
            f"< {rescreen_target_minutes(rescreen['cases']):g} min "
            f"{'✗' if 'time' in misses else '✓'}, flat (< +{RESCREEN_MEMORY_GROWTH_MB} MB "
            f"after 10%) {'✗' if 'memory' in misses else '✓'} |"
        )
    return "\n".join(lines)


def measures(text: str) -> set[str]:
    chosen = {name.strip() for name in text.split(",") if name.strip()}
    unknown = chosen - set(MEASURES)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown measure {', '.join(sorted(unknown))}; choose from {', '.join(MEASURES)}"
        )
    return chosen


@contextmanager
def bench_dir():
    """VETTING_BENCH_DIR (kept, so its SQLite database is reused), else a throwaway one."""
    if os.environ.get("VETTING_BENCH_DIR"):
        path = Path(os.environ["VETTING_BENCH_DIR"]).resolve()
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="vetting-bench-") as tmp:
        yield Path(tmp)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf-runs", type=int, default=5)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--screen-runs", type=int, default=200)
    parser.add_argument(
        "--rescreen-cases",
        type=int,
        default=int(os.environ.get("VETTING_BENCH_RESCREEN_CASES", RESCREEN_TARGET_CASES)),
    )
    parser.add_argument(
        "--only",
        type=measures,
        default=set(MEASURES),
        help=f"comma-separated: {', '.join(MEASURES)}",
    )
    from benchmarks import scale

    scale.add_arguments(parser)
    parser.add_argument("--export-child", choices=["csv", "json"], help=argparse.SUPPRESS)
    parser.add_argument("--rescreen-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.export_child:
        setup_django(Path(os.environ["VETTING_VAR_DIR"]))
        print(json.dumps(export_child(args.export_child)))
        return 0
    if args.rescreen_child:
        var_dir = Path(os.environ["VETTING_VAR_DIR"])
        setup_django(var_dir)
        print(json.dumps(rescreen_child(var_dir, args.rescreen_child)))
        return 0

    pdf = screen = rescreen = chain = None
    exports = []
    if args.only - {"scale"}:
        with bench_dir() as var_dir:
            setup_django(var_dir)
            prepare_database()
            if "pdf" in args.only:
                print("Rendering risk summaries…", flush=True)
                pdf = bench_pdf(args.pdf_runs)
            if "export" in args.only:
                print(f"Inserting {args.events:,} audit events and exporting them…", flush=True)
                exports = bench_export(var_dir, args.events)
            if "screen" in args.only:
                print(f"Screening one case {args.screen_runs} times…", flush=True)
                screen = bench_screen(args.screen_runs)
            if "rescreen" in args.only:
                print(
                    f"Writing {args.rescreen_cases:,} open cases and re-screening them…",
                    flush=True,
                )
                rescreen = bench_rescreen(var_dir, args.rescreen_cases)
            if "audit" in args.only:
                print(f"Chaining {args.events:,} audit events and timing new ones…", flush=True)
                chain = audit_chain.bench_audit(args.events)
    scale_text, scale_met = "", True
    if "scale" in args.only:
        _result, scale_text, scale_met = scale.bench(scale.options_from(args))
    text = table(pdf, exports, args.events, screen, rescreen) if args.only - {"scale"} else ""
    if chain:
        text += "\n" + audit_chain.table(chain) + "\n"
    print()
    print("\n\n".join(part for part in (text, scale_text) if part))
    failed = (
        (pdf and pdf["median_seconds"] >= PDF_TARGET_SECONDS)
        or any(
            r["rows_per_second"] <= EXPORT_TARGET_ROWS_PER_SECOND
            or r["peak_rss_mb"] >= EXPORT_TARGET_PEAK_MB
            for r in exports
        )
        or (screen and screen["median_ms"] >= SCREEN_TARGET_MS)
        or (rescreen and rescreen_misses(rescreen))
        or audit_chain.missed(chain)
        or not scale_met
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
