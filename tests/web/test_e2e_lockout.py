"""Sign-in lockout in a real browser: wrong passwords lock the account, the right password is
then refused too, and an admin's unlock (Users → "Unlock sign-in") lets the user in again."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Page, expect  # noqa: E402

from accounts import roles, services  # noqa: E402
from audit.models import AuditEvent  # noqa: E402
from tests.helpers import authenticator_for, make_user  # noqa: E402
from tests.web import test_e2e as e2e  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The browser fixtures of the main end-to-end test (Debian's chromium, one context per page).
browser = e2e.browser
new_page = e2e.new_page
shot = e2e.shot


def try_sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state("load")


def test_wrong_passwords_lock_the_account_until_an_admin_unlocks_it(live_server, new_page, db):
    base = live_server.url
    hana = make_user("hana", roles.HR)
    alex = make_user("alex", roles.ADMIN)
    services.set_user_roles(alex, [roles.ADMIN])

    # The admin signs in first: the browser and the admin share one address, which the
    # failures below lock as well.
    device = authenticator_for(alex)  # the admin role needs the second factor
    admin = new_page()
    admin.goto(f"{base}/admin/login/")
    admin.fill("#id_username", "alex")
    admin.fill("#id_password", "pw-alex")
    admin.locator("input[type=submit], button[type=submit]").first.click()
    e2e.enter_second_factor(admin, device)
    expect(admin.locator("#site-name")).to_be_visible()

    page = new_page()
    for _ in range(4):
        try_sign_in(page, base, "hana", "not-her-password")
        expect(page.locator("main .error[role=alert]")).to_contain_text("didn't match")
    try_sign_in(page, base, "hana", "not-her-password")
    lockout = page.locator("#lockout-message")
    expect(lockout).to_contain_text("Too many failed sign-ins")
    expect(lockout).to_contain_text("15 minutes")
    expect(lockout).to_contain_text("ask an administrator")
    shot(page, "lockout-01-locked")

    try_sign_in(page, base, "hana", "pw-hana")
    expect(page.locator("#lockout-message")).to_be_visible()
    expect(page).to_have_url(f"{base}/accounts/login/")

    admin.goto(f"{base}/admin/auth/user/")
    admin.locator(f"input[name=_selected_action][value='{hana.pk}']").check()
    admin.select_option("select[name=action]", "unlock_sign_in")
    admin.locator("button[name=index]").click()
    expect(admin.locator(".messagelist")).to_contain_text("Sign-in unlocked for: hana.")
    shot(admin, "lockout-02-unlocked")

    try_sign_in(page, base, "hana", "pw-hana")
    expect(page.locator("h1")).to_have_text("Dashboard")
    assert AuditEvent.objects.filter(action="auth.unlocked", actor=alex).count() == 1
