"""The kinds of report a job can produce: one spec each, looked up by the job's kind.

Adding a kind is one module with `build(job, dossier, output, progress)` and one entry in `KINDS`
(plus its value in `models.ReportKind`). The worker (`services.run_job`) knows nothing else about
any kind.
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import integrity, packet, risk_summary
from .models import ReportKind


@dataclass(frozen=True)
class ReportSpec:
    kind: ReportKind
    extension: str
    content_type: str
    # build(job, dossier, output, progress) -> documents.Built writes the document to binary
    # `output`. `dossier` is the case's (selectors.case_dossier), None for kinds about no case.
    build: Callable
    # refusal(case) -> why this document may not be made for the case now, or "" if it may.
    refusal: Callable = lambda case: ""
    # Whether downloads are named with the language (documents offered in several languages).
    language_in_name: bool = False
    # after(job): records in the audit log, in the job's finishing transaction, what the
    # document means beyond its file.
    after: Callable | None = None
    # Whether the document differs by requester (e.g. numbers in clear or masked), so that a
    # pending job is shared only with the one who asked for it.
    depends_on_requester: bool = False


KINDS = {
    spec.kind: spec
    for spec in (
        ReportSpec(
            ReportKind.RISK_SUMMARY,
            "pdf",
            "application/pdf",
            risk_summary.build,
            language_in_name=True,
        ),
        ReportSpec(
            ReportKind.REFERRAL_PACKET,
            "zip",
            "application/zip",
            packet.build,
            refusal=packet.refusal,
            depends_on_requester=True,
        ),
        ReportSpec(
            ReportKind.INTEGRITY_CHECK,
            "csv",
            "text/csv; charset=utf-8",
            integrity.build,
            after=integrity.record_result,
        ),
    )
}


def spec_for(kind: str) -> ReportSpec:
    return KINDS[kind]
