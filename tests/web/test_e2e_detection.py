"""Detection in a real browser (issue 10): a case a reviewer referred to the authorities, then a
second applicant who gives the same phone written differently. The second case's review page
shows the link and the finding it raised, and HR can no longer close it as cleared alone."""

import re

import pytest
from playwright.sync_api import expect

from cases import selectors, services
from cases.models import Case
from tests.web import test_e2e
from tests.web.test_e2e import log_in, log_out, shot

# The browser fixtures of the main walkthrough, shared.
browser = test_e2e.browser
new_page = test_e2e.new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIRST_PHONE = "+1 (646) 555-0142"
SAME_PHONE_AS_TYPED = "646.555.0142"


def _answer_everything_clean(actor, case):
    for answer in selectors.answers_for(case):
        value = "not_observed" if answer.item.is_red_flag else "completed"
        services.answer_item(actor, case, answer.item.code, value)


@pytest.fixture
def referred_case(catalog, hr, reviewer):
    case = services.open_case(
        hr,
        {
            "legal_name": "Sam Lee",
            "role_applied_for": "Backend developer",
            "claimed_country": "US",
            "phones": [FIRST_PHONE],
        },
    )
    _answer_everything_clean(hr, case)
    services.perform_action(hr, case, "submit")
    services.perform_action(reviewer, case, "start_review")
    services.perform_action(reviewer, case, "refer", "Laptop sent to a forwarder; IC3 filed.")
    case.refresh_from_db()
    return case


def test_a_second_applicant_with_the_same_phone_is_linked_and_only_a_reviewer_can_end_it(
    live_server, new_page, referred_case, hr, reviewer, compliance
):
    base = live_server.url
    page = new_page()
    log_in(page, base, "hana")

    # The second applicant, opened through the form with the phone as they typed it.
    page.goto(f"{base}/cases/new/")
    page.fill("#id_legal_name", "Daniel Moore")
    page.fill("#id_role_applied_for", "Frontend developer")
    page.fill("#id_phones", SAME_PHONE_AS_TYPED)
    page.select_option("#id_claimed_country", "US")
    page.locator("main form button.primary").click()
    expect(page).to_have_url(re.compile(r"/cases/VET-\d{4}-\d{6}/checklist/$"))
    reference = page.url.rstrip("/").split("/")[-2]

    case = Case.objects.get(reference=reference)
    _answer_everything_clean(hr, case)  # every checklist answer clean: only detection speaks

    page.goto(f"{base}/cases/{reference}/")
    expect(page.locator("main")).to_contain_text(referred_case.reference)
    page.locator("form.action-form:has(input[value=submit]) button").click()
    expect(page.locator(".case-meta .badge.status-submitted")).to_be_visible()
    # HR is not offered to close it as cleared, and the page says why not.
    expect(page.locator("form.action-form:has(input[value=close_cleared])")).to_have_count(0)
    shot(page, "detection-01-overview-hr")
    log_out(page)

    log_in(page, base, "riley")
    page.goto(f"{base}/cases/{reference}/review/")
    main = page.locator("main")
    expect(main).to_contain_text(referred_case.reference)
    expect(main).to_contain_text("links.flagged_case")
    expect(main).to_contain_text(SAME_PHONE_AS_TYPED)
    shot(page, "detection-02-review")
