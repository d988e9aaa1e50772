from signals.findings import Severity, Suggestion

from .helpers import by_check, only, screen

NOT_A_REAL_BANK = Suggestion("DD-2023-05", "adverse")


def test_a_routing_number_with_a_bad_checksum_is_medium_and_suggests_an_adverse_check():
    finding = only(screen(routing_number="026073151"), "bank.routing_checksum")
    assert finding.severity == Severity.MEDIUM
    assert finding.suggests == NOT_A_REAL_BANK


def test_the_routing_number_behind_wise_accounts_is_flagged_with_its_source():
    finding = only(screen(claimed_country="US", routing_number="026073150"), "bank.fintech_routing")
    assert finding.suggests == NOT_A_REAL_BANK
    assert "Wise" in str(finding.detail)
    assert finding.source.url.startswith("https://www.bankingdive.com/")


def test_an_ordinary_bank_routing_number_gives_nothing():
    assert screen(claimed_country="US", routing_number="021000021", bank_country="US") == []


def test_a_valid_iban_of_another_country_than_claimed_is_low():
    findings = screen(claimed_country="US", iban="DE89370400440532013000")
    finding = only(findings, "bank.country_mismatch")
    assert finding.severity == Severity.LOW
    assert finding.suggests == Suggestion("RF-2023-09", "observed")
    assert by_check(findings, "bank.iban_invalid") == []


def test_a_valid_iban_of_the_claimed_country_gives_nothing():
    assert screen(claimed_country="DE", iban="DE89370400440532013000") == []


def test_an_iban_with_wrong_check_digits_is_medium():
    finding = only(screen(claimed_country="DE", iban="DE89370400440532013001"), "bank.iban_invalid")
    assert finding.severity == Severity.MEDIUM
    assert finding.suggests == NOT_A_REAL_BANK
