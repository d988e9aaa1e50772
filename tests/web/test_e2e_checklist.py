"""The faster checklist in a real browser (issue 14): the HR job from sign-in to a submitted
case with its clicks counted, the section form with a refused item, the keyboard shortcuts,
and "Add another" on the candidate form.

The click count is recorded in the README ("## Checklist" section) and in
tests/artifacts/click-count.txt; the test fails when the README's number is not the measured
one. What counts as a click is said in tests/web/clicks.py.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from cases import selectors
from cases.models import Candidate, ChecklistAnswer
from tests.helpers import authenticator_for, totp_code
from tests.web import test_e2e
from tests.web.clicks import CountingPage
from tests.web.test_e2e import log_in

browser = test_e2e.browser
new_page = test_e2e.new_page
evidence_file = test_e2e.evidence_file
people = test_e2e.people

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

README = Path(__file__).resolve().parents[2] / "README.md"
CLICKS_BEFORE = 72  # the same job before the section form (one save per item), measured alike
NOTE = "Refused to turn the camera on twice."


def _record(line: str) -> None:
    print("\n" + line)
    test_e2e.ARTIFACTS.mkdir(exist_ok=True)
    with open(test_e2e.ARTIFACTS / "click-count.txt", "a", encoding="utf-8") as out:
        out.write(line + "\n")


# ---------------------------------------------------------------- the HR job, counted


def _sign_in(you: CountingPage, base: str) -> None:
    device = authenticator_for(User.objects.get(username="hana"))
    you.page.goto(f"{base}/accounts/login/")
    you.type_into("#id_username", "hana")
    you.type_into("#id_password", "pw-hana")
    you.click("main button[type=submit]")
    you.type_into("#id_code", totp_code(device))
    you.click("main button[type=submit]")
    expect(you.page.locator("h1")).to_have_text("Dashboard")


def _open_case(you: CountingPage) -> str:
    you.click("nav.mainnav a[href='/cases/new/']")
    you.type_into("#id_legal_name", "Kim Chol")
    you.type_into("#id_role_applied_for", "Senior backend developer")
    you.type_into("#id_emails", "kim.chol@example.com")
    you.type_into("#id_phones", "+1 555 0100")
    you.select("#id_claimed_country", "US")
    you.type_into("#id_account_number", "DE44500105175407324931")
    you.type_into("#id_profiles-0-url_or_handle", "https://github.com/kim")
    you.type_into("#id_history-0-organisation", "Pyongyang University of Computer Science")
    you.type_into("#id_history-0-start_year", "2010")
    you.click("main form button.primary")
    expect(you.page).to_have_url(re.compile(r"/cases/VET-\d{4}-\d{6}/checklist/$"))
    return you.page.url.rstrip("/").split("/")[-2]


def _sections(page: Page) -> list[tuple[str, list[str]]]:
    """The checklist's sections in page order, each with its item codes in page order."""
    return page.locator("section[data-checklist-section]").evaluate_all(
        """sections => sections.map(s => [s.id.slice(8),
             Array.from(s.querySelectorAll('article[data-item]')).map(i => i.id.slice(5))])"""
    )


def _save_section(you: CountingPage, key: str, answered: int) -> None:
    you.click(f"#save-section-{key}")
    expect(you.page.locator("#progress [role=progressbar]")).to_have_attribute(
        "aria-valuenow", str(answered)
    )


def _answer_by_mouse(you: CountingPage) -> int:
    answered = 0
    observed = False
    for key, codes in _sections(you.page):
        for code in codes:
            item = you.page.locator(f"#item-{code}")
            if code.startswith("RF") and not observed:
                you.check(item.locator("input[value=observed]"))
                you.type_into(item.locator("[data-answer-form] textarea"), NOTE)
                observed = True
            elif code.startswith("RF"):
                you.check(item.locator("input[value=not_observed]"))
            else:
                you.check(item.locator("input[value=completed]"))
        answered += len(codes)
        _save_section(you, key, answered)
    return answered


def _answer_by_keyboard(you: CountingPage) -> int:
    """1-4 choose the focused item's answer, j moves on; the first unanswered item has the
    focus when the page opens and after a section is saved."""
    page = you.page
    answered = 0
    observed = False
    for key, codes in _sections(page):
        for n, code in enumerate(codes):
            if n:
                you.press("j")
            expect(page.locator(f"#item-{code}")).to_be_focused()
            if code.startswith("RF") and not observed:
                you.press("1")  # observed: the note field takes the focus
                you.type_here(NOTE)
                you.press("Escape")
                observed = True
            elif code.startswith("RF"):
                you.press("2")  # not observed
            else:
                you.press("1")  # completed
        answered += len(codes)
        _save_section(you, key, answered)
    return answered


def _upload_evidence(you: CountingPage, code: str, path: Path) -> None:
    item = you.page.locator(f"#item-{code}")
    you.click(item.locator("details.upload summary"))
    you.pick_file(item.locator("input[type=file]"), path)
    you.type_into(item.locator("input[name=description]"), "Interview notes")
    you.click(item.locator("details.upload button"))
    expect(you.page.locator(f"#item-{code} .evidence-mini")).to_contain_text(path.name)


def _submit(you: CountingPage) -> None:
    """From the progress bar, which offers to submit once every item is answered."""
    you.click(".checklist-progress form.action-form:has(input[value=submit]) button")
    expect(you.page.locator(".case-meta .badge.status-submitted")).to_be_visible()


def _hr_job(page: Page, base: str, evidence: Path, answer) -> tuple[CountingPage, int]:
    you = CountingPage(page)
    _sign_in(you, base)
    reference = _open_case(you)
    answered = answer(you)
    _upload_evidence(you, _sections(page)[0][1][0], evidence)
    _submit(you)
    answers = ChecklistAnswer.objects.filter(case__reference=reference)
    assert answers.filter(value="").count() == 0
    assert answers.get(value="observed").note == NOTE
    return you, answered


def test_the_hr_job_with_the_keyboard_takes_fewer_than_40_clicks(
    live_server, new_page, people, evidence_file
):
    you, items = _hr_job(new_page(), live_server.url, evidence_file, _answer_by_keyboard)
    assert items == 26
    line = (
        f"The HR job takes {you.clicks} clicks and {you.keys} key presses with the keyboard "
        f"shortcuts (measured by tests/web/test_e2e_checklist.py)"
    )
    _record(f"{line}; {items}-item checklist.")
    assert you.clicks < 40
    assert line in README.read_text(encoding="utf-8"), f"record in the README: {line}"


def test_the_hr_job_with_the_mouse_alone_takes_fewer_clicks_than_before(
    live_server, new_page, people, evidence_file
):
    you, items = _hr_job(new_page(), live_server.url, evidence_file, _answer_by_mouse)
    assert items == 26 and you.keys == 0
    line = f"or {you.clicks} clicks with the mouse alone (before the section form: {CLICKS_BEFORE})"
    _record(f"The HR job takes {line.removeprefix('or ')}; {items}-item checklist.")
    assert you.clicks < CLICKS_BEFORE
    assert line in README.read_text(encoding="utf-8"), f"record in the README: {line}"


# ---------------------------------------------------------------- section form and keyboard


def test_a_section_save_marks_the_refused_item_and_keeps_what_was_typed(
    live_server, new_page, people, open_case
):
    case = open_case()
    page = new_page()
    log_in(page, live_server.url, "hana")
    page.goto(f"{live_server.url}/cases/{case.reference}/checklist/")
    first, second = "#item-RF-2023-01", "#item-RF-2023-02"
    page.locator(f"{first} input[value=observed]").check()  # no note: refused
    page.locator(f"{second} input[value=not_observed]").check()
    page.locator("#save-section-2023-10-red_flags").click()
    expect(page.locator(f"{first} .errorlist")).to_contain_text("note is required")
    expect(page.locator(f"{first} input[value=observed]")).to_be_checked()
    expect(page.locator(f"{second}.answered")).to_be_visible()
    expect(page.locator("#progress [role=progressbar]")).to_have_attribute("aria-valuenow", "1")
    expect(page.locator(first)).to_be_focused()  # the refused item, ready to fix
    # The item's own button still saves it alone, in place.
    page.locator(f"{first} [data-answer-form] textarea").fill(NOTE)
    page.locator(f"{first} [data-item-save]").click()
    expect(page.locator(f"{first}.answered")).to_be_visible()
    expect(page.locator("#progress [role=progressbar]")).to_have_attribute("aria-valuenow", "2")
    assert ChecklistAnswer.objects.get(case=case, item__code="RF-2023-01").note == NOTE


def test_keyboard_shortcuts_move_between_items_and_choose_answers(
    live_server, new_page, people, open_case
):
    case = open_case()
    codes = [a.item.code for s in selectors.checklist_sections(case) for a in s.answers]
    page = new_page()
    log_in(page, live_server.url, "hana")
    page.goto(f"{live_server.url}/cases/{case.reference}/checklist/")
    expect(page.locator("#keyboard-help")).to_contain_text("Keyboard: j/k")
    first, second = page.locator(f"#item-{codes[0]}"), page.locator(f"#item-{codes[1]}")
    expect(first).to_be_focused()
    outline = first.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "the focused item is visibly marked"
    page.keyboard.press("j")
    expect(second).to_be_focused()
    page.keyboard.press("k")
    expect(first).to_be_focused()
    page.keyboard.press("3")  # unknown
    expect(first.locator("input[value=unknown]")).to_be_checked()
    page.keyboard.press("1")  # observed needs a note: the note takes the focus
    expect(first.locator("[data-answer-form] textarea")).to_be_focused()
    page.keyboard.type("j2 k")  # typing in a note is typing, not shortcuts
    expect(first.locator("[data-answer-form] textarea")).to_have_value("j2 k")
    expect(first.locator("input[value=observed]")).to_be_checked()
    page.keyboard.press("Escape")
    expect(first).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("2")
    expect(second.locator("input[value=not_observed]")).to_be_checked()
    # Nothing is saved until a save button is pressed.
    assert not ChecklistAnswer.objects.filter(case=case).exclude(value="").exists()
    page.locator("#save-section-2023-10-red_flags").click()
    expect(page.locator("#progress [role=progressbar]")).to_have_attribute("aria-valuenow", "2")


def test_add_another_gives_as_many_profile_rows_as_needed_before_one_save(
    live_server, new_page, people
):
    page = new_page()
    log_in(page, live_server.url, "hana")
    page.goto(f"{live_server.url}/cases/new/")
    page.fill("#id_legal_name", "Ri Yong")
    page.fill("#id_role_applied_for", "Mobile developer")
    rows = page.locator("#profiles-rows .row-form")
    expect(rows).to_have_count(2)
    for _ in range(3):
        page.locator("[data-add-row=profiles]").click()
    expect(rows).to_have_count(5)
    expect(page.locator("#id_profiles-4-kind")).to_be_focused()  # the new row's first field
    expect(page.locator("#id_profiles-TOTAL_FORMS")).to_have_value("5")
    for n in range(5):
        page.fill(f"#id_profiles-{n}-url_or_handle", f"https://github.com/ri{n}")
    page.locator("[data-add-row=history]").click()
    page.fill("#id_history-2-organisation", "Chosun Expo")
    page.locator("main form button.primary").click()
    expect(page).to_have_url(re.compile(r"/checklist/$"))
    candidate = Candidate.objects.get(legal_name="Ri Yong")
    assert candidate.profiles.count() == 5
    assert [h.organisation for h in candidate.history_entries.all()] == ["Chosun Expo"]
