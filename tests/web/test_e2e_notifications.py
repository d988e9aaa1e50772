"""The inbox in a real browser: the bell's unread count, the inbox, mark read, open a case."""

import os
import re

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect  # noqa: E402

from notifications import events  # noqa: E402
from notifications.services import notify  # noqa: E402
from tests.web.test_e2e import browser, log_in, new_page  # noqa: E402, F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_bell_counts_unread_notifications_and_the_inbox_marks_them_read(
    live_server,
    new_page,  # noqa: F811
    catalog,
    open_case,
    hr,
    reviewer,  # noqa: F811
):
    first, second = open_case(), open_case()
    notify(events.CASE_RETURNED, hr, case=first, actor=reviewer)
    notify(events.CASE_APPROVED, hr, case=second, actor=reviewer)
    notify(events.CASE_ASSIGNED, reviewer, case=first, actor=hr)  # someone else's
    base = live_server.url
    page = new_page()

    log_in(page, base, "hana")
    bell = page.locator("#notification-bell")
    expect(bell.locator(".unread-count")).to_have_attribute("data-unread", "2")

    bell.click()
    expect(page.locator("h1")).to_have_text("Notifications")
    items = page.locator(".notification")
    expect(items).to_have_count(2)
    expect(page.locator(".notification.unread")).to_have_count(2)
    expect(items.first).to_contain_text(f"{second.reference} was approved")

    items.first.locator("button", has_text="Mark as read").click()
    expect(page.locator(".notification.unread")).to_have_count(1)
    expect(page.locator("#notification-bell .unread-count")).to_have_attribute("data-unread", "1")

    page.locator(".notification.unread a").click()
    expect(page).to_have_url(re.compile(rf"/cases/{first.reference}/$"))
    expect(page.locator("#notification-bell")).to_be_visible()
    expect(page.locator("#notification-bell .unread-count")).to_have_count(0)
