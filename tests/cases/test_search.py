"""Search by any identifier (issue 14 part 4, issue 12 part 1): the case list and the API
find a case by its reference, a name (aliases and romanisation variants too), an e-mail, a
phone in any format, a bank account or identity document (by blind index), a shipping
address, an IP address or a profile handle, through indexed lookups."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(open_case):
    """Two candidates with different identifiers (the second one is never the answer)."""
    target = open_case(
        legal_name="Yi Min-ho",
        aliases=["Mike Lee"],
        claimed_country="US",
        emails=["Min.Ho+jobs@GMail.com"],
        phones=["646.555.0142"],
        ip_addresses=["203.0.113.7"],
        account_number="123-456-7890",
        identity_document_number="M 1234 5678",
        shipping_address="12 Harbour Road, Dandong",
        profiles=[{"kind": "github", "url_or_handle": "https://github.com/MinhoDev"}],
    )
    other = open_case(
        legal_name="Jane Doe",
        claimed_country="DE",
        emails=["jane@example.com"],
        phones=["+49 30 1234567"],
        ip_addresses=["198.51.100.9"],
        account_number="DE89 3704 0044 0532 0130 00",
        profiles=[{"kind": "github", "url_or_handle": "janedoe"}],
    )
    return target, other


def found(user, query) -> list[str]:
    return [case.candidate.legal_name for case in selectors.case_list(user, search=query)]


@pytest.mark.parametrize(
    "query",
    [
        "646.555.0142",  # national, as the US candidate wrote it
        "+1 (646) 555-0142",  # international
        "16465550142",  # digits with the country code
        "min.ho+other@gmail.com",  # the same gmail address, written otherwise
        "MIN.HO+JOBS@GMAIL.COM",  # another case
        "minho@gm",  # the beginning of an address
        "203.0.113.7",  # IP
        "1234567890",  # the account number without its dashes
        "123 456 7890",
        "M12345678",  # the identity document number, spaced otherwise
        "https://github.com/minhodev",  # profile URL
        "@MinhoDev",  # profile handle
        "minhodev",
        "Lee Minho",  # a romanisation variant of the family name, another token order
        "Minho Rhee",
        "Yi Min",  # the beginning of the name
        "mike lee",  # an alias
        "12 harbour road",  # the shipping address
    ],
)
def test_each_identifier_finds_its_case_and_no_other(hr, people, query):
    assert found(hr, query) == ["Yi Min-ho"]


def test_an_iban_with_spaces_finds_its_account(hr, people):
    assert found(hr, "de89370400440532013000") == ["Jane Doe"]
    assert found(hr, "DE89 3704 0044 0532 0130 00") == ["Jane Doe"]


def test_a_github_url_and_handle_find_the_same_profile(hr, people):
    assert found(hr, "github.com/janedoe") == ["Jane Doe"]
    assert found(hr, "janedoe") == ["Jane Doe"]


def test_the_reference_finds_its_case(hr, people):
    target, _other = people
    assert found(hr, target.reference) == ["Yi Min-ho"]
    assert found(hr, target.reference.lower()) == ["Yi Min-ho"]


@pytest.mark.parametrize(
    "query", ["nobody", "+82 10 9999 8888", "192.0.2.99", "x@y.org", "0000", "?!"]
)
def test_a_search_that_matches_nothing(hr, people, query):
    assert found(hr, query) == []


def test_a_case_without_an_account_is_not_found_by_any_number(hr, open_case):
    """An empty blind index means "no number": it never matches a query."""
    open_case(legal_name="No Account")
    assert found(hr, "1234567") == []


def test_search_never_decrypts(hr, people, monkeypatch):
    from cases import crypto

    def refuse(_token):
        raise AssertionError("search decrypted a stored number")

    monkeypatch.setattr(crypto, "decrypt", refuse)
    target, _other = people
    matches = selectors.case_list(hr, search="123-456-7890").values_list("reference", flat=True)
    assert list(matches) == [target.reference]


def test_search_uses_no_distinct_and_no_join_on_contacts(hr, people):
    with CaptureQueriesContext(connection) as queries:
        list(selectors.case_list(hr, search="+1 646 555 0142"))
    sql = queries.captured_queries[-1]["sql"].upper()
    assert "DISTINCT" not in sql
    assert 'JOIN "CASES_CANDIDATECONTACT"' not in sql


def test_the_web_case_list_uses_the_identifier_search(client, hr, people):
    client.force_login(hr)
    response = client.get(reverse("case_list"), {"q": "+1 (646) 555-0142"})
    assert [c.candidate.legal_name for c in response.context["page"].object_list] == ["Yi Min-ho"]


def test_the_api_case_list_uses_the_identifier_search(hr, people):
    from tests.api.conftest import token_client

    api = token_client(hr)
    body = api.get("/api/v1/cases/", {"search": "646.555.0142"}).json()
    assert [row["candidate_name"] for row in body["results"]] == ["Yi Min-ho"]
    candidates = api.get("/api/v1/candidates/", {"search": "16465550142"}).json()
    assert [row["legal_name"] for row in candidates["results"]] == ["Yi Min-ho"]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize(
    "query", ["jane@example.com", "198.51.100.9", "+49 30 1234567", "DE89 3704 0044 0532 0130 00"]
)
def test_an_exact_identifier_is_an_indexed_lookup(hr, people, query):
    if connection.vendor != "sqlite":
        pytest.skip("the plan's wording is SQLite's")
    plan = _plan(selectors.case_list(hr, search=query))
    # Driven from the identifiers' indexes, then each case by its candidate: no table scan.
    assert not [line for line in plan.splitlines() if line.startswith("SCAN")], plan


def test_a_domain_finds_every_address_there(hr, people):
    assert found(hr, "example.com") == ["Jane Doe"]
    assert found(hr, "@gmail.com") == ["Yi Min-ho"]


def test_name_search_indexes_on_postgresql_never_leave_entries_for_later(hr, people):
    """A name search reads the trigram indexes whole: entries waiting in a GIN index's pending
    list (100,000 of them after a bulk import) would be read one by one on every search."""
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'cases_candidate_%%_trgm'"
        )
        options = dict(cursor.fetchall())
    assert sorted(options) == ["cases_candidate_aliases_trgm", "cases_candidate_legal_name_trgm"]
    assert all(value == ["fastupdate=off"] for value in options.values()), options
    assert found(hr, "min-ho") == ["Yi Min-ho"]


def test_a_search_finding_many_candidates_finds_them_all(hr, people, open_case, monkeypatch):
    """Up to SEARCH_IDS_READ_FIRST matches filter the cases by their ids, more by the search
    itself: either way the same cases."""
    open_case(legal_name="Jane Roe", emails=["roe@example.com"])
    with_ids = found(hr, "example.com")
    assert isinstance(selectors.searched_candidates("example.com"), list)
    monkeypatch.setattr(selectors, "SEARCH_IDS_READ_FIRST", 1)
    assert not isinstance(selectors.searched_candidates("example.com"), list)
    assert found(hr, "example.com") == with_ids == ["Jane Roe", "Jane Doe"]
