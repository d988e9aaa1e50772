"""The whole job in a real browser: HR opens a case, answers every item, uploads evidence and
submits; another user reviews and signs off. In English and in Korean.

Screenshots of the main pages go to tests/artifacts/ (not committed) for people to look at.
"""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.contrib.auth.models import User  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from accounts import otp, roles  # noqa: E402
from tests.helpers import authenticator_for, make_user, totp_code  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def _new_page(width: int = 1280) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield _new_page
    for context in contexts:
        context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Page, base: str, username: str, language: str = "en") -> None:
    """Sign in through the form; then, when the user's role needs one (or the user has one),
    enter the code of their authenticator app (set up beforehand), computed from its key."""
    user = User.objects.get(username=username)
    device = None
    if otp.is_required_for(user) or otp.has_authenticator(user):
        device = authenticator_for(user)
    page.goto(f"{base}/accounts/login/")
    if language != "en":
        page.select_option("#lang-select", language)
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("lang", language)
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.locator("main button[type=submit]").click()
    if device is not None:
        enter_second_factor(page, device)
    expect(page.locator("h1")).to_be_visible()


def enter_second_factor(page: Page, device) -> None:
    """On the code page that follows a password (the sign-in page's or the admin's), enter the
    code of the authenticator app `device` (set up before signing in)."""
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    page.fill("#id_code", totp_code(device))
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/two-factor/"))


def log_out(page: Page) -> None:
    page.locator("header form[action$='/logout/'] button").click()
    expect(page.locator("#id_username")).to_be_visible()


def open_case(page: Page, base: str, name: str, email: str) -> str:
    page.goto(f"{base}/cases/new/")
    page.fill("#id_legal_name", name)
    page.fill("#id_role_applied_for", "Senior backend developer")
    page.fill("#id_emails", email)
    page.fill("#id_phones", "+1 555 0100")
    page.select_option("#id_claimed_country", "US")
    page.fill("#id_account_number", "DE44500105175407324931")
    page.fill("#id_profiles-0-url_or_handle", "https://github.com/" + name.split()[0].lower())
    page.fill("#id_history-0-organisation", "Pyongyang University of Computer Science")
    page.fill("#id_history-0-start_year", "2010")
    page.locator("main form button.primary").click()
    expect(page).to_have_url(re.compile(r"/cases/VET-\d{4}-\d{6}/checklist/$"))
    return page.url.rstrip("/").split("/")[-2]


def answer_every_item(page: Page) -> None:
    """Answer each item through the htmx form: the first red flag observed (with its note)."""
    codes = page.locator("article.item").evaluate_all("items => items.map(i => i.id.slice(5))")
    assert codes, "the checklist shows no items"
    observed_done = False
    for code in codes:
        item = page.locator(f"#item-{code}")
        if code.startswith("RF") and not observed_done:
            item.locator("input[value=observed]").check()
            item.locator("[data-answer-form] textarea").fill("Refused to turn the camera on twice.")
            observed_done = True
        elif code.startswith("RF"):
            item.locator("input[value=not_observed]").check()
        else:
            item.locator("input[value=completed]").check()
        item.locator("[data-item-save]").click()
        expect(page.locator(f"#item-{code}.answered")).to_be_visible()
    expect(page.locator("#progress [role=progressbar]")).to_have_attribute(
        "aria-valuenow", str(len(codes))
    )


def upload_evidence(page: Page, code: str, path: Path) -> None:
    item = page.locator(f"#item-{code}")
    item.locator("details.upload summary").click()
    item.locator("input[type=file]").set_input_files(str(path))
    item.locator("input[name=description]").fill("Interview notes")
    item.locator("details.upload button").click()
    expect(page.locator(f"#item-{code} .evidence-mini")).to_contain_text(path.name)


def submit_case(page: Page, base: str, reference: str) -> None:
    page.goto(f"{base}/cases/{reference}/")
    page.locator("form.action-form:has(input[value=submit]) button").click()
    expect(page.locator(".case-meta .badge.status-submitted")).to_be_visible()


def review_and_refer(page: Page, base: str, reference: str, note: str) -> None:
    page.goto(f"{base}/cases/{reference}/review/")
    page.locator("form:has(input[value=start_review]) button").click()
    expect(page.locator(".case-meta .badge.status-in_review")).to_be_visible()
    page.locator("input[name=action][value=refer]").check()
    page.fill("textarea[name=note]", note)
    page.locator("main form button.primary").click()
    expect(page.locator(".case-meta .badge.status-referred")).to_be_visible()


@pytest.fixture
def evidence_file(tmp_path) -> Path:
    path = tmp_path / "interview-notes.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return path


@pytest.fixture
def people(catalog, hr, reviewer, compliance):
    """hana (HR), riley (reviewer) and chris (compliance); each password is pw-<username>."""
    return {"hr": hr, "reviewer": reviewer, "compliance": compliance}


def test_hr_assesses_and_a_reviewer_refers_in_english(live_server, new_page, people, evidence_file):
    base = live_server.url
    page = new_page()
    page.goto(f"{base}/accounts/login/")
    shot(page, "en-01-login")

    log_in(page, base, "hana")
    expect(page.locator("h1")).to_have_text("Dashboard")
    shot(page, "en-02-dashboard-hr")

    page.goto(f"{base}/cases/new/")
    shot(page, "en-03-new-case")
    page.locator("main form button.primary").click()  # nothing filled in
    expect(page.locator(".field.has-error #id_legal_name")).to_be_visible()
    expect(page.locator(".messages .message.error")).to_be_visible()

    reference = open_case(page, base, "Kim Chol", "kim.chol@example.com")
    expect(page.locator(".messages")).to_contain_text(reference)
    shot(page, "en-04-checklist-empty")

    # A note is required for "observed": the error is shown in the item, nothing is saved.
    first_rf = page.locator("article.item.kind-red_flag").first
    first_rf.locator("input[value=observed]").check()
    first_rf.locator("[data-item-save]").click()
    expect(first_rf.locator(".errorlist")).to_contain_text("note is required")

    answer_every_item(page)
    first_code = page.locator("article.item").first.get_attribute("id")[5:]
    upload_evidence(page, first_code, evidence_file)
    expect(page.locator("#tab-progress")).to_have_text(re.compile(r"(\d+)/\1"))
    shot(page, "en-05-checklist-answered")

    page.goto(f"{base}/cases/{reference}/candidate/")
    expect(page.locator("#id_legal_name")).to_have_value("Kim Chol")
    expect(page.locator("body")).not_to_contain_text("DE44500105175407324931")
    shot(page, "en-06-candidate")

    submit_case(page, base, reference)
    expect(page.locator("#risk-heading")).to_be_visible()
    expect(page.locator(".risk-box")).to_contain_text("Red flag observed")
    shot(page, "en-07-overview-submitted")

    page.goto(f"{base}/cases/")
    expect(page.locator("table")).to_contain_text(reference)
    page.fill("#id_q", "kim.chol@")
    page.locator("form[role=search] button.primary").click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    shot(page, "en-08-case-list")
    log_out(page)

    log_in(page, base, "riley")
    shot(page, "en-09-dashboard-reviewer")
    page.goto(f"{base}/review/")
    expect(page.locator("table")).to_contain_text(reference)
    shot(page, "en-10-review-queue")
    page.goto(f"{base}/cases/{reference}/review/")
    shot(page, "en-11-review-before")
    review_and_refer(page, base, reference, "Camera refusal and a DPRK university.")
    expect(page.locator(".signoffs")).to_contain_text("Camera refusal")
    shot(page, "en-12-review-signed")

    page.goto(f"{base}/cases/{reference}/history/")
    expect(page.locator(".timeline")).to_contain_text("riley")
    expect(page.locator(".timeline")).to_contain_text("hana")
    shot(page, "en-13-history")

    page.goto(f"{base}/cases/{reference}/evidence/")
    with page.expect_download() as download:
        page.locator("table a", has_text=evidence_file.name).click()
    assert download.value.suggested_filename == evidence_file.name
    shot(page, "en-14-evidence")

    # Reports: request a risk summary, watch it finish, download it.
    page.goto(base + reverse("reports:case_reports", args=[reference]))
    page.locator("form:has(input[value=risk_summary]) button").click()
    download_link = page.locator(".report-job a.button.primary")
    expect(download_link).to_be_visible(timeout=90_000)
    shot(page, "en-15-reports")
    with page.expect_download() as report:
        download_link.click()
    assert report.value.suggested_filename.endswith(".pdf")

    page.goto(f"{base}/cases/VET-1999-000000/")
    expect(page.locator(".error-code")).to_have_text("404")
    shot(page, "en-16-error-404")
    log_out(page)

    log_in(page, base, "chris")
    shot(page, "en-17-dashboard-compliance")
    expect(page.locator(".bars")).to_contain_text("1")


def test_the_same_job_in_korean(live_server, new_page, people, evidence_file):
    base = live_server.url
    page = new_page()
    log_in(page, base, "hana", language="ko")
    expect(page.locator("h1")).to_have_text("대시보드")
    shot(page, "ko-01-dashboard-hr")

    reference = open_case(page, base, "Pak Song", "pak.song@example.com")
    expect(page.locator(".tabs")).to_contain_text("체크리스트")
    expect(page.locator("legend").first).to_have_text("답변")
    answer_every_item(page)
    first_code = page.locator("article.item").first.get_attribute("id")[5:]
    upload_evidence(page, first_code, evidence_file)
    shot(page, "ko-02-checklist")

    submit_case(page, base, reference)
    expect(page.locator("#risk-heading")).to_have_text("위험 요약")
    shot(page, "ko-03-overview")
    log_out(page)

    log_in(page, base, "riley")  # the language choice is kept for the session
    expect(page.locator("h1")).to_have_text("대시보드")
    review_and_refer(page, base, reference, "화상 면접 거부.")
    expect(page.locator(".messages")).to_contain_text("수사기관")
    shot(page, "ko-04-review")

    page.goto(f"{base}/cases/{reference}/history/")
    shot(page, "ko-05-history")
    page.goto(f"{base}/cases/VET-1999-000000/")
    expect(page.locator("h1")).to_have_text("찾을 수 없음")
    shot(page, "ko-06-error-404")


def test_four_eyes_rule_is_shown_plainly_to_an_assessor_who_reviews(
    live_server, new_page, people, answered_case
):
    both = make_user("dana", roles.HR, roles.REVIEWER)
    from cases import services

    case = answered_case(actor=both)
    services.perform_action(both, case, "submit")
    page = new_page()
    log_in(page, live_server.url, "dana")
    page.goto(f"{live_server.url}/cases/{case.reference}/review/")
    alert = page.locator("[role=alert]", has_text="Four-eyes rule")
    expect(alert).to_contain_text("another reviewer must review it")
    expect(page.locator("form:has(input[value=start_review])")).to_have_count(0)
    shot(page, "en-18-four-eyes")


def test_pages_fit_a_small_phone(live_server, new_page, people, answered_case):
    case = answered_case()
    page = new_page(width=375)
    log_in(page, live_server.url, "hana")
    shot(page, "mobile-01-dashboard")
    for name, path in (("checklist", "checklist/"), ("overview", ""), ("candidate", "candidate/")):
        page.goto(f"{live_server.url}/cases/{case.reference}/{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 375px"
        shot(page, f"mobile-02-{name}")
