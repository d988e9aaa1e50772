"""The second factor in a real browser: a reviewer signs in, is made to set up an authenticator
app from the QR page, signs out, and signs in again with a code from the app.

Screenshots go to tests/artifacts/ (not committed) for people to look at.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts import otp
from tests.helpers import totp_code
from tests.web import test_e2e
from tests.web.test_e2e import log_out, shot

# The browser fixtures of the main walkthrough, shared.
browser = test_e2e.browser
new_page = test_e2e.new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def submit_password(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.locator("main button[type=submit]").click()


def test_a_reviewer_enrols_signs_out_and_signs_in_with_a_code(live_server, new_page, reviewer):
    base = live_server.url
    page = new_page()
    errors = []  # script errors, e.g. anything a strict CSP would block (a 400 is expected)

    def console(msg):
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    page.on("console", console)

    submit_password(page, base, "riley")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/"))
    expect(page.locator("h1")).to_have_text("Set up an authenticator app")
    expect(page.locator("svg.qr")).to_be_visible()
    box = page.locator("svg.qr").bounding_box()
    assert box["width"] >= 150, "the QR code is too small to scan"
    shot(page, "2fa-01-enrol")
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    device = otp.authenticator(reviewer, confirmed=False)
    assert key in device.config_url

    # Nothing else opens before enrolment: the menu is hidden and pages lead back here.
    expect(page.locator("nav.mainnav")).to_have_count(0)
    page.goto(f"{base}/review/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/"))

    page.fill("#id_code", "000000" if totp_code(device) != "000000" else "111111")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".errorlist")).to_contain_text("That code is not right")
    page.wait_for_timeout(1100)  # after a wrong code the next one is taken a second later

    page.fill("#id_code", totp_code(device))
    page.locator("main button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    shot(page, "2fa-02-recovery-codes")
    page.locator("main a.button.primary").click()  # continue to where the reviewer was going
    expect(page).to_have_url(re.compile(r"/review/$"))
    log_out(page)

    # The next sign-in asks for a code from the app (the next 30-second step: each is taken once).
    device.refresh_from_db()
    submit_password(page, base, "riley")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    shot(page, "2fa-03-verify")
    page.fill("#id_code", totp_code(device, at=(device.last_t + 1) * device.step + 1))
    page.locator("main button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("nav.mainnav")).to_contain_text("Review queue")
    assert not errors, errors
