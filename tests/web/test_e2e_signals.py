"""Signals in a real browser: HR accepts a suggestion beside its checklist item (htmx) and sees
the four-eyes rule on a high finding; a reviewer dismisses it from the overview; the panel fits a
phone."""

import pytest
from playwright.sync_api import expect

from tests.web import test_e2e
from tests.web.test_e2e import log_in, shot

browser = test_e2e.browser
new_page = test_e2e.new_page
people = test_e2e.people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BAD_ROUTING = "026073151"  # bank.routing_checksum: suggests DD-2023-05 = adverse
FORWARDER = "Jane Doe\n4283 Express Lane\nSuite 512-118\nSarasota, FL 34238\nUSA"  # high


def test_hr_accepts_a_suggestion_on_the_checklist_and_a_reviewer_dismisses_a_high_finding(
    live_server, new_page, people, open_case
):
    case = open_case(claimed_country="US", routing_number=BAD_ROUTING, shipping_address=FORWARDER)
    base = f"{live_server.url}/cases/{case.reference}"
    page = new_page()
    log_in(page, live_server.url, "hana")

    page.goto(f"{base}/checklist/")
    item = page.locator("#item-DD-2023-05")
    suggestion = item.locator("aside.suggestion")
    expect(suggestion).to_contain_text("Suggested: Completed – adverse finding")
    expect(suggestion).to_contain_text("from bank.routing_checksum")
    test_e2e.ARTIFACTS.mkdir(exist_ok=True)
    item.screenshot(path=str(test_e2e.ARTIFACTS / "en-30-checklist-suggestion.png"))
    suggestion.get_by_label("Note").fill("The bank confirmed it.")
    suggestion.get_by_role("button", name="Accept").click()
    expect(page.locator("#item-DD-2023-05.answered")).to_be_visible()
    expect(page.locator("#item-DD-2023-05 aside.suggestion")).to_have_count(0)
    expect(page.locator("#messages")).to_contain_text("Finding bank.routing_checksum accepted.")

    page.goto(f"{base}/")
    panel = page.locator("section.signals")
    forwarder = panel.locator("li.signal", has_text="shipping.forwarder")
    expect(forwarder).to_contain_text("Only a reviewer who did not assess")
    expect(forwarder.get_by_role("button", name="Dismiss")).to_have_count(0)
    expect(panel.locator("li.signal", has_text="bank.routing_checksum")).to_contain_text(
        "Accepted by"
    )

    reviewer_page = new_page()
    log_in(reviewer_page, live_server.url, "riley")
    reviewer_page.goto(f"{base}/")
    forwarder = reviewer_page.locator("section.signals li.signal", has_text="shipping.forwarder")
    forwarder.locator("summary", has_text="Dismiss").click()
    forwarder.get_by_label("Reason").fill("The employer ships every laptop through MyUS.")
    forwarder.get_by_role("button", name="Dismiss").click()
    expect(reviewer_page.locator("#messages")).to_contain_text(
        "Finding shipping.forwarder dismissed."
    )
    forwarder = reviewer_page.locator("section.signals li.signal", has_text="shipping.forwarder")
    expect(forwarder).to_contain_text("Dismissed by")
    expect(forwarder).to_contain_text("The employer ships every laptop through MyUS.")
    shot(reviewer_page, "en-31-overview-signals")


def test_the_signals_panel_fits_a_small_phone(live_server, new_page, people, open_case):
    case = open_case(
        claimed_country="US",
        routing_number=BAD_ROUTING,
        shipping_address=FORWARDER,
        ip_addresses=["175.45.176.77"],
    )
    page = new_page(width=375)
    log_in(page, live_server.url, "hana")
    for path in ("", "checklist/"):
        page.goto(f"{live_server.url}/cases/{case.reference}/{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"/{path} scrolls sideways by {overflow}px at 375px"
    shot(page, "mobile-10-signals")
