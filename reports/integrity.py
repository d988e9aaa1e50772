"""Integrity check: every stored evidence file and generated report, read back and hashed.

Evidence is hashed at upload and reports when they are generated; a file whose SHA-256 no longer
matches, or that is gone, was changed or lost outside the application. The check writes one CSV
row per file, streaming, and returns a summary of what it found. Files are read from the storage
in use (the local disk or the object store); a storage that cannot be reached fails the check
rather than reporting every file missing. The audit log's hash chain is verified in the same
job (audit.selectors.verify_chain), and its verdict is part of the summary.
"""

import csv
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from audit.selectors import verify_chain
from audit.services import record_event
from cases.models import Evidence
from common.storage import StorageUnavailable, hash_stored

from .documents import Built
from .export import neutralise_formula
from .models import JobStatus, ReportJob

OK, CHANGED, MISSING = "ok", "changed", "missing"
COLUMNS = (
    "object",
    "id",
    "case_reference",
    "name",
    "recorded_sha256",
    "actual_sha256",
    "recorded_size",
    "actual_size",
    "result",
)
# Problems listed by name in the summary (the CSV lists them all).
SUMMARY_PROBLEMS_SHOWN = 50
# Progress doubles as the heartbeat the redispatcher watches: report it at least this often,
# however large or slow to read the files are.
PROGRESS_EVERY_SECONDS = 10


@dataclass(frozen=True)
class StoredFile:
    object: str  # "evidence" or "report"
    id: int
    case_reference: str
    name: str  # as people know it
    path: str  # in storage
    sha256: str
    size: int | None

    @property
    def label(self) -> str:
        where = f" of {self.case_reference}" if self.case_reference else ""
        return f"{self.object} #{self.id}{where} ({self.name})"


@dataclass
class Summary:
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    audit_chain: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "audit_chain": self.audit_chain,
            "checked": self.checked,
            "ok": self.checked - len(self.changed) - len(self.missing),
            "changed": len(self.changed),
            "missing": len(self.missing),
            "problems": (self.changed + self.missing)[:SUMMARY_PROBLEMS_SHOWN],
        }


def files_to_check(exclude_job_id: int | None = None) -> tuple[int, Iterator[StoredFile]]:
    """How many files there are, and the files: evidence first, then generated reports."""
    evidence = Evidence.objects.order_by("id")
    reports = (
        ReportJob.objects.filter(status=JobStatus.DONE)
        .exclude(file="")
        .exclude(pk=exclude_job_id)
        .order_by("id")
    )
    columns = ("id", "case__reference", "file", "sha256", "size")

    def both():
        rows = evidence.values_list(*columns, "original_name").iterator(chunk_size=500)
        for pk, reference, path, sha256, size, name in rows:
            yield StoredFile("evidence", pk, reference, name, path, sha256, size)
        rows = reports.values_list(*columns, "file_name").iterator(chunk_size=500)
        for pk, reference, path, sha256, size, name in rows:
            yield StoredFile("report", pk, reference or "", name, path, sha256, size)

    return evidence.count() + reports.count(), both()


def check(stored: StoredFile) -> tuple[str, str, int | None]:
    """(result, actual SHA-256, actual size) of one file."""
    try:
        digest, size = hash_stored(stored.path)
    except StorageUnavailable:
        raise  # not a verdict on the file: the job fails with the reason and can be retried
    except OSError:
        return MISSING, "", None
    return (OK if digest == stored.sha256 else CHANGED), digest, size


def write_report(output, exclude_job_id: int | None, progress: Callable[[int], None]) -> Summary:
    """Check every file and write the CSV (UTF-8 with a byte-order mark) to binary `output`."""
    total, files = files_to_check(exclude_job_id)
    text = io.TextIOWrapper(output, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    summary = Summary()
    last_progress = time.monotonic()
    for stored in files:
        result, digest, size = check(stored)
        summary.checked += 1
        if result == CHANGED:
            summary.changed.append(stored.label)
        elif result == MISSING:
            summary.missing.append(stored.label)
        writer.writerow(
            (
                stored.object,
                stored.id,
                stored.case_reference,
                neutralise_formula(stored.name),
                stored.sha256,
                digest,
                "" if stored.size is None else stored.size,
                "" if size is None else size,
                result,
            )
        )
        if time.monotonic() - last_progress >= PROGRESS_EVERY_SECONDS:
            progress(min(95, 5 + int(90 * summary.checked / max(total, 1))))
            last_progress = time.monotonic()
    text.flush()
    text.detach()  # the caller owns `output`
    summary.audit_chain = verify_chain().as_dict()
    return summary


def build(job, dossier, output, progress) -> Built:
    """The integrity check report kind: the CSV, and what it found as the job's summary."""
    return Built(summary=write_report(output, exclude_job_id=job.pk, progress=progress).as_dict())


def record_result(job) -> None:
    """Record the check's verdict in the audit log."""
    found = job.summary
    chain = found.get("audit_chain") or {}
    chain_broken = chain.get("intact") is False
    problems = found["changed"] + found["missing"] + int(chain_broken)
    verdict = (
        f"{found['changed']} changed, {found['missing']} missing"
        if found["changed"] + found["missing"]
        else "every file matches its recorded SHA-256"
    )
    if chain_broken:
        broken = chain["first_broken"]
        verdict += f"; audit chain broken at event {broken['sequence']}: {broken['reason']}"
    elif chain:
        verdict += f"; audit chain intact ({chain['checked']} events)"
    record_event(
        actor=job.requester,
        action="integrity.problems_found" if problems else "integrity.verified",
        obj=job,
        summary=f"Integrity check (job #{job.pk}): {found['checked']} files, {verdict}",
        data=found,
    )
