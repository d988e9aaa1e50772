"""The pages of several catalogues per case: opening a case with them, the checklist by
catalogue and section, and moving an open case to newer versions."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases import selectors, services
from cases.models import Case
from tests.cases.catalogues import newer_base, supplement
from tests.helpers import new_case_form

pytestmark = pytest.mark.django_db


def test_the_open_case_form_ticks_the_default_supplement(client, hr, catalog, tmp_path):
    extra = supplement(tmp_path)
    client.force_login(hr)
    page = client.get(reverse("case_new")).content.decode()
    assert 'name="catalog_version"' in page
    assert f'value="{extra.code}"' in page
    checkbox = page.split(f'value="{extra.code}"')[1].split(">")[0]
    assert "checked" in checkbox
    may_2022 = page.split('name="supplements" value="2022-05"')[1].split(">")[0]
    assert "checked" not in may_2022


def test_opening_a_case_pins_the_ticked_catalogues(client, hr, catalog, tmp_path):
    supplement(tmp_path)
    client.force_login(hr)
    form = new_case_form(
        legal_name="Kim Test",
        catalogues_shown="1",
        catalog_version="2023-10",
        supplements=["2022-05"],
    )
    response = client.post(reverse("case_new"), form)
    assert response.status_code == 302
    case = Case.objects.get(candidate__legal_name="Kim Test")
    assert selectors.pinned_version_codes(case) == ["2023-10", "2022-05"]


def test_a_form_without_the_catalogue_fields_gets_the_defaults(client, hr, catalog, tmp_path):
    extra = supplement(tmp_path)
    client.force_login(hr)
    assert client.post(reverse("case_new"), new_case_form()).status_code == 302
    assert selectors.pinned_version_codes(Case.objects.get()) == ["2023-10", extra.code]


def test_an_unknown_base_is_a_form_error_and_opens_nothing(client, hr, catalog):
    client.force_login(hr)
    form = new_case_form(catalogues_shown="1", catalog_version="1999-01")
    response = client.post(reverse("case_new"), form)
    assert response.status_code == 400
    assert "1999-01" in response.content.decode()
    assert not Case.objects.exists()


def test_the_checklist_shows_each_catalogue_in_its_own_section(client, hr, open_case, tmp_path):
    extra = supplement(tmp_path)
    case = open_case()
    client.force_login(hr)
    page = client.get(reverse("case_checklist", args=[case.reference])).content.decode()
    base_at = page.index('id="catalogue-2023-10"')
    extra_at = page.index(f'id="catalogue-{extra.code}"')
    assert base_at < page.index('id="item-RF-2023-01"') < extra_at < page.index('id="item-PH-S-01"')
    assert f'id="section-{extra.code}-post_hire"' in page
    assert "Post-hire checks" in page and extra.title in page
    assert page.index(f'id="section-{extra.code}-post_hire"') < page.index('id="item-PH-S-01"')


def test_saving_one_supplement_item_with_htmx_still_works(client, hr, open_case, tmp_path):
    supplement(tmp_path)
    case = open_case()
    client.force_login(hr)
    response = client.post(
        reverse("case_answer", args=[case.reference, "PH-S-01"]),
        {"value": "observed", "note": "Remote-desktop tool found", "version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="item-PH-S-01"' in response.content.decode()
    assert "1/30" in response.content.decode()
    assert selectors.answers_for(case).get(item__code="PH-S-01").value == "observed"


def test_hr_previews_then_upgrades_a_case_and_the_orphans_stay_visible(
    client, hr, answered_case, tmp_path
):
    case = answered_case(overrides={"DD-2023-02": ("adverse", "Reference did not exist")})
    newer_base(tmp_path)  # after the case: new cases would pin it
    client.force_login(hr)
    url = reverse("case_catalogues", args=[case.reference])
    overview = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert url in overview and "Move to newer catalogue versions" in overview
    page = client.get(url).content.decode()
    assert 'name="expected_version" value="1"' in page
    assert 'value="2026-01"' in page and 'value="2022-05"' in page

    form = {"catalogues_shown": "1", "catalog_version": "2026-01", "expected_version": "1"}
    preview = client.post(url, {**form, "step": "preview"})
    text = preview.content.decode()
    assert preview.status_code == 200 and 'id="preview"' in text
    assert "RF-2026-01" in text and "DD-2023-02" in text
    case.refresh_from_db()
    assert case.catalog_version.code == "2023-10"

    response = client.post(url, {**form, "step": "confirm"})
    assert response.status_code == 302
    assert response["Location"] == reverse("case_checklist", args=[case.reference])
    case.refresh_from_db()
    assert case.catalog_version.code == "2026-01" and case.catalog_revision == 2
    checklist = client.get(response["Location"]).content.decode()
    assert 'id="earlier"' in checklist and "From an earlier version" in checklist
    earlier = checklist.split('id="earlier"')[1]
    assert "DD-2023-02" in earlier and "Reference did not exist" in earlier
    assert AuditEvent.objects.filter(action="case.catalogues_upgraded").count() == 1


def test_a_stale_upgrade_form_changes_nothing_and_says_why(client, hr, open_case, tmp_path):
    case = open_case(supplements=[])
    newer_base(tmp_path)
    extra = supplement(tmp_path)
    services.upgrade_catalogues(hr, case, supplements=[extra.code])
    client.force_login(hr)
    url = reverse("case_catalogues", args=[case.reference])
    form = {
        "catalogues_shown": "1",
        "catalog_version": "2026-01",
        "expected_version": "1",
        "step": "confirm",
    }
    response = client.post(url, form, follow=True)
    assert "Someone else changed the catalogues" in response.content.decode()
    case.refresh_from_db()
    assert case.catalog_version.code == "2023-10"


def test_a_submitted_case_shows_its_catalogues_but_offers_no_upgrade(
    client, hr, answered_case, tmp_path
):
    case = services.perform_action(hr, answered_case(), "submit")
    newer_base(tmp_path)
    client.force_login(hr)
    page = client.get(reverse("case_catalogues", args=[case.reference])).content.decode()
    assert "2023-10" in page and 'name="step"' not in page
    assert "only a draft case or one being assessed" in page
