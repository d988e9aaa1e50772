"""Pages run a fixed number of queries, whatever the amount of data they show.

Each page is loaded at two sizes and runs its pinned number of queries (tests/query_counts.json)
at both: a query per row or per changed record fails here.
"""

import pytest
from django.urls import reverse

from cases import selectors, services
from tests.helpers import open_cases, submit_all
from tests.query_counts import assert_pinned_queries

pytestmark = pytest.mark.django_db


def load(client, path: str, pin: str):
    client.get(path)  # warm per-process caches, so both sizes are measured alike
    with assert_pinned_queries(pin):
        response = client.get(path)
    assert response.status_code == 200
    return response


def add_cases(open_case, reviewer, count: int) -> None:
    """`count` cases: a third draft, a third waiting for a reviewer, a third assigned."""
    cases = open_cases(open_case, count)
    submit_all(cases[count // 3 : 2 * count // 3], None)
    submit_all(cases[2 * count // 3 :], reviewer)


@pytest.mark.parametrize("role", ["hr", "reviewer", "compliance"])
def test_the_dashboard_runs_the_same_queries_for_3_and_30_cases(
    client, role_users, open_case, reviewer, role
):
    client.force_login(role_users[role])
    add_cases(open_case, reviewer, 3)
    load(client, "/", f"page.dashboard.{role}")
    add_cases(open_case, reviewer, 27)
    load(client, "/", f"page.dashboard.{role}")


@pytest.mark.parametrize("name", ["case_list", "review_queue"])
def test_case_lists_run_the_same_queries_for_3_and_30_cases(client, reviewer, open_case, name):
    client.force_login(reviewer)
    add_cases(open_case, reviewer, 3)
    load(client, reverse(name), f"page.{name}")
    add_cases(open_case, reviewer, 27)
    load(client, reverse(name), f"page.{name}")


@pytest.mark.parametrize("name", ["case_detail", "case_review", "case_history"])
def test_case_pages_run_the_same_queries_for_a_small_and_a_busy_case(
    client, reviewer, case_in_review, name
):
    client.force_login(reviewer)
    for size in (1, 5):
        case = case_in_review(size)
        load(client, reverse(name, args=[case.reference]), f"page.{name}")


def test_the_history_page_runs_the_same_queries_for_2_and_25_answers(client, hr, open_case):
    client.force_login(hr)
    for answered in (2, 25):
        case = open_case()
        for answer in selectors.answers_for(case)[:answered]:
            value = "unknown" if answer.item.is_red_flag else "not_applicable"
            services.answer_item(hr, case, answer.item.code, value, "Not known yet")
        load(client, reverse("case_history", args=[case.reference]), "page.case_history")


FORWARDER = "Jane Doe\n4283 Express Lane\nSuite 512-118\nSarasota, FL 34238\nUSA"


def case_with_findings(open_case, size: int):
    """A case with one high finding suggesting an answer (size 1), or with critical, high and
    medium ones, several suggesting answers (size > 1); both have the same kinds of facts."""
    bad_ips = [f"175.45.176.{n}" for n in range(1, size)]
    return open_case(
        claimed_country="US",
        shipping_address=FORWARDER,
        routing_number="026073151" if size > 1 else "021000021",
        ip_addresses=bad_ips or ["8.8.8.8"],
    )


@pytest.mark.parametrize("name", ["case_detail", "case_checklist", "case_review"])
@pytest.mark.parametrize("role", ["hr", "reviewer"])
def test_case_pages_run_the_same_queries_for_one_and_many_findings(
    client, role_users, open_case, name, role
):
    client.force_login(role_users[role])
    cases = {size: case_with_findings(open_case, size) for size in (1, 6)}
    for size, case in cases.items():
        assert case.findings.count() >= size
        load(client, reverse(name, args=[case.reference]), f"page.{name}.findings.{role}")


def test_the_checklist_and_catalogues_pages_run_the_same_queries_for_one_and_two_catalogues(
    client, hr, open_case, tmp_path
):
    from tests.cases.catalogues import supplement

    client.force_login(hr)
    one = open_case()
    supplement(tmp_path)
    two, upgraded = open_case(), open_case()
    services.answer_item(hr, upgraded, "PH-S-01", "observed", "Seen")
    services.upgrade_catalogues(hr, upgraded, supplements=["2022-05"])  # PH-S-01 left behind
    assert selectors.earlier_answers(upgraded).exists()
    for case in (one, two, upgraded):
        load(client, reverse("case_checklist", args=[case.reference]), "page.case_checklist")
        load(client, reverse("case_catalogues", args=[case.reference]), "page.case_catalogues")


def test_the_comments_page_runs_the_same_queries_for_one_and_many_comments(
    client, hr, reviewer, compliance, open_case
):
    client.force_login(hr)
    for count in (1, 8):
        case = open_case()
        for n in range(count):
            comment = services.post_comment(hr, case, f"Note {n} for @riley and @chris")
            services.edit_comment(hr, comment, f"Note {n}, edited, for @riley")
        load(client, reverse("case_comments", args=[case.reference]), "page.case_comments")
