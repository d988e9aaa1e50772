"""List endpoints run a fixed number of queries, whatever the number of rows shown: each runs
its pinned count (tests/query_counts.json) at two sizes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.services import record_event
from cases import services
from tests.api.conftest import PDF_BYTES
from tests.helpers import open_cases, submit_all
from tests.query_counts import assert_pinned_queries


def get_rows(api, url: str, pin: str) -> list:
    with assert_pinned_queries(pin):
        response = api.get(url)
    assert response.status_code == 200
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


LISTS = {
    # Token, the caller's roles, the page of cases (with progress counted in the same query).
    "cases": "/api/v1/cases/?page_size=100",
    "search": "/api/v1/cases/?page_size=100&search=example.com&status=submitted",
    "review queue": "/api/v1/review-queue/?page_size=100",
    "candidates": "/api/v1/candidates/?page_size=100",
}


@pytest.mark.parametrize("name", LISTS)
def test_case_lists_use_the_same_queries_for_5_and_50_rows(name, hr_api, open_case, reviewer):
    pin = "api." + name.replace(" ", "_")
    submit_all(open_cases(open_case, 5), reviewer)
    assert len(get_rows(hr_api, LISTS[name], pin)) == 5
    submit_all(open_cases(open_case, 45), reviewer)
    assert len(get_rows(hr_api, LISTS[name], pin)) == 50


def test_evidence_and_history_lists_do_not_grow_with_rows(hr_api, open_case, hr):
    case = open_case()
    ref = case.reference

    def add_evidence(count):
        for i in range(count):
            upload = SimpleUploadedFile(f"{i}.pdf", PDF_BYTES)
            services.upload_evidence(
                hr, case, upload, description=f"e{i}", answer_codes=["RF-2023-01"]
            )

    def add_events(count):
        for i in range(count):
            record_event(
                actor=hr, action="test.note", obj=case, case_reference=ref, summary=f"n{i}"
            )

    add_evidence(5)
    assert len(get_rows(hr_api, f"/api/v1/cases/{ref}/evidence/", "api.evidence")) == 5
    add_evidence(45)
    assert len(get_rows(hr_api, f"/api/v1/cases/{ref}/evidence/", "api.evidence")) == 50

    history_url = f"/api/v1/cases/{ref}/history/?page_size=200"
    before = len(hr_api.get(history_url).json()["results"])
    add_events(5)
    assert len(get_rows(hr_api, history_url, "api.history")) == before + 5
    add_events(45)
    assert len(get_rows(hr_api, history_url, "api.history")) == before + 50


def test_history_runs_the_same_queries_for_a_small_and_a_busy_case(hr_api, case_in_review):
    changes = []
    for size in (1, 5):
        ref = case_in_review(size).reference
        entries = get_rows(hr_api, f"/api/v1/cases/{ref}/history/?page_size=200", "api.history")
        changes.append(sum(len(group["fields"]) for e in entries for group in e["changes"]))
    assert changes[0] > 26 and changes[1] > changes[0]


def test_the_comment_list_does_not_grow_with_comments(hr_api, open_case, hr, reviewer):
    case = open_case()
    url = f"/api/v1/cases/{case.reference}/comments/?page_size=100"
    for total in (2, 20):
        while case.comments.count() < total:
            services.post_comment(hr, case, "Look at this, @riley.")
        assert len(get_rows(hr_api, url, "api.comments")) == total
