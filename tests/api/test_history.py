"""The history endpoint returns the timeline the history page shows."""

import datetime

import pytest
from django.urls import reverse

from cases import services
from cases.models import Candidate

pytestmark = pytest.mark.django_db


def page_entries(client, case, **params) -> list[tuple]:
    response = client.get(reverse("case_history", args=[case.reference]), params)
    assert response.status_code == 200
    return [
        (
            entry.event_id,
            entry.at,
            entry.who,
            entry.action,
            entry.summary,
            [
                (record, [(c.label, c.old, c.new) for c in fields])
                for record, fields in entry.changes
            ],
        )
        for entry in response.context["timeline"]
    ]


def api_entries(body) -> list[tuple]:
    return [
        (
            entry["event"],
            datetime.datetime.fromisoformat(entry["at"]),
            entry["who"],
            entry["action"],
            entry["summary"],
            [
                (group["record"], [(f["field"], f["old"], f["new"]) for f in group["fields"]])
                for group in entry["changes"]
            ],
        )
        for entry in body["results"]
    ]


def test_the_api_and_the_page_show_the_same_history_page_by_page(
    client, reviewer, reviewer_api, case_in_review
):
    case = case_in_review(2)
    candidate = Candidate.objects.get(pk=case.candidate_id)
    candidate.claimed_city = "Changed in a data migration"
    candidate.save()  # a change no audit event claims
    services.perform_action(reviewer, case, "return", note="Check the city")
    case_in_review(1)  # another case's history stays out
    client.force_login(reviewer)

    first = reviewer_api.get(f"/api/v1/cases/{case.reference}/history/").json()
    second = reviewer_api.get(first["next"]).json()
    assert api_entries(first) == page_entries(client, case)
    assert api_entries(second) == page_entries(client, case, page=2)
    assert len([entry for entry in first["results"] if entry["event"]]) == 25  # as the page
    everything = api_entries(first) + api_entries(second)
    assert [summary for event, _, _, _, summary, _ in everything if event is None] == [
        "Recorded change"
    ]
    assert sum(len(changes) for *_, changes in everything) > 26


def test_the_history_endpoint_filters_by_person_like_the_page(
    client, hr, reviewer_api, case_in_review
):
    case = case_in_review(1)
    client.force_login(hr)
    body = reviewer_api.get(f"/api/v1/cases/{case.reference}/history/?who=riley").json()
    assert {entry["who"] for entry in body["results"]} == {"riley"}
    assert api_entries(body) == page_entries(client, case, who="riley")


def test_a_too_long_person_filter_is_a_400_with_a_field_message(reviewer_api, open_case):
    case = open_case()
    response = reviewer_api.get(f"/api/v1/cases/{case.reference}/history/?who={'x' * 151}")
    assert response.status_code == 400
    assert "who" in response.json()
