"""Bad input never gives a 500, and every API error body is JSON (issue 11): deeply nested or
too large JSON, unknown addresses, wrong methods and crashes under /api/."""

import json

import pytest

from cases import api as case_api
from cases.models import Candidate
from common.api import MAX_JSON_DEPTH, json_depth


def _candidate_url(case):
    return f"/api/v1/cases/{case.reference}/candidate/"


def _is_json_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    return body["detail"]


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 999, 2000, 100_000])
def test_deeply_nested_json_is_a_400_that_says_so_and_changes_nothing(hr_api, open_case, levels):
    case = open_case()
    body = '{"legal_name": ' + "[" * levels + "]" * levels + "}"
    response = hr_api.generic("PATCH", _candidate_url(case), body, content_type="application/json")
    assert "nested too deeply" in _is_json_error(response, 400)
    assert Candidate.objects.get(pk=case.candidate_id).legal_name == "Jane Doe"


def test_json_nested_as_deep_as_allowed_reaches_the_validation(hr_api, open_case):
    case = open_case()
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    response = hr_api.generic(
        "PATCH", _candidate_url(case), '{"aliases": ' + nested + "}", "application/json"
    )
    assert response.status_code == 400
    assert "aliases" in response.json()


def test_deep_json_is_refused_on_every_json_endpoint(hr_api, open_case):
    case = open_case()
    deep = "[" * 5000 + "]" * 5000
    for url in (
        "/api/v1/cases/",
        f"/api/v1/cases/{case.reference}/answers/RF-2023-01/",
        f"/api/v1/cases/{case.reference}/actions/submit/",
    ):
        method = "PATCH" if "answers" in url else "POST"
        response = hr_api.generic(method, url, deep, content_type="application/json")
        _is_json_error(response, 400)


def test_json_depth_counts_lists_and_objects():
    assert json_depth("x") == 0
    assert json_depth({"a": [1, {"b": []}]}) == 4
    assert json_depth([[[[]]]]) == 4


def test_a_body_over_the_size_limit_is_a_413_with_a_json_body(hr_api, open_case, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    case = open_case()
    body = json.dumps({"legal_name": "x" * 2000})
    response = hr_api.generic("PATCH", _candidate_url(case), body, "application/json")
    assert "too large" in _is_json_error(response, 413)


def test_an_unknown_api_address_is_a_json_404(hr_api, db):
    assert _is_json_error(hr_api.get("/api/v1/no-such-thing/"), 404)
    assert _is_json_error(hr_api.get("/api/nothing"), 404)


def test_an_unknown_page_is_still_the_html_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_endpoint_does_not_take_is_a_json_405(hr_api, open_case):
    case = open_case()
    _is_json_error(hr_api.delete(_candidate_url(case)), 405)
    _is_json_error(hr_api.put(f"/api/v1/cases/{case.reference}/", {}, format="json"), 405)


def test_a_crash_under_api_is_a_json_500(hr_api, open_case, monkeypatch):
    case = open_case()

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(case_api.CaseDetail, "get", crash)
    hr_api.raise_request_exception = False
    detail = _is_json_error(hr_api.get(f"/api/v1/cases/{case.reference}/"), 500)
    assert "boom" not in detail


def test_database_connections_are_health_checked_before_reuse(settings):
    """After a database restart a kept connection is replaced, not reused to fail a request."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_a_huge_list_under_the_size_limit_is_a_400_naming_the_field(hr_api, open_case):
    case = open_case()
    body = json.dumps({"emails": [f"e{n}@example.com" for n in range(50_000)]})
    response = hr_api.generic("PATCH", _candidate_url(case), body, "application/json")
    assert response.status_code == 400
    assert "emails" in response.json()
