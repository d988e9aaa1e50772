"""The catalogue pages: compliance uploads a file, reads every problem or the changes, publishes
or discards it and chooses the defaults; every role reads the versions and the coverage."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from indicators import services
from indicators.models import CatalogUpload, CatalogVersion
from tests.indicators.helpers import REWORDED_TITLE, SUPPLEMENT, as_bytes, revised_2023
from tests.indicators.test_catalogue_management import broken_catalogue
from tests.query_counts import assert_pinned_queries


def post_file(client, data: bytes, name="catalogue.json"):
    return client.post(reverse("indicators:upload"), {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def as_compliance(client, catalog, compliance):
    client.force_login(compliance)
    return client


@pytest.mark.django_db
def test_an_invalid_file_shows_every_problem_item_by_item_and_no_publish_button(as_compliance):
    response = post_file(as_compliance, as_bytes(broken_catalogue()), "broken.json")
    draft = CatalogUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:upload_detail", args=[draft.pk])

    page = as_compliance.get(response["Location"]).content.decode()

    assert "5 problems: this file cannot be published" in page
    assert "weight must be between 1 and 100." in page
    assert "duplicate code RF-T-01 (also item 1)." in page
    assert "RF-1999-99" in page
    assert "a supplement item needs at least one citation." in page
    assert "source is missing url." in page
    assert 'id="publish-form"' not in page
    assert 'id="discard-form"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, data, message",
    [
        ("notes.txt", b"{}", "ending in .json"),
        ("c.json", b"{not json", "not UTF-8 JSON"),
        ("c.json", b" " * (CatalogUpload.MAX_BYTES + 10), "too large: at most 2 MB"),
    ],
)
def test_a_file_that_is_no_json_catalogue_gets_the_form_back_with_the_reason(
    as_compliance, name, data, message
):
    response = post_file(as_compliance, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CatalogUpload.objects.exists()


@pytest.mark.django_db
def test_compliance_sees_the_diff_publishes_and_sets_the_defaults(as_compliance, compliance):
    response = post_file(as_compliance, as_bytes(revised_2023()), "us-rok-2023-10-r1.json")
    draft_url = response["Location"]

    page = as_compliance.get(draft_url).content.decode()
    assert "Changes against 2023-10" in page
    assert REWORDED_TITLE in page
    assert "25 items unchanged." in page
    assert 'id="publish-form"' in page

    publish = reverse("indicators:upload_publish", args=[CatalogUpload.objects.get().pk])
    refused = as_compliance.post(publish, {})
    assert refused.status_code == 400
    assert "Tick the box to confirm" in refused.content.decode()
    assert not CatalogVersion.objects.filter(code="2023-10-r1").exists()

    published = as_compliance.post(publish, {"confirm": "on"}, follow=True)
    assert published.redirect_chain[-1][0] == reverse("indicators:defaults")
    assert "Catalogue version 2023-10-r1 is published." in published.content.decode()
    assert CatalogVersion.objects.get(code="2023-10-r1").items.count() == 26

    again = as_compliance.post(publish, {"confirm": "on"}, follow=True)
    assert "only a draft can be published" in again.content.decode()
    assert CatalogVersion.objects.filter(code="2023-10-r1").count() == 1

    saved = as_compliance.post(
        reverse("indicators:defaults"), {"base": "2023-10-r1", "supplements": ["2022-05"]}
    )
    assert saved.status_code == 302
    listing = as_compliance.get(reverse("indicators:version_list")).content.decode()
    assert "New cases pin <strong>2023-10-r1</strong>" in listing
    actions = list(
        AuditEvent.objects.filter(action__startswith="catalog.", actor=compliance)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["catalog.uploaded", "catalog.published", "catalog.defaults_set"]


@pytest.mark.django_db
def test_the_defaults_form_refuses_a_base_also_chosen_as_a_supplement(as_compliance):
    response = as_compliance.post(
        reverse("indicators:defaults"), {"base": "2023-10", "supplements": ["2023-10"]}
    )
    assert response.status_code == 400
    assert "2023-10 is already the base version." in response.content.decode()


@pytest.mark.django_db
def test_discarding_a_draft_and_deactivating_a_version(as_compliance):
    post_file(as_compliance, as_bytes(revised_2023()))
    draft = CatalogUpload.objects.get()
    as_compliance.post(reverse("indicators:upload_discard", args=[draft.pk]), {"reason": "Old"})
    draft.refresh_from_db()
    assert draft.status == "discarded"

    as_compliance.post(reverse("indicators:version_active", args=["2022-05"]), {"active": "0"})
    assert not CatalogVersion.objects.get(code="2022-05").is_active
    response = as_compliance.post(
        reverse("indicators:version_active", args=["2023-10"]), {"active": "0"}, follow=True
    )
    assert "the only active base version" in response.content.decode()
    assert CatalogVersion.objects.get(code="2023-10").is_active


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["hr", "reviewer"])
def test_hr_and_reviewers_read_the_catalogue_without_any_button_to_change_it(
    client, catalog, role_users, role
):
    client.force_login(role_users[role])
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("indicators:version_list")}"' in dashboard

    listing = client.get(reverse("indicators:version_list")).content.decode()
    assert "2023-10" in listing and "2022-05" in listing
    assert reverse("indicators:upload") not in listing
    assert reverse("indicators:defaults") not in listing
    assert "Stop offering" not in listing
    assert client.get(reverse("indicators:coverage")).status_code == 200
    assert client.get(reverse("indicators:upload")).status_code == 403
    assert client.post(reverse("indicators:defaults"), {"base": "2023-10"}).status_code == 403


@pytest.mark.django_db
def test_the_coverage_page_shows_sources_citations_and_see_also_links(client, catalog, hr):
    services.load_catalogs([SUPPLEMENT])
    client.force_login(hr)

    page = client.get(reverse("indicators:coverage")).content.decode()

    assert 'id="coverage-test-supplement"' in page
    assert "Microsoft Threat Intelligence — Jasper Sleet" in page
    assert "https://www.ic3.gov/PSA/2025/PSA250123" in page
    assert 'RF-2023-01 <span class="muted">(2023-10)</span>' in page
    assert "Post-hire checks" in page
    assert "Additional Red Flag Indicators of Potential DPRK IT Worker Activity" in page
    only = client.get(reverse("indicators:coverage"), {"version": "2022-05"}).content.decode()
    assert 'id="coverage-2022-05"' in only and 'id="coverage-2023-10"' not in only


@pytest.mark.django_db
def test_catalogue_pages_read_a_fixed_number_of_queries(as_compliance, compliance):
    services.load_catalogs([SUPPLEMENT])
    services.upload_catalog(actor=compliance, file_name="r1.json", content=as_bytes(revised_2023()))
    draft = services.upload_catalog(
        actor=compliance, file_name="r2.json", content=as_bytes(revised_2023("2023-10-r2"))
    )
    with assert_pinned_queries("page.catalogues"):
        assert as_compliance.get(reverse("indicators:version_list")).status_code == 200
    with assert_pinned_queries("page.catalogue_coverage"):
        assert as_compliance.get(reverse("indicators:coverage")).status_code == 200
    with assert_pinned_queries("page.catalogue_upload"):
        url = reverse("indicators:upload_detail", args=[draft.pk])
        assert as_compliance.get(url).status_code == 200


@pytest.mark.django_db
def test_the_catalogue_pages_speak_korean(as_compliance, compliance):
    services.upload_catalog(actor=compliance, file_name="r1.json", content=as_bytes(revised_2023()))
    draft = CatalogUpload.objects.get()
    pages = {
        reverse("indicators:version_list"): ["게시된 버전", "새 사건의 기본값", "기본 권고문"],
        reverse("indicators:coverage"): ["적용 범위 보고서", "체크리스트 구역별 항목 수"],
        reverse("indicators:upload"): ["업로드하고 검사"],
        reverse("indicators:defaults"): ["기본값 저장"],
        reverse("indicators:upload_detail", args=[draft.pk]): ["2023-10 대비 변경 사항"],
    }
    for url, texts in pages.items():
        page = as_compliance.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
        for text in texts:
            assert text in page, (url, text)


@pytest.mark.django_db
def test_the_problems_of_a_file_are_listed_in_the_readers_language(as_compliance, compliance):
    draft = services.upload_catalog(
        actor=compliance, file_name="broken.json", content=as_bytes(broken_catalogue())
    )
    url = reverse("indicators:upload_detail", args=[draft.pk])
    page = as_compliance.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "문제 5건: 이 파일은 게시할 수 없습니다" in page
    assert "weight는 1에서 100 사이여야 합니다." in page
    assert "중복된 코드 RF-T-01 (항목 1에도 있음)." in page
