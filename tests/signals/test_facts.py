import pytest

from cases.screening import facts_for_candidate, screen_candidate
from common.countries import country_of_address, resolve_country
from signals.facts import HistoryFact, split_bank_identifier


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("USA", "US"),
        ("United States", "US"),
        ("미국", "US"),
        ("South Korea", "KR"),
        ("Republic of Korea", "KR"),
        ("ROK", "KR"),
        ("대한민국", "KR"),
        ("DPRK", "KP"),
        ("North Korea", "KP"),
        ("북한", "KP"),
        ("germany", "DE"),
        ("독일", "DE"),
        ("KOR", "KR"),
        ("kr", "KR"),
    ],
)
def test_country_names_in_english_korean_and_common_aliases_resolve_to_codes(text, code):
    assert resolve_country(text) == code


@pytest.mark.parametrize("text", ["Korea", "코리아", "Congo", "Narnia", "", None])
def test_ambiguous_or_unknown_country_names_resolve_to_nothing(text):
    assert resolve_country(text) is None


def test_the_country_of_an_address_is_read_from_its_last_line():
    assert country_of_address("1 Main St\nSeoul 06236\nSouth Korea") == "KR"
    assert country_of_address("1 Main St, Toronto, Canada") == "CA"
    assert country_of_address("1 Main St\nSpringfield") is None


def test_an_iban_typed_in_the_routing_field_is_read_as_an_iban():
    assert split_bank_identifier("de89 3704 0044 0532 0130 00") == ("", "DE89370400440532013000")
    assert split_bank_identifier("026-073-150") == ("026073150", "")


def test_facts_of_a_case_carry_codes_and_list_legacy_text_that_named_no_country(open_case):
    case = open_case(
        claimed_country="KR",
        routing_number="DE89 3704 0044 0532 0130 00",
        shipping_address="4283 Express Lane\nSuite 1\nSarasota, FL 34238\nUSA",
        phones=["+1 646 555 0142"],
        emails=["a@example.com"],
        ip_addresses=["175.45.176.9"],
        profiles=[{"kind": "github", "url_or_handle": "https://github.com/Alice"}],
        history=[
            {"kind": "education", "organisation": "Uni"},
            {"kind": "employment", "organisation": "Acme", "country": "US", "start_year": 2020},
        ],
    )
    # What the countries migration kept as typed because it named no single country.
    case.candidate.history_entries.filter(kind="education").update(country_text="Korea")
    facts = facts_for_candidate(case.candidate)
    assert facts.claimed_country == "KR"
    assert (facts.iban, facts.bank_country, facts.routing_number) == (
        "DE89370400440532013000",
        "DE",
        "",
    )
    assert facts.shipping_country == "US"
    assert facts.phones == ("+1 646 555 0142",)
    assert facts.ip_addresses == ("175.45.176.9",)
    assert facts.handles == ("github:alice",)
    assert HistoryFact("employment", "US", 2020, None) in facts.history
    assert HistoryFact("education", None) in facts.history
    assert facts.unresolved_countries == ("Korea",)


def test_screening_a_case_runs_every_check(open_case):
    case = open_case(
        claimed_country="US",
        phones=["+850 2 381 2222"],
        ip_addresses=["175.45.176.9"],
        shipping_address="4283 Express Lane\nSuite 1\nSarasota, FL 34238",
    )
    checks = [finding.check for finding in screen_candidate(case.candidate)]
    assert checks[:2] == ["ip.dprk_address", "phone.dprk"]  # most severe first
    assert "shipping.forwarder" in checks
