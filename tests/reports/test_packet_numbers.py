"""Who gets protected numbers in clear in a referral packet: the rule of cases.permissions."""

import json

import pytest

from audit.models import AuditEvent
from cases import permissions
from cases.models import SensitiveReveal
from common.errors import NotAllowed
from reports import services
from reports.models import JobStatus

from .conftest import CANDIDATE_FACTS, Packet, stored_bytes

pytestmark = pytest.mark.django_db

ACCOUNT = CANDIDATE_FACTS["account_number"]
IDENTITY = CANDIDATE_FACTS["identity_document_number"]


def packet_texts(job) -> dict[str, str]:
    assert job.status == JobStatus.DONE, job.error
    archive = Packet(stored_bytes(job))
    return {
        name: archive.read(name).decode()
        for name in ("ic3_complaint.txt", "ic3_complaint.json", "nis_knpa_ko.txt")
    }


def test_a_packet_requested_by_a_reviewer_holds_the_numbers_masked_and_reveals_nothing(
    referred_case, reviewer, generate
):
    assert not permissions.can_reveal_numbers(reviewer)
    job = generate(reviewer, referred_case, kind="referral_packet")

    texts = packet_texts(job)
    for name, text in texts.items():
        assert ACCOUNT not in text and IDENTITY not in text, name
        assert "an HR or compliance user can generate this packet with the full number" in text
    assert "Account number: •••••••••0123 (masked" in texts["ic3_complaint.txt"]
    assert "Identity document: Passport ••••••567 (masked" in texts["ic3_complaint.txt"]
    assert "계좌번호: •••••••••0123 (masked" in texts["nis_knpa_ko.txt"]
    subject = json.loads(texts["ic3_complaint.json"])["subjects"][0]
    assert subject["identity_document"]["number"].startswith("••••••567 (masked")
    assert not SensitiveReveal.objects.filter(case=referred_case).exists()
    assert not AuditEvent.objects.filter(action="candidate.revealed").exists()
    # The stored candidate keeps its numbers: only the packet's copy was masked.
    referred_case.candidate.refresh_from_db()
    assert referred_case.candidate.account_number == ACCOUNT


def test_a_packet_requested_by_compliance_holds_the_numbers_in_clear_and_records_each_reveal(
    referred_case, compliance, generate
):
    assert permissions.can_reveal_numbers(compliance)
    job = generate(compliance, referred_case, kind="referral_packet")

    texts = packet_texts(job)
    assert f"Account number: {ACCOUNT}" in texts["ic3_complaint.txt"]
    assert f"계좌번호: {ACCOUNT}" in texts["nis_knpa_ko.txt"]
    assert "masked" not in texts["ic3_complaint.txt"]
    reveals = SensitiveReveal.objects.filter(case=referred_case, revealed_by=compliance)
    assert {r.field for r in reveals} == {"account_number", "identity_document_number"}


def test_the_reports_panel_tells_a_reviewer_their_packet_is_masked(
    client, referred_case, reviewer, compliance
):
    url = f"/reports/cases/{referred_case.reference}/"
    note = "Your packet will show account and identity document numbers masked"
    client.force_login(reviewer)
    assert note in client.get(url).content.decode()
    client.force_login(compliance)
    assert note not in client.get(url).content.decode()


def test_a_reviewer_may_not_download_a_packet_holding_numbers_in_clear(
    client, referred_case, reviewer, compliance, generate
):
    job = generate(compliance, referred_case, kind="referral_packet")

    with pytest.raises(NotAllowed, match="Request your own packet"):
        services.record_download(reviewer, job)
    client.force_login(reviewer)
    assert client.get(f"/api/v1/reports/{job.pk}/download/").status_code == 403
    assert client.get(f"/reports/jobs/{job.pk}/download/").status_code == 403
    assert not SensitiveReveal.objects.filter(revealed_by=reviewer).exists()


def test_each_download_of_a_packet_in_clear_is_a_reveal_by_the_downloader(
    client, referred_case, hr, compliance, generate
):
    job = generate(compliance, referred_case, kind="referral_packet")

    client.force_login(hr)
    response = client.get(f"/api/v1/reports/{job.pk}/download/")
    assert response.status_code == 200
    reveals = SensitiveReveal.objects.filter(case=referred_case, revealed_by=hr)
    assert {r.field for r in reveals} == {"account_number", "identity_document_number"}
    assert all(f"#{job.pk}" in r.reason for r in reveals)


def test_a_masked_packet_is_downloaded_by_anyone_who_reads_the_case_and_reveals_nothing(
    client, referred_case, reviewer, reviewer2, generate
):
    job = generate(reviewer, referred_case, kind="referral_packet")

    client.force_login(reviewer2)
    assert client.get(f"/api/v1/reports/{job.pk}/download/").status_code == 200
    assert not SensitiveReveal.objects.exists()


def test_a_pending_masked_packet_is_not_handed_to_a_requester_who_may_see_numbers(
    referred_case, reviewer, compliance
):
    masked, created = services.request_report(reviewer, referred_case, "referral_packet", "en")
    clear, created_again = services.request_report(
        compliance, referred_case, "referral_packet", "en"
    )

    assert created and created_again
    assert clear.pk != masked.pk
    assert services.request_report(compliance, referred_case, "referral_packet", "en") == (
        clear,
        False,
    )
