"""The pages work under the strict Content-Security-Policy: a real browser reports no
violation on the main pages, htmx still swaps answers in, bars still have their widths, and
the API docs still draw.

A violation shows in two places: the console ("Refused to ... because it violates the
following Content Security Policy directive") and a `securitypolicyviolation` event, which an
init script (run by the browser's tooling, outside the page's policy) records.
"""

import pytest
from playwright.sync_api import expect

from cases import services
from reports.models import JobStatus, ReportJob
from tests.helpers import authenticator_for
from tests.web import test_e2e
from tests.web.test_e2e import enter_second_factor, log_in, log_out

browser = test_e2e.browser

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


@pytest.fixture
def watched_page(browser):
    """A page that collects every CSP complaint and script error it meets."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    complaints = []

    def on_console(message):
        # A missing resource is reported below with its URL instead.
        if "Content Security Policy" in message.text or (
            message.type == "error" and not message.text.startswith("Failed to load resource")
        ):
            complaints.append(f"console: {message.text}")

    def on_response(response):
        # The admin and Redoc link no icon, so the browser asks for /favicon.ico.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            complaints.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: complaints.append(f"page error: {error}"))

    def check(where: str, allowed_blocks: tuple[str, ...] = ()) -> None:
        recorded = page.evaluate("window.__cspViolations || []")
        found = [
            complaint
            for complaint in complaints + [f"violation: {v}" for v in recorded]
            if not any(url in complaint for url in allowed_blocks)
        ]
        complaints.clear()
        assert not found, f"{where}:\n" + "\n".join(found)

    page.check_csp = check
    yield page
    context.close()


def visit(page, url: str) -> None:
    response = page.goto(url)
    page.wait_for_load_state("load")
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (url, policy)
    page.check_csp(url)


def test_the_main_pages_raise_no_csp_violation(
    live_server, watched_page, catalog, hr, reviewer, compliance, answered_case, open_case
):
    base = live_server.url
    page = watched_page
    submitted = answered_case(overrides={"RF-2023-01": ("observed", "No camera.")})
    services.perform_action(hr, submitted, "submit")
    case = open_case(legal_name="Kim Chol")
    # A pending report job: its row polls its status through htmx every two seconds.
    ReportJob.objects.create(
        kind="risk_summary", case=case, requester=hr, language="en", status=JobStatus.QUEUED
    )

    visit(page, f"{base}/accounts/login/")
    log_in(page, base, "hana")
    page.check_csp("sign-in")
    for path in [
        "/",
        "/cases/",
        "/cases/new/",
        f"/cases/{case.reference}/",
        f"/cases/{case.reference}/candidate/",
        f"/cases/{case.reference}/evidence/",
        f"/cases/{case.reference}/history/",
        f"/cases/{submitted.reference}/",
        "/reports/",
        f"/reports/cases/{case.reference}/",
        "/accounts/password/",
        "/notifications/",
        "/notifications/settings/",
    ]:
        visit(page, base + path)

    # The checklist: an answer goes through htmx and the progress bar grows (a CSS class).
    visit(page, f"{base}/cases/{case.reference}/checklist/")
    item = page.locator("article.item.kind-red_flag").first
    item.locator("input[value=not_observed]").check()
    item.locator("[data-item-save]").click()
    expect(page.locator("article.item.answered").first).to_be_visible()
    expect(page.locator("#progress [role=progressbar]")).to_have_attribute("aria-valuenow", "1")
    bar = page.locator("#progress [role=progressbar] span")
    assert bar.evaluate("el => el.getBoundingClientRect().width") > 0
    # The indicator style comes from the stylesheet, not from a style htmx injects.
    assert page.evaluate("document.querySelectorAll('head style').length") == 0
    page.wait_for_timeout(2500)  # let the report row poll once
    page.check_csp("checklist after an htmx answer")

    # The language switch (a script in static/) still submits on change.
    for language in ("ko", "en"):
        with page.expect_navigation():
            page.select_option("#lang-select", language)
        expect(page.locator("html")).to_have_attribute("lang", language)
    page.check_csp("language switch")

    log_out(page)
    log_in(page, base, "riley")
    for path in ["/", "/review/", f"/cases/{submitted.reference}/review/"]:
        visit(page, base + path)
    log_out(page)
    log_in(page, base, "chris")
    for path in [
        "/reports/audit-export/",
        "/reports/integrity/",
        "/catalogues/",
        "/catalogues/upload/",
        "/catalogues/defaults/",
        "/catalogues/coverage/",
    ]:
        visit(page, base + path)


def test_the_api_docs_draw_under_their_own_policy(live_server, watched_page, hr):
    page = watched_page
    log_in(page, live_server.url, "hana")
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=30_000)
    page.check_csp("Swagger UI")
    page.goto(f"{live_server.url}/api/redoc/")
    expect(page.locator("h1").first).to_contain_text("vetting API", timeout=30_000)
    # Redoc's "powered by" logo comes from its vendor's CDN: the policy blocking it is the
    # policy working (vetting loads nothing from elsewhere). Nothing else may be blocked.
    page.check_csp("Redoc", allowed_blocks=("https://cdn.redoc.ly/",))


def test_the_admin_raises_no_csp_violation(live_server, watched_page, catalog, hr, open_case):
    from django.contrib.auth.models import User

    root = User.objects.create_superuser("root", password="pw-root")
    device = authenticator_for(root)  # the admin role needs the second factor
    case = open_case()
    page = watched_page
    base = live_server.url
    visit(page, f"{base}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-root")
    page.locator("input[type=submit]").click()
    enter_second_factor(page, device)
    expect(page.locator("#site-name")).to_be_visible()
    page.check_csp("admin sign-in")
    for path in ["/admin/", "/admin/cases/case/", f"/admin/cases/case/{case.pk}/change/"]:
        visit(page, base + path)
    visit(page, f"{base}/admin/auth/user/add/")
