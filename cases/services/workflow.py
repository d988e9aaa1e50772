"""The case workflow: transitions guarded by role, state and the four-eyes rule; risk snapshots;
reviewer assignment."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from common.errors import (
    FourEyesViolation,
    InvalidTransition,
    NotAllowed,
    ServiceError,
    ServiceValidationError,
    error_text,
)
from notifications import events
from notifications.services import notify

from .. import deadlines, permissions, scoring, selectors
from ..models import (
    FINAL_STATUSES,
    FLAGGED_STATUSES,
    NOTE_MAX_LENGTH,
    Case,
    Decision,
    SignOff,
    SignOffOutcome,
    Status,
)
from .base import case_event, lock_case, records_refusals, require_at_most, require_role, save_as
from .findings import rescreen_linked_cases


def risk_snapshot(case: Case) -> dict:
    """Score the case's current answers, findings and links and return the snapshot stored at
    submission: the result and every input it was computed from."""
    inputs = selectors.risk_inputs(case)
    result = selectors.risk_from(inputs, case)
    snapshot = {**result.as_dict(), "inputs": [vars(i) for i in inputs.answers]}
    if result.forced_by is not None:  # the policy weighs findings and links: keep them too
        snapshot["findings"] = [vars(f) for f in inputs.findings]
        snapshot["links"] = [{**vars(link), "matched": list(link.matched)} for link in inputs.links]
    snapshot["computed_at"] = timezone.now().isoformat()
    return snapshot


def recompute_snapshot(snapshot: dict) -> scoring.RiskResult:
    """Recompute a stored snapshot from its own inputs; it must give the same result."""
    return scoring.compute_risk(
        [scoring.ScoringInput(**i) for i in snapshot["inputs"]],
        snapshot["catalog_version"],
        snapshot["policy_version"],
        findings=[scoring.FindingInput(**f) for f in snapshot.get("findings", [])],
        links=[scoring.LinkInput.from_dict(link) for link in snapshot.get("links", [])],
        catalog_versions=snapshot.get("catalog_versions"),
    )


# ---------------------------------------------------------------- workflow


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    roles: tuple
    needs_note: bool
    label: str


TRANSITIONS = {
    "start_assessment": Transition(
        frozenset({Status.DRAFT}), Status.ASSESSING, (roles.HR,), False, "start the assessment"
    ),
    "submit": Transition(
        frozenset({Status.DRAFT, Status.ASSESSING}),
        Status.SUBMITTED,
        (roles.HR,),
        False,
        "submit the case for review",
    ),
    "close_cleared": Transition(
        frozenset({Status.SUBMITTED}),
        Status.CLOSED_CLEARED,
        (roles.HR,),
        False,
        "close the case as cleared",
    ),
    "start_review": Transition(
        frozenset({Status.SUBMITTED}),
        Status.IN_REVIEW,
        (roles.REVIEWER,),
        False,
        "start the review",
    ),
    "approve": Transition(
        frozenset({Status.IN_REVIEW}),
        Status.APPROVED,
        (roles.REVIEWER,),
        False,
        "approve (clear) the case",
    ),
    "reject": Transition(
        frozenset({Status.IN_REVIEW}), Status.REJECTED, (roles.REVIEWER,), True, "reject the case"
    ),
    "refer": Transition(
        frozenset({Status.IN_REVIEW}),
        Status.REFERRED,
        (roles.REVIEWER,),
        True,
        "refer the case to the authorities",
    ),
    "return": Transition(
        frozenset({Status.IN_REVIEW}),
        Status.ASSESSING,
        (roles.REVIEWER,),
        True,
        "return the case for more work",
    ),
    "reopen": Transition(
        frozenset(FINAL_STATUSES),
        Status.ASSESSING,
        (roles.HR, roles.REVIEWER),
        True,
        "reopen the case",
    ),
}
SIGN_OFF_ACTIONS = {
    "approve": (SignOffOutcome.APPROVE, Decision.CLEARED),
    "reject": (SignOffOutcome.REJECT, Decision.REJECTED),
    "refer": (SignOffOutcome.REFER, Decision.REFERRED),
    "return": (SignOffOutcome.RETURN, ""),
}
REVIEW_ACTIONS = {"start_review", *SIGN_OFF_ACTIONS}
# Who hears of an action on a case: the case's owner (HR), by this event.
OWNER_EVENTS = {
    "return": events.CASE_RETURNED,
    "approve": events.CASE_APPROVED,
    "reject": events.CASE_REJECTED,
    "refer": events.CASE_REFERRED,
}


def _check_four_eyes(actor, case: Case, assessors: set[int] | None = None) -> None:
    if permissions.is_assessor(actor, case, assessors):
        raise FourEyesViolation(
            _(
                "Four-eyes rule: you assessed %(ref)s (you own it or recorded its facts, answers "
                "or evidence), so another reviewer must review it."
            )
            % {"ref": case.reference}
        )


def _check_preconditions(action: str, case: Case, actor, assessors=None) -> None:
    if action == "reopen" and not case.candidate.legal_name:
        # A retention purge blanks every fact (a legal name is otherwise required): what is
        # left is a tombstone, which nothing brings back to life.
        raise InvalidTransition(
            _("The personal data of %(ref)s was purged: open a new case instead.")
            % {"ref": case.reference}
        )
    if action == "submit":
        unanswered = selectors.unanswered_items(case)
        if unanswered:
            codes = ", ".join(a.item.code for a in unanswered[:8])
            more = len(unanswered) - 8
            raise ServiceValidationError(
                {
                    "__all__": _(
                        "Answer every checklist item before submitting: "
                        "%(n)d left (%(codes)s%(more)s)."
                    )
                    % {
                        "n": len(unanswered),
                        "codes": codes,
                        "more": f" and {more} more" if more > 0 else "",
                    }
                }
            )
    if action == "close_cleared":
        reasons = selectors.why_not_closable_by_hr(case)
        if reasons:
            raise InvalidTransition(
                _(
                    "HR can close only low-risk cases with due diligence complete: %(r)s. "
                    "Send it to a reviewer instead."
                )
                % {"r": "; ".join(reasons)}
            )
    if action in REVIEW_ACTIONS:
        _check_four_eyes(actor, case, assessors)
        if action != "start_review" and case.reviewer_id and case.reviewer_id != actor.pk:
            raise NotAllowed(
                _("%(ref)s is being reviewed by %(who)s; only that reviewer can sign it off.")
                % {"ref": case.reference, "who": case.reviewer.get_username()}
            )
        if action == "start_review" and case.reviewer_id and case.reviewer_id != actor.pk:
            raise NotAllowed(
                _("%(ref)s is assigned to %(who)s.")
                % {"ref": case.reference, "who": case.reviewer.get_username()}
            )


def allowed_actions(actor, case: Case, assessors: set[int] | None = None) -> list[str]:
    """The actions `actor` could take on `case` now (for showing buttons). `assessors` is
    `selectors.assessor_ids(case)` when the caller already has it; else it is read once here,
    if a review action needs it."""
    result = []
    for action, transition in TRANSITIONS.items():
        if case.status not in transition.sources or not roles.has_role(actor, *transition.roles):
            continue
        if action in REVIEW_ACTIONS and assessors is None:
            assessors = selectors.assessor_ids(case)
        try:
            _check_preconditions(action, case, actor, assessors)
        except (NotAllowed, InvalidTransition):
            continue
        except ServiceValidationError:
            pass  # shown with its message when tried
        result.append(action)
    return result


def why_user_may_not_close(actor, case: Case) -> list[str]:
    """Why `actor`, whose role may close cases as cleared, may not close this submitted one
    (`selectors.why_not_closable_by_hr`), for the page to say; empty when the question does not
    arise (another role or state) or when they may."""
    transition = TRANSITIONS["close_cleared"]
    if case.status not in transition.sources or not roles.has_role(actor, *transition.roles):
        return []
    return selectors.why_not_closable_by_hr(case)


@records_refusals("case.{action}", keep=("note",))
@transaction.atomic
def perform_action(actor, case: Case, action: str, note: str = "") -> Case:
    """Move a case through the workflow. The row lock makes concurrent actions take turns."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ServiceValidationError({"action": _("Unknown action %(a)s.") % {"a": action}})
    require_role(actor, *transition.roles, action=_(transition.label))
    case = lock_case(case)
    if case.status not in transition.sources:
        raise InvalidTransition(
            _("Cannot %(action)s: %(ref)s is %(status)s.")
            % {
                "action": _(transition.label),
                "ref": case.reference,
                "status": case.get_status_display(),
            }
        )
    note = (note or "").strip()
    if transition.needs_note and not note:
        raise ServiceValidationError(
            {"note": _("A reason is required to %(action)s.") % {"action": _(transition.label)}}
        )
    require_at_most("note", note, NOTE_MAX_LENGTH)
    _check_preconditions(action, case, actor)

    previous = case.status
    now = timezone.now()
    case.status = transition.target
    if action == "submit":
        snapshot = risk_snapshot(case)
        case.risk_snapshot = snapshot
        case.risk_score = snapshot["score"]
        case.risk_level = snapshot["level"]
        case.submitted_at = now
        case.review_due_at = deadlines.review_due(now, case.risk_level)
    elif action == "close_cleared":
        case.decision, case.decision_note, case.closed_at = Decision.CLEARED, note, now
    elif action == "start_review":
        case.reviewer = actor
    elif action in SIGN_OFF_ACTIONS:
        outcome, decision = SIGN_OFF_ACTIONS[action]
        snapshot = case.risk_snapshot or {}
        save_as(
            SignOff(
                case=case,
                reviewer=actor,
                outcome=outcome,
                note=note,
                risk_score=case.risk_score,
                risk_level=case.risk_level,
                inputs_hash=snapshot.get("inputs_hash", ""),
            ),
            actor,
        )
        if decision:
            case.decision, case.decision_note, case.closed_at = decision, note, now
        else:
            case.reviewer = None
    elif action == "reopen":
        case.decision, case.decision_note, case.closed_at = "", "", None
        case.reviewer = None
    save_as(case, actor, reason=f"{action}: {note}" if note else action)
    case_event(
        actor,
        f"case.{action}",
        case,
        f"{case.reference}: {previous} → {case.status}" + (f" — {note}" if note else ""),
        previous=previous,
        status=case.status,
        note=note,
        decision=case.decision,
        risk_level=case.risk_level,
    )
    if action in OWNER_EVENTS:
        notify(OWNER_EVENTS[action], case.owner, case=case, actor=actor)
    if (previous in FLAGGED_STATUSES) != (case.status in FLAGGED_STATUSES):
        # Referred, rejected or reopened from that: the open cases linked to it see it now.
        rescreen_linked_cases(case)
    return case


@records_refusals("case.reviewer_assigned", keep=("reviewer",))
@transaction.atomic
def assign_reviewer(actor, case: Case, reviewer) -> Case:
    """Assign (or with None, unassign) the reviewer of a submitted case."""
    require_role(actor, *permissions.REVIEW_ASSIGNERS, action=_("assign reviewers"))
    case = lock_case(case)
    if case.status not in permissions.ASSIGNABLE_STATUSES:
        raise InvalidTransition(_("Only submitted cases or cases in review get a reviewer."))
    if not permissions.can_assign_reviewer(actor, case):
        raise NotAllowed(
            _("%(ref)s is assigned to %(who)s; only that reviewer or HR may hand it on.")
            % {"ref": case.reference, "who": case.reviewer.get_username()}
        )
    if reviewer is not None:
        refusal = permissions.why_not_assignable(reviewer, case)
        if refusal:
            raise ServiceValidationError({"reviewer": refusal})
    previous = case.reviewer
    case.reviewer = reviewer
    save_as(case, actor, reason="reviewer assigned")
    who = reviewer.get_username() if reviewer else "nobody"
    case_event(
        actor, "case.reviewer_assigned", case, f"{case.reference} assigned to {who}", reviewer=who
    )
    if reviewer is not None and reviewer != previous:
        # The reviewer passing their own review on hands it over; anyone else assigns it.
        handed_over = previous is not None and previous.pk == actor.pk
        event = events.REVIEW_HANDED_OVER if handed_over else events.CASE_ASSIGNED
        notify(event, reviewer, case=case, actor=actor)
    return case


def assign_reviewer_named(actor, case: Case, username: str | None) -> Case:
    """`assign_reviewer` by username, as the pages and the API take it; empty unassigns."""
    reviewer = None
    if username:
        reviewer = selectors.user_named(username)
        if reviewer is None or not reviewer.is_active:
            raise ServiceValidationError(
                {"reviewer": _("No active user named %(u)s.") % {"u": username}}
            )
    return assign_reviewer(actor, case, reviewer)


# ---------------------------------------------------------------- bulk assignment

BULK_ASSIGN_MAX = 100  # cases in one bulk assignment (a page of the case list is 25)


@dataclass(frozen=True)
class AssignmentResult:
    reference: str
    assigned: bool
    message: str


def assign_reviewer_to_cases(actor, references, username: str) -> list[AssignmentResult]:
    """Give the review of each case of `references` to the reviewer `username`, through
    `assign_reviewer` for each case: every rule of a single assignment applies to each (the
    case's state, who may hand it on, the four-eyes rule), each case is assigned in its own
    transaction and recorded in its history and the audit log as a single assignment is. One
    case refused does not stop the others. Results in the order of `references`."""
    require_role(actor, *permissions.REVIEW_ASSIGNERS, action=_("assign reviewers"))
    references = list(dict.fromkeys(r.strip() for r in references if r and r.strip()))
    if not references:
        raise ServiceValidationError({"cases": _("Tick the cases to assign.")})
    if len(references) > BULK_ASSIGN_MAX:
        raise ServiceValidationError(
            {"cases": _("At most %(n)d cases at once.") % {"n": BULK_ASSIGN_MAX}}
        )
    username = (username or "").strip()
    reviewer = selectors.user_named(username) if username else None
    if reviewer is None or not reviewer.is_active:
        raise ServiceValidationError(
            {
                "reviewer": _("Choose an active reviewer.")
                if not username
                else _("No active user named %(u)s.") % {"u": username}
            }
        )
    cases = {
        case.reference: case
        for case in selectors.visible_cases(actor).filter(reference__in=references)
    }
    results = []
    for reference in references:
        case = cases.get(reference)
        if case is None:
            results.append(AssignmentResult(reference, False, _("No such case.")))
            continue
        try:
            assign_reviewer(actor, case, reviewer)
        except ServiceError as exc:
            results.append(AssignmentResult(reference, False, error_text(exc)))
        else:
            results.append(
                AssignmentResult(
                    reference, True, _("Assigned to %(who)s.") % {"who": reviewer.get_username()}
                )
            )
    return results
