"""Findings: the stored results of the automated checks, and the people's decisions on them.

`screen_case` runs in the transaction of the change that called it (`open_case`,
`update_candidate`): screening one case takes a few ms once the reference data is loaded
(`make bench`), so the findings a case shows always match its facts as committed, with no
window in which a page or the API shows stale ones and no dependency on the broker.
`rescreen_open_cases` re-screens every case that is not closed after reference data changes:
read in batches, written (one case per transaction, the case locked) only where a finding
changes.

Links make one case's findings depend on others (`links.flagged_case`, `links.many_cases`):
`rescreen_linked_cases` re-screens the cases that are not closed and are linked to a case whose
facts changed, or that was referred, rejected or reopened, in the same transaction. It is not
recursive (a re-screened case's own links are not followed) and does at most
`LINKED_RESCREEN_LIMIT` cases in the transaction; any further ones are queued as a task.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record_event
from common.errors import InvalidTransition, ServiceValidationError
from signals.checks.links import FINDINGS as LINK_FINDINGS
from signals.findings import Finding as CheckFinding
from signals.reference import reload_reference_data

from .. import permissions, screening, selectors
from ..models import FINAL_STATUSES, NOTE_MAX_LENGTH, Case, Finding, FindingStatus
from .base import (
    case_event,
    lock_case,
    records_refusals,
    require_at_most,
    require_editable,
    require_role,
    save_as,
)
from .checklist import answer_item

logger = logging.getLogger(__name__)

# Stored texts are written in the project's language, whoever triggered the screening; the
# summary is translated again when read (the detail carries values and stays as stored).
STORED_LANGUAGE = "en"
RESCREEN_BATCH_SIZE = 500
LINKED_RESCREEN_LIMIT = 50


def fingerprint(check: str, subject: str) -> str:
    """What makes a finding the same one on the next screening: its check and its fact."""
    return hashlib.sha256(f"{check}\n{subject}".encode()).hexdigest()


SUMMARY_MAX_LENGTH = Finding._meta.get_field("summary").max_length


def _stored_fields(found: CheckFinding) -> dict:
    """A finding's fields as stored, with STORED_LANGUAGE active (`screened_findings`)."""
    return {
        "check_code": found.check,
        "subject": found.subject,
        "severity": found.severity.code,
        "summary": str(found.summary)[:SUMMARY_MAX_LENGTH],
        "detail": str(found.detail),
        "suggests_item_code": found.suggests.item_code if found.suggests else "",
        "suggests_value": found.suggests.value if found.suggests else "",
        "source_title": found.source.title,
        "source_url": found.source.url,
    }


@dataclass(frozen=True)
class Screening:
    """What one screening changed."""

    opened: int = 0
    updated: int = 0
    removed: int = 0


def _event(actor, action: str, finding: Finding, summary: str, **data):
    case_event(
        actor,
        action,
        finding.case,
        summary,
        obj=finding,
        check=finding.check_code,
        severity=finding.severity,
        **data,
    )


def screened_findings(candidate, links=None) -> dict[str, dict]:
    """The findings a candidate's facts (and its case's `links`, `selectors.link_facts`) give
    now, by fingerprint, as they would be stored."""
    found: dict[str, dict] = {}
    with translation.override(STORED_LANGUAGE):
        for check_finding in screening.screen_candidate(candidate, links):
            key = fingerprint(check_finding.check, check_finding.subject)
            if key not in found:  # most severe first
                found[key] = _stored_fields(check_finding)
    return found


@dataclass(frozen=True)
class _Changes:
    """What screening must write: fingerprints to open, stored rows to update or remove."""

    to_open: list[str]
    to_update: list[Finding]
    to_remove: list[Finding]

    def __bool__(self) -> bool:
        return bool(self.to_open or self.to_update or self.to_remove)


def _changes(found: dict[str, dict], stored: dict[str, Finding]) -> _Changes:
    """Compare what the checks find with the stored rows. One rule for `screen_case` and the
    re-screening's read-only pass: an unchanged case needs no lock and no write."""
    to_open, to_update = [], []
    for key, fields in found.items():
        row = stored.get(key)
        if row is None:
            to_open.append(key)
        elif row.status == FindingStatus.OPEN and any(
            getattr(row, name) != value for name, value in fields.items()
        ):
            to_update.append(row)
    to_remove = [
        row for key, row in stored.items() if key not in found and row.status == FindingStatus.OPEN
    ]
    return _Changes(to_open, to_update, to_remove)


@transaction.atomic
def screen_case(case: Case, actor=None, *, links=None) -> Screening:
    """Recompute the findings of a case from its candidate's facts and its links.

    A new finding is stored open; an open one whose fact is gone is removed (its history stays);
    an accepted or dismissed one is kept as decided; an unchanged one is left untouched.
    `actor` is who changed the facts (None for a re-screening after reference data or a linked
    case changed). `links`: the case's `selectors.linked_cases`, when already read.
    """
    case = lock_case(case)
    found = screened_findings(case.candidate, selectors.link_facts(case, links))
    stored = {row.fingerprint: row for row in Finding.objects.filter(case=case)}
    changes = _changes(found, stored)
    for key in changes.to_open:
        row = save_as(Finding(case=case, fingerprint=key, **found[key]), actor, reason="screened")
        _event(
            actor,
            "finding.opened",
            row,
            f"Finding {row.check_code} ({row.severity}) on {case.reference}: {row.summary}",
        )
    for row in changes.to_update:
        for name, value in found[row.fingerprint].items():
            setattr(row, name, value)
        save_as(row, actor, reason="re-screened")
    for row in changes.to_remove:
        row.case = case
        _event(
            actor,
            "finding.removed",
            row,
            f"Finding {row.check_code} on {case.reference} no longer applies",
        )
        row._history_user = actor
        row.delete()
    # Not a change of the case's record (no history): the panel's "never screened" state.
    case.screened_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(screened_at=case.screened_at)
    return Screening(len(changes.to_open), len(changes.to_update), len(changes.to_remove))


def rescreen_linked_cases(case: Case, links=None) -> list[str]:
    """Re-screen the cases that are not closed and share identifiers with `case` (its
    `selectors.link_facts`), after its facts or its outcome changed; not recursive. Returns their
    references. Up to `LINKED_RESCREEN_LIMIT` are screened in the caller's transaction; the rest
    are queued (`cases.tasks.rescreen_cases`) once it commits."""
    links = selectors.linked_cases(case) if links is None else links
    linked = {fact.reference for fact in selectors.link_facts(case, links)}
    others = sorted(
        (link.case for link in links if link.case.reference in linked and not link.case.is_final),
        key=lambda other: other.reference,
    )
    # Links carry a few columns of each case (selectors.LINKED_CASE_FIELDS); screening reads all.
    screened = Case.objects.select_related("candidate").filter(
        pk__in=[other.pk for other in others[:LINKED_RESCREEN_LIMIT]]
    )
    for other in screened.order_by("reference"):
        screen_case(other)
    rest = [other.pk for other in others[LINKED_RESCREEN_LIMIT:]]
    if rest:
        from ..tasks import rescreen_cases  # tasks import the services

        logger.info("Queued the re-screening of %d more cases linked to %s", len(rest), case)
        transaction.on_commit(lambda: rescreen_cases.delay(rest))
    return [other.reference for other in others]


def rescreen_cases(case_ids: list[int]) -> int:
    """Re-screen the given cases that are not closed, one transaction each; safe to run twice."""
    cases = Case.objects.filter(pk__in=case_ids).exclude(status__in=FINAL_STATUSES).order_by("id")
    count = 0
    for case in cases:
        screen_case(case)
        count += 1
    return count


def _lock_open_finding(finding: Finding) -> Finding:
    finding = Finding.objects.select_for_update().select_related("case").get(pk=finding.pk)
    if finding.status != FindingStatus.OPEN:
        raise InvalidTransition(
            _("This finding is already %(status)s.") % {"status": finding.get_status_display()}
        )
    return finding


def _decide(actor, finding: Finding, status: str, note: str) -> Finding:
    finding.status, finding.note = status, note
    finding.decided_by, finding.decided_at = actor, timezone.now()
    return save_as(finding, actor, reason=status)


@records_refusals("finding.accepted")
@transaction.atomic
def accept_finding(actor, finding: Finding, note: str = "") -> Finding:
    """Accept an open finding. One that suggests an answer fills it in, with a note citing it."""
    require_role(actor, *permissions.FINDING_ACCEPTERS, action=_("accept findings"))
    require_editable(lock_case(finding.case))
    finding = _lock_open_finding(finding)
    note = (note or "").strip()
    require_at_most("note", note, NOTE_MAX_LENGTH)
    if finding.suggests_item_code:
        cited = f"Accepted finding {finding.check_code}: {finding.summary}"
        answer_item(
            actor,
            finding.case,
            finding.suggests_item_code,
            finding.suggests_value,
            note=f"{cited}\n{note}" if note else cited,
        )
    _decide(actor, finding, FindingStatus.ACCEPTED, note)
    _event(
        actor,
        "finding.accepted",
        finding,
        f"Accepted finding {finding.check_code} on {finding.case.reference}",
        item=finding.suggests_item_code,
        value=finding.suggests_value,
        note=note,
    )
    return finding


@records_refusals("finding.dismissed")
@transaction.atomic
def dismiss_finding(actor, finding: Finding, note: str) -> Finding:
    """Dismiss an open finding, with the reason. High and critical ones need a reviewer who did
    not assess the case (`permissions.why_not_dismissable`)."""
    require_role(actor, *permissions.FINDING_DISMISSERS, action=_("dismiss findings"))
    case = lock_case(finding.case)
    finding = _lock_open_finding(finding)
    if case.status in FINAL_STATUSES:
        raise InvalidTransition(
            _("Case %(ref)s is closed: its findings can no longer be decided.")
            % {"ref": case.reference}
        )
    refusal = permissions.why_not_dismissable(actor, finding)
    if refusal is not None:
        raise refusal
    note = (note or "").strip()
    if not note:
        raise ServiceValidationError({"note": _("Say why the finding is dismissed.")})
    require_at_most("note", note, NOTE_MAX_LENGTH)
    _decide(actor, finding, FindingStatus.DISMISSED, note)
    _event(
        actor,
        "finding.dismissed",
        finding,
        f"Dismissed finding {finding.check_code} on {case.reference}: {note}",
        note=note,
    )
    return finding


def _record_progress(done: int, total: int, *, finished: bool = False) -> None:
    cache.set(
        selectors.RESCREEN_PROGRESS_KEY,
        {"done": done, "total": total, "finished": finished, "at": timezone.now().isoformat()},
        timeout=None,
    )


def _open_case_batches(batch_size: int):
    """The cases that are not closed, by id, in batches read with what screening reads: the
    candidate, its related rows (`screening.screening_prefetches`) and the stored findings
    (as `stored_findings`).

    Keyset pagination (id > the last one seen): each batch is a few queries whatever the table
    size, and only one batch is in memory at a time.
    """
    cases = (
        Case.objects.exclude(status__in=FINAL_STATUSES)
        .order_by("id")
        .select_related("candidate")
        .defer("candidate__identity_document_number")  # encrypted, and no check reads it
        .prefetch_related(
            *screening.screening_prefetches("candidate__"),
            Prefetch("findings", queryset=Finding.objects.order_by(), to_attr="stored_findings"),
        )
    )
    last = 0
    while batch := list(cases.filter(id__gt=last)[:batch_size]):
        yield batch
        last = batch[-1].pk


def rescreen_open_cases(*, batch_size: int = RESCREEN_BATCH_SIZE) -> dict:
    """Re-screen every case that is not closed, after reference data changed.

    Each batch of cases is read once (a few queries) and screened without a lock; a case whose
    findings would change is screened again by `screen_case`, in a transaction of its own with
    the case locked, so what is written reflects the facts as committed. A case with nothing to
    change costs no write, no lock and no audit event. Safe to run twice: screening is
    idempotent. Progress is logged and kept in the cache after each batch
    (`selectors.rescreen_progress`); a `findings.rescreened` audit event counting what changed
    ends the run.
    """
    reload_reference_data()  # a long-lived worker may hold the data from before the update
    total = Case.objects.exclude(status__in=FINAL_STATUSES).count()
    totals = {"cases": 0, "opened": 0, "updated": 0, "removed": 0}
    _record_progress(0, total)
    for batch in _open_case_batches(batch_size):
        for case in batch:
            # Reference data says nothing about links, and links are kept current when facts or
            # outcomes change (`rescreen_linked_cases`): this pass leaves the link findings out
            # on both sides, and `screen_case` (which reads the links) runs only where another
            # finding changes. So the cross-case lookups cost nothing for unchanged cases.
            stored = {
                row.fingerprint: row
                for row in case.stored_findings
                if row.check_code not in LINK_FINDINGS
            }
            if _changes(screened_findings(case.candidate, links=()), stored):
                result = screen_case(case)
                totals["opened"] += result.opened
                totals["updated"] += result.updated
                totals["removed"] += result.removed
        Case.objects.filter(pk__in=[case.pk for case in batch]).update(screened_at=timezone.now())
        totals["cases"] += len(batch)
        total = max(total, totals["cases"])  # cases opened meanwhile are screened too
        logger.info("Re-screened %d of %d open cases", totals["cases"], total)
        _record_progress(totals["cases"], total)
    with transaction.atomic():
        record_event(
            actor=None,
            action="findings.rescreened",
            object_type="cases.case",
            summary=(
                f"Re-screened {totals['cases']} open cases: {totals['opened']} findings opened, "
                f"{totals['removed']} removed"
            ),
            data=totals,
        )
    _record_progress(totals["cases"], totals["cases"], finished=True)
    return totals
