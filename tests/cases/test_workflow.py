import threading

import pytest
from django.db import connection

from audit.models import AuditEvent
from cases import permissions, selectors, services
from cases.models import FINAL_STATUSES, Case, SignOff, Status
from common.errors import (
    FourEyesViolation,
    InvalidTransition,
    NotAllowed,
    ServiceValidationError,
)
from tests.helpers import make_user

from .helpers import bring_to

pytestmark = pytest.mark.django_db

OBSERVED_CAMERA = {"RF-2023-01": ("observed", "Refused every video call")}


def test_opening_a_case_pins_the_catalogue_and_creates_one_answer_per_item(open_case, catalog):
    case = open_case()
    assert case.reference.startswith("VET-") and len(case.reference) == len("VET-2026-000001")
    assert case.status == Status.DRAFT
    assert case.catalog_version == catalog
    assert case.answers.count() == catalog.items.count() == 26
    assert not case.answers.exclude(value="").exists()


def test_references_are_sequential(open_case):
    first, second = open_case(), open_case(legal_name="Other Person")
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_low_risk_case_is_closed_by_hr(answered_case, hr, reviewer):
    case = bring_to(answered_case(), Status.SUBMITTED, hr=hr, reviewer=reviewer)
    assert case.risk_level == "low"
    case = services.perform_action(hr, case, "close_cleared")
    assert case.status == Status.CLOSED_CLEARED
    assert case.decision == "cleared" and case.closed_at


def test_hr_cannot_close_a_flagged_case(answered_case, hr, reviewer):
    case = bring_to(
        answered_case(overrides=OBSERVED_CAMERA), Status.SUBMITTED, hr=hr, reviewer=reviewer
    )
    with pytest.raises(InvalidTransition, match="RF-2023-01"):
        services.perform_action(hr, case, "close_cleared")


def test_due_diligence_gap_blocks_hr_closing(answered_case, hr, reviewer):
    case = answered_case(overrides={"DD-2023-10": ("not_completed", "")})
    case = bring_to(case, Status.SUBMITTED, hr=hr, reviewer=reviewer)
    with pytest.raises(InvalidTransition, match="DD-2023-10"):
        services.perform_action(hr, case, "close_cleared")


@pytest.mark.parametrize(
    ("action", "status", "decision"),
    [
        ("approve", Status.APPROVED, "cleared"),
        ("reject", Status.REJECTED, "rejected"),
        ("refer", Status.REFERRED, "referred"),
    ],
)
def test_reviewer_signs_off(answered_case, hr, reviewer, action, status, decision):
    case = bring_to(
        answered_case(overrides=OBSERVED_CAMERA), Status.IN_REVIEW, hr=hr, reviewer=reviewer
    )
    assert case.reviewer == reviewer
    case = services.perform_action(reviewer, case, action, note="Checked with references")
    assert case.status == status and case.decision == decision
    signoff = SignOff.objects.get(case=case)
    assert signoff.reviewer == reviewer and signoff.note == "Checked with references"
    assert signoff.inputs_hash == case.risk_snapshot["inputs_hash"]


def test_return_sends_the_case_back_with_a_reason(answered_case, hr, reviewer):
    case = bring_to(answered_case(), Status.IN_REVIEW, hr=hr, reviewer=reviewer)
    with pytest.raises(ServiceValidationError) as excinfo:
        services.perform_action(reviewer, case, "return")
    assert "note" in excinfo.value.errors
    case = services.perform_action(reviewer, case, "return", note="Verify the bank letter")
    assert case.status == Status.ASSESSING and case.reviewer is None
    assert SignOff.objects.get(case=case).outcome == "return"
    # HR can work on it again and resubmit.
    services.answer_item(hr, case, "DD-2023-04", "completed", "")
    assert services.perform_action(hr, case, "submit").status == Status.SUBMITTED


@pytest.mark.parametrize("final", sorted(FINAL_STATUSES))
def test_closed_states_are_final_and_reopening_needs_a_reason(answered_case, hr, reviewer, final):
    case = bring_to(answered_case(), final, hr=hr, reviewer=reviewer)
    for action in ("submit", "start_review", "approve", "close_cleared"):
        actor = hr if action in ("submit", "close_cleared") else reviewer
        with pytest.raises((InvalidTransition, NotAllowed)):
            services.perform_action(actor, case, action, note="x")
    with pytest.raises(ServiceValidationError, match="reason"):
        services.perform_action(hr, case, "reopen")
    case = services.perform_action(hr, case, "reopen", note="New reference check arrived")
    assert case.status == Status.ASSESSING and case.decision == ""
    assert AuditEvent.objects.filter(action="case.reopen", case_reference=case.reference).exists()


def test_reject_and_refer_need_a_note(answered_case, hr, reviewer):
    case = bring_to(answered_case(), Status.IN_REVIEW, hr=hr, reviewer=reviewer)
    for action in ("reject", "refer"):
        with pytest.raises(ServiceValidationError):
            services.perform_action(reviewer, case, action, note="  ")
    assert Case.objects.get(pk=case.pk).status == Status.IN_REVIEW


def test_submission_needs_every_item_answered(open_case, hr):
    case = open_case()
    services.answer_item(hr, case, "RF-2023-01", "not_observed")
    with pytest.raises(ServiceValidationError, match="25 left"):
        services.perform_action(hr, case, "submit")
    assert Case.objects.get(pk=case.pk).status == Status.ASSESSING


def test_unknown_action_is_a_clear_error(open_case, hr):
    with pytest.raises(ServiceValidationError, match="Unknown action"):
        services.perform_action(hr, open_case(), "teleport")


# ----------------------------------------------------------------- every action by every role

ACTION_SOURCE = {
    "start_assessment": Status.DRAFT,
    "submit": Status.ASSESSING,
    "close_cleared": Status.SUBMITTED,
    "start_review": Status.SUBMITTED,
    "approve": Status.IN_REVIEW,
    "reject": Status.IN_REVIEW,
    "refer": Status.IN_REVIEW,
    "return": Status.IN_REVIEW,
    "reopen": Status.REJECTED,
}
ALLOWED_ROLES = {
    "start_assessment": {"hr"},
    "submit": {"hr"},
    "close_cleared": {"hr"},
    "start_review": {"reviewer"},
    "approve": {"reviewer"},
    "reject": {"reviewer"},
    "refer": {"reviewer"},
    "return": {"reviewer"},
    "reopen": {"hr", "reviewer"},
}


@pytest.mark.parametrize("action", sorted(ACTION_SOURCE))
@pytest.mark.parametrize("role", ["hr", "reviewer", "compliance", "admin"])
def test_every_action_by_every_role(
    answered_case, open_case, hr, reviewer, compliance, admin_user_role, action, role
):
    actors = {"hr": hr, "reviewer": reviewer, "compliance": compliance, "admin": admin_user_role}
    source = ACTION_SOURCE[action]
    if source == Status.DRAFT:
        case = open_case()
    else:
        case = answered_case()
        if source != Status.ASSESSING:
            case = bring_to(case, source, hr=hr, reviewer=reviewer)
    actor = actors[role]  # for in_review cases this reviewer is the one who started it
    if role in ALLOWED_ROLES[action]:
        case = services.perform_action(actor, case, action, note="because")
        assert case.status == services.TRANSITIONS[action].target
    else:
        with pytest.raises(NotAllowed, match="Only"):
            services.perform_action(actor, case, action, note="because")
        assert Case.objects.get(pk=case.pk).status == source


@pytest.mark.parametrize("action", sorted(ACTION_SOURCE))
def test_every_action_is_refused_in_a_wrong_state(answered_case, open_case, hr, reviewer, action):
    if action == "reopen":
        case = open_case()  # draft: nothing to reopen
    else:
        case = bring_to(answered_case(), Status.REJECTED, hr=hr, reviewer=reviewer)
    actor = hr if "hr" in ALLOWED_ROLES[action] else reviewer
    before = case.status
    with pytest.raises(InvalidTransition, match="Cannot"):
        services.perform_action(actor, case, action, note="because")
    assert Case.objects.get(pk=case.pk).status == before


# ----------------------------------------------------------------- four eyes


def test_reviewer_who_answered_items_cannot_review(open_case, hr):
    both = make_user("dual", "hr", "reviewer")
    case = open_case()
    for answer in selectors.answers_for(case):
        value = "not_observed" if answer.item.is_red_flag else "completed"
        actor = both if answer.item.code == "DD-2023-16" else hr
        services.answer_item(actor, case, answer.item.code, value)
    case = services.perform_action(hr, case, "submit")
    with pytest.raises(FourEyesViolation, match="Four-eyes"):
        services.perform_action(both, case, "start_review")
    assert "start_review" not in services.allowed_actions(both, case)


def test_owner_with_reviewer_role_cannot_sign_off_own_case(answered_case, reviewer):
    both = make_user("dual", "hr", "reviewer")
    case = answered_case(actor=both)
    case = services.perform_action(both, case, "submit")
    with pytest.raises(FourEyesViolation):
        services.perform_action(both, case, "start_review")
    with pytest.raises(ServiceValidationError, match="Four-eyes"):
        services.assign_reviewer(reviewer, case, both)
    case = services.perform_action(reviewer, case, "start_review")
    assert services.perform_action(reviewer, case, "approve").status == Status.APPROVED


def test_only_the_reviewer_in_charge_signs_off(answered_case, hr, reviewer, reviewer2):
    case = bring_to(answered_case(), Status.IN_REVIEW, hr=hr, reviewer=reviewer)
    with pytest.raises(NotAllowed, match="riley"):
        services.perform_action(reviewer2, case, "approve")


def test_assigned_reviewer_takes_the_review(answered_case, hr, reviewer, reviewer2):
    case = bring_to(answered_case(), Status.SUBMITTED, hr=hr, reviewer=reviewer)
    case = services.assign_reviewer(hr, case, reviewer2)
    with pytest.raises(NotAllowed, match="assigned"):
        services.perform_action(reviewer, case, "start_review")
    case = services.perform_action(reviewer2, case, "start_review")
    assert case.reviewer == reviewer2


def test_assigning_a_non_reviewer_is_refused(answered_case, hr, hr2, reviewer):
    case = bring_to(answered_case(), Status.SUBMITTED, hr=hr, reviewer=reviewer)
    with pytest.raises(ServiceValidationError, match="not a reviewer"):
        services.assign_reviewer(hr, case, hr2)


def test_a_deactivated_reviewer_is_neither_offered_nor_assignable(
    answered_case, hr, reviewer, reviewer2
):
    case = bring_to(answered_case(), Status.SUBMITTED, hr=hr, reviewer=reviewer)
    case = services.assign_reviewer(hr, case, reviewer)
    reviewer2.is_active = False
    reviewer2.save()
    assert [name for name, _ in selectors.reviewer_choices(case)] == ["riley"]
    with pytest.raises(ServiceValidationError, match="deactivated"):
        services.assign_reviewer(hr, case, reviewer2)
    with pytest.raises(ServiceValidationError, match="No active user named seoyeon"):
        services.assign_reviewer_named(hr, case, "seoyeon")
    case.refresh_from_db()
    assert case.reviewer == reviewer


def test_assigning_by_username_and_unassigning(answered_case, hr, reviewer, reviewer2):
    case = bring_to(answered_case(), Status.SUBMITTED, hr=hr, reviewer=reviewer)
    assert services.assign_reviewer_named(hr, case, "seoyeon").reviewer == reviewer2
    assert services.assign_reviewer_named(hr, case, "").reviewer is None
    assert services.assign_reviewer_named(hr, case, None).reviewer is None


# ----------------------------------------------------------------- concurrency


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_offs_yield_exactly_one_decision(catalog, hr, reviewer):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    from indicators.services import load_catalogs

    load_catalogs()
    case = services.open_case(hr, {"legal_name": "Race Case", "role_applied_for": "Dev"})
    for answer in selectors.answers_for(case):
        value = "not_observed" if answer.item.is_red_flag else "completed"
        services.answer_item(hr, case, answer.item.code, value)
    case = services.perform_action(hr, case, "submit")
    case = services.perform_action(reviewer, case, "start_review")

    barrier = threading.Barrier(2)
    results = []

    def sign(action):
        from django.db import connections

        try:
            barrier.wait()
            services.perform_action(reviewer, Case.objects.get(pk=case.pk), action, note="race")
            results.append(("ok", action))
        except (InvalidTransition, NotAllowed) as exc:
            results.append(("refused", str(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(a,)) for a in ("approve", "reject")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert SignOff.objects.filter(case_id=case.pk).count() == 1
    winner = next(r[1] for r in results if r[0] == "ok")
    assert (
        Case.objects.get(pk=case.pk).status == {"approve": "approved", "reject": "rejected"}[winner]
    )


def test_a_case_can_pin_another_active_catalogue_version(catalog, hr):
    case = services.open_case(
        hr, {"legal_name": "A", "role_applied_for": "Dev", "catalog_version": "2022-05"}
    )
    assert case.catalog_version.code == "2022-05"
    assert case.answers.count() == case.catalog_version.items.count()
    with pytest.raises(ServiceValidationError, match="not an active catalogue"):
        services.open_case(hr, {"legal_name": "A", "role_applied_for": "D", "catalog_version": "x"})


# ---------------------------------------------------------------- only a reviewer may clear

US_PHONE = "+1 (646) 555-0142"


def test_a_link_to_a_case_referred_after_submission_stops_hr_closing_it_until_reopened(
    answered_case, hr, reviewer, reviewer2
):
    case = bring_to(
        answered_case(claimed_country="US", phones=["646.555.0142"]),
        Status.SUBMITTED,
        hr=hr,
        reviewer=reviewer,
    )
    assert case.risk_level == "low" and "close_cleared" in services.allowed_actions(hr, case)
    other = answered_case(legal_name="Kim Ra", claimed_country="US", phones=[US_PHONE])
    other = bring_to(other, Status.REFERRED, hr=hr, reviewer=reviewer2)

    case.refresh_from_db()
    assert case.risk_level == "low"  # the snapshot is as it was; the rule reads live
    assert "close_cleared" not in services.allowed_actions(hr, case)
    with pytest.raises(
        InvalidTransition, match=f"linked to a referred or rejected case .*{other.reference}"
    ):
        services.perform_action(hr, case, "close_cleared")
    assert "start_review" in services.allowed_actions(reviewer, case)

    services.perform_action(reviewer2, other, "reopen", note="Wrong case referred")
    assert "close_cleared" in services.allowed_actions(hr, case)


def test_a_north_korean_address_or_a_critical_finding_needs_a_reviewer(answered_case, hr, reviewer):
    from cases.models import Case, Finding

    case = answered_case(ip_addresses=["175.45.176.77"])
    case = bring_to(case, Status.SUBMITTED, hr=hr, reviewer=reviewer)
    assert case.risk_level == "critical"  # forced by the finding under policy 2026.2
    # A case snapshotted under 2026.1 (answers only) could read low: the rule does not.
    Case.objects.filter(pk=case.pk).update(risk_level="low")
    case.refresh_from_db()
    reasons = permissions.why_reviewer_must_decide(case)
    assert reasons == ["a North Korean IP address or phone number was found (ip.dprk_address)"]
    assert permissions.reviewer_must_decide(case)
    with pytest.raises(InvalidTransition, match="North Korean IP address"):
        services.perform_action(hr, case, "close_cleared")

    Finding.objects.filter(case=case).update(check_code="persona.public_identifier")
    assert permissions.why_reviewer_must_decide(case) == [
        "critical findings (persona.public_identifier)"
    ]
    Finding.objects.filter(case=case).update(status="dismissed")
    assert permissions.why_reviewer_must_decide(case) == []
    assert "close_cleared" in services.allowed_actions(hr, case)


def test_the_reasons_are_translated(answered_case):
    from django.utils import translation

    case = answered_case(ip_addresses=["175.45.176.77"])
    english = permissions.why_reviewer_must_decide(case)
    with translation.override("ko"):
        korean = permissions.why_reviewer_must_decide(case)
    assert english and korean and korean != english
