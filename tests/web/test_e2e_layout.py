"""Layout checks in a real browser: what a new user sees on a phone, in Korean, on the lists.

Screenshots go to tests/artifacts/ (not committed) for people to look at.
"""

import pytest
from playwright.sync_api import expect

from cases import services
from tests.web import test_e2e
from tests.web.test_e2e import ARTIFACTS, log_in, shot

# The browser fixtures of the main walkthrough, shared.
browser = test_e2e.browser
new_page = test_e2e.new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = 390


def test_overview_of_a_scored_case_fits_a_390px_phone(
    live_server, new_page, catalog, hr, answered_case
):
    case = answered_case(
        overrides={
            "RF-2023-01": ("observed", "Refused to turn the camera on twice."),
            "RF-2023-02": ("unknown", ""),
            "DD-2023-01": ("not_completed", ""),
        }
    )
    services.perform_action(hr, case, "submit")
    page = new_page(width=PHONE)
    page.set_viewport_size({"width": PHONE, "height": 844})
    log_in(page, live_server.url, "hana")
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    assert page.locator(".risk-box table").count() == 1  # the score table is there
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "layout-01-mobile-overview")
    assert width <= PHONE, f"the overview is {width}px wide on a {PHONE}px phone"


def test_reports_filter_checkbox_lines_up_with_the_other_filters(
    live_server, new_page, catalog, hr, answered_case
):
    page = new_page()
    log_in(page, live_server.url, "hana")
    page.goto(f"{live_server.url}/reports/")
    checkbox = page.locator("#id_mine").bounding_box()
    label = page.locator("label[for=id_mine]").bounding_box()
    status = page.locator("#id_status").bounding_box()
    shot(page, "layout-03-reports-filter")

    def middle(box):
        return box["y"] + box["height"] / 2

    # The box sits on the line of the other filters' inputs, its label right beside it.
    assert status["y"] <= middle(checkbox) <= status["y"] + status["height"]
    assert abs(middle(label) - middle(checkbox)) <= 4
    assert 0 <= label["x"] - (checkbox["x"] + checkbox["width"]) <= 12


def test_korean_checklist_item_shows_the_evidence_hint_in_korean(
    live_server, new_page, catalog, hr, open_case
):
    case = open_case()
    page = new_page(width=PHONE)
    log_in(page, live_server.url, "hana", language="ko")
    page.goto(f"{live_server.url}/cases/{case.reference}/checklist/")
    hint = page.locator("#item-RF-2023-01 .expectation")
    expect(hint).to_contain_text("보관할 증거")
    expect(hint.locator("span[lang=ko]")).to_contain_text("면접 메모 또는 녹화")
    page.locator("#item-RF-2023-01").screenshot(path=str(ARTIFACTS / "layout-02-ko-item.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_overview_of_an_unanswered_case_says_it_is_not_scored_and_fits_a_phone(
    live_server, new_page, catalog, hr, open_case
):
    case = open_case()
    page = new_page(width=PHONE)
    log_in(page, live_server.url, "hana")
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    expect(page.locator("#case-risk")).to_have_text("Not scored")
    expect(page.locator(".not-scored")).to_contain_text("Not scored yet: 0 of 26 items answered.")
    expect(page.locator("form:has(input[value=submit]) button")).to_be_disabled()
    shot(page, "layout-04-mobile-overview-unanswered")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
