"""The case pages through Django's test client: access, validation, htmx fragments, lists."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import roles
from audit.models import AuditEvent
from cases import services
from cases.models import Case, ChecklistAnswer, Evidence, Status
from tests.helpers import make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def url(name, case, *args):
    return reverse(name, args=[case.reference, *args])


# ---------------------------------------------------------------- access


def test_pages_need_login(client, catalog):
    response = client.get(reverse("case_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name", ["case_detail", "case_candidate", "case_checklist", "case_evidence", "case_review"]
)
def test_every_case_page_renders_for_each_reading_role(client, open_case, role_users, name):
    case = open_case()
    for role in ("hr", "reviewer", "compliance"):
        client.force_login(role_users[role])
        response = client.get(url(name, case))
        assert response.status_code == 200, (role, name)
        assert case.reference.encode() in response.content


def test_admin_only_user_is_pointed_to_the_admin_site(client, admin_user_role, open_case):
    case = open_case()
    client.force_login(admin_user_role)
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert reverse("admin:index").encode() in dashboard.content
    denied = client.get(url("case_detail", case))
    assert denied.status_code == 403
    assert b"Your account has none of these roles" in denied.content


def test_unknown_case_is_a_friendly_404(hr_client, catalog):
    response = hr_client.get("/cases/VET-1999-000001/")
    assert response.status_code == 404
    assert b"Back to the dashboard" in response.content


def test_only_hr_may_open_cases(reviewer_client, catalog):
    response = reviewer_client.get(reverse("case_new"))
    assert response.status_code == 403
    assert b"Only HR users may open cases" in response.content


def test_posts_without_csrf_token_are_refused(client, hr, open_case):
    case = open_case()
    client = client.__class__(enforce_csrf_checks=True)
    client.force_login(hr)
    response = client.post(url("case_answer", case, "RF-2023-01"), {"value": "unknown"})
    assert response.status_code == 403
    assert ChecklistAnswer.objects.get(case=case, item__code="RF-2023-01").value == ""


# ---------------------------------------------------------------- opening a case, facts


def test_open_case_form_shows_errors_and_keeps_input(hr_client, catalog):
    response = hr_client.post(reverse("case_new"), {"legal_name": "Jane Roe", "emails": "nope"})
    assert response.status_code == 400
    assert not Case.objects.exists()
    form = response.context["form"]
    assert "role_applied_for" in form.errors
    content = response.content.decode()
    assert 'value="Jane Roe"' in content
    assert "The case was not opened" in " ".join(messages_of(response))


def _facts(**extra):
    data = {
        "legal_name": "Jane Roe",
        "role_applied_for": "Developer",
        "sourcing_channel": "direct",
        "emails": "jane@example.com\njr@example.org",
        "phones": "+1 555 0100",
        "profiles-TOTAL_FORMS": "2",
        "profiles-INITIAL_FORMS": "0",
        "profiles-0-kind": "github",
        "profiles-0-url_or_handle": "github.com/janeroe",
        "history-TOTAL_FORMS": "2",
        "history-INITIAL_FORMS": "0",
        "history-0-kind": "employment",
        "history-0-organisation": "Acme",
        "history-0-start_year": "2019",
        "history-0-end_year": "2021",
    }
    data.update(extra)
    return data


def test_open_case_saves_facts_and_goes_to_the_checklist(hr_client, catalog):
    response = hr_client.post(
        reverse("case_new"),
        _facts(account_number="NL91ABNA0417164300", ip_addresses="175.45.176.12\n2001:db8::1"),
    )
    case = Case.objects.get()
    assert response["Location"] == url("case_checklist", case)
    candidate = case.candidate
    assert sorted(c.value for c in candidate.contacts.all()) == [
        "+1 555 0100",
        "175.45.176.12",
        "2001:db8::1",
        "jane@example.com",
        "jr@example.org",
    ]
    page = hr_client.get(url("case_candidate", case))
    assert "175.45.176.12\n2001:db8::1" in page.content.decode()
    assert candidate.profiles.get().url_or_handle == "github.com/janeroe"
    assert candidate.history_entries.get().organisation == "Acme"
    assert candidate.account_number == "NL91ABNA0417164300"


def test_service_errors_land_on_the_rows_they_concern(hr_client, catalog):
    response = hr_client.post(
        reverse("case_new"),
        _facts(**{"history-0-start_year": "2022", "history-0-end_year": "2020"}),
    )
    assert response.status_code == 400
    assert "end year is before the start year" in " ".join(
        response.context["history"].non_form_errors()
    )


def test_candidate_page_never_sends_stored_numbers_and_blank_keeps_them(hr_client, open_case):
    case = open_case(account_number="NL91ABNA0417164300")
    page = hr_client.get(url("case_candidate", case))
    assert b"NL91ABNA0417164300" not in page.content
    assert case.candidate.masked_account_number.encode() in page.content
    response = hr_client.post(url("case_candidate", case), _facts(account_number=""))
    assert response.status_code == 302
    case.candidate.refresh_from_db()
    assert case.candidate.account_number == "NL91ABNA0417164300"
    assert case.candidate.legal_name == "Jane Roe"


def test_reveal_needs_a_reason_and_is_audited(hr_client, open_case):
    case = open_case(account_number="NL91ABNA0417164300")
    reveal = url("case_reveal", case)
    refused = hr_client.post(reveal, {"field": "account_number", "reason": ""})
    assert refused.status_code == 400
    assert b"NL91ABNA0417164300" not in refused.content
    shown = hr_client.post(reveal, {"field": "account_number", "reason": "Bank check"})
    assert shown.status_code == 200
    assert b"NL91ABNA0417164300" in shown.content
    assert shown["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="candidate.revealed").count() == 1


def test_reviewers_may_not_reveal_numbers(reviewer_client, open_case):
    case = open_case(account_number="NL91ABNA0417164300")
    response = reviewer_client.post(
        url("case_reveal", case), {"field": "account_number", "reason": "curious"}
    )
    assert response.status_code == 403
    assert b"NL91ABNA0417164300" not in response.content


# ---------------------------------------------------------------- checklist


def test_htmx_answer_returns_the_item_and_out_of_band_progress(hr_client, open_case):
    case = open_case()
    response = hr_client.post(
        url("case_answer", case, "RF-2023-01"),
        {"value": "not_observed", "note": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="item-RF-2023-01"' in content
    assert 'id="progress" class="progress-block" hx-swap-oob="true"' in content
    assert 'aria-valuenow="1"' in content
    assert "RF-2023-01 saved" in content  # the message, swapped into the messages region
    assert ChecklistAnswer.objects.get(case=case, item__code="RF-2023-01").value == "not_observed"


def test_htmx_answer_without_required_note_shows_the_error_in_the_item(hr_client, open_case):
    case = open_case()
    response = hr_client.post(
        url("case_answer", case, "RF-2023-01"), {"value": "observed"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert "A note is required" in content
    assert 'value="observed" checked' in content  # the choice is kept
    assert ChecklistAnswer.objects.get(case=case, item__code="RF-2023-01").value == ""


def test_answer_without_javascript_redirects_to_the_item(hr_client, open_case):
    case = open_case()
    response = hr_client.post(url("case_answer", case, "DD-2023-01"), {"value": "completed"})
    assert response.status_code == 302
    assert response["Location"].endswith("#item-DD-2023-01")
    failed = hr_client.post(
        url("case_answer", case, "DD-2023-01"), {"value": "not_applicable", "note": ""}
    )
    assert failed.status_code == 400
    assert b"A note is required" in failed.content


def test_unknown_item_is_404(hr_client, open_case):
    case = open_case()
    response = hr_client.post(url("case_answer", case, "XX-1"), {"value": "observed"})
    assert response.status_code == 404


def test_checklist_shows_advisory_wording_and_korean_titles(hr_client, open_case):
    case = open_case()
    answer = ChecklistAnswer.objects.filter(case=case).select_related("item").first()
    english = hr_client.get(url("case_checklist", case)).content.decode()
    assert answer.item.title in english
    assert answer.item.source_text in english.replace("&#x27;", "'").replace("&quot;", '"')
    korean = hr_client.get(url("case_checklist", case), HTTP_ACCEPT_LANGUAGE="ko").content
    assert answer.item.title_ko in korean.decode()


def test_item_evidence_upload_by_htmx(hr_client, open_case):
    case = open_case()
    response = hr_client.post(
        url("case_item_evidence", case, "RF-2023-01"),
        {"file": SimpleUploadedFile("notes.pdf", PDF), "description": "notes"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    evidence = Evidence.objects.get()
    assert [a.item.code for a in evidence.answers.all()] == ["RF-2023-01"]
    assert b"notes.pdf" in response.content


def test_refused_file_type_is_explained(hr_client, open_case):
    case = open_case()
    response = hr_client.post(
        url("case_item_evidence", case, "RF-2023-01"),
        {"file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00")},
        HTTP_HX_REQUEST="true",
    )
    assert b"This type of file is not accepted" in response.content
    assert not Evidence.objects.exists()


# ---------------------------------------------------------------- evidence


def test_evidence_download_is_an_attachment_and_recorded(hr_client, open_case, hr):
    case = open_case()
    evidence = services.upload_evidence(hr, case, SimpleUploadedFile("스크린샷.pdf", PDF))
    response = hr_client.get(url("evidence_download", case, evidence.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''%EC%8A%A4" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="evidence.downloaded").count() == 1


def test_evidence_withdraw_needs_a_reason(hr_client, open_case, hr):
    case = open_case()
    evidence = services.upload_evidence(hr, case, SimpleUploadedFile("a.pdf", PDF))
    hr_client.post(url("evidence_withdraw", case, evidence.pk), {"reason": ""})
    evidence.refresh_from_db()
    assert not evidence.is_withdrawn
    response = hr_client.post(url("evidence_withdraw", case, evidence.pk), {"reason": "Wrong file"})
    assert "a.pdf withdrawn." in messages_of(response)
    evidence.refresh_from_db()
    assert evidence.withdrawn_reason == "Wrong file"


def test_evidence_page_upload_links_items(hr_client, open_case):
    case = open_case()
    response = hr_client.post(
        url("case_evidence", case),
        {"file": SimpleUploadedFile("b.pdf", PDF), "answers": ["RF-2023-01", "DD-2023-01"]},
    )
    assert response.status_code == 302
    assert sorted(a.item.code for a in Evidence.objects.get().answers.all()) == [
        "DD-2023-01",
        "RF-2023-01",
    ]


@pytest.mark.parametrize("door", ["evidence page", "checklist item"])
def test_an_upload_says_under_which_name_a_misnamed_file_comes_back(hr_client, open_case, door):
    case = open_case()
    upload = SimpleUploadedFile("page.html", b"<script>alert(1)</script>")
    if door == "evidence page":
        response = hr_client.post(url("case_evidence", case), {"file": upload})
    else:
        response = hr_client.post(
            url("case_item_evidence", case, "RF-2023-01"), {"file": upload}, HTTP_HX_REQUEST="true"
        )
    assert "Its content is text/plain, so it is downloaded as page.html.txt." in messages_of(
        response
    )


def test_an_upload_with_an_honest_name_says_nothing_more(hr_client, open_case):
    case = open_case()
    upload = SimpleUploadedFile("b.pdf", PDF)
    response = hr_client.post(url("case_evidence", case), {"file": upload})
    assert not [m for m in messages_of(response) if "downloaded as" in m]


# ---------------------------------------------------------------- workflow and review


def test_submit_with_unanswered_items_says_what_is_left(hr_client, open_case):
    case = open_case()
    response = hr_client.post(url("case_action", case), {"action": "submit"}, follow=True)
    assert "Answer every checklist item before submitting" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.DRAFT


def test_overview_explains_the_risk(hr_client, answered_case):
    case = answered_case(overrides={"RF-2023-01": ("observed", "No camera")})
    response = hr_client.get(url("case_detail", case))
    content = response.content.decode()
    assert "Red flag observed" in content
    assert "Current risk (live)" in content
    services.perform_action(response.wsgi_request.user, case, "submit")
    content = hr_client.get(url("case_detail", case)).content.decode()
    assert "Snapshot taken at submission" in content
    case.refresh_from_db()
    assert case.risk_snapshot["inputs_hash"] in content


def test_reviewer_signs_off_on_the_review_page(reviewer_client, answered_case, hr, reviewer):
    case = answered_case()
    services.perform_action(hr, case, "submit")
    reviewer_client.post(
        url("case_action", case),
        {"action": "start_review", "next": url("case_review", case)},
    )
    missing_note = reviewer_client.post(url("case_review", case), {"action": "refer"})
    assert missing_note.status_code == 400
    assert "A reason is required" in missing_note.content.decode()
    response = reviewer_client.post(
        url("case_review", case), {"action": "refer", "note": "Matches the advisory"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REFERRED
    assert case.signoffs.get().note == "Matches the advisory"


def test_four_eyes_violation_is_a_plain_message(client, answered_case):
    both = make_user("dana", roles.HR, roles.REVIEWER)
    case = answered_case(actor=both)
    services.perform_action(both, case, "submit")
    client.force_login(both)
    page = client.get(url("case_review", case)).content.decode()
    assert "Four-eyes rule" in page
    assert 'value="start_review"' not in page
    response = client.post(url("case_action", case), {"action": "start_review"}, follow=True)
    assert "another reviewer must review it" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_invalid_transition_is_explained(reviewer_client, open_case):
    case = open_case()
    response = reviewer_client.post(url("case_action", case), {"action": "approve"}, follow=True)
    assert response.status_code == 200
    assert "Cannot approve (clear) the case" in response.content.decode()


def test_next_parameter_cannot_leave_the_site(hr_client, open_case):
    case = open_case()
    response = hr_client.post(
        url("case_action", case), {"action": "start_assessment", "next": "https://evil.example/"}
    )
    assert response["Location"] == url("case_detail", case)


def test_history_shows_who_changed_which_field(hr_client, open_case, hr):
    case = open_case()
    services.answer_item(hr, case, "RF-2023-01", "observed", "No camera")
    services.update_candidate(hr, case, {"legal_name": "Jane Q. Doe"})
    response = hr_client.get(url("case_history", case))
    timeline = response.context["timeline"]
    answer_entry = next(e for e in timeline if e.action == "answer.recorded")
    assert answer_entry.who == "hana"
    labels, changes = answer_entry.changes[0]
    assert "RF-2023-01" in labels
    assert {(c.label, c.new) for c in changes} >= {("Note", "No camera")}
    facts_entry = next(e for e in timeline if e.action == "candidate.updated")
    changed = {c.label: (c.old, c.new) for _, cs in facts_entry.changes for c in cs}
    assert changed["Legal name"] == ("Jane Doe", "Jane Q. Doe")


# ---------------------------------------------------------------- lists and dashboard


def test_case_list_search_filters_and_pagination(hr_client, open_case):
    for number in range(27):
        open_case(legal_name=f"Person {number:02d}", emails=[f"p{number}@example.com"])
    first = hr_client.get(reverse("case_list"), {"status": "draft"})
    assert len(first.context["page"].object_list) == 25
    assert "status=draft" in first.content.decode()  # the next page's link keeps the filters
    after = first.context["page"].next_cursor
    second = hr_client.get(reverse("case_list"), {"after": after, "status": "draft"})
    assert len(second.context["page"].object_list) == 2
    by_email = hr_client.get(reverse("case_list"), {"q": "p13@example"})
    assert [c.candidate.legal_name for c in by_email.context["page"].object_list] == ["Person 13"]
    reference = by_email.context["page"].object_list[0].reference
    by_ref = hr_client.get(reverse("case_list"), {"q": reference})
    assert by_ref.context["page"].count == 1
    none = hr_client.get(reverse("case_list"), {"status": "approved"})
    assert "No case matches these filters." in none.content.decode()


def test_case_list_bad_dates_are_reported_not_crashing(hr_client, open_case):
    open_case()
    response = hr_client.get(reverse("case_list"), {"created_from": "yesterday", "status": "draft"})
    assert response.status_code == 200
    assert "Some filters were not valid" in " ".join(messages_of(response))
    assert response.context["page"].count == 1  # the bad filter is left out
    today = datetime.date.today()
    reversed_range = hr_client.get(
        reverse("case_list"),
        {"created_from": today.isoformat(), "created_to": (today - datetime.timedelta(1))},
    )
    assert "created_to" in reversed_range.context["form"].errors


def test_dashboards_per_role(client, role_users, answered_case, hr):
    case = answered_case(overrides={"RF-2023-01": ("observed", "x")})
    services.perform_action(hr, case, "submit")
    client.force_login(role_users["hr"])
    assert b"My open cases" in client.get("/").content
    client.force_login(role_users["reviewer"])
    reviewer_page = client.get("/")
    assert reviewer_page.context["queue_counts"]["unassigned"] == 1
    assert case.reference.encode() in reviewer_page.content  # waiting longest
    client.force_login(role_users["compliance"])
    compliance_page = client.get("/")
    assert compliance_page.context["risk_total"] == 1
    assert b"Compliance" in compliance_page.content


def test_review_queue_filters(reviewer_client, answered_case, hr, reviewer):
    case = answered_case()
    services.perform_action(hr, case, "submit")
    assert reviewer_client.get("/review/?show=unassigned").context["counts"]["unassigned"] == 1
    services.perform_action(reviewer, case, "start_review")
    mine = reviewer_client.get("/review/?show=mine")
    assert [c.reference for c in mine.context["page"].object_list] == [case.reference]


def test_dashboard_shows_the_checklist_progress_of_my_open_cases(hr_client, open_case, hr):
    case = open_case()
    services.answer_item(hr, case, "RF-2023-01", "not_observed")
    [shown] = hr_client.get("/").context["my_open_cases"]
    progress = shown.checklist_progress
    assert (progress.answered, progress.total) == (1, 26)


def test_dashboard_and_queue_count_a_review_handed_back_as_waiting_alike(
    reviewer_client, answered_case, hr, reviewer
):
    case = answered_case()
    services.perform_action(hr, case, "submit")
    case = services.perform_action(reviewer, case, "start_review")
    services.assign_reviewer(hr, case, None)  # in review, but nobody is reviewing it now
    dashboard = reviewer_client.get("/").context["queue_counts"]
    queue = reviewer_client.get("/review/?show=unassigned")
    assert [c.reference for c in queue.context["page"].object_list] == [case.reference]
    assert dashboard["unassigned"] == queue.context["counts"]["unassigned"] == 1
    assert dashboard["in_review"] == 1 and dashboard["mine"] == 0


def test_language_switch_gives_korean_pages(hr_client, catalog):
    hr_client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    response = hr_client.get("/")
    assert '<html lang="ko">' in response.content.decode()
    assert "대시보드" in response.content.decode()


def test_password_change_and_logout_say_what_happened(client, hr):
    client.force_login(hr)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-hana",
            "new_password1": "a-much-longer-passphrase-2026",
            "new_password2": "a-much-longer-passphrase-2026",
        },
    )
    assert response["Location"] == reverse("dashboard")
    assert "Your password was changed." in messages_of(response)
    hr.refresh_from_db()
    assert hr.check_password("a-much-longer-passphrase-2026")
    logged_out = client.post(reverse("logout"), follow=True)
    assert "You are signed out." in logged_out.content.decode()


def test_wrong_old_password_is_a_form_error(client, hr):
    client.force_login(hr)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "nope",
            "new_password1": "x-long-one-2026",
            "new_password2": "x-long-one-2026",
        },
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors


def test_assign_reviewer_offers_only_non_assessors(client, answered_case, hr, reviewer):
    both = make_user("dana", roles.HR, roles.REVIEWER)
    case = answered_case(actor=both)
    services.perform_action(both, case, "submit")
    client.force_login(both)
    page = client.get(url("case_review", case))
    assert [u for u, _ in page.context["reviewer_choices"]] == ["riley"]
    response = client.post(url("case_assign", case), {"reviewer": "riley"}, follow=True)
    assert "was assigned to" in response.content.decode()
    case.refresh_from_db()
    assert case.reviewer == reviewer
    refused = client.post(url("case_assign", case), {"reviewer": "dana"}, follow=True)
    assert "Four-eyes rule" in refused.content.decode()
    case.refresh_from_db()
    assert case.reviewer == reviewer
