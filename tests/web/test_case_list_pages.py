"""The case list reads page by page from a cursor (issue 12): a page costs the same at any
depth, every case appears exactly once walking forward and back (ties on the time included),
the filters and the search stay on every link, the owner filter asks one EXISTS per user, and
the rows read nothing the list does not show."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import crypto, selectors
from cases.models import Case
from common import web
from tests.helpers import open_cases, submit_all
from tests.query_counts import assert_pinned_queries

pytestmark = pytest.mark.django_db


def same_time(cases, at=None) -> None:
    """Give the cases one opening time, so that only their ids order them."""
    at = at or timezone.now() - datetime.timedelta(days=1)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(created_at=at)


def link(response, rel: str) -> str | None:
    """The page's `rel` ("next", "prev") link as the browser follows it, or None."""
    found = re.search(rf'<a href="([^"]*)" rel="{rel}"', response.content.decode())
    return unescape(found.group(1)) if found else None


def shown(response) -> list[str]:
    return [case.reference for case in response.context["page"].object_list]


def walk(client, first_url: str, rel: str, start=None) -> tuple[list[list[str]], object]:
    """Follow the `rel` links from `first_url`: the references of each page, and the last
    response."""
    response = start or client.get(first_url)
    pages = [shown(response)]
    while (href := link(response, rel)) is not None:
        assert href.startswith("?")
        response = client.get(reverse("case_list") + href)
        assert response.status_code == 200
        pages.append(shown(response))
    return pages, response


def test_walking_forward_and_back_shows_every_case_once_in_order(client, hr, open_case):
    cases = open_cases(open_case, 60)
    same_time(cases[10:40])  # thirty cases opened at the same moment: the id breaks the tie
    client.force_login(hr)

    forward, last = walk(client, reverse("case_list"), "next")
    expected = list(selectors.case_list(hr).values_list("reference", flat=True))
    assert [len(page) for page in forward] == [25, 25, 10]
    assert [ref for page in forward for ref in page] == expected
    assert sorted(expected) == sorted(c.reference for c in cases)

    backward, first = walk(client, "", "prev", start=last)
    assert backward == forward[::-1]
    assert not first.context["page"].has_previous
    assert first.context["page"].has_next


def test_the_links_keep_the_filters_and_the_search(client, hr, reviewer, open_case):
    matching = open_cases(open_case, 30, legal_name="Kim Cheol-su")
    others = open_cases(open_case, 5, legal_name="Jane Roe")
    submit_all(matching[:27] + others, reviewer)  # 27 submitted Kims, 3 Kims still drafts
    same_time(matching[5:20])
    client.force_login(hr)
    query = "?q=Kim&status=submitted"

    forward, last = walk(client, reverse("case_list") + query, "next")
    for page in forward:
        assert page
    assert "q=Kim" in link(last, "prev") and "status=submitted" in link(last, "prev")
    found = [ref for page in forward for ref in page]
    assert sorted(found) == sorted(c.reference for c in matching[:27])
    backward, _first = walk(client, "", "prev", start=last)
    assert backward == forward[::-1]


def test_a_page_keeps_its_place_when_cases_are_opened_meanwhile(client, hr, open_case):
    open_cases(open_case, 30)
    client.force_login(hr)
    first = client.get(reverse("case_list"))
    open_cases(open_case, 3)  # newer: on top of the list, not pushing rows onto page 2
    second = client.get(reverse("case_list") + link(first, "next"))
    assert len(shown(second)) == 5
    assert not set(shown(first)) & set(shown(second))


def keyset(queryset, size: int, **params):
    request = RequestFactory().get("/", params)
    return web.keyset_page(request, queryset, selectors.CASE_LIST_ORDER, size=size)


def test_pages_of_any_size_cover_the_list_once_with_ties(hr, open_case):
    cases = open_cases(open_case, 11)
    same_time(cases[2:9])
    expected = list(selectors.case_list(hr))
    for size in (1, 2, 3, 4, 11, 12):
        page, seen = keyset(selectors.case_list(hr), size), []
        while True:
            seen += page.object_list
            if not page.has_next:
                break
            page = keyset(selectors.case_list(hr), size, after=page.next_cursor)
        assert seen == expected, size
        back = []
        while True:
            back = page.object_list + back
            if not page.has_previous:
                break
            page = keyset(selectors.case_list(hr), size, before=page.previous_cursor)
        assert back == expected, size


@pytest.mark.parametrize("cursor", ["not-a-cursor", "W10", "WzEsMl0", "bnVsbA", "%%%"])
def test_a_cursor_that_is_not_one_shows_the_first_page(client, hr, open_case, cursor):
    open_cases(open_case, 3)
    client.force_login(hr)
    for name in ("after", "before"):
        response = client.get(reverse("case_list"), {name: cursor})
        assert response.status_code == 200
        assert len(shown(response)) == 3


def test_the_count_is_exact_up_to_a_limit_and_a_lower_bound_above_it(
    client, hr, open_case, monkeypatch
):
    open_cases(open_case, 7)
    client.force_login(hr)
    assert "7 cases" in client.get(reverse("case_list")).content.decode()
    monkeypatch.setattr(web, "COUNT_LIMIT", 5)
    response = client.get(reverse("case_list"))
    assert response.context["page"].count == 5
    assert response.context["page"].count_is_lower_bound
    assert "More than 5 cases, newest first" in response.content.decode()
    with CaptureQueriesContext(connection) as captured:
        keyset(selectors.case_list(hr), 2)
    [count] = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert "LIMIT 6" in count.upper()  # counted over at most COUNT_LIMIT + 1 rows


def test_the_opening_date_filters_include_both_days(client, hr, open_case):
    old, middle, new = open_cases(open_case, 3)
    today = timezone.localdate()
    for case, days in ((old, 3), (middle, 2), (new, 1)):
        at = timezone.make_aware(datetime.datetime.combine(today, datetime.time(23, 59)))
        Case.objects.filter(pk=case.pk).update(created_at=at - datetime.timedelta(days=days))
    day = today - datetime.timedelta(days=2)
    found = selectors.case_list(hr, created_from=day)
    assert {c.reference for c in found} == {middle.reference, new.reference}
    found = selectors.case_list(hr, created_from=day, created_to=day)
    assert [c.reference for c in found] == [middle.reference]
    found = selectors.case_list(hr, created_to=day)
    assert {c.reference for c in found} == {old.reference, middle.reference}


# ---------------------------------------------------------------- owner filter


def test_the_owner_filter_lists_owners_by_exists_and_shows_only_theirs(
    client, hr, hr2, reviewer, open_case
):
    mine = open_cases(open_case, 3)
    theirs = [open_case(actor=hr2) for _ in range(2)]
    client.force_login(reviewer)  # owns no case: not offered
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("case_list"), {"owner": "henry"})
    choices = [value for value, _label in response.context["form"].fields["owner"].choices]
    assert choices == ["", "hana", "henry"]
    [owners_sql] = [q["sql"] for q in captured.captured_queries if "EXISTS" in q["sql"].upper()]
    assert "DISTINCT" not in owners_sql.upper()
    assert sorted(shown(response)) == sorted(c.reference for c in theirs)
    assert not set(shown(response)) & {c.reference for c in mine}


# ---------------------------------------------------------------- what a row reads


def test_the_list_decrypts_and_decodes_nothing_it_does_not_show(
    client, hr, reviewer, open_case, monkeypatch
):
    cases = open_cases(
        open_case, 4, account_number="DE89 3704 0044 0532 0130 00", identity_document_number="X1"
    )
    submit_all(cases[:2], reviewer)
    Case.objects.filter(pk=cases[0].pk).update(risk_snapshot={"level": "low", "score": "1"})
    decrypted = []
    real_decrypt = crypto.decrypt
    monkeypatch.setattr(
        crypto, "decrypt", lambda token: decrypted.append(token) or real_decrypt(token)
    )
    client.force_login(reviewer)
    for url in (reverse("case_list"), reverse("review_queue"), "/"):
        response = client.get(url)
        assert response.status_code == 200
    assert decrypted == []
    rows = client.get(reverse("case_list")).context["page"].object_list
    for case in rows:
        assert {"risk_snapshot", "decision_note"} <= case.get_deferred_fields()
        assert {"account_number", "identity_document_number", "aliases"} <= (
            case.candidate.get_deferred_fields()
        )
    assert {case.risk_level for case in rows} == {"low", ""}  # the level, from its column


def test_the_api_list_decrypts_nothing(hr, open_case, monkeypatch):
    from tests.api.conftest import token_client

    open_cases(open_case, 3, account_number="DE89 3704 0044 0532 0130 00")
    monkeypatch.setattr(crypto, "decrypt", lambda token: pytest.fail("decrypted"))
    body = token_client(hr).get("/api/v1/cases/").json()
    assert len(body["results"]) == 3
    assert {"candidate_name", "claimed_country", "catalog_version"} <= set(body["results"][0])


# ---------------------------------------------------------------- queries


def load(client, path: str, pin: str):
    client.get(path)  # warm per-process caches
    with assert_pinned_queries(pin):
        response = client.get(path)
    assert response.status_code == 200
    return response


def test_a_first_and_a_next_page_run_the_same_queries_for_30_and_60_cases(client, hr, open_case):
    client.force_login(hr)
    for total in (30, 60):
        open_cases(open_case, total - Case.objects.count())
        for name, query in (("", ""), (".search", "?q=example.com&status=draft")):
            first = load(client, reverse("case_list") + query, f"page.case_list{name}")
            assert len(shown(first)) == 25
            following = reverse("case_list") + link(first, "next")
            second = load(client, following, f"page.case_list{name}.next")
            assert len(shown(second)) == min(25, total - 25)


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan's wording is SQLite's")
def test_the_list_and_the_queue_are_read_in_index_order(hr, reviewer, open_case):
    cases = open_cases(open_case, 4)
    submit_all(cases[:2], reviewer)
    page = selectors.list_rows(selectors.case_list(hr))[:26]
    assert "case_newest_idx" in explain(page)
    assert "TEMP B-TREE" not in explain(page)
    by_status = selectors.list_rows(selectors.case_list(hr, status="draft"))[:26]
    assert "case_status_newest_idx" in explain(by_status)
    assert "TEMP B-TREE" not in explain(by_status)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a partial index: PostgreSQL's plan")
def test_waiting_longest_is_the_first_rows_of_the_queue_index(reviewer, open_case):
    submit_all(open_cases(open_case, 4), reviewer)
    sql, params = selectors.list_rows(selectors.review_queue(reviewer))[:5].query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows would be read whole; at scale the planner prefers the index. Here:
        # that the queue's order and conditions can come from it, with no sort.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_review_queue_idx" in plan, plan
    assert "Sort" not in plan, plan


def test_the_review_queue_is_read_by_keyset_too_longest_waiting_first(client, reviewer, open_case):
    cases = open_cases(open_case, 30)
    submit_all(cases, None)  # all submitted at one moment: the id orders them
    client.force_login(reviewer)
    pages, last = [], client.get(reverse("review_queue"), {"show": "unassigned"})
    pages.append(shown(last))
    while (href := link(last, "next")) is not None:
        assert "show=unassigned" in href
        last = client.get(reverse("review_queue") + href)
        pages.append(shown(last))
    assert [len(page) for page in pages] == [25, 5]
    assert [ref for page in pages for ref in page] == [c.reference for c in cases]
