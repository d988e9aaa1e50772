"""The automated checks' findings appear in the documents a decision rests on: the risk
summary PDF and the referral packet's IC3 complaint and NIS/KNPA report (issue 10, part 6),
each with the source that justifies it. Dismissed findings stay in the risk summary (an auditor
sees what was decided) but are not told to the authorities."""

import json

import pytest

from cases import services as case_services
from cases.models import Finding
from reports.models import JobStatus

from .conftest import CANDIDATE_FACTS, OBSERVED, Packet, stored_bytes
from .test_pdf import pdf

DPRK_SOURCE = "https://www.team-cymru.com/post/insight-into-north-korean-internet-outages"
# A UK phone for a candidate who claims to live in Canada: a medium finding HR may dismiss.
FOREIGN_PHONE = "+44 20 7946 0018"


@pytest.fixture
def case_with_dismissed_finding(answered_case, hr, reviewer):
    """The reports' case plus a foreign phone whose finding HR dismissed, then referred."""
    facts = {**CANDIDATE_FACTS, "phones": [*CANDIDATE_FACTS["phones"], FOREIGN_PHONE]}
    case = answered_case(hr, overrides=OBSERVED, **facts)
    foreign = Finding.objects.get(case=case, check_code="phone.country_mismatch")
    case_services.dismiss_finding(hr, foreign, "The candidate's UK number from a previous job.")
    case_services.perform_action(hr, case, "submit")
    case_services.perform_action(reviewer, case, "start_review")
    case_services.perform_action(reviewer, case, "refer", "Connected from North Korea.")
    case.refresh_from_db()
    return case


def test_the_risk_summary_lists_each_finding_with_its_source_and_decision(
    case_with_dismissed_finding, hr, generate
):
    _reader, _pages, text = pdf(generate(hr, case_with_dismissed_finding))

    assert "Automated checks" in text
    assert "[Critical] Connected from an address in North Korea" in text
    assert "ip.dprk_address" in text and "Open" in text
    assert "175.45.176.12 lies in 175.45.176.0/22" in text
    assert DPRK_SOURCE in text.replace(" ", "")  # long addresses wrap
    assert "phone.country_mismatch" in text and "Dismissed" in text
    assert "The candidate's UK number from a previous job." in text


def test_the_korean_risk_summary_names_the_findings_in_korean(referred_case, hr, generate):
    _reader, _pages, text = pdf(generate(hr, referred_case, language="ko"))

    assert "자동 점검" in text
    assert "[심각]" in text
    assert "ip.dprk_address" in text


def test_the_risk_summary_says_when_the_checks_found_nothing(answered_case, hr, generate):
    case = answered_case(hr)

    _reader, _pages, text = pdf(generate(hr, case))

    assert "The automated checks found nothing in the candidate's facts." in text


def test_the_ic3_complaint_lists_findings_not_dismissed_with_their_sources(
    case_with_dismissed_finding, compliance, generate
):
    job = generate(compliance, case_with_dismissed_finding, kind="referral_packet")
    assert job.status == JobStatus.DONE, job.error
    packet = Packet(stored_bytes(job))
    incident = json.loads(packet.read("ic3_complaint.json"))["description_of_incident"]

    assert incident["automated_findings"] == [
        {
            "check": "ip.dprk_address",
            "severity": "critical",
            "summary": "Connected from an address in North Korea",
            "detail": "175.45.176.12 lies in 175.45.176.0/22, a network located in North Korea.",
            "status": "open",
            "source": {
                "title": incident["automated_findings"][0]["source"]["title"],
                "url": DPRK_SOURCE,
            },
        }
    ]
    narrative = incident["narrative"]
    assert (
        "Automated checks of the applicant's details against published reference data found:\n"
        "- [ip.dprk_address] Critical: Connected from an address in North Korea "
        "(not yet reviewed)\n"
        "  175.45.176.12 lies in 175.45.176.0/22, a network located in North Korea.\n"
        "  Source: "
    ) in narrative
    assert DPRK_SOURCE in narrative
    assert "phone.country_mismatch" not in packet.read("ic3_complaint.txt").decode()
    assert DPRK_SOURCE in packet.read("ic3_complaint.txt").decode()


def test_the_korean_report_lists_the_findings_in_korean(referred_case, compliance, generate):
    job = generate(compliance, referred_case, kind="referral_packet")
    text = Packet(stored_bytes(job)).read("nis_knpa_ko.txt").decode()

    assert "- [ip.dprk_address] 심각: " in text
    assert DPRK_SOURCE in text
