import phonenumbers
from phonenumbers import PhoneNumberType

from signals.findings import Severity

from .helpers import by_check, only, screen


def test_a_north_korean_number_is_critical():
    finding = only(screen(claimed_country="US", phones=("+850 2 381 2222",)), "phone.dprk")
    assert finding.severity == Severity.CRITICAL


def test_a_north_korean_number_written_with_00_is_critical():
    assert only(screen(claimed_country="CN", phones=("00850 2 381 2222",)), "phone.dprk")


def test_a_national_number_reads_in_the_claimed_country_and_gives_nothing():
    assert screen(claimed_country="US", phones=("646.555.0142",)) == []


def test_an_invalid_number_is_low():
    finding = only(screen(claimed_country="US", phones=("12345",)), "phone.invalid")
    assert finding.severity == Severity.LOW


def test_a_voip_number_is_medium():
    # libphonenumber reserves 600 numbers in Canada for VoIP services.
    number = phonenumbers.parse("+1 600 201 2345")
    assert phonenumbers.number_type(number) == PhoneNumberType.VOIP
    finding = only(screen(claimed_country="CA", phones=("+1 600 201 2345",)), "phone.voip")
    assert finding.severity == Severity.MEDIUM


def test_a_korean_070_internet_phone_is_voip():
    assert only(screen(claimed_country="KR", phones=("070-1234-5678",)), "phone.voip")


def test_us_numbers_cannot_be_told_voip_because_libphonenumber_has_no_us_voip_ranges():
    # A documented limit of the data, not of the check: US VoIP numbers look like any other.
    assert not phonenumbers.PhoneMetadata.metadata_for_region("US").voip
    assert by_check(screen(claimed_country="US", phones=("+1 212 736 5000",)), "phone.voip") == []


def test_a_number_of_another_country_is_low():
    finding = only(
        screen(claimed_country="US", phones=("+82 10 1234 5678",)), "phone.country_mismatch"
    )
    assert finding.severity == Severity.LOW
    assert "+821012345678" in str(finding.detail)
