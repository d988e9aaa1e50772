"""PATCH /api/v1/cases/{reference}/answers/: several answers in one request (issue 14), each
as PATCH on one answer would, refusals reported per item code."""

from audit.models import AuditEvent
from cases import services
from cases.models import ChecklistAnswer


def _url(case):
    return f"/api/v1/cases/{case.reference}/answers/"


def _value(case, code):
    return ChecklistAnswer.objects.get(case=case, item__code=code).value


def test_several_answers_are_saved_in_one_request(hr_api, open_case):
    case = open_case()
    body = {
        "answers": [
            {"item": "RF-2023-01", "value": "observed", "note": "Camera off.", "version": 1},
            {"item": "RF-2023-02", "value": "not_observed", "version": 1},
            {"item": "DD-2023-01", "value": "completed"},
        ]
    }
    response = hr_api.patch(_url(case), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert [a["item"]["code"] for a in data["saved"]] == ["RF-2023-01", "RF-2023-02", "DD-2023-01"]
    assert data["saved"][0]["version"] == 2 and data["saved"][0]["note"] == "Camera off."
    assert data["errors"] == {} and data["conflicts"] == {} and data["unchanged"] == []
    assert AuditEvent.objects.filter(action="answer.recorded").count() == 3
    again = hr_api.patch(_url(case), body | {"answers": body["answers"][1:]}, format="json")
    assert again.status_code == 200
    assert [a["item"]["code"] for a in again.json()["unchanged"]] == ["RF-2023-02", "DD-2023-01"]
    assert AuditEvent.objects.filter(action="answer.recorded").count() == 3


def test_refused_items_are_a_400_with_errors_per_item_and_the_valid_ones_saved(hr_api, open_case):
    case = open_case()
    body = {
        "answers": [
            {"item": "RF-2023-01", "value": "observed"},
            {"item": "RF-2023-02", "value": "unknown"},
            {"item": "DD-2023-01", "value": "observed"},
            {"item": "NOPE-1", "value": "unknown"},
        ]
    }
    response = hr_api.patch(_url(case), body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert sorted(data["errors"]) == ["DD-2023-01", "NOPE-1", "RF-2023-01"]
    assert "A note is required" in data["errors"]["RF-2023-01"]["note"][0]
    assert "completed, adverse" in data["errors"]["DD-2023-01"]["value"][0]
    assert list(data["errors"]["NOPE-1"]) == ["item"]
    assert [a["item"]["code"] for a in data["saved"]] == ["RF-2023-02"]
    assert (_value(case, "RF-2023-01"), _value(case, "RF-2023-02")) == ("", "unknown")


def test_an_answer_changed_since_its_version_is_a_409_conflict_with_the_stored_answer(
    hr_api, open_case, hr2
):
    case = open_case()
    services.answer_item(hr2, case, "RF-2023-01", "observed", "Seen.", expected_version=1)
    body = {
        "answers": [
            {"item": "RF-2023-01", "value": "not_observed", "version": 1},
            {"item": "RF-2023-02", "value": "not_observed", "version": 1},
        ]
    }
    response = hr_api.patch(_url(case), body, format="json")
    assert response.status_code == 409
    conflict = response.json()["conflicts"]["RF-2023-01"]
    assert "Someone else saved the answer to RF-2023-01" in conflict["detail"]
    assert conflict["current"]["value"] == "observed" and conflict["current"]["version"] == 2
    assert (_value(case, "RF-2023-01"), _value(case, "RF-2023-02")) == (
        "observed",
        "not_observed",
    )


def test_a_malformed_body_is_a_400_and_saves_nothing(hr_api, open_case):
    case = open_case()
    for body in ({}, {"answers": []}, {"answers": [{"value": "unknown"}]}, {"answers": "x"}):
        response = hr_api.patch(_url(case), body, format="json")
        assert response.status_code == 400, body
        assert "answers" in response.json()
    too_many = {"answers": [{"item": "RF-2023-01", "value": "unknown"}] * 201}
    assert hr_api.patch(_url(case), too_many, format="json").status_code == 400
    assert not ChecklistAnswer.objects.filter(case=case).exclude(value="").exists()


def test_only_hr_may_answer_several_items(reviewer_api, open_case):
    case = open_case()
    body = {"answers": [{"item": "RF-2023-01", "value": "unknown"}]}
    assert reviewer_api.patch(_url(case), body, format="json").status_code == 403
    assert _value(case, "RF-2023-01") == ""


def test_the_schema_documents_the_bulk_answer(hr_api):
    schema = hr_api.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/cases/{reference}/answers/"]["patch"]
    assert operation["summary"] == "Answer several checklist items at once"
    assert {"200", "400", "409"} <= set(operation["responses"])
