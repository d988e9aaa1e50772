"""Issue 10, section 7: no check uses a name, ethnicity, the language of a name or nationality
alone. People who tell the truth about where they are get no finding of medium or higher."""

import dataclasses

from cases.screening import screen_candidate
from signals.facts import CandidateFacts, HistoryFact
from signals.findings import Severity

from .helpers import screen as screen_facts


def test_checks_cannot_see_a_name_a_date_of_birth_or_a_nationality():
    fields = {field.name for field in dataclasses.fields(CandidateFacts)}
    assert not fields & {
        "legal_name",
        "name",
        "aliases",
        "date_of_birth",
        "nationality",
        "claimed_nationality",
    }


def test_a_korean_american_with_us_phone_ip_and_bank_gets_no_medium_or_higher_finding():
    findings = screen_facts(
        claimed_country="US",
        phones=("(646) 555-0142",),
        emails=("minji.kim@gmail.com",),
        ip_addresses=("73.0.0.1",),
        routing_number="021000021",
        bank_country="US",
        shipping_address="12 Elm Street\nFort Lee, NJ 07024\nUSA",
        shipping_country="US",
        history=(
            HistoryFact("education", "KR"),
            HistoryFact("education", "US"),
            HistoryFact("employment", "US"),
        ),
        handles=("github:minjikim",),
    )
    assert all(finding.severity < Severity.MEDIUM for finding in findings), findings


def test_a_korean_national_applying_truthfully_from_korea_gets_no_medium_or_higher_finding():
    findings = screen_facts(
        claimed_country="KR",
        phones=("010-1234-5678",),
        emails=("cheolsu@naver.com",),
        ip_addresses=("211.234.10.1",),
        bank_country="KR",
        shipping_address="서울특별시 강남구 테헤란로 123\n대한민국",
        shipping_country="KR",
        history=(HistoryFact("education", "KR"), HistoryFact("employment", "KR")),
    )
    assert all(finding.severity < Severity.MEDIUM for finding in findings), findings


def test_a_korean_name_and_nationality_on_a_real_case_change_nothing(open_case):
    case = open_case(
        legal_name="김철수",
        claimed_nationality="KP",  # nationality alone is never a signal
        claimed_country="KR",
        phones=["010-1234-5678"],
        ip_addresses=["211.234.10.1"],
        history=[
            {"kind": "education", "organisation": "서울대학교", "country": "KR"},
            {"kind": "employment", "organisation": "Naver", "country": "KR"},
        ],
    )
    assert [f for f in screen_candidate(case.candidate) if f.severity >= Severity.MEDIUM] == []


def test_links_carry_no_name_and_a_shared_name_alone_links_nothing(open_case, answered_case, hr):
    from cases import selectors
    from signals.facts import LinkFact

    assert {field.name for field in dataclasses.fields(LinkFact)} == {
        "reference",
        "outcome",
        "matched",
    }
    one = open_case(legal_name="김철수", claimed_country="KR")
    two = open_case(legal_name="Kim Cheol-su", claimed_country="KR", date_of_birth="1990-01-01")
    assert selectors.link_facts(one) == selectors.link_facts(two) == ()
    assert [f for f in screen_candidate(two.candidate) if f.check.startswith("links.")] == []
