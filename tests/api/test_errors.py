"""Errors a client relies on: 400 with field messages, 403 for a role that may not, 404 (never
403) for objects the caller may not see, 409 for an action the current state does not allow.
Every refused request leaves the data as it was."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import selectors, services
from cases.models import Case, ChecklistAnswer, Evidence
from tests.api.conftest import PDF_BYTES, token_client
from tests.api.test_permissions import MATRIX, PLACEHOLDERS, request_as
from tests.helpers import make_user

# ---------------------------------------------------------------- 400


def test_open_case_without_required_facts_names_each_field(hr_api, catalog):
    response = hr_api.post("/api/v1/cases/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"legal_name", "role_applied_for"}
    assert Case.objects.count() == 0


def test_open_case_with_bad_email_says_which_one_and_saves_nothing(hr_api, catalog):
    response = hr_api.post(
        "/api/v1/cases/",
        {"legal_name": "Kim", "role_applied_for": "Dev", "emails": ["ok@example.com", "nope"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"emails": ["nope is not a valid e-mail address."]}
    assert Case.objects.count() == 0


def test_open_case_with_wrong_types_gets_field_messages(hr_api, catalog):
    response = hr_api.post(
        "/api/v1/cases/",
        {
            "legal_name": "Kim",
            "role_applied_for": "Dev",
            "date_of_birth": "31/12/1990",
            "profiles": [{"kind": "myspace", "url_or_handle": "x"}],
            "history": [{"kind": "employment", "organisation": "A", "start_year": 1800}],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "date_of_birth" in body
    assert "profiles" in body


def test_open_case_with_inactive_catalogue_is_a_field_error(hr_api, catalog):
    response = hr_api.post(
        "/api/v1/cases/",
        {"legal_name": "Kim", "role_applied_for": "Dev", "catalog_version": "1999-01"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["catalog_version"]


def test_history_years_out_of_range_are_reported_by_row(hr_api, catalog):
    response = hr_api.post(
        "/api/v1/cases/",
        {
            "legal_name": "Kim",
            "role_applied_for": "Dev",
            "history": [{"kind": "employment", "organisation": "A", "start_year": 1800}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["history"][0].startswith("Row 1:")


@pytest.mark.parametrize(
    "query, field",
    [
        ("created_from=2026-13-01", "created_from"),
        ("created_to=yesterday", "created_to"),
        ("created_from=2026-05-02&created_to=2026-05-01", "created_to"),
        ("status=lost", "status"),
        ("risk_level=extreme", "risk_level"),
    ],
)
def test_bad_list_filters_get_field_messages(hr_api, catalog, query, field):
    response = hr_api.get(f"/api/v1/cases/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field][0]


def test_answer_with_a_value_of_the_wrong_kind(hr_api, open_case):
    case = open_case()
    response = hr_api.patch(
        f"/api/v1/cases/{case.reference}/answers/RF-2023-01/",
        {"value": "completed"},
        format="json",
    )
    assert response.status_code == 400
    assert "observed, not_observed, unknown" in response.json()["value"][0]


def test_observed_without_a_note_is_refused_and_nothing_is_recorded(hr_api, open_case):
    case = open_case()
    response = hr_api.patch(
        f"/api/v1/cases/{case.reference}/answers/RF-2023-01/",
        {"value": "observed", "note": "  "},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["note"]
    answer = ChecklistAnswer.objects.get(case=case, item__code="RF-2023-01")
    assert answer.value == ""


def test_submitting_with_unanswered_items_is_a_non_field_error(hr_api, open_case):
    case = open_case()
    response = hr_api.post(f"/api/v1/cases/{case.reference}/actions/submit/", {}, format="json")
    assert response.status_code == 400
    message = response.json()["non_field_errors"][0]
    assert "Answer every checklist item" in message
    case.refresh_from_db()
    assert case.status == "draft"


def test_referring_without_a_reason(reviewer_api, answered_case, hr):
    case = answered_case()
    services.perform_action(hr, case, "submit")
    reviewer_api.post(f"/api/v1/cases/{case.reference}/actions/start_review/", {}, format="json")
    response = reviewer_api.post(
        f"/api/v1/cases/{case.reference}/actions/refer/", {"note": ""}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["note"]
    case.refresh_from_db()
    assert case.status == "in_review"


def test_upload_of_a_disallowed_type_keeps_nothing(hr_api, open_case, settings):
    case = open_case()
    response = hr_api.post(
        f"/api/v1/cases/{case.reference}/evidence/",
        {"file": SimpleUploadedFile("tool.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "not accepted" in response.json()["file"][0]
    assert Evidence.objects.count() == 0
    evidence_dir = settings.MEDIA_ROOT / "evidence"
    assert not evidence_dir.exists() or not any(evidence_dir.rglob("*.*"))


def test_upload_without_a_file(hr_api, open_case):
    case = open_case()
    response = hr_api.post(
        f"/api/v1/cases/{case.reference}/evidence/", {"description": "x"}, format="multipart"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["file"]


def test_upload_linked_to_an_unknown_item(hr_api, open_case):
    case = open_case()
    response = hr_api.post(
        f"/api/v1/cases/{case.reference}/evidence/",
        {"file": SimpleUploadedFile("a.pdf", PDF_BYTES), "answers": ["RF-1999-99"]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "RF-1999-99" in response.json()["answers"][0]
    assert Evidence.objects.count() == 0


def test_assigning_an_unknown_user_or_a_non_reviewer(hr_api, answered_case, hr, hr2):
    case = answered_case()
    services.perform_action(hr, case, "submit")
    url = f"/api/v1/cases/{case.reference}/assign-reviewer/"
    response = hr_api.post(url, {"reviewer": "nobody"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reviewer": ["No active user named nobody."]}
    response = hr_api.post(url, {"reviewer": hr2.username}, format="json")
    assert response.status_code == 400
    assert "not a reviewer" in response.json()["reviewer"][0]


def test_reveal_needs_a_reason(hr_api, open_case):
    case = open_case(account_number="000123456789")
    response = hr_api.post(
        f"/api/v1/cases/{case.reference}/candidate/reveal/",
        {"field": "account_number", "reason": ""},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


def test_empty_candidate_change_is_refused(hr_api, open_case):
    case = open_case()
    response = hr_api.patch(f"/api/v1/cases/{case.reference}/candidate/", {}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_malformed_json_is_a_400_not_a_crash(hr_api, catalog):
    response = hr_api.generic(
        "POST", "/api/v1/cases/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


# ---------------------------------------------------------------- 403


def test_a_role_that_may_not_gets_403_with_a_reason(reviewer_api, catalog):
    response = reviewer_api.post(
        "/api/v1/cases/", {"legal_name": "Kim", "role_applied_for": "Dev"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Only hr users may do this."}


def test_four_eyes_assessor_may_not_review(answered_case, catalog):
    both = make_user("dual", "hr", "reviewer")
    case = answered_case(actor=both)
    services.perform_action(both, case, "submit")
    response = token_client(both).post(
        f"/api/v1/cases/{case.reference}/actions/start_review/", {}, format="json"
    )
    assert response.status_code == 403
    assert "Four-eyes" in response.json()["detail"]
    case.refresh_from_db()
    assert case.status == "submitted"


def test_only_the_assigned_reviewer_signs_off(answered_case, hr, reviewer, reviewer2):
    case = answered_case()
    services.perform_action(hr, case, "submit")
    services.perform_action(reviewer, case, "start_review")
    response = token_client(reviewer2).post(
        f"/api/v1/cases/{case.reference}/actions/approve/", {}, format="json"
    )
    assert response.status_code == 403
    assert reviewer.username in response.json()["detail"]


def test_anonymous_gets_401_with_a_challenge(catalog):
    response = token_client(None).get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_401(catalog):
    client = token_client(None)
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/cases/").status_code == 401


# ---------------------------------------------------------------- 404, not 403


def test_unknown_objects_are_404(hr_api, open_case, hr):
    case = open_case()
    other = open_case()
    evidence = services.upload_evidence(hr, other, SimpleUploadedFile("a.pdf", PDF_BYTES))
    ref = case.reference
    assert hr_api.get("/api/v1/cases/VET-1999-000001/").status_code == 404
    assert hr_api.get(f"/api/v1/cases/{ref}/answers/XX-0000-00/").status_code == 404
    # Evidence of another case is not found through this case.
    assert hr_api.get(f"/api/v1/cases/{ref}/evidence/{evidence.pk}/").status_code == 404
    assert hr_api.get(f"/api/v1/cases/{ref}/evidence/{evidence.pk}/download/").status_code == 404
    assert hr_api.get("/api/v1/catalog/versions/1999-01/").status_code == 404


CASE_ROWS = [r for r in MATRIX if "{reference}" in r.template]


@pytest.mark.parametrize("row", CASE_ROWS, ids=str)
def test_a_case_the_caller_may_not_see_is_404_for_every_case_endpoint(
    row, monkeypatch, catalog, role_users, open_case
):
    """Visibility is decided by selectors.visible_cases; narrowing it hides the case
    completely: every endpoint answers 404, exactly as for a case that does not exist."""
    owner = make_user("owner-hr", "hr")
    case = open_case(owner, account_number="000123456789")
    evidence = services.upload_evidence(owner, case, SimpleUploadedFile("a.pdf", PDF_BYTES))
    everything = selectors.visible_cases
    monkeypatch.setattr(
        selectors, "visible_cases", lambda user: everything(user).exclude(pk=case.pk)
    )
    role = next(r for r in ("hr", "reviewer", "compliance") if r in row.allowed)
    ids = {
        **PLACEHOLDERS,
        "reference": case.reference,
        "evidence_id": evidence.pk,
        "item_code": "RF-2023-01",
    }
    response = request_as(row, role_users[role], ids)
    assert response.status_code == 404
    assert Evidence.objects.filter(case=case).count() == 1


def test_hidden_cases_are_left_out_of_lists(monkeypatch, hr_api, open_case):
    hidden, shown = open_case(), open_case()
    everything = selectors.visible_cases
    monkeypatch.setattr(
        selectors, "visible_cases", lambda user: everything(user).exclude(pk=hidden.pk)
    )
    refs = [c["reference"] for c in hr_api.get("/api/v1/cases/").json()["results"]]
    assert refs == [shown.reference]
    names = [c["case_reference"] for c in hr_api.get("/api/v1/candidates/").json()["results"]]
    assert names == [shown.reference]
    assert hr_api.get(f"/api/v1/candidates/{hidden.candidate_id}/").status_code == 404


# ---------------------------------------------------------------- 409


def test_approving_a_draft_is_a_conflict(reviewer_api, open_case):
    case = open_case()
    response = reviewer_api.post(
        f"/api/v1/cases/{case.reference}/actions/approve/", {}, format="json"
    )
    assert response.status_code == 409
    assert "Draft" in response.json()["detail"]
    case.refresh_from_db()
    assert case.status == "draft"


def test_changes_after_submission_are_conflicts(hr_api, answered_case, hr):
    case = answered_case()
    evidence = services.upload_evidence(hr, case, SimpleUploadedFile("a.pdf", PDF_BYTES))
    services.perform_action(hr, case, "submit")
    ref = case.reference
    responses = [
        hr_api.patch(f"/api/v1/cases/{ref}/candidate/", {"claimed_city": "X"}, format="json"),
        hr_api.patch(
            f"/api/v1/cases/{ref}/answers/RF-2023-01/",
            {"value": "observed", "note": "late"},
            format="json",
        ),
        hr_api.post(
            f"/api/v1/cases/{ref}/evidence/",
            {"file": SimpleUploadedFile("b.pdf", PDF_BYTES)},
            format="multipart",
        ),
        hr_api.post(
            f"/api/v1/cases/{ref}/evidence/{evidence.pk}/withdraw/",
            {"reason": "late"},
            format="json",
        ),
        hr_api.post(f"/api/v1/cases/{ref}/actions/submit/", {}, format="json"),
    ]
    assert [r.status_code for r in responses] == [409] * 5
    assert all(r.json()["detail"] for r in responses)
    answer = ChecklistAnswer.objects.get(case=case, item__code="RF-2023-01")
    assert answer.value == "not_observed"


def test_withdrawing_twice_is_a_conflict(hr_api, open_case, hr):
    case = open_case()
    evidence = services.upload_evidence(hr, case, SimpleUploadedFile("a.pdf", PDF_BYTES))
    url = f"/api/v1/cases/{case.reference}/evidence/{evidence.pk}/withdraw/"
    assert hr_api.post(url, {"reason": "wrong file"}, format="json").status_code == 200
    response = hr_api.post(url, {"reason": "again"}, format="json")
    assert response.status_code == 409
    assert "already withdrawn" in response.json()["detail"]


def test_assigning_a_reviewer_to_a_draft_is_a_conflict(hr_api, open_case, reviewer):
    case = open_case()
    response = hr_api.post(
        f"/api/v1/cases/{case.reference}/assign-reviewer/",
        {"reviewer": reviewer.username},
        format="json",
    )
    assert response.status_code == 409


def test_ip_addresses_round_trip_and_a_bad_one_is_a_field_error(hr_api, open_case):
    case = open_case()
    url = f"/api/v1/cases/{case.reference}/candidate/"
    response = hr_api.patch(url, {"ip_addresses": ["175.45.176.12", "nowhere"]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"ip_addresses": ["nowhere is not an IPv4 or IPv6 address."]}
    response = hr_api.patch(url, {"ip_addresses": ["175.45.176.12"]}, format="json")
    assert response.status_code == 200
    assert hr_api.get(url).json()["ip_addresses"] == [
        {"value": "175.45.176.12", "label": "", "belongs_to": "candidate"}
    ]
