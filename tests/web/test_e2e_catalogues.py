"""In a real browser: compliance uploads a new catalogue version, reads the changes, publishes
it and makes it the default; then HR opens a case and its checklist asks the new wording."""

import json
import os

import pytest
from django.urls import reverse

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect  # noqa: E402

from cases.models import Case  # noqa: E402
from indicators.models import CatalogVersion  # noqa: E402
from tests.indicators.helpers import REWORDED_TITLE, revised_2023  # noqa: E402
from tests.web.test_e2e import (  # noqa: E402, F401  (browser and new_page are fixtures)
    browser,
    log_in,
    log_out,
    new_page,
    open_case,
    shot,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def revised_file(tmp_path):
    path = tmp_path / "us-rok-2023-10-r1.json"
    path.write_text(json.dumps(revised_2023(), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_compliance_publishes_a_version_and_hr_opens_a_case_with_it(
    live_server,
    new_page,  # noqa: F811
    catalog,
    hr,
    compliance,
    revised_file,
):
    base = live_server.url
    page = new_page()
    log_in(page, base, compliance.username)
    page.locator("nav.mainnav a", has_text="Catalogues").click()
    expect(page.locator("h1")).to_have_text("Catalogues")
    expect(page.locator("#version-2023-10")).to_be_visible()

    page.locator("nav.tabs a", has_text="Upload a version").click()
    page.locator("#id_file").set_input_files(str(revised_file))
    page.locator("main form button.primary").click()

    expect(page.locator("#diff h2")).to_have_text("Changes against 2023-10")
    expect(page.locator("#reworded + table")).to_contain_text(REWORDED_TITLE)
    shot(page, "catalogue-01-diff")
    page.locator("#publish-form button.primary").click()  # not confirmed: refused
    expect(page.locator("#publish-form .errorlist")).to_contain_text("Tick the box")
    page.locator("#id_confirm").check()
    page.locator("#publish-form button.primary").click()

    expect(page.locator("h1")).to_have_text("Defaults for new cases")
    expect(page.locator(".messages")).to_contain_text("2023-10-r1 is published")
    page.select_option("#id_base", "2023-10-r1")
    for box in page.locator("input[name=supplements]").all():
        box.uncheck()
    page.locator("main form button.primary").click()
    expect(page.locator("h1")).to_have_text("Catalogues")
    expect(page.locator("section.card").first).to_contain_text("New cases pin 2023-10-r1")
    shot(page, "catalogue-02-versions")
    log_out(page)

    log_in(page, base, hr.username)
    reference = open_case(page, base, "Ri Song", "ri.song@example.com")
    expect(page.locator("#title-RF-2023-01")).to_contain_text(REWORDED_TITLE)
    assert Case.objects.get(reference=reference).catalog_version == CatalogVersion.objects.get(
        code="2023-10-r1"
    )
    page.goto(base + reverse("indicators:coverage") + "?version=2023-10-r1")
    expect(page.locator("#cov-2023-10-r1-RF-2023-01")).to_contain_text(REWORDED_TITLE)
    expect(page.locator("nav.tabs")).not_to_contain_text("Upload a version")
