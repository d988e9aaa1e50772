"""Link checks: a case linked to a referred or rejected case, or to three or more cases.

The pure check is tested over `LinkFact`s; the rest builds real cases through the services, so
the links come from `cases.selectors.linked_cases` as on the pages."""

import pytest

from cases import selectors, services
from cases.models import Finding, FindingStatus, Status
from signals.checks import links
from signals.facts import CandidateFacts, LinkFact
from signals.findings import Severity
from signals.services import screen_facts
from tests.cases.helpers import bring_to

from .helpers import by_check, only


def screen_links(*facts):
    return screen_facts(CandidateFacts(links=tuple(facts)))


# ---------------------------------------------------------------- the pure check


def test_a_link_to_a_referred_case_on_one_identifier_is_high():
    finding = only(
        screen_links(LinkFact("VET-2026-000001", "referred", ("phone",))), "links.flagged_case"
    )
    assert finding.severity == Severity.HIGH
    assert finding.subject == "VET-2026-000001"
    assert "VET-2026-000001 was referred" in str(finding.detail)
    assert finding.source.url.startswith("https://")
    assert finding.suggests is None


def test_two_identifiers_shared_with_a_rejected_case_make_it_critical():
    finding = only(
        screen_links(LinkFact("VET-2026-000002", "rejected", ("bank account", "phone"))),
        "links.flagged_case",
    )
    assert finding.severity == Severity.CRITICAL


def test_a_name_and_date_of_birth_match_counts_as_one_identifier():
    finding = only(
        screen_links(LinkFact("VET-2026-000003", "referred", ("name and date of birth",))),
        "links.flagged_case",
    )
    assert finding.severity == Severity.HIGH


def test_one_finding_per_flagged_linked_case_and_none_for_an_open_one():
    findings = screen_links(
        LinkFact("VET-2026-000001", "referred", ("phone",)),
        LinkFact("VET-2026-000002", "rejected", ("email",)),
        LinkFact("VET-2026-000003", "", ("phone",)),
    )
    flagged = by_check(findings, "links.flagged_case")
    assert sorted(f.subject for f in flagged) == ["VET-2026-000001", "VET-2026-000002"]
    assert by_check(findings, "links.many_cases") != []  # three links


def test_three_linked_cases_are_high_and_two_are_nothing():
    two = [LinkFact(f"VET-2026-00000{n}", "", ("email",)) for n in (1, 2)]
    assert screen_links(*two) == []
    three = [*two, LinkFact("VET-2026-000003", "", ("ip",))]
    finding = only(screen_links(*three), "links.many_cases")
    assert finding.severity == Severity.HIGH
    assert "VET-2026-000001, VET-2026-000002, VET-2026-000003" in str(finding.detail)
    assert finding.subject == ""  # one finding per case, whatever the links are


def test_the_check_is_registered():
    assert set(links.FINDINGS) == {"links.flagged_case", "links.many_cases"}


# ---------------------------------------------------------------- real cases


US_PHONE = "+1 (646) 555-0142"
SAME_PHONE_LOCAL = "646.555.0142"


def link_findings(case, check="links.flagged_case"):
    return list(Finding.objects.filter(case=case, check_code=check))


@pytest.fixture
def referred(answered_case, hr, reviewer):
    def _referred(**facts):
        case = answered_case(claimed_country="US", **facts)
        return bring_to(case, Status.REFERRED, hr=hr, reviewer=reviewer)

    return _referred


def test_a_case_sharing_a_phone_written_differently_with_a_referred_case_gets_a_high_finding(
    referred, open_case
):
    flagged = referred(phones=[US_PHONE])
    case = open_case(legal_name="Sam Lee", claimed_country="US", phones=[SAME_PHONE_LOCAL])

    [finding] = link_findings(case)
    assert finding.severity == "high" and finding.subject == flagged.reference
    assert finding.status == FindingStatus.OPEN
    assert "phone" in finding.detail and flagged.reference in finding.detail


def test_two_shared_identifiers_make_the_finding_critical(referred, open_case):
    flagged = referred(phones=[US_PHONE], emails=["ops@example.net"])
    case = open_case(
        legal_name="Sam Lee",
        claimed_country="US",
        phones=[SAME_PHONE_LOCAL],
        emails=["OPS@example.net"],
    )
    [finding] = link_findings(case)
    assert finding.severity == "critical" and finding.subject == flagged.reference


def test_a_case_linked_to_three_others_gets_a_high_finding_and_so_do_they(open_case):
    first = [open_case(legal_name=f"P{n}", emails=["shared@example.org"]) for n in range(3)]
    assert link_findings(first[0], "links.many_cases") == []  # two links each so far
    fourth = open_case(legal_name="P3", emails=["shared@example.org"])

    for case in [*first, fourth]:  # the new case re-screened the open cases it links to
        [finding] = link_findings(case, "links.many_cases")
        assert finding.severity == "high"


def test_referring_a_case_rescreens_the_open_cases_linked_to_it_and_reopening_undoes_it(
    answered_case, open_case, hr, reviewer
):
    open_one = open_case(legal_name="Sam Lee", claimed_country="US", phones=[SAME_PHONE_LOCAL])
    other = answered_case(legal_name="Kim Ra", claimed_country="US", phones=[US_PHONE])
    assert link_findings(open_one) == []

    other = bring_to(other, Status.REFERRED, hr=hr, reviewer=reviewer)
    [finding] = link_findings(open_one)
    assert finding.subject == other.reference and finding.severity == "high"

    services.perform_action(reviewer, other, "reopen", note="Referred the wrong case")
    assert link_findings(open_one) == []  # the open finding no longer applies


def test_rejecting_leaves_closed_linked_cases_alone(answered_case, hr, reviewer, reviewer2):
    approved = bring_to(
        answered_case(claimed_country="US", phones=[US_PHONE]),
        Status.APPROVED,
        hr=hr,
        reviewer=reviewer,
    )
    bring_to(
        answered_case(legal_name="Kim Ra", claimed_country="US", phones=[SAME_PHONE_LOCAL]),
        Status.REJECTED,
        hr=hr,
        reviewer=reviewer2,
    )
    assert link_findings(approved) == []


def test_a_name_alone_never_links_but_with_the_date_of_birth_it_is_one_identifier(
    referred, open_case
):
    referred(legal_name="Kim Cheolsu", date_of_birth="1990-03-04")
    same_name = open_case(legal_name="Kim Cheolsu", date_of_birth="1991-07-08")
    assert selectors.link_facts(same_name) == ()
    assert link_findings(same_name) == []

    same_person = open_case(legal_name="Cheolsu Kim", date_of_birth="1990-03-04")
    [fact] = selectors.link_facts(same_person)
    assert fact.matched == ("name and date of birth",) and fact.outcome == "referred"
    [finding] = link_findings(same_person)
    assert finding.severity == "high"


def test_a_shared_reference_contact_is_no_link_for_the_checks(referred, open_case):
    referred(phones=[US_PHONE])
    case = open_case(
        legal_name="Sam Lee",
        claimed_country="US",
        phones=[{"value": SAME_PHONE_LOCAL, "belongs_to": "reference"}],
    )
    assert [link.case.reference for link in selectors.linked_cases(case)]  # shown as linked
    assert selectors.link_facts(case) == ()
    assert link_findings(case) == []


def test_past_the_limit_the_linked_cases_are_rescreened_by_a_task(
    open_case, monkeypatch, django_capture_on_commit_callbacks
):
    from cases.services import findings as findings_service

    monkeypatch.setattr(findings_service, "LINKED_RESCREEN_LIMIT", 1)
    first = [open_case(legal_name=f"P{n}", emails=["shared@example.org"]) for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        open_case(legal_name="P3", emails=["shared@example.org"])
    from audit.services import seal_pending

    queued = [c for c in callbacks if getattr(c, "func", c) is not seal_pending]
    assert len(queued) == 1  # the two cases past the limit, queued once
    for case in first:
        assert len(link_findings(case, "links.many_cases")) == 1


def test_changing_facts_rescreens_the_open_cases_now_linked(open_case, hr):
    first = [open_case(legal_name=f"P{n}", emails=["shared@example.org"]) for n in range(3)]
    fourth = open_case(legal_name="P3", emails=["own@example.org"])
    assert link_findings(first[0], "links.many_cases") == []

    services.update_candidate(hr, fourth, {"emails": ["Shared@example.org"]})

    for case in [*first, fourth]:
        assert len(link_findings(case, "links.many_cases")) == 1
