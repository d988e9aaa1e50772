from signals.findings import Severity, Suggestion

from .helpers import by_check, only, screen

FORWARDER = Suggestion("RF-2023-05", "observed")


def test_a_known_forwarder_warehouse_is_high_and_suggests_the_forwarding_red_flag():
    address = "Jane Doe\n4283 Express Lane\nSuite 512-118\nSarasota, FL 34238\nUSA"
    finding = only(screen(claimed_country="US", shipping_address=address), "shipping.forwarder")
    assert finding.severity == Severity.HIGH
    assert finding.suggests == FORWARDER
    assert "MyUS" in str(finding.detail)


def test_the_forwarder_is_found_however_the_address_is_written():
    address = "17224 SOUTH FIGUEROA ST., #A1234, GARDENA CA 90248"
    assert only(screen(shipping_address=address), "shipping.forwarder")


def test_an_ordinary_home_address_gives_nothing():
    address = "12 Elm Street\nSpringfield, IL 62704\nUSA"
    assert screen(claimed_country="US", shipping_address=address, shipping_country="US") == []


def test_shipping_to_another_country_than_claimed_is_medium():
    findings = screen(claimed_country="US", shipping_address="Shenyang", shipping_country="CN")
    finding = only(findings, "shipping.country_mismatch")
    assert finding.severity == Severity.MEDIUM
    assert finding.suggests == FORWARDER
    assert by_check(findings, "shipping.forwarder") == []
