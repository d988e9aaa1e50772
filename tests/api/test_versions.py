"""ETag and If-Match on answers and candidate facts (issue 11): a stale If-Match is a 409 with
the current value; no If-Match keeps the old behaviour."""

import pytest

from cases.models import Candidate, ChecklistAnswer


def answer_url(case, code="RF-2023-01"):
    return f"/api/v1/cases/{case.reference}/answers/{code}/"


def candidate_url(case):
    return f"/api/v1/cases/{case.reference}/candidate/"


def test_an_answer_carries_its_version_as_etag_and_in_its_body(hr_api, open_case):
    case = open_case()
    shown = hr_api.get(answer_url(case))
    assert shown["ETag"] == '"1"' and shown.json()["version"] == 1
    saved = hr_api.patch(
        answer_url(case), {"value": "unknown"}, format="json", HTTP_IF_MATCH=shown["ETag"]
    )
    assert saved.status_code == 200
    assert saved["ETag"] == '"2"' and saved.json()["version"] == 2
    listed = hr_api.get(f"/api/v1/cases/{case.reference}/answers/").json()
    assert listed[0]["version"] == 2


def test_a_stale_if_match_on_an_answer_is_a_409_with_the_current_answer(hr_api, open_case):
    case = open_case()
    hr_api.patch(answer_url(case), {"value": "observed", "note": "Seen."}, format="json")
    stale = hr_api.patch(
        answer_url(case), {"value": "not_observed"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 409
    body = stale.json()
    assert "Someone else saved the answer to RF-2023-01" in body["detail"]
    assert (body["current"]["value"], body["current"]["note"]) == ("observed", "Seen.")
    assert body["current"]["version"] == 2 and stale["ETag"] == '"2"'
    assert ChecklistAnswer.objects.get(case=case, item__code="RF-2023-01").value == "observed"


@pytest.mark.parametrize("header", ['W/"1"', "1", "*"])
def test_weak_bare_and_star_if_match_are_understood(hr_api, open_case, header):
    case = open_case()
    saved = hr_api.patch(
        answer_url(case), {"value": "unknown"}, format="json", HTTP_IF_MATCH=header
    )
    assert saved.status_code == 200


@pytest.mark.parametrize("header", ['"abc"', '"1", "2"', "-1", '"' + "9" * 40 + '"', "W/"])
def test_an_if_match_that_is_no_etag_is_a_400(hr_api, open_case, header):
    case = open_case()
    refused = hr_api.patch(
        answer_url(case), {"value": "unknown"}, format="json", HTTP_IF_MATCH=header
    )
    assert refused.status_code == 400
    assert "If-Match" in refused.json()["detail"]


def test_without_if_match_a_change_is_saved_as_before(hr_api, open_case):
    case = open_case()
    hr_api.patch(answer_url(case), {"value": "observed", "note": "x"}, format="json")
    assert hr_api.patch(answer_url(case), {"value": "unknown"}, format="json").status_code == 200


def test_candidate_facts_have_an_etag_and_a_stale_if_match_is_a_409(hr_api, open_case):
    case = open_case(emails=["a@example.com"])
    shown = hr_api.get(candidate_url(case))
    assert shown["ETag"] == '"1"' and shown.json()["version"] == 1
    first = hr_api.patch(
        candidate_url(case), {"claimed_city": "Seoul"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert first.status_code == 200 and first["ETag"] == '"2"'
    second = hr_api.patch(candidate_url(case), {"emails": []}, format="json", HTTP_IF_MATCH='"1"')
    assert second.status_code == 409
    body = second.json()
    assert "the candidate facts" in body["detail"]
    assert body["current"]["claimed_city"] == "Seoul"
    assert body["current"]["emails"][0]["value"] == "a@example.com"
    assert Candidate.objects.get(pk=case.candidate_id).contacts.count() == 1


def test_the_case_detail_shows_the_versions(hr_api, open_case):
    case = open_case()
    detail = hr_api.get(f"/api/v1/cases/{case.reference}/").json()
    assert detail["candidate"]["version"] == 1


@pytest.mark.parametrize(
    "lists",
    [
        {"profiles": []},
        {"history": []},
        {"emails": [], "phones": [], "ip_addresses": []},
        {"aliases": []},
    ],
)
def test_sending_an_empty_list_clears_it(hr_api, open_case, lists):
    case = open_case(
        aliases=["J"],
        emails=["a@example.com"],
        phones=["+1 206 555 0100"],
        ip_addresses=["8.8.8.8"],
        profiles=[
            {"kind": "github", "url_or_handle": "jd"},
            {"kind": "telegram", "url_or_handle": "@jd"},
        ],
        history=[{"kind": "employment", "organisation": "Acme"}],
    )
    response = hr_api.patch(candidate_url(case), lists, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    for name in lists:
        assert body[name] == []
    again = hr_api.get(candidate_url(case)).json()
    for name in lists:
        assert again[name] == []
