"""Layout checks in a real browser: what a new user sees on a phone, in Korean, on the lists.

Screenshots go to tests/artifacts/ (not committed) for people to look at.
"""

import pytest

from cases import services
from tests.web import test_e2e
from tests.web.test_e2e import log_in, shot

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
    assert page.locator(".risk-box table.contributions").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "layout-01-mobile-overview")
    assert width <= PHONE, f"the overview is {width}px wide on a {PHONE}px phone"
