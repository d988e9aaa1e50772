"""The API of several catalogues per case: opening a case with supplements, the catalogues of a
case and upgrading it (preview with dry_run, If-Match)."""

import pytest

from audit.models import AuditEvent
from cases.models import Case
from tests.api.conftest import answer_all
from tests.cases.catalogues import newer_base, supplement

pytestmark = pytest.mark.django_db

NEW = {"legal_name": "Jin Park", "role_applied_for": "Backend engineer"}


def test_opening_a_case_pins_the_default_supplements_unless_told_otherwise(
    hr_api, catalog, tmp_path
):
    extra = supplement(tmp_path)
    default = hr_api.post("/api/v1/cases/", NEW, format="json").json()
    assert default["catalog_version"] == "2023-10"
    assert default["catalog_versions"] == ["2023-10", extra.code]
    assert default["progress"]["total"] == 30
    answer = next(a for a in default["answers"] if a["item"]["code"] == "PH-S-01")
    assert answer["item"]["catalog_version"] == extra.code
    assert answer["item"]["section"] == "post_hire"

    chosen = hr_api.post("/api/v1/cases/", {**NEW, "supplements": ["2022-05"]}, format="json")
    assert chosen.status_code == 201
    assert chosen.json()["catalog_versions"] == ["2023-10", "2022-05"]
    none = hr_api.post("/api/v1/cases/", {**NEW, "supplements": []}, format="json").json()
    assert none["catalog_versions"] == ["2023-10"] and none["progress"]["total"] == 26


@pytest.mark.parametrize(
    "body, field",
    [
        ({"supplements": ["nope", "2022-05", "2022-05"]}, "supplements"),
        ({"catalog_version": "test-supplement-2025"}, "catalog_version"),
        ({"catalog_version": "1999-01"}, "catalog_version"),
        ({"supplements": "2022-05"}, "supplements"),
    ],
)
def test_bad_catalogue_choices_are_400_with_field_messages(hr_api, catalog, tmp_path, body, field):
    supplement(tmp_path)
    response = hr_api.post("/api/v1/cases/", {**NEW, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Case.objects.exists()


def test_unknown_and_duplicate_codes_are_named(hr_api, catalog):
    body = {**NEW, "supplements": ["nope", "2022-05", "2022-05"]}
    messages = " ".join(hr_api.post("/api/v1/cases/", body, format="json").json()["supplements"])
    assert "nope" in messages and "2022-05 given twice" in messages


def test_upgrade_preview_then_upgrade_with_if_match(hr_api, catalog, tmp_path):
    reference = hr_api.post("/api/v1/cases/", NEW, format="json").json()["reference"]
    answer_all(hr_api, reference, {"RF-2023-01": ("observed", "Camera off")})
    newer_base(tmp_path)
    catalogues = hr_api.get(f"/api/v1/cases/{reference}/catalogues/")
    assert catalogues.status_code == 200 and catalogues["ETag"] == '"1"'
    assert [v["code"] for v in catalogues.json()["versions"]] == ["2023-10"]

    url = f"/api/v1/cases/{reference}/catalogues/upgrade/"
    preview = hr_api.post(url, {"catalog_version": "2026-01", "dry_run": True}, format="json")
    assert preview.status_code == 200
    plan = preview.json()["plan"]
    assert preview.json()["dry_run"] is True and preview.json()["catalog_revision"] == 1
    assert {
        "from_code": "RF-2023-01",
        "from_version": "2023-10",
        "to_code": "RF-2026-01",
        "to_version": "2026-01",
        "value": "observed",
        "through": "supersedes",
    } in plan["carried"]
    assert any(o["code"] == "RF-2023-03" for o in plan["orphaned"])

    done = hr_api.post(url, {"catalog_version": "2026-01"}, format="json", HTTP_IF_MATCH='"1"')
    assert done.status_code == 200 and done["ETag"] == '"2"'
    assert done.json()["dry_run"] is False
    detail = hr_api.get(f"/api/v1/cases/{reference}/").json()
    assert detail["catalog_version"] == "2026-01" and detail["catalog_revision"] == 2
    carried = next(a for a in detail["answers"] if a["item"]["code"] == "RF-2026-01")
    assert (carried["value"], carried["note"]) == ("observed", "Camera off")
    assert any(a["item"]["code"] == "RF-2023-03" for a in detail["earlier_answers"])
    assert detail["risk"]["current"]["catalog_versions"] == ["2026-01"]
    assert AuditEvent.objects.filter(action="case.catalogues_upgraded").count() == 1


def test_an_upgrade_on_an_old_etag_is_409_with_the_current_catalogues(hr_api, catalog, tmp_path):
    reference = hr_api.post("/api/v1/cases/", {**NEW, "supplements": []}, format="json").json()[
        "reference"
    ]
    extra = supplement(tmp_path)
    url = f"/api/v1/cases/{reference}/catalogues/upgrade/"
    first = hr_api.post(url, {"supplements": [extra.code]}, format="json", HTTP_IF_MATCH='"1"')
    assert first.status_code == 200
    stale = hr_api.post(url, {"supplements": []}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    assert stale["ETag"] == '"2"'
    assert [v["code"] for v in stale.json()["current"]["versions"]] == ["2023-10", extra.code]


def test_a_reviewer_may_read_the_catalogues_but_not_upgrade(
    hr_api, reviewer_api, catalog, tmp_path
):
    reference = hr_api.post("/api/v1/cases/", NEW, format="json").json()["reference"]
    assert reviewer_api.get(f"/api/v1/cases/{reference}/catalogues/").status_code == 200
    response = reviewer_api.post(
        f"/api/v1/cases/{reference}/catalogues/upgrade/",
        {"supplements": ["2022-05"], "dry_run": True},
        format="json",
    )
    assert response.status_code == 403


def test_a_submitted_case_cannot_be_upgraded(hr_api, catalog):
    reference = hr_api.post("/api/v1/cases/", NEW, format="json").json()["reference"]
    answer_all(hr_api, reference)
    submitted = hr_api.post(f"/api/v1/cases/{reference}/actions/submit/", {}, format="json")
    assert submitted.status_code == 200
    response = hr_api.post(
        f"/api/v1/cases/{reference}/catalogues/upgrade/",
        {"supplements": ["2022-05"]},
        format="json",
    )
    assert response.status_code == 409
