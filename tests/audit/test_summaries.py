"""Every recorded event can be told in words, in English and Korean, from its action and data:
choice labels instead of stored codes, and the stored summary when there is nothing better."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from audit.models import AuditEvent
from audit.services import record_event
from audit.summaries import describe_event, describer_for
from cases import services
from cases.models import AnswerValue, Status
from common.errors import NotAllowed
from reports import services as report_services
from tests.api.conftest import PDF_BYTES, token_client
from tests.cases.helpers import bring_to
from tests.helpers import authenticator_for, totp_code

pytestmark = pytest.mark.django_db

# Stored codes that must never reach a reader.
RAW_CODES = re.compile(
    r"\b(not_observed|not_completed|not_applicable|in_review|closed_cleared|risk_summary)\b"
)


def answered(case, item_code: str) -> AuditEvent:
    return AuditEvent.objects.filter(
        action="answer.recorded", case_reference=case.reference, data__item=item_code
    ).latest("id")


def test_an_answer_is_described_with_its_label_and_note_in_english(open_case, hr):
    case = open_case()
    services.answer_item(hr, case, "RF-2023-01", "unknown")
    services.answer_item(hr, case, "RF-2023-01", "observed", "Camera off in every interview")

    with translation.override("en"):
        text = describe_event(answered(case, "RF-2023-01"))

    assert text == (
        f"RF-2023-01 answered “Observed” on {case.reference} (was “Unknown”)"
        " — Camera off in every interview"
    )


def test_an_answer_is_described_in_korean(open_case, hr):
    case = open_case()
    services.answer_item(hr, case, "RF-2023-01", "not_observed")

    with translation.override("ko"):
        text = describe_event(answered(case, "RF-2023-01"))

    assert text == f"{case.reference}의 RF-2023-01 답변: “확인되지 않음”"


def test_the_stored_summary_stays_the_english_record(open_case, hr):
    case = open_case()
    with translation.override("ko"):
        services.answer_item(hr, case, "RF-2023-01", "not_observed")

    assert answered(case, "RF-2023-01").summary == (
        f"RF-2023-01 answered “not_observed” on {case.reference}"
    )


def test_unknown_actions_and_old_events_show_their_stored_summary(hr):
    unknown = record_event(actor=hr, action="test.thing", object_type="test", summary="as stored")
    old = record_event(
        actor=hr,
        action="evidence.uploaded",
        object_type="test",
        summary="Uploaded a.pdf before events kept the file name",
        data={"sha256": "0" * 64},
    )

    assert describe_event(unknown) == "as stored"
    assert describe_event(old) == "Uploaded a.pdf before events kept the file name"


def test_every_event_of_a_full_case_is_described_from_its_data(
    answered_case, hr, reviewer, reviewer2, compliance, client, django_capture_on_commit_callbacks
):
    case = answered_case(overrides={"DD-2023-04": ("adverse", "Bank letter is forged")})
    evidence = services.upload_evidence(
        hr, case, SimpleUploadedFile("letter.pdf", PDF_BYTES), answer_codes=["DD-2023-04"]
    )
    services.link_evidence(hr, evidence, [])
    services.withdraw_evidence(hr, evidence, "Wrong file")
    services.update_candidate(hr, case, {"emails": ["jane@example.org"], "claimed_city": "Seoul"})
    case = bring_to(case, Status.IN_REVIEW, hr=hr, reviewer=reviewer)
    with pytest.raises(NotAllowed):
        services.assign_reviewer(reviewer2, case, reviewer2)
    services.record_evidence_download(reviewer, evidence)
    services.reveal_sensitive(compliance, case, "account_number", "Checking the bank")
    case = services.perform_action(reviewer, case, "refer", note="Matches the advisory")
    with django_capture_on_commit_callbacks(execute=True):
        job, _created = report_services.request_report(reviewer, case, "risk_summary", "ko")
        report_services.request_integrity_check(compliance)
    job.refresh_from_db()
    report_services.record_download(reviewer, job)
    today = timezone.localdate()
    report_services.start_audit_export(compliance, today, today, "json")
    code = totp_code(authenticator_for(compliance))  # compliance needs the second factor
    token_client(None).post(
        "/api/v1/auth/token/", {"username": "chris", "password": "pw-chris", "code": code}
    )
    client.post("/accounts/login/", {"username": "chris", "password": "wrong"})
    client.post("/accounts/login/", {"username": "chris", "password": "pw-chris"})
    client.post("/accounts/logout/")

    events = list(AuditEvent.objects.all())
    actions = {event.action for event in events}
    assert {
        "case.opened",
        "case.assessing",
        "answer.recorded",
        "evidence.uploaded",
        "evidence.linked",
        "evidence.withdrawn",
        "evidence.downloaded",
        "candidate.updated",
        "candidate.revealed",
        "case.submit",
        "case.start_review",
        "case.refer",
        "case.reviewer_assigned.refused",
        "report.requested",
        "report.generated",
        "report.downloaded",
        "integrity.verified",
        "audit.exported",
        "auth.token_issued",
        "auth.signed_in",
        "auth.sign_in_failed",
        "auth.signed_out",
        "accounts.roles_changed",
    } <= actions
    for language in ("en", "ko"):
        with translation.override(language):
            for event in events:
                describe = describer_for(event.action)
                assert describe is not None, f"no describer for {event.action}"
                text = describe(event, event.data)  # raises if the data lacks something
                assert text and not RAW_CODES.search(text), (event.action, text)


def test_korean_history_uses_korean_labels(answered_case, hr, reviewer):
    case = bring_to(
        answered_case(overrides={"DD-2023-04": ("adverse", "위조된 은행 서류")}),
        Status.IN_REVIEW,
        hr=hr,
        reviewer=reviewer,
    )
    events = AuditEvent.objects.filter(case_reference=case.reference)

    with translation.override("ko"):
        texts = {event.action: describe_event(event) for event in events}

    assert texts["case.start_review"] == f"{case.reference}: 제출됨 → 검토 중 — start_review note"
    assert "“완료 – 부정적 결과”" in describe_event_ko(answered(case, "DD-2023-04"))
    assert "위조된 은행 서류" in describe_event_ko(answered(case, "DD-2023-04"))
    assert AnswerValue.ADVERSE.value not in describe_event_ko(answered(case, "DD-2023-04"))


def describe_event_ko(event) -> str:
    with translation.override("ko"):
        return describe_event(event)
