"""List endpoints run a fixed number of queries, whatever the number of rows shown."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.services import record_event
from cases import services
from tests.api.conftest import PDF_BYTES
from tests.helpers import open_cases, submit_all


def query_count(api, url: str, expected_rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) == expected_rows
    return len(queries)


LISTS = {
    "cases": "/api/v1/cases/?page_size=100",
    "search": "/api/v1/cases/?page_size=100&search=example.com&status=submitted",
    "review queue": "/api/v1/review-queue/?page_size=100",
    "candidates": "/api/v1/candidates/?page_size=100",
}


@pytest.mark.parametrize("name", LISTS)
def test_case_lists_use_the_same_queries_for_5_and_50_rows(
    name, hr_api, open_case, reviewer, django_assert_num_queries
):
    url = LISTS[name]
    first = open_cases(open_case, 5)
    submit_all(first, reviewer)
    with_five = query_count(hr_api, url, 5)
    submit_all(open_cases(open_case, 45), reviewer)
    with django_assert_num_queries(with_five):
        hr_api.get(url)
    assert query_count(hr_api, url, 50) == with_five


def test_evidence_and_history_lists_do_not_grow_with_rows(hr_api, open_case, hr):
    case = open_case()
    ref = case.reference

    def add_evidence(count):
        for i in range(count):
            services.upload_evidence(
                hr, case, SimpleUploadedFile(f"{i}.pdf", PDF_BYTES), f"e{i}", ["RF-2023-01"]
            )

    def add_events(count):
        for i in range(count):
            record_event(
                actor=hr, action="test.note", obj=case, case_reference=ref, summary=f"n{i}"
            )

    add_evidence(5)
    evidence_five = query_count(hr_api, f"/api/v1/cases/{ref}/evidence/", 5)
    add_evidence(45)
    assert query_count(hr_api, f"/api/v1/cases/{ref}/evidence/", 50) == evidence_five

    history_url = f"/api/v1/cases/{ref}/history/?page_size=200"
    before = len(hr_api.get(history_url).json()["results"])
    add_events(5)
    history_few = query_count(hr_api, history_url, before + 5)
    add_events(45)
    assert query_count(hr_api, history_url, before + 50) == history_few


def test_case_list_query_count_is_small(hr_api, open_case, django_assert_max_num_queries):
    open_cases(open_case, 5)
    # Token, the caller's roles, the page of cases (with progress counted in the same query).
    with django_assert_max_num_queries(3):
        hr_api.get("/api/v1/cases/")
