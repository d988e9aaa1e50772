"""Refused case actions leave a `<action>.refused` event, whichever door they came through, and
nothing else: the refused change itself is rolled back, its record is not."""

import pytest

from audit.models import AuditEvent
from cases import services
from cases.models import Case, Status
from common.errors import FourEyesViolation, NotAllowed
from tests.api.conftest import token_client
from tests.cases.helpers import bring_to
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_submitted_case(answered_case):
    """A case assessed and submitted by someone who is also a reviewer."""
    both = make_user("dual", "hr", "reviewer")
    case = services.perform_action(both, answered_case(actor=both), "submit")
    return case, both


def events_after(last_id: int):
    return list(AuditEvent.objects.filter(pk__gt=last_id).order_by("id"))


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def assert_only_the_refusal(case, actor, last_id, action="case.start_review.refused"):
    (event,) = events_after(last_id)
    assert event.action == action
    assert event.actor == actor
    assert event.case_reference == case.reference
    assert event.data["four_eyes"] is True
    assert case.reference in event.data["reason"]  # the message the person was shown
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.reviewer_id) == (Status.SUBMITTED, None)
    return event


def test_a_four_eyes_refusal_in_the_service_is_recorded_after_the_rollback(own_submitted_case):
    case, both = own_submitted_case
    last_id = last_event_id()

    with pytest.raises(FourEyesViolation):
        services.perform_action(both, case, "start_review")

    assert_only_the_refusal(case, both, last_id)


def test_a_four_eyes_refusal_through_the_api_is_recorded_and_changes_nothing(own_submitted_case):
    case, both = own_submitted_case
    api = token_client(both)
    last_id = last_event_id()

    response = api.post(f"/api/v1/cases/{case.reference}/actions/start_review/", {}, format="json")

    assert response.status_code == 403
    assert_only_the_refusal(case, both, last_id)


@pytest.mark.django_db(transaction=True)
def test_a_four_eyes_refusal_on_the_web_page_is_committed_with_no_request_transaction(
    own_submitted_case, client
):
    """No test transaction here: the refusal must really be committed after the rollback."""
    case, both = own_submitted_case
    client.force_login(both)
    last_id = last_event_id()

    response = client.post(
        f"/cases/{case.reference}/action/", {"action": "start_review"}, follow=True
    )

    assert response.status_code == 200
    assert "Four-eyes" in response.content.decode()
    assert_only_the_refusal(case, both, last_id)


def test_a_refused_sign_off_on_the_review_page_is_recorded(own_submitted_case, reviewer, client):
    case, both = own_submitted_case
    case = services.perform_action(reviewer, case, "start_review")
    client.force_login(both)
    last_id = last_event_id()

    response = client.post(f"/cases/{case.reference}/review/", {"action": "approve", "note": ""})

    assert response.status_code == 400
    (event,) = events_after(last_id)
    assert (event.action, event.actor, event.data["four_eyes"]) == (
        "case.approve.refused",
        both,
        True,
    )
    assert Case.objects.get(pk=case.pk).status == Status.IN_REVIEW


def test_a_refused_sign_off_names_the_action_and_keeps_the_note(own_submitted_case, reviewer):
    case, both = own_submitted_case
    services.assign_reviewer(reviewer, case, reviewer)
    case = services.perform_action(reviewer, case, "start_review")
    last_id = last_event_id()

    with pytest.raises(FourEyesViolation):
        services.perform_action(both, case, "approve", note="looks fine to me")

    (event,) = events_after(last_id)
    assert event.action == "case.approve.refused"
    assert event.data["note"] == "looks fine to me"
    assert Case.objects.get(pk=case.pk).status == Status.IN_REVIEW


def test_a_refused_take_over_is_recorded(answered_case, hr, reviewer, reviewer2):
    case = bring_to(answered_case(), Status.IN_REVIEW, hr=hr, reviewer=reviewer)
    last_id = last_event_id()

    with pytest.raises(NotAllowed, match="only that reviewer or HR may hand it on"):
        services.assign_reviewer(reviewer2, case, reviewer2)

    (event,) = events_after(last_id)
    assert event.action == "case.reviewer_assigned.refused"
    assert event.actor == reviewer2
    assert event.data["reviewer"] == "seoyeon"
    assert event.data["four_eyes"] is False
    assert Case.objects.get(pk=case.pk).reviewer == reviewer


def test_a_refused_reveal_is_recorded_with_the_field_and_reason(open_case, admin_user_role):
    case = open_case(account_number="12345678")
    last_id = last_event_id()

    with pytest.raises(NotAllowed):
        services.reveal_sensitive(admin_user_role, case, "account_number", "curious")

    (event,) = events_after(last_id)
    assert event.action == "candidate.revealed.refused"
    assert (event.data["field"], event.data["reason"]) == ("account_number", "curious")


def test_reading_pages_records_no_refusals(own_submitted_case, client):
    case, both = own_submitted_case
    client.force_login(both)
    last_id = last_event_id()

    for page in ("", "review/", "checklist/", "history/"):
        assert client.get(f"/cases/{case.reference}/{page}").status_code == 200

    assert not [e for e in events_after(last_id) if e.action.endswith(".refused")]
