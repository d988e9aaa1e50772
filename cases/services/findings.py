"""Findings: the stored results of the automated checks, and the people's decisions on them.

`screen_case` runs in the transaction of the change that called it (`open_case`,
`update_candidate`): screening one case takes about 9 ms once the reference data is loaded
(about 1 s, once per process), so the findings a case shows always match its facts as committed,
with no window in which a page or the API shows stale ones and no dependency on the broker.
`rescreen_open_cases` re-screens every case that is not closed after reference data changes,
one case per transaction.

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
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record_event
from common.errors import InvalidTransition, ServiceValidationError
from signals.findings import Finding as CheckFinding

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
RESCREEN_BATCH_SIZE = 100
LINKED_RESCREEN_LIMIT = 50


def fingerprint(check: str, subject: str) -> str:
    """What makes a finding the same one on the next screening: its check and its fact."""
    return hashlib.sha256(f"{check}\n{subject}".encode()).hexdigest()


def _stored_fields(found: CheckFinding) -> dict:
    with translation.override(STORED_LANGUAGE):
        return {
            "check_code": found.check,
            "subject": found.subject,
            "severity": found.severity.code,
            "summary": str(found.summary)[: Finding._meta.get_field("summary").max_length],
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


@transaction.atomic
def screen_case(case: Case, actor=None, *, links=None) -> Screening:
    """Recompute the findings of a case from its candidate's facts and its links.

    A new finding is stored open; an open one whose fact is gone is removed (its history stays);
    an accepted or dismissed one is kept as decided; an unchanged one is left untouched.
    `actor` is who changed the facts (None for a re-screening after reference data or a linked
    case changed). `links`: the case's `selectors.linked_cases`, when already read.
    """
    case = lock_case(case)
    link_facts = selectors.link_facts(case, links)
    found: dict[str, dict] = {}
    for check_finding in screening.screen_candidate(case.candidate, link_facts):
        key = fingerprint(check_finding.check, check_finding.subject)
        found.setdefault(key, _stored_fields(check_finding))  # most severe first
    stored = {row.fingerprint: row for row in Finding.objects.filter(case=case)}
    opened = updated = removed = 0
    for key, fields in found.items():
        row = stored.get(key)
        if row is None:
            row = save_as(Finding(case=case, fingerprint=key, **fields), actor, reason="screened")
            _event(
                actor,
                "finding.opened",
                row,
                f"Finding {row.check_code} ({row.severity}) on {case.reference}: {row.summary}",
            )
            opened += 1
        elif row.status == FindingStatus.OPEN and any(
            getattr(row, name) != value for name, value in fields.items()
        ):
            for name, value in fields.items():
                setattr(row, name, value)
            save_as(row, actor, reason="re-screened")
            updated += 1
    for key, row in stored.items():
        if key not in found and row.status == FindingStatus.OPEN:
            row.case = case
            _event(
                actor,
                "finding.removed",
                row,
                f"Finding {row.check_code} on {case.reference} no longer applies",
            )
            row._history_user = actor
            row.delete()
            removed += 1
    # Not a change of the case's record (no history): the panel's "never screened" state.
    case.screened_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(screened_at=case.screened_at)
    return Screening(opened, updated, removed)


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
    for other in others[:LINKED_RESCREEN_LIMIT]:
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


def rescreen_open_cases(*, batch_size: int = RESCREEN_BATCH_SIZE) -> dict:
    """Re-screen every case that is not closed, one transaction per case, in batches of ids.

    Safe to run twice: screening is idempotent. Progress is logged and kept in the cache after
    each batch (`selectors.rescreen_progress`); a `findings.rescreened` audit event counting what
    changed ends the run.
    """
    ids = list(
        Case.objects.exclude(status__in=FINAL_STATUSES).order_by("id").values_list("id", flat=True)
    )
    totals = {"cases": len(ids), "opened": 0, "updated": 0, "removed": 0}
    _record_progress(0, len(ids))
    for start in range(0, len(ids), batch_size):
        for case in Case.objects.filter(pk__in=ids[start : start + batch_size]).order_by("id"):
            result = screen_case(case)
            totals["opened"] += result.opened
            totals["updated"] += result.updated
            totals["removed"] += result.removed
        done = min(start + batch_size, len(ids))
        logger.info("Re-screened %d of %d open cases", done, len(ids))
        _record_progress(done, len(ids))
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
    _record_progress(len(ids), len(ids), finished=True)
    return totals
