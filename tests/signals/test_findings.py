from django.utils import translation

from signals.findings import Severity

from .helpers import only, screen


def test_a_findings_text_is_translated_when_read_not_when_the_check_ran():
    finding = only(screen(claimed_country="US", phones=("+850 2 381 2222",)), "phone.dprk")
    with translation.override("ko"):
        assert finding.as_dict()["summary"] == "북한 전화번호(+850)"
        assert "북한 국가번호" in finding.as_dict()["detail"]
    with translation.override("en"):
        assert finding.as_dict()["detail"].endswith("country code +850 of North Korea.")


def test_a_finding_reads_as_the_api_contract_says():
    finding = only(screen(routing_number="026073151"), "bank.routing_checksum")
    assert finding.as_dict() == {
        "check": "bank.routing_checksum",
        "severity": "medium",
        "summary": "Routing number fails the ABA checksum",
        "detail": "026073151 is not a valid ABA routing number: no bank can have it.",
        "suggests": {"item_code": "DD-2023-05", "value": "adverse"},
        "source": {"title": finding.source.title, "url": finding.source.url},
        "subject": "026073151",
    }


def test_severities_are_ordered():
    assert Severity.INFO < Severity.LOW < Severity.MEDIUM < Severity.HIGH < Severity.CRITICAL
