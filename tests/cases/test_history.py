import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from audit.selectors import case_events
from cases import services
from cases.models import ChecklistAnswer, SignOff

from .helpers import bring_to

pytestmark = pytest.mark.django_db


def test_every_change_of_a_case_is_in_history_with_who_and_when(answered_case, hr, reviewer):
    case = answered_case(overrides={"RF-2023-07": ("observed", "Asked for prepayment twice")})
    services.update_candidate(hr, case, {"claimed_city": "Vancouver"})
    services.upload_evidence(
        hr, case, SimpleUploadedFile("chat.txt", b"please pay in advance"), "Chat log"
    )
    case = bring_to(case, "referred", hr=hr, reviewer=reviewer)

    statuses = [(h.status, h.history_user) for h in case.history.order_by("history_date")]
    assert [s for s, _ in statuses] == ["draft", "assessing", "submitted", "in_review", "referred"]
    assert statuses[0][1] == hr and statuses[-1][1] == reviewer
    assert all(h.history_date for h in case.history.all())

    answer = ChecklistAnswer.objects.get(case=case, item__code="RF-2023-07")
    record = answer.history.order_by("-history_date").first()
    assert record.history_user == hr and record.value == "observed"
    assert record.note == "Asked for prepayment twice"

    candidate_changes = case.candidate.history.order_by("history_date")
    latest = candidate_changes.last()
    assert latest.claimed_city == "Vancouver" and latest.history_user == hr
    delta = latest.diff_against(latest.prev_record)
    city_change = next(change for change in delta.changes if change.field == "claimed_city")
    assert (city_change.old, city_change.new) == ("", "Vancouver")

    signoff = SignOff.objects.get(case=case)
    assert signoff.history.get().history_user == reviewer

    actions = [event.action for event in case_events(case.reference)]
    assert actions[0] == "case.opened"
    assert actions.count("answer.recorded") == 26
    assert {
        "candidate.updated",
        "evidence.uploaded",
        "case.submit",
        "case.start_review",
        "case.refer",
    } <= set(actions)
    assert all(
        event.actor_username in {hr.username, reviewer.username}
        for event in case_events(case.reference)
    )


def test_audit_events_cannot_be_edited_or_deleted(open_case):
    open_case()
    event = AuditEvent.objects.get(action="case.opened")
    event.summary = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_signoffs_cannot_be_changed(answered_case, hr, reviewer):
    case = bring_to(answered_case(), "approved", hr=hr, reviewer=reviewer)
    signoff = SignOff.objects.get(case=case)
    signoff.note = "changed later"
    with pytest.raises(ValueError, match="never changed"):
        signoff.save()


def test_unchanged_answer_adds_no_history(open_case, hr):
    case = open_case()
    services.answer_item(hr, case, "RF-2023-01", "not_observed")
    services.answer_item(hr, case, "RF-2023-01", "not_observed")
    answer = ChecklistAnswer.objects.get(case=case, item__code="RF-2023-01")
    assert [h.value for h in answer.history.order_by("history_date")] == ["", "not_observed"]
