"""Writes for retention: periods, legal holds, purges, key sightings. Each checks the role,
writes in one transaction, records history and an audit event (README, "Records and
retention")."""

import contextlib
import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import record_event, redact_events
from cases import permissions
from cases import services as case_services
from cases.crypto import key_fingerprint
from cases.models import (
    FINAL_STATUSES,
    Candidate,
    CandidateContact,
    Case,
    ChecklistAnswer,
    Evidence,
    Finding,
    HistoryEntry,
    OnlineProfile,
    SensitiveReveal,
    SignOff,
)
from common.errors import InvalidTransition, NotAllowed, NotFound, ServiceValidationError
from reports.models import ReportJob

from . import selectors
from .models import (
    REASON_MAX_LENGTH,
    FieldKeySighting,
    LegalHold,
    PurgeRun,
    PurgeState,
    RetentionPolicy,
    Tombstone,
)

logger = logging.getLogger(__name__)


def _require_manager(actor, action: str) -> None:
    if not permissions.can_manage_retention(actor):
        raise NotAllowed(_("Only compliance users may %(action)s.") % {"action": action})


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceValidationError({field: _("Give a reason.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceValidationError(
            {field: _("At most %(n)d characters.") % {"n": REASON_MAX_LENGTH}}
        )
    return reason


def _save(obj, actor, reason: str = ""):
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    if reason:
        obj._change_reason = reason[:100]
    obj.save()
    return obj


# ---------------------------------------------------------------- periods


@transaction.atomic
def set_retention_period(*, actor, status: str, months, reason: str = "") -> RetentionPolicy:
    """Keep cases that ended in `status` for `months` months after their final state."""
    _require_manager(actor, _("set retention periods"))
    if status not in FINAL_STATUSES:
        raise ServiceValidationError({"status": _("Choose a final state.")})
    try:
        months = int(months)
    except (TypeError, ValueError):
        raise ServiceValidationError({"months": _("Give a whole number of months.")}) from None
    if not 1 <= months <= RetentionPolicy.MAX_MONTHS:
        raise ServiceValidationError(
            {"months": _("Between 1 and %(n)d months.") % {"n": RetentionPolicy.MAX_MONTHS}}
        )
    reason = (reason or "").strip()[:REASON_MAX_LENGTH]
    before = selectors.retention_months()[status]
    policy = RetentionPolicy.objects.select_for_update().filter(status=status).first()
    policy = policy or RetentionPolicy(status=status)
    policy.months, policy.updated_by = months, actor
    _save(policy, actor, reason)
    record_event(
        actor=actor,
        action="retention.period_set",
        obj=policy,
        summary=f"Retention of {status} cases set to {months} months (was {before})"
        + (f": {reason}" if reason else ""),
        data={"status": status, "months": months, "before": before, "reason": reason},
    )
    return policy


# ---------------------------------------------------------------- legal holds


@transaction.atomic
def set_legal_hold(*, actor, case: Case, reason: str, include_linked: bool = False):
    """Hold `case` (and, with `include_linked`, every case linked to it) so that no purge
    deletes it, until the hold is lifted. Returns the holds set (the case's first)."""
    _require_manager(actor, _("set legal holds"))
    reason = _reason(reason)
    if Tombstone.objects.filter(case=case).exists():
        raise InvalidTransition(_("%(ref)s is already purged.") % {"ref": case.reference})
    hold = _hold(actor, case, reason)
    holds = [hold]
    if include_linked:
        for other_id in selectors.linked_case_ids(case):
            other = Case.objects.get(pk=other_id)
            if Tombstone.objects.filter(case=other).exists():
                continue
            holds.append(_hold(actor, other, reason, origin=hold))
    return holds


def _hold(actor, case: Case, reason: str, origin: LegalHold | None = None) -> LegalHold:
    hold = _save(LegalHold(case=case, reason=reason, set_by=actor, origin=origin), actor, reason)
    via = f" (with {origin.case.reference}, linked)" if origin else ""
    record_event(
        actor=actor,
        action="retention.hold_set",
        obj=hold,
        case_reference=case.reference,
        summary=f"Legal hold on {case.reference}{via}: {reason}",
        data={"reason": reason, "origin": origin.case.reference if origin else ""},
    )
    return hold


@transaction.atomic
def lift_legal_hold(*, actor, hold: LegalHold, reason: str) -> list[LegalHold]:
    """Lift a hold, and the holds it put on linked cases. Returns the holds lifted."""
    _require_manager(actor, _("lift legal holds"))
    reason = _reason(reason, "lift_reason")
    hold = LegalHold.objects.select_for_update().select_related("case").get(pk=hold.pk)
    if not hold.is_active:
        raise InvalidTransition(_("This hold is already lifted."))
    lifted = []
    for each in [hold, *hold.cascaded.filter(lifted_at__isnull=True).select_related("case")]:
        each.lifted_at, each.lifted_by, each.lift_reason = timezone.now(), actor, reason
        _save(each, actor, reason)
        record_event(
            actor=actor,
            action="retention.hold_lifted",
            obj=each,
            case_reference=each.case.reference,
            summary=f"Legal hold on {each.case.reference} lifted: {reason}",
            data={"reason": reason, "hold_set_at": each.set_at.isoformat()},
        )
        lifted.append(each)
    return lifted


# ---------------------------------------------------------------- what is due


def grace() -> datetime.timedelta:
    return datetime.timedelta(days=settings.VETTING_PURGE_GRACE_DAYS)


@transaction.atomic
def refresh_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """List the cases past retention as due (purged after the grace period), and drop from the
    list the ones no longer past it (a longer period, a reopened case)."""
    now = now or timezone.now()
    past = set(selectors.cases_past_retention(now).values_list("pk", flat=True))
    listed = set(PurgeRun.objects.values_list("case_id", flat=True))
    added = 0
    for case_id in sorted(past - listed):
        PurgeRun.objects.create(case_id=case_id, due_since=now, purge_after=now + grace())
        added += 1
    stale = PurgeRun.objects.filter(state=PurgeState.DUE, confirmed_at__isnull=True).exclude(
        case_id__in=past
    )
    dropped = stale.count()
    stale.delete()
    if added or dropped:
        record_event(
            actor=None,
            action="retention.due_listed",
            object_type="retention.purgerun",
            summary=f"Retention: {added} cases newly due for purging, {dropped} no longer due",
            data={"added": added, "dropped": dropped, "grace_days": grace().days},
        )
    return {"added": added, "dropped": dropped}


def purge_now(*, actor, case: Case, reason: str) -> PurgeRun:
    """Compliance confirms the purge of a due case: it is purged at once, without waiting for
    the grace period to end."""
    _require_manager(actor, _("purge cases"))
    reason = _reason(reason)
    with transaction.atomic():
        run = PurgeRun.objects.select_for_update().filter(case=case).first()
        if run is None or run.state == PurgeState.DONE:
            raise InvalidTransition(_("%(ref)s is not due for purging.") % {"ref": case.reference})
        if selectors.is_held(case):
            raise InvalidTransition(
                _("%(ref)s is under a legal hold: lift the hold first.") % {"ref": case.reference}
            )
        run.confirmed_by, run.confirmed_at, run.reason = actor, timezone.now(), reason
        run.save(update_fields=["confirmed_by", "confirmed_at", "reason"])
        record_event(
            actor=actor,
            action="retention.purge_confirmed",
            obj=run,
            case_reference=case.reference,
            summary=f"Purge of {case.reference} confirmed: {reason}",
            data={"reason": reason},
        )
    return purge_case(case.pk)


def purge_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """Purge every due case whose grace period is over and that is not held, and finish the
    purges a crash interrupted. One case's failure does not stop the others."""
    done = failed = 0
    for case_id in list(selectors.runs_to_purge(now).values_list("case_id", flat=True)):
        try:
            purge_case(case_id)
        except Exception as exc:  # noqa: BLE001 - recorded on the run, retried next sweep
            logger.exception("Purge of case %s failed", case_id)
            PurgeRun.objects.filter(case_id=case_id).update(
                error=f"{type(exc).__name__}: {exc}"[:500]
            )
            failed += 1
        else:
            done += 1
    return {"purged": done, "failed": failed}


# ---------------------------------------------------------------- purging one case


def purge_case(case_id: int) -> PurgeRun:
    """Purge one due case: a state machine that any crash leaves resumable.

    1. `due` → `files`: in ONE transaction, the tombstone is written, the personal data is
       deleted or blanked, the case's audit events are redacted and the purge is recorded, and
       the stored files to delete are written on the run. A crash rolls all of it back.
    2. `files` → `done`: after that commit, the stored files are deleted (a file already gone
       is fine), then the run is marked done. A crash leaves the run in `files`; the next sweep
       deletes what is left.
    Running it again on a done run does nothing."""
    run = PurgeRun.objects.get(case_id=case_id)
    if run.state == PurgeState.DUE:
        _purge_database(run.pk)
        run.refresh_from_db()
    if run.state == PurgeState.DELETING_FILES:
        _delete_files(run)
    return run


def _storage_of(kind: str):
    model = Evidence if kind == "evidence" else ReportJob
    return model._meta.get_field("file").storage


def _blank_candidate() -> dict:
    """Every fact field of a candidate, blank: what a purge leaves."""
    blank = {}
    for f in Candidate._meta.concrete_fields:
        if f.primary_key or f.name in ("version", "created_at", "updated_at"):
            continue
        if f.name == "aliases":
            blank[f.name] = []
        elif f.null:
            blank[f.name] = None
        elif f.name == "sourcing_channel":
            continue
        else:
            blank[f.name] = ""
    return blank


@transaction.atomic
def _purge_database(run_id: int) -> None:
    run = PurgeRun.objects.select_for_update().get(pk=run_id)
    if run.state != PurgeState.DUE:
        return  # another worker got there first
    case = Case.objects.select_for_update().select_related("candidate").get(pk=run.case_id)
    if selectors.is_held(case):
        raise InvalidTransition(
            _("%(ref)s is under a legal hold: lift the hold first.") % {"ref": case.reference}
        )
    if case.status not in FINAL_STATUSES:
        raise InvalidTransition(_("%(ref)s is not closed.") % {"ref": case.reference})
    actor = run.confirmed_by
    now = timezone.now()
    candidate = case.candidate

    evidence = list(Evidence.objects.filter(case=case).order_by("pk"))
    jobs = list(ReportJob.objects.filter(case=case).order_by("pk"))
    files = [{"storage": "evidence", "name": e.file.name} for e in evidence if e.file]
    files += [{"storage": "reports", "name": j.file.name} for j in jobs if j.file]
    counts = {
        "evidence_files": len(evidence),
        "reports": len(jobs),
        "contacts": CandidateContact.objects.filter(candidate=candidate).count(),
        "profiles": OnlineProfile.objects.filter(candidate=candidate).count(),
        "history_entries": HistoryEntry.objects.filter(candidate=candidate).count(),
        "findings": Finding.objects.filter(case=case).count(),
        "answer_notes": ChecklistAnswer.objects.filter(case=case).exclude(note="").count(),
    }
    tombstone = Tombstone.objects.create(
        case=case,
        reference=case.reference,
        final_status=case.status,
        decision=case.decision,
        risk_level=case.risk_level,
        risk_score=case.risk_score,
        opened_at=case.created_at,
        submitted_at=case.submitted_at,
        closed_at=case.closed_at,
        purged_at=now,
        purged_by=actor,
        reason=run.reason or "retention period and grace period over",
        evidence=[
            {"sha256": e.sha256, "size": e.size, "content_type": e.content_type} for e in evidence
        ],
        reports=[{"kind": j.kind, "sha256": j.sha256, "size": j.size} for j in jobs if j.sha256],
        counts=counts,
    )

    # Evidence and generated reports: rows, links and history (files after the commit).
    # (Rows first: deleting a row writes a last history row, which goes with the others.)
    Evidence.answers.through.objects.filter(evidence__case=case).delete()
    Evidence.objects.filter(case=case).delete()
    Evidence.history.model.objects.filter(case_id=case.pk).delete()
    ReportJob.objects.filter(case=case).delete()
    ReportJob.history.model.objects.filter(case_id=case.pk).delete()
    # Findings say what was found in the candidate's facts.
    Finding.objects.filter(case=case).delete()
    Finding.history.model.objects.filter(case_id=case.pk).delete()
    # Answers keep their value (the risk level rests on them), not their notes.
    ChecklistAnswer.objects.filter(case=case).update(note="")
    ChecklistAnswer.history.model.objects.filter(case_id=case.pk).update(
        note="", history_change_reason=None
    )
    SignOff.objects.filter(case=case).update(note="")
    SignOff.history.model.objects.filter(case_id=case.pk).update(
        note="", history_change_reason=None
    )
    SensitiveReveal.objects.filter(case=case).update(reason="")
    # The candidate: contact details, profiles, education and employment, and every fact.
    for model in (CandidateContact, OnlineProfile, HistoryEntry):
        model.objects.filter(candidate=candidate).delete()
        model.history.model.objects.filter(candidate_id=candidate.pk).delete()
    Candidate.history.model.objects.filter(id=candidate.pk).delete()
    # update() writes the blank numbers and blind indexes: a purged identifier links no more.
    Candidate.objects.filter(pk=candidate.pk).update(**_blank_candidate(), updated_at=now)
    kept_snapshot = None
    if case.risk_snapshot:
        kept_snapshot = {
            key: case.risk_snapshot[key]
            for key in ("score", "level", "policy_version", "inputs_hash")
            if key in case.risk_snapshot
        }
    Case.objects.filter(pk=case.pk).update(decision_note="", risk_snapshot=kept_snapshot)
    Case.history.model.objects.filter(id=case.pk).update(
        decision_note="", risk_snapshot=None, history_change_reason=None
    )
    redacted = redact_events(
        AuditEvent.objects.filter(case_reference=case.reference),
        actor=actor,
        reason=f"retention purge of {case.reference}",
    )
    counts["audit_events_redacted"] = redacted
    Tombstone.objects.filter(pk=tombstone.pk).update(counts=counts)
    record_event(
        actor=actor,
        action="retention.purged",
        obj=case,
        case_reference=case.reference,
        summary=f"{case.reference} purged ({case.status}): personal data, "
        f"{len(evidence)} evidence files and {len(jobs)} reports deleted, "
        f"{redacted} audit events redacted",
        data={
            "reason": tombstone.reason,
            "evidence_sha256": [e["sha256"] for e in tombstone.evidence],
            "report_sha256": [r["sha256"] for r in tombstone.reports],
            "counts": counts,
        },
    )
    run.state, run.pending_files = PurgeState.DELETING_FILES, files
    run.started_at, run.attempts, run.error = now, run.attempts + 1, ""
    run.save(update_fields=["state", "pending_files", "started_at", "attempts", "error"])


def _delete_files(run: PurgeRun) -> None:
    """Delete the purged case's stored files; one already gone counts as deleted."""
    for entry in run.pending_files:
        storage = _storage_of(entry["storage"])
        with contextlib.suppress(FileNotFoundError):
            storage.delete(entry["name"])
    run.state, run.pending_files, run.finished_at = PurgeState.DONE, [], timezone.now()
    run.save(update_fields=["state", "pending_files", "finished_at"])


# ---------------------------------------------------------------- subject access


def export_subject_data(*, actor, case: Case, include_files: bool = False):
    """A ZIP of everything held about the case's candidate (retention/subject_access.py),
    recorded in the audit log; numbers in clear only under the reveal rule, each recorded as a
    reveal. Returns (bytes, file name, SHA-256)."""
    from . import subject_access

    _require_manager(actor, _("export a subject's data"))
    if Tombstone.objects.filter(case=case).exists():
        raise NotFound(_("%(ref)s was purged: nothing is held.") % {"ref": case.reference})
    clear = permissions.can_reveal_numbers(actor)
    with transaction.atomic():
        content, name, digest, fields = subject_access.build(
            actor, case, clear_numbers=clear, include_files=include_files
        )
        for field_name in fields:
            case_services.record_reveal(
                actor, case, field_name, "subject access export", export_sha256=digest
            )
        record_event(
            actor=actor,
            action="retention.subject_access_exported",
            obj=case.candidate,
            case_reference=case.reference,
            summary=f"Subject access export of {case.reference} ({len(content)} bytes)",
            data={
                "sha256": digest,
                "file": name,
                "clear_numbers": sorted(fields),
                "evidence_files": include_files,
            },
        )
    return content, name, digest


# ---------------------------------------------------------------- keys


def record_key_sightings() -> int:
    """Note the first time each configured field key is seen. Returns how many are new."""
    new = 0
    for key in settings.FIELD_ENCRYPTION_KEYS:
        _sighting, created = FieldKeySighting.objects.get_or_create(
            fingerprint=key_fingerprint(key)
        )
        if not created:
            FieldKeySighting.objects.filter(pk=_sighting.pk).update(last_seen_at=timezone.now())
        new += created
    return new


# ---------------------------------------------------------------- the daily sweep


def sweep(now: datetime.datetime | None = None) -> dict[str, int]:
    """What beat runs every day: list what is due, purge what is ready, note the keys."""
    result = refresh_due(now)
    result.update(purge_due(now))
    result["new_keys"] = record_key_sightings()
    return result


def find_case(reference: str) -> Case:
    case = Case.objects.filter(reference=reference).first()
    if case is None:
        raise NotFound(_("No case %(ref)s.") % {"ref": reference})
    return case
