"""What a new user trying the app noticed (issue 9): the pages say what is true, in both
languages, and every time shown names its zone."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import selectors, services
from reports.services import request_report
from tests.cases.helpers import bring_to

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


def page(client, name, case, **extra):
    response = client.get(reverse(name, args=[case.reference]), **extra)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def part(html: str, start: str, end: str = "</section>") -> str:
    """The HTML from `start` to the next `end`."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def header_risk(html: str) -> str:
    """The text of the header's risk span (which holds spans of its own)."""
    begin, depth = html.index('<span id="case-risk"'), 0
    for tag in re.finditer(r"<span\b|</span>", html[begin:]):
        depth += 1 if tag.group() == "<span" else -1
        if depth == 0:
            return text_of(html[begin : begin + tag.end()])
    raise AssertionError("the risk span is not closed")


def answer_all_but(case, hr, *left_out):
    for answer in selectors.answers_for(case):
        if answer.item.code not in left_out:
            value = "not_observed" if answer.item.is_red_flag else "completed"
            services.answer_item(hr, case, answer.item.code, value, "")


# ---------------------------------------------------------------- not scored until answered


def test_an_unanswered_case_is_not_scored_on_its_overview_or_review_page(hr_client, open_case):
    case = open_case()
    for name in ("case_detail", "case_review"):
        html = page(hr_client, name, case)
        assert "Not scored yet: 0 of 26 items answered." in html, name
        assert "risk-box" not in html and "122.00" not in html, name
        assert header_risk(html) == "Not scored", name


def test_a_partly_answered_case_is_not_scored_yet(hr_client, open_case, hr):
    case = open_case()
    for code in ("RF-2023-01", "RF-2023-02", "DD-2023-01"):
        services.answer_item(hr, case, code, "not_observed" if code[:2] == "RF" else "completed")
    html = page(hr_client, "case_detail", case)
    assert "Not scored yet: 3 of 26 items answered." in html
    assert "risk-box" not in html
    assert header_risk(html) == "Not scored"


def test_a_fully_answered_case_shows_its_live_risk_and_the_header_agrees(hr_client, answered_case):
    case = answered_case(overrides={"RF-2023-01": ("observed", "No camera")})
    for name in ("case_detail", "case_checklist", "case_review"):
        html = page(hr_client, name, case)
        assert header_risk(html) == "Medium (live, not submitted yet)", name
        assert "Not scored" not in html, name
    assert "15.00" in part(page(hr_client, "case_detail", case), 'id="risk-heading"')


def test_a_submitted_case_shows_its_snapshot_level_in_the_header(hr_client, answered_case, hr):
    case = answered_case(overrides={"RF-2023-01": ("observed", "No camera")})
    services.perform_action(hr, case, "submit")
    assert header_risk(page(hr_client, "case_detail", case)) == "Medium"


def test_answering_the_last_item_updates_the_header_risk_in_place(hr_client, open_case, hr):
    case = open_case()
    answer_all_but(case, hr, "RF-2023-01")
    response = hr_client.post(
        reverse("case_answer", args=[case.reference, "RF-2023-01"]),
        {"value": "not_observed"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert '<span id="case-risk" hx-swap-oob="true">' in html
    assert header_risk(html) == "Low (live, not submitted yet)"


# ---------------------------------------------------------------- overview actions


def test_submit_is_disabled_and_says_why_until_every_item_is_answered(hr_client, open_case, hr):
    case = open_case()
    html = page(hr_client, "case_detail", case)
    assert '<button type="submit" disabled aria-describedby="help-submit">Submit for review' in html
    assert "Answer all 26 items first (0/26)." in html
    answer_all_but(case, hr)
    html = page(hr_client, "case_detail", case)
    assert '<button type="submit" class="primary">Submit for review</button>' in html
    assert "disabled" not in part(html, 'id="next-heading"')


def test_reopening_a_referred_case_explains_what_it_does_and_who_may(
    hr_client, answered_case, hr, reviewer
):
    case = bring_to(answered_case(), "referred", hr=hr, reviewer=reviewer)
    html = page(hr_client, "case_detail", case)
    form = part(html, '<input type="hidden" name="action" value="reopen">', "</form>")
    assert "Reopening sends the case back to assessment" in form
    assert "The decision and its sign-offs stay in the history." in form
    assert "Who may reopen: HR, Reviewer." in form
    assert 'aria-describedby="help-reopen"' in form


# ---------------------------------------------------------------- findings to weigh


def test_findings_to_weigh_list_every_answer_that_scored_points_with_points_and_reason(
    client, answered_case, hr, reviewer
):
    case = answered_case(
        overrides={
            "RF-2023-01": ("observed", "Refused the camera."),
            "RF-2023-02": ("unknown", ""),
            "DD-2023-01": ("not_completed", ""),
            "DD-2023-02": ("adverse", "The firm's check found a fake diploma."),
            "DD-2023-03": ("not_applicable", "Hired directly."),
        }
    )
    case = bring_to(case, "in_review", hr=hr, reviewer=reviewer)
    client.force_login(reviewer)
    findings = text_of(part(page(client, "case_review", case), 'id="findings-heading"'))
    contributions = case.risk_snapshot["contributions"]
    assert {c["code"] for c in contributions} == {
        "RF-2023-01",
        "RF-2023-02",
        "DD-2023-01",
        "DD-2023-02",
    }
    for c in contributions:
        assert f"{c['code']} " in findings
        assert f"+{c['points']} points" in findings, c["code"]
    assert "Red flag not yet ruled out (unknown)" in findings
    assert "Due diligence not completed (assurance gap)" in findings
    assert "DD-2023-03" in findings and "Hired directly." in findings


# ---------------------------------------------------------------- Korean evidence hints


def test_korean_checklist_shows_the_evidence_to_keep_in_korean(hr_client, open_case):
    case = open_case()
    html = page(hr_client, "case_checklist", case, HTTP_ACCEPT_LANGUAGE="ko")
    assert "보관할 증거" in html
    hint = "거부하거나 불일치(시간, 장소, 외모)를 보인 장면이 담긴 면접 메모 또는 녹화."
    assert f'<span lang="ko">{hint}</span>' in html
    assert "Interview notes or recording showing the refusal" not in html


def test_english_checklist_keeps_the_english_evidence_hint(hr_client, open_case):
    html = page(hr_client, "case_checklist", open_case())
    assert '<span lang="en">Interview notes or recording showing the refusal' in html


# ---------------------------------------------------------------- dates and times

# A date and time (with or without seconds) that is not followed by the zone.
MOMENT = re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?(?!:\d| KST)")


def times_without_zone(html: str) -> list[str]:
    return MOMENT.findall(text_of(html))


@pytest.fixture
def approved_case_in_seoul(settings, answered_case, hr, reviewer):
    settings.TIME_ZONE = "Asia/Seoul"
    case = answered_case(overrides={"RF-2023-01": ("observed", "No camera")})
    services.upload_evidence(
        actor=hr,
        case=case,
        uploaded_file=SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf"),
        description="Interview notes",
        answer_codes=["RF-2023-01"],
    )
    return bring_to(case, "approved", hr=hr, reviewer=reviewer)


@pytest.mark.parametrize("name", ["case_detail", "case_checklist", "case_evidence", "case_review"])
def test_every_time_on_the_case_pages_names_its_time_zone(hr_client, approved_case_in_seoul, name):
    html = page(hr_client, name, approved_case_in_seoul)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? KST", text_of(html))
    assert times_without_zone(html) == []


def test_history_entries_name_their_time_zone(hr_client, approved_case_in_seoul):
    html = page(hr_client, "case_history", approved_case_in_seoul)
    moments = re.findall(r'<p class="when">(.*?)</p>', html)
    assert moments
    for moment in moments:
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d KST ", text_of(moment)), moment


def test_changed_times_in_the_history_name_their_time_zone(hr_client, approved_case_in_seoul):
    html = page(hr_client, "case_history", approved_case_in_seoul)
    assert times_without_zone(part(html, '<ol class="timeline"', "</ol>")) == []


def test_report_pages_name_the_time_zone_too(client, settings, answered_case, hr):
    settings.TIME_ZONE = "Asia/Seoul"
    case = answered_case()
    job, _created = request_report(hr, case, "risk_summary")
    client.force_login(hr)
    for address in (
        reverse("reports:list"),
        reverse("reports:case_reports", args=[case.reference]),
        reverse("reports:job_detail", args=[job.pk]),
    ):
        html = client.get(address).content.decode()
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? KST", text_of(html)), address
        assert times_without_zone(html) == [], address


def test_times_are_shown_in_utc_by_default(hr_client, open_case):
    html = page(hr_client, "case_detail", open_case())
    assert re.search(r"Opened \d{4}-\d\d-\d\d \d\d:\d\d UTC", text_of(html))


# ---------------------------------------------------------------- forms


def test_date_of_birth_help_matches_the_native_date_picker(hr_client, catalog):
    html = hr_client.get(reverse("case_new")).content.decode()
    field = part(html, 'for="id_date_of_birth"', "</div>")
    assert 'type="date"' in field
    assert "As YYYY-MM-DD" not in field
    assert "Pick the date in the calendar" in field
