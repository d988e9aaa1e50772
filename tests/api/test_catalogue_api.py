"""Managing catalogues through the API: the same services and rules as the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from indicators import services
from indicators.models import CatalogUpload, CatalogVersion
from tests.api.conftest import token_client
from tests.indicators.helpers import REWORDED_TITLE, SUPPLEMENT, as_bytes, revised_2023
from tests.indicators.test_catalogue_management import broken_catalogue

UPLOADS = "/api/v1/catalog/uploads/"


@pytest.fixture
def compliance_api(catalog, compliance):
    return token_client(compliance)


@pytest.mark.django_db
def test_a_json_upload_is_a_draft_with_its_diff_then_published_and_made_the_default(
    compliance_api, compliance
):
    created = compliance_api.post(UPLOADS, {"content": revised_2023()}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["file_name"] == "2023-10-r1.json"
    assert body["valid"] is True and body["problems"] == []
    assert body["diff"]["previous_version"] == "2023-10"
    assert body["diff"]["reworded"][0]["after"]["title"] == REWORDED_TITLE
    assert body["diff"]["unchanged"] == 25

    published = compliance_api.post(f"{UPLOADS}{body['id']}/publish/")
    assert published.status_code == 200
    assert published.json()["code"] == "2023-10-r1"
    assert published.json()["kind"] == "base" and published.json()["item_count"] == 26
    assert compliance_api.post(f"{UPLOADS}{body['id']}/publish/").status_code == 409

    defaults = compliance_api.put(
        "/api/v1/catalog/defaults/", {"base": "2023-10-r1", "supplements": []}, format="json"
    )
    assert defaults.json() == {"base": "2023-10-r1", "supplements": []}
    assert compliance_api.get("/api/v1/catalog/defaults/").json()["base"] == "2023-10-r1"
    versions = {v["code"]: v for v in compliance_api.get("/api/v1/catalog/versions/").json()}
    assert versions["2023-10-r1"]["is_default"] and versions["2023-10-r1"]["default_for_new_cases"]
    assert set(AuditEvent.objects.filter(actor=compliance).values_list("action", flat=True)) >= {
        "catalog.uploaded",
        "catalog.published",
        "catalog.defaults_set",
    }


@pytest.mark.django_db
def test_a_multipart_upload_with_problems_lists_them_and_publishing_is_a_400_with_each(
    compliance_api,
):
    file = SimpleUploadedFile("broken.json", as_bytes(broken_catalogue()))
    created = compliance_api.post(UPLOADS, {"file": file}, format="multipart")
    assert created.status_code == 201
    body = created.json()
    assert body["valid"] is False and body["diff"] is None
    assert {(p["item"], p["field"]) for p in body["problems"]} == {
        (None, "source"),
        (1, "weight"),
        (2, "code"),
        (3, "see_also"),
        (3, "citations"),
    }

    refused = compliance_api.post(f"{UPLOADS}{body['id']}/publish/")
    assert refused.status_code == 400
    assert len(refused.json()["file"]) == 5
    assert (
        "broken.json item 1 (RF-T-01): weight must be between 1 and 100."
        in (refused.json()["file"])
    )
    assert compliance_api.get(f"{UPLOADS}{body['id']}/").json()["status"] == "draft"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, fmt, field",
    [
        ({}, "json", "file"),
        ({"content": "{not json", "file_name": "x.json"}, "json", "file"),
        ({"content": {"version": "x"}, "file_name": "x.txt"}, "json", "file"),
        ({"file": SimpleUploadedFile("x.json", b"\xff")}, "multipart", "file"),
        ({"file_name": "x" * 300 + ".json", "content": {}}, "json", "file_name"),
    ],
)
def test_bad_uploads_are_a_400_naming_the_field_and_keep_nothing(compliance_api, body, fmt, field):
    response = compliance_api.post(UPLOADS, body, format=fmt)
    assert response.status_code == 400
    assert field in response.json()
    assert not CatalogUpload.objects.exists()


@pytest.mark.django_db
def test_discard_and_deactivate_through_the_api(compliance_api):
    draft = compliance_api.post(UPLOADS, {"content": revised_2023()}, format="json").json()
    discarded = compliance_api.post(
        f"{UPLOADS}{draft['id']}/discard/", {"reason": "Old"}, format="json"
    )
    assert discarded.json()["status"] == "discarded"
    assert discarded.json()["discard_reason"] == "Old"

    off = compliance_api.patch(
        "/api/v1/catalog/versions/2022-05/", {"is_active": False}, format="json"
    )
    assert off.status_code == 200 and off.json()["is_active"] is False
    last = compliance_api.patch(
        "/api/v1/catalog/versions/2023-10/", {"is_active": False}, format="json"
    )
    assert last.status_code == 409
    bad = compliance_api.patch("/api/v1/catalog/versions/2023-10/", {}, format="json")
    assert bad.status_code == 400 and "is_active" in bad.json()


@pytest.mark.django_db
def test_defaults_refuse_unknown_or_inactive_versions_with_field_messages(compliance_api):
    services.set_version_active(CatalogVersion.objects.get(code="2022-05"), False)
    response = compliance_api.put(
        "/api/v1/catalog/defaults/", {"base": "1999-01", "supplements": ["2022-05"]}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"base", "supplements"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["hr", "reviewer"])
def test_other_roles_read_defaults_and_coverage_but_change_nothing(catalog, role_users, role):
    api = token_client(role_users[role])
    assert api.get("/api/v1/catalog/defaults/").status_code == 200
    assert api.get("/api/v1/catalog/coverage/").status_code == 200
    assert api.post(UPLOADS, {"content": revised_2023()}, format="json").status_code == 403
    put = api.put("/api/v1/catalog/defaults/", {"base": "2023-10"}, format="json")
    assert put.status_code == 403


@pytest.mark.django_db
def test_coverage_endpoint_gives_the_provenance_of_every_item(catalog, hr):
    services.load_catalogs([SUPPLEMENT])
    api = token_client(hr)

    report = {entry["version"]: entry for entry in api.get("/api/v1/catalog/coverage/").json()}

    assert len(report["2023-10"]["items"]) == 26
    first = report["2023-10"]["items"][0]
    assert first["sources"][0]["url"].startswith("https://www.state.gov/")
    assert first["sources"][0]["section"] == first["source_section"]
    extra = report["test-supplement"]
    assert extra["kind"] == "supplement"
    assert extra["items"][0]["see_also"] == [
        {
            "code": "RF-2023-01",
            "versions": ["2023-10"],
            "title": extra["items"][0]["see_also"][0]["title"],
        }
    ]
    assert {c["label"]: c["count"] for c in extra["by_section"]} == {
        "Red flags": 1,
        "Post-hire checks": 1,
        "Due diligence": 1,
    }
    one = api.get("/api/v1/catalog/coverage/", {"version": "2022-05"}).json()
    assert [entry["version"] for entry in one] == ["2022-05"]
    assert api.get("/api/v1/catalog/coverage/", {"version": "nope"}).status_code == 404
