"""Subject access export, the privacy notice, the key status page, and the pages of the case."""

import io
import json
import zipfile

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Candidate, SensitiveReveal, Status
from retention import selectors, services
from tests.api.conftest import PDF_BYTES, token_client

from .helpers import closed_case

pytestmark = pytest.mark.django_db


def open_zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def test_the_subject_access_export_holds_everything_about_the_candidate_and_is_recorded(
    open_case, hr, compliance, client
):
    case = open_case(
        hr,
        legal_name="Kim Chol",
        emails=["kim.chol@example.org"],
        account_number="000123456789",
        routing_number="026073151",
    )
    case_services.answer_item(hr, case, "RF-2023-01", "observed", "Camera off in interviews")
    case_services.upload_evidence(
        hr, case, SimpleUploadedFile("call.pdf", PDF_BYTES), "interview notes", ["RF-2023-01"]
    )
    client.force_login(compliance)
    response = client.post(
        reverse("retention:subject_access", args=[case.reference]), {"files": "1"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = open_zip(response.content)
    names = set(archive.namelist())
    assert {
        "manifest.json",
        "candidate.json",
        "case.json",
        "answers.csv",
        "evidence.csv",
        "decisions.csv",
        "findings.csv",
        "audit_events.csv",
    } <= names
    assert any(name.startswith("evidence/") for name in names)
    facts = json.loads(archive.read("candidate.json"))
    assert facts["legal_name"] == "Kim Chol"
    assert facts["account_number"] == "000123456789"  # compliance may reveal numbers
    assert facts["contacts"][0]["value"] == "kim.chol@example.org"
    assert "Camera off in interviews" in archive.read("answers.csv").decode("utf-8-sig")
    assert "interview notes" in archive.read("evidence.csv").decode("utf-8-sig")
    assert "case.opened" in archive.read("audit_events.csv").decode("utf-8-sig")
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["numbers"] == "clear"
    # Recorded: the export, and the number shown in clear as a reveal.
    event = AuditEvent.objects.get(action="retention.subject_access_exported")
    assert event.actor == compliance and event.case_reference == case.reference
    assert event.data["sha256"] == response["X-Content-SHA256"]
    assert event.data["clear_numbers"] == ["account_number"]
    reveal = SensitiveReveal.objects.get(case=case)
    assert reveal.field == "account_number" and reveal.revealed_by == compliance


def test_the_api_gives_the_same_export(open_case, hr, compliance):
    case = open_case(hr, legal_name="Lee Min")
    response = token_client(compliance).post(
        f"/api/v1/cases/{case.reference}/subject-access/", {}, format="json"
    )
    assert response.status_code == 200
    assert json.loads(open_zip(response.content).read("candidate.json"))["legal_name"] == "Lee Min"


def test_a_purged_case_has_nothing_to_export(answered_case, hr, reviewer, compliance):
    case = closed_case(answered_case, hr, reviewer, Status.CLOSED_CLEARED, months_ago=7)
    services.refresh_due()
    services.purge_now(actor=compliance, case=case, reason="Erasure")
    response = token_client(compliance).post(
        f"/api/v1/cases/{case.reference}/subject-access/", {}, format="json"
    )
    assert response.status_code == 404


def test_the_case_page_shows_a_hold_badge_and_a_purged_case_its_tombstone(
    answered_case, hr, reviewer, compliance, client
):
    case = closed_case(answered_case, hr, reviewer, Status.REJECTED, months_ago=13)
    services.set_legal_hold(actor=compliance, case=case, reason="Court order")
    client.force_login(hr)
    page = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert 'id="hold-badge"' in page and "Court order" in page
    assert 'action="' + reverse("retention:hold", args=[case.reference]) not in page  # hr

    hold = selectors.active_holds(case).get()
    services.lift_legal_hold(actor=compliance, hold=hold, reason="Settled")
    services.refresh_due()
    services.purge_now(actor=compliance, case=case, reason="Erasure")
    client.force_login(compliance)
    page = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert 'id="purged-badge"' in page and 'id="tombstone"' in page
    assert "Jane Doe" not in page
    due = client.get(reverse("retention:due")).content.decode()
    assert case.reference not in due


def test_compliance_edits_a_period_on_the_page(compliance, client):
    client.force_login(compliance)
    response = client.post(
        reverse("retention:policy"), {"status": "referred", "months": "120", "reason": "Counsel"}
    )
    assert response.status_code == 302
    assert selectors.retention_months()["referred"] == 120
    bad = client.post(reverse("retention:policy"), {"status": "referred", "months": "0"})
    assert bad.status_code == 400
    assert AuditEvent.objects.filter(action="retention.period_set").count() == 1


def test_the_privacy_notice_states_the_current_periods_in_english_and_korean(
    compliance, hr, client
):
    services.set_retention_period(actor=compliance, status="referred", months=96)
    client.force_login(hr)
    english = client.get(reverse("retention:privacy_notice") + "?lang=en").content.decode()
    assert "96 months" in english
    assert "Nothing is decided on your name" in english
    korean = client.get(reverse("retention:privacy_notice") + "?lang=ko").content.decode()
    assert "96개월" in korean
    download = client.get(reverse("retention:privacy_notice") + "?lang=ko&download=1")
    assert download["Content-Disposition"].startswith("attachment")
    assert "96개월" in download.content.decode()


def test_the_key_status_counts_values_under_old_keys_until_rotation(
    open_case, hr, compliance, client, settings
):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    open_case(hr, account_number="000123456789", identity_document_number="M1234567")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    status = selectors.key_status()
    candidates = {(c.model, c.field): c for c in status.columns}
    assert candidates[("cases.Candidate", "account_number")].old == 1
    assert candidates[("cases.Candidate", "identity_document_number")].old == 1
    assert status.rows_under_old_keys >= 2  # the history rows too
    client.force_login(compliance)
    page = client.get(reverse("retention:keys")).content.decode()
    assert 'id="rotation-needed"' in page

    call_command("rotate_field_keys", stdout=io.StringIO())
    status = selectors.key_status()
    assert status.rows_under_old_keys == 0
    assert Candidate.objects.get().account_number == "000123456789"
    page = client.get(reverse("retention:keys")).content.decode()
    assert 'id="rotation-done"' in page
    assert [k.first_seen_at is not None for k in selectors.key_status().keys] == [True, True]


def test_no_evidence_metadata_is_encrypted_and_every_encrypted_field_is_rotated():
    """Evidence metadata carries no encrypted numbers today (file names and descriptions are
    plain text); the rotation finds encrypted fields by their type, so one added later is
    rotated and counted without being listed anywhere."""
    columns = {(model._meta.label, name) for model, name in case_services.encrypted_columns()}
    assert not any(
        label.startswith(("cases.Evidence", "cases.HistoricalEvidence")) for label, _n in columns
    )
    assert columns == {
        ("cases.Candidate", "account_number"),
        ("cases.Candidate", "identity_document_number"),
        ("cases.HistoricalCandidate", "account_number"),
        ("cases.HistoricalCandidate", "identity_document_number"),
    }


def test_every_retention_event_reads_as_a_sentence_in_english_and_korean(
    answered_case, hr, reviewer, compliance
):
    from django.utils import translation

    from audit.summaries import describer_for

    case = closed_case(answered_case, hr, reviewer, Status.CLOSED_CLEARED, months_ago=7)
    services.set_retention_period(actor=compliance, status="approved", months=30, reason="HR")
    (hold,) = services.set_legal_hold(actor=compliance, case=case, reason="Court")
    services.lift_legal_hold(actor=compliance, hold=hold, reason="Settled")
    services.export_subject_data(actor=compliance, case=case)
    services.refresh_due()
    confirmed = AuditEvent.objects.filter(action__startswith="retention.")
    captured = [AuditEvent.objects.get(pk=event.pk) for event in confirmed]
    captured.append(
        AuditEvent(
            action="retention.purge_confirmed", case_reference=case.reference, data={"reason": "x"}
        )
    )
    run = services.PurgeRun.objects.get(case=case)
    services.purge_now(actor=compliance, case=case, reason="Erasure")
    # The case's earlier events are redacted by the purge (pages then show the redacted
    # summary), so they are told as they were recorded, just before.
    events = [
        *captured,
        *AuditEvent.objects.filter(action="retention.purged"),
    ]
    assert run.pk
    assert {event.action for event in events} == {
        "retention.period_set",
        "retention.hold_set",
        "retention.hold_lifted",
        "retention.subject_access_exported",
        "retention.due_listed",
        "retention.purge_confirmed",
        "retention.purged",
    }
    for language in ("en", "ko"):
        with translation.override(language):
            for event in events:
                describe = describer_for(event.action)
                assert describe is not None, event.action
                assert describe(event, event.data)
