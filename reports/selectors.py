"""Reads for reports: which jobs a user sees, and the facts of a case that documents show."""

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.selectors import case_events
from cases import permissions
from cases import selectors as case_selectors
from cases.models import (
    AnswerValue,
    Case,
    ContactKind,
    Decision,
    Evidence,
    SignOff,
    SignOffOutcome,
)

from .models import JobStatus, ReportJob, ReportKind


def visible_jobs(user) -> QuerySet[ReportJob]:
    """Jobs of the cases the user may read (a report is exactly as visible as its case), and
    for compliance the integrity checks, which belong to no case."""
    if not permissions.can_request_reports(user):
        return ReportJob.objects.none()
    visible = Q(case__in=case_selectors.visible_cases(user).values("pk"))
    if permissions.can_audit(user):
        visible |= Q(case__isnull=True, kind=ReportKind.INTEGRITY_CHECK)
    return ReportJob.objects.filter(visible).select_related("case", "requester")


def integrity_checks(user) -> QuerySet[ReportJob]:
    return visible_jobs(user).filter(kind=ReportKind.INTEGRITY_CHECK)


def jobs_for_case(case: Case) -> QuerySet[ReportJob]:
    return ReportJob.objects.filter(case=case).select_related("requester")


def job_list(user, *, kind: str = "", status: str = "", mine: bool = False, case: str = ""):
    jobs = visible_jobs(user)
    if kind:
        jobs = jobs.filter(kind=kind)
    if status:
        jobs = jobs.filter(status=status)
    if mine:
        jobs = jobs.filter(requester=user)
    if case:
        jobs = jobs.filter(case__reference__iexact=case.strip())
    return jobs


def pending_duplicate(
    case: Case | None, kind: str, language: str, *, requester=None
) -> ReportJob | None:
    """A job for the same document that is still waiting or running (asked for by `requester`,
    when given)."""
    jobs = ReportJob.objects.filter(
        case=case, kind=kind, language=language, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    )
    if requester is not None:
        jobs = jobs.filter(requester=requester)
    return jobs.order_by("-requested_at").first()


def stuck_queued_jobs(
    now: datetime.datetime, undispatched_grace: datetime.timedelta, stale: datetime.timedelta
):
    """Queued jobs the broker probably never got: never dispatched, or dispatched long ago."""
    never_sent = ReportJob.objects.filter(
        status=JobStatus.QUEUED,
        dispatched_at__isnull=True,
        requested_at__lt=now - undispatched_grace,
    )
    sent_long_ago = ReportJob.objects.filter(status=JobStatus.QUEUED, dispatched_at__lt=now - stale)
    return (never_sent | sent_long_ago).order_by("requested_at", "id")


def stale_running_jobs(now: datetime.datetime, stale: datetime.timedelta):
    """Running jobs whose worker has given no sign of life for `stale`: it probably died."""
    return ReportJob.objects.filter(
        status=JobStatus.RUNNING, heartbeat_at__lt=now - stale
    ).order_by("started_at", "id")


# ---------------------------------------------------------------- case dossier

# Audit actions listed one by one in a document's history summary; others are counted.
KEY_ACTIONS_PREFIX = "case."
KEY_ACTIONS = frozenset({"evidence.withdrawn", "candidate.revealed"})
MAX_KEY_EVENTS = 60


@dataclass
class ActionSummary:
    action: str
    count: int
    first: datetime.datetime
    last: datetime.datetime
    actors: list[str]


@dataclass
class HistorySummary:
    key_events: list
    more_key_events: int
    other_actions: list[ActionSummary]


@dataclass
class Dossier:
    """Everything a document says about a case, read once, in one place."""

    case: Case
    candidate: object
    emails: list[str]
    phones: list[str]
    ip_addresses: list[str]
    profiles: list
    history_entries: list
    answers_by_category: "OrderedDict[str, list]"
    risk: dict
    risk_is_snapshot: bool
    evidence: list[Evidence]
    signoffs: list[SignOff]
    history: HistorySummary
    catalog: object
    items_by_code: dict = field(default_factory=dict)
    linked: list = field(default_factory=list)  # cases.selectors.LinkedCase
    findings: list = field(default_factory=list)  # cases.models.Finding, most severe first
    # Every pinned catalogue version, base (`catalog`) first.
    catalogs: list = field(default_factory=list)
    # Answers kept from an earlier catalogue version after an upgrade (not scored).
    earlier_answers: list = field(default_factory=list)

    @property
    def observed(self) -> list:
        return [
            a
            for answers in self.answers_by_category.values()
            for a in answers
            if a.value == AnswerValue.OBSERVED
        ]

    @property
    def adverse(self) -> list:
        return [
            a
            for answers in self.answers_by_category.values()
            for a in answers
            if a.value == AnswerValue.ADVERSE
        ]

    @property
    def current_evidence(self) -> list[Evidence]:
        return [e for e in self.evidence if not e.is_withdrawn]

    @property
    def referral_signoff(self) -> SignOff | None:
        referrals = [s for s in self.signoffs if s.outcome == SignOffOutcome.REFER]
        return referrals[-1] if referrals else None

    @property
    def is_referred(self) -> bool:
        return self.case.decision == Decision.REFERRED


def history_summary(case: Case) -> HistorySummary:
    key_events = []
    others: dict[str, ActionSummary] = {}
    for event in case_events(case.reference).only(
        "at", "actor_username", "action", "summary", "data", "case_reference", "object_id"
    ):
        if event.action.startswith(KEY_ACTIONS_PREFIX) or event.action in KEY_ACTIONS:
            key_events.append(event)
            continue
        summary = others.get(event.action)
        if summary is None:
            others[event.action] = ActionSummary(
                event.action, 1, event.at, event.at, [event.actor_username]
            )
            continue
        summary.count += 1
        summary.last = event.at
        if event.actor_username not in summary.actors:
            summary.actors.append(event.actor_username)
    more = max(0, len(key_events) - MAX_KEY_EVENTS)
    # Keep the first and the latest events when there are too many to list.
    if more:
        half = MAX_KEY_EVENTS // 2
        key_events = key_events[:half] + key_events[-half:]
    return HistorySummary(key_events, more, sorted(others.values(), key=lambda s: s.first))


def _risk(case: Case) -> tuple[dict, bool]:
    if case.risk_snapshot:
        return case.risk_snapshot, True
    result = case_selectors.current_risk(case).as_dict()
    result["computed_at"] = timezone.now().isoformat()
    return result, False


def case_dossier(case: Case) -> Dossier:
    case = (
        Case.objects.select_related("candidate", "owner", "reviewer", "catalog_version")
        .prefetch_related(
            "candidate__contacts", "candidate__profiles", "candidate__history_entries"
        )
        .get(pk=case.pk)
    )
    candidate = case.candidate
    # The subject's own contacts: a reference's number is never listed as the candidate's.
    contacts = [c for c in candidate.contacts.all() if not c.is_reference]
    grouped = case_selectors.checklist_by_category(case)
    risk, is_snapshot = _risk(case)
    items_by_code = {a.item.code: a.item for answers in grouped.values() for a in answers}
    return Dossier(
        case=case,
        candidate=candidate,
        emails=[c.value for c in contacts if c.kind == ContactKind.EMAIL],
        phones=[c.value for c in contacts if c.kind == ContactKind.PHONE],
        ip_addresses=[c.value for c in contacts if c.kind == ContactKind.IP_ADDRESS],
        profiles=list(candidate.profiles.all()),
        history_entries=list(candidate.history_entries.all()),
        answers_by_category=grouped,
        risk=risk,
        risk_is_snapshot=is_snapshot,
        evidence=list(case_selectors.evidence_for(case).select_related("case")),
        signoffs=list(SignOff.objects.filter(case=case).select_related("reviewer")),
        history=history_summary(case),
        catalog=case.catalog_version,
        items_by_code=items_by_code,
        linked=case_selectors.linked_cases(case),
        findings=list(case_selectors.findings_for(case)),
        catalogs=case_selectors.pinned_versions(case),
        earlier_answers=list(case_selectors.earlier_answers(case)),
    )


# Where a number would be, for a reader who may not see it (cases.permissions): in English and
# Korean, as a referral packet holds both.
MASKED_NUMBER_NOTE = (
    "masked: an HR or compliance user can generate this packet with the full number / "
    "일부 가림: 인사팀 또는 컴플라이언스 사용자가 생성하면 전체 번호가 담깁니다"
)


def mask_numbers(dossier: Dossier) -> None:
    """Replace the candidate's protected numbers in `dossier` by their masked form and a note.

    Only this in-memory copy of the candidate changes; it is never saved.
    """
    c = dossier.candidate
    for name, masked in (
        ("account_number", c.masked_account_number),
        ("identity_document_number", c.masked_identity_document_number),
    ):
        if masked:
            setattr(c, name, f"{masked} ({MASKED_NUMBER_NOTE})")
