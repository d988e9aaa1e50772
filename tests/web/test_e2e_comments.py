"""In a real browser under the strict Content-Security-Policy: a comment posted through htmx
appears in place with its Markdown rendered and its HTML shown as text; the case list's
"tick every case" box ticks every case for the bulk assignment."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.cases.helpers import bring_to
from tests.web import test_e2e, test_e2e_csp
from tests.web.test_e2e import log_in
from tests.web.test_e2e_csp import visit

browser = test_e2e.browser
watched_page = test_e2e_csp.watched_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_comment_posted_with_htmx_appears_rendered_and_sanitised(
    live_server,
    watched_page,
    catalog,
    hr,
    reviewer,
    open_case,
):
    page = watched_page
    base = live_server.url
    case = open_case()
    log_in(page, base, "hana")
    visit(page, f"{base}/cases/{case.reference}/comments/")

    page.fill("#id_body", "**Bold** for @riley <img src=x onerror=alert(1)>")
    page.locator("#discussion button.primary").click()

    comment = page.locator("ol.comments li.comment").first
    expect(comment.locator(".comment-body strong")).to_have_text("Bold")
    expect(comment.locator(".comment-body")).to_contain_text("<img src=x onerror=alert(1)>")
    assert comment.locator(".comment-body img").count() == 0
    expect(page.locator("#messages")).to_contain_text("Comment posted.")
    expect(page.locator("#id_body")).to_have_value("")
    page.check_csp("comments after an htmx post")


def test_tick_every_case_ticks_each_case_for_the_bulk_assignment(
    live_server,
    watched_page,
    catalog,
    hr,
    reviewer,
    reviewer2,
    answered_case,
):
    page = watched_page
    base = live_server.url
    for _ in range(2):
        bring_to(answered_case(), "submitted", hr=hr, reviewer=reviewer)
    log_in(page, base, "hana")
    visit(page, f"{base}/cases/")

    page.locator("input[data-select-all]").check()
    boxes = page.locator("input[name=case]")
    assert boxes.count() == 2
    for index in range(2):
        expect(boxes.nth(index)).to_be_checked()
    page.select_option("#bulk-reviewer", "seoyeon")
    page.locator("#bulk-assign button").click()

    expect(page.locator("h1")).to_contain_text("Assigning cases to seoyeon")
    expect(page.locator("table")).to_contain_text("Assigned to seoyeon.")
    page.check_csp("bulk assignment")
    assert all(c.reviewer == reviewer2 for c in Case.objects.all())
