"""A candidate who shares an identifier with many others (a package forwarder's address used
by hundreds of applicants) keeps every case page as cheap as a candidate with one link: the
same queries, and no linked candidate's numbers decrypted (issue 12)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors, services

pytestmark = pytest.mark.django_db

FORWARDER = "12 Cargo Way, Suite 4\nNewark, NJ"


def cases_at_one_address(open_case, count: int):
    return [
        open_case(legal_name=f"Applicant {n}", shipping_address=FORWARDER) for n in range(count)
    ]


def queries_of(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_links_read_the_same_queries_for_2_and_12_linked_cases(open_case):
    few = cases_at_one_address(open_case, 3)[0]
    many = cases_at_one_address(open_case, 10)[0]  # linked to the 2 above and 9 more

    for function in (selectors.linked_cases, selectors.link_facts, selectors.current_risk):
        assert queries_of(lambda f=function: f(few)) == queries_of(lambda f=function: f(many))
    assert len(selectors.linked_cases(many)) == 12
    assert len(selectors.link_facts(many)) == 12


def test_the_case_page_lists_every_linked_case_in_the_same_queries(client, open_case, hr):
    client.force_login(hr)
    few = cases_at_one_address(open_case, 3)[0]
    others = cases_at_one_address(open_case, 10)
    many = others[0]

    def page(case):
        return lambda: client.get(f"/cases/{case.reference}/")

    assert queries_of(page(few)) == queries_of(page(many))
    html = client.get(f"/cases/{many.reference}/").content.decode()
    for other in [*others[1:]]:
        assert other.reference in html
    assert "Applicant 9" in html  # the linked candidate's name, read with the link


def test_linked_cases_do_not_decrypt_the_linked_candidates_numbers(open_case):
    first, second = cases_at_one_address(open_case, 2)
    services.update_candidate(
        second.owner, second, {"account_number": "DE89 3704 0044 0532 0130 00"}
    )
    [link] = selectors.linked_cases(first)
    assert link.case.reference == second.reference
    assert "account_number" in link.case.candidate.get_deferred_fields()


def test_the_case_page_lists_the_closest_links_and_counts_the_rest(
    client, open_case, hr, monkeypatch
):
    monkeypatch.setattr(selectors, "LINKED_CASES_SHOWN", 3)
    client.force_login(hr)
    first, *others = cases_at_one_address(open_case, 6)
    html = client.get(f"/cases/{first.reference}/").content.decode()
    listed = [other for other in others if f">{other.reference}</a>" in html]
    assert len(listed) == 3
    assert "2 more cases share an identifier with this one" in html


def test_a_case_page_listing_links_looks_up_the_identifiers_once(client, answered_case, hr):
    """The overview of an answered case lists its links and scores its live risk with them:
    the candidate's identifiers are looked up once for both."""
    case = answered_case(emails=["same@example.com"], shipping_address=FORWARDER)
    answered_case(emails=["same@example.com"])
    client.force_login(hr)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/cases/{case.reference}/")
    assert page.status_code == 200 and "risk-box" in page.content.decode()
    lookups = [q["sql"] for q in queries.captured_queries if "cases_candidatecontact" in q["sql"]]
    assert len(lookups) == 2, lookups  # the candidate's contacts, then who shares one of them
