"""Linked cases appear in the documents a decision rests on: the risk summary PDF and the
referral packet's IC3 narrative (issue 10, part 2)."""

import json

from django.conf import settings

from reports.models import JobStatus
from reports.packet import narrative

from .conftest import CANDIDATE_FACTS, Packet, stored_bytes
from .test_pdf import pdf


def _same_person(open_case, hr):
    """Another case for the applicant of the reports' case: the same account number with
    dashes, and the same phone written nationally."""
    other = open_case(
        hr,
        legal_name="Someone Else",
        claimed_country="CA",
        phones=["416.555.0100"],
        account_number="98765-43210-123",
    )
    return other


def test_the_risk_summary_lists_linked_cases_with_numbers_masked(
    open_case, referred_case, hr, generate
):
    other = _same_person(open_case, hr)

    _reader, _pages, text = pdf(generate(hr, referred_case))

    assert "Linked cases" in text
    assert other.reference in text
    assert "bank account" in text and "phone" in text
    assert CANDIDATE_FACTS["account_number"] not in text
    assert "98765-43210-123" not in text


def test_the_risk_summary_says_when_no_case_is_linked(referred_case, hr, generate):
    _reader, _pages, text = pdf(generate(hr, referred_case))

    assert "No other case shares an identifier with this one." in text


def test_the_ic3_narrative_names_the_linked_cases_and_what_they_share(
    open_case, referred_case, hr, compliance, generate
):
    other = _same_person(open_case, hr)

    job = generate(compliance, referred_case, kind="referral_packet")
    assert job.status == JobStatus.DONE, job.error
    archive = Packet(stored_bytes(job))
    text = json.loads(archive.read("ic3_complaint.json"))["description_of_incident"]["narrative"]

    sentence = (
        f"Another screening by {settings.VETTING_ORGANISATION_NAME} shares identifiers with "
        f"this applicant: case {other.reference} (phone, bank account)."
    )
    assert sentence in text  # what is shared, never the values


def test_the_linked_sentence_is_left_out_when_nothing_is_linked():
    facts = narrative.Facts(organisation="Example Corp", name="Jin Park")
    assert narrative.linked_sentence(facts, "en") == ""
    two = narrative.Facts(
        organisation="Example Corp",
        name="Jin Park",
        linked=(
            narrative.LinkedCase("VET-2026-000002", ("phone",)),
            narrative.LinkedCase("VET-2026-000003", ("bank account", "name and date of birth")),
        ),
    )
    assert narrative.linked_sentence(two, "en") == (
        "Other screenings by Example Corp share identifiers with this applicant: cases "
        "VET-2026-000002 (phone); VET-2026-000003 (bank account, name and date of birth)."
    )
