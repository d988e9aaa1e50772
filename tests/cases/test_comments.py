"""A case's discussion: everyone who may see the case reads and posts; Markdown is shown
sanitised; only the author edits, within the window, and every earlier text stays visible;
@mentions of people who may see the case are stored and notified; all of it is audited."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.summaries import describe_event
from cases import services, timeline
from cases.models import CaseComment
from cases.services import comments as comment_services
from common.errors import InvalidTransition, NotAllowed, ServiceValidationError, StaleVersion
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

XSS_PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '<a href="https://evil.example" onclick="steal()">raw link</a>',
    "<iframe src=https://evil.example></iframe>",
    "![tracker](https://evil.example/pixel.png)",
    '<div style="position:fixed">overlay</div>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


def comments_page(client, case):
    return client.get(reverse("case_comments", args=[case.reference]))


def post(client, case, body):
    return client.post(reverse("case_comments", args=[case.reference]), {"body": body})


# ---------------------------------------------------------------- posting and reading


@pytest.mark.parametrize("role", ["hr", "reviewer", "compliance"])
def test_everyone_who_may_see_the_case_posts_and_reads_comments(
    client, role_users, open_case, role
):
    case = open_case()
    client.force_login(role_users[role])

    response = post(client, case, f"Checked by **{role}**.")

    comment = CaseComment.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = comments_page(client, case).content.decode()
    assert f"Checked by <strong>{role}</strong>." in page
    assert f'id="comment-{comment.pk}"' in page


def test_an_administrator_without_a_case_role_may_neither_read_nor_post(
    client, admin_user_role, open_case
):
    case = open_case()
    client.force_login(admin_user_role)

    assert comments_page(client, case).status_code == 403
    assert post(client, case, "hello").status_code == 403
    assert not CaseComment.objects.exists()
    with pytest.raises(NotAllowed):
        services.post_comment(admin_user_role, case, "hello")


def test_a_closed_case_can_still_be_discussed(answered_case, hr, reviewer):
    from tests.cases.helpers import bring_to

    case = bring_to(answered_case(), "approved", hr=hr, reviewer=make_user("rachel", "reviewer"))

    comment = services.post_comment(reviewer, case, "Noted for the next audit.")

    assert comment.case == case


def test_an_empty_or_too_long_comment_is_refused_with_a_clear_message(client, hr, open_case):
    case = open_case()
    client.force_login(hr)

    empty = post(client, case, "   ")
    too_long = post(client, case, "x" * (CaseComment.BODY_MAX_LENGTH + 1))

    assert empty.status_code == 400
    assert "Write something to post." in empty.content.decode()
    assert too_long.status_code == 400
    assert "10000" in too_long.content.decode()
    assert not CaseComment.objects.exists()
    with pytest.raises(ServiceValidationError) as refused:
        services.post_comment(hr, case, "y" * (CaseComment.BODY_MAX_LENGTH + 1))
    assert "at most 10000 characters" in refused.value.errors["body"][0]


# ---------------------------------------------------------------- Markdown, safely


class Elements(HTMLParser):
    """Every element of a piece of HTML with its attributes, as a browser would build them."""

    def __init__(self, html: str):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def rendered_comment(page: str) -> str:
    return page.split('class="comment-body">', 1)[1].split("</div>", 1)[0]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_html_and_dangerous_links_in_a_comment_render_as_text_or_are_removed(
    client, hr, open_case, payload
):
    case = open_case()
    services.post_comment(hr, case, f"Before {payload} after")
    client.force_login(hr)

    body = rendered_comment(comments_page(client, case).content.decode())
    elements = Elements(body).found

    assert {tag for tag, _ in elements} <= {"p", "a"}
    for tag, attrs in elements:
        assert not [name for name in attrs if name.startswith("on") or name == "style"]
        if tag == "a" and "href" in attrs:
            assert attrs["href"].startswith(("https:", "http:", "mailto:"))
        if tag == "a":
            assert attrs["rel"] == "nofollow noopener noreferrer"
    assert "Before" in body and "after" in body


def test_raw_html_shows_as_the_text_that_was_typed(client, hr, open_case):
    case = open_case()
    services.post_comment(hr, case, "<script>alert('x')</script>")
    client.force_login(hr)

    html = comments_page(client, case).content.decode()

    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html or (
        "&lt;script&gt;alert('x')&lt;/script&gt;" in html
    )


def test_links_keep_only_safe_schemes_and_never_pass_on_the_referrer(client, hr, open_case):
    case = open_case()
    services.post_comment(
        hr,
        case,
        "[bank](https://bank.example/check) [mail](mailto:ops@example.com) "
        "[x](javascript:alert(1))",
    )
    client.force_login(hr)

    html = comments_page(client, case).content.decode()

    assert (
        '<a href="https://bank.example/check" rel="nofollow noopener noreferrer">bank</a>' in html
    )
    assert '<a href="mailto:ops@example.com" rel="nofollow noopener noreferrer">mail</a>' in html
    assert "javascript:" not in html


# ---------------------------------------------------------------- editing


def test_the_author_edits_within_the_window_and_the_earlier_text_stays_visible(
    client, hr, open_case
):
    case = open_case()
    comment = services.post_comment(hr, case, "The bank is Chase.")
    client.force_login(hr)

    response = client.post(
        reverse("case_comment_edit", args=[case.reference, comment.pk]),
        {"body": "The bank is Wise, a fintech.", "version": comment.version},
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "The bank is Wise, a fintech."
    assert comment.edited_at is not None and comment.version == 2
    assert [r.body for r in comment.history.order_by("history_id")] == [
        "The bank is Chase.",
        "The bank is Wise, a fintech.",
    ]
    page = comments_page(client, case).content.decode()
    assert "edited" in page
    assert "1 earlier version" in page
    assert "The bank is Chase." in page


def test_nobody_but_the_author_may_edit_a_comment(client, hr, hr2, reviewer, open_case):
    case = open_case()
    comment = services.post_comment(hr, case, "Mine.")

    for other in (hr2, reviewer):
        with pytest.raises(NotAllowed):
            services.edit_comment(other, comment, "Not yours.")
    client.force_login(reviewer)
    response = client.post(
        reverse("case_comment_edit", args=[case.reference, comment.pk]), {"body": "Not yours."}
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Mine."
    assert AuditEvent.objects.filter(action="case.comment_edited.refused").count() == 3


def test_a_comment_cannot_be_edited_after_the_window(hr, open_case, settings):
    settings.VETTING_COMMENT_EDIT_MINUTES = 15
    case = open_case()
    comment = services.post_comment(hr, case, "Typo hree.")
    CaseComment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=16)
    )

    with pytest.raises(InvalidTransition) as refused:
        services.edit_comment(hr, comment, "Typo here.")

    assert "15 minutes" in refused.value.message
    comment.refresh_from_db()
    assert comment.body == "Typo hree."


def test_the_edit_link_shows_only_to_the_author_within_the_window(client, hr, hr2, open_case):
    case = open_case()
    comment = services.post_comment(hr, case, "Mine.")
    edit_url = reverse("case_comment_edit", args=[case.reference, comment.pk])

    client.force_login(hr)
    assert edit_url in comments_page(client, case).content.decode()
    client.force_login(hr2)
    assert edit_url not in comments_page(client, case).content.decode()


def test_an_edit_based_on_an_old_version_is_refused(hr, open_case):
    case = open_case()
    comment = services.post_comment(hr, case, "One.")
    services.edit_comment(hr, comment, "Two.", expected_version=1)

    with pytest.raises(StaleVersion):
        services.edit_comment(hr, comment, "Three.", expected_version=1)

    comment.refresh_from_db()
    assert comment.body == "Two."


# ---------------------------------------------------------------- mentions


def test_mentions_of_people_who_may_see_the_case_are_stored_and_notified(
    hr, reviewer, compliance, admin_user_role, open_case, monkeypatch
):
    case = open_case()
    gone = make_user("gone", "reviewer")
    gone.is_active = False
    gone.save()
    calls = []
    monkeypatch.setattr(
        comment_services, "_notify_mentions", lambda comment, users: calls.append((comment, users))
    )

    comment = services.post_comment(
        hr,
        case,
        "@riley and @chris, please look. Not @alex, @gone, @nobody or mail@example.com; "
        "thanks @riley.",
    )

    assert sorted(u.username for u in comment.mentioned.all()) == ["chris", "riley"]
    assert comment.ignored_mentions == ["alex", "gone", "nobody"]
    ((notified_comment, users),) = calls
    assert notified_comment == comment
    assert [u.username for u in users] == ["riley", "chris"]


def test_an_edit_notifies_only_the_people_newly_mentioned(
    hr, reviewer, compliance, open_case, monkeypatch
):
    case = open_case()
    calls = []
    monkeypatch.setattr(
        comment_services, "_notify_mentions", lambda comment, users: calls.append(list(users))
    )
    comment = services.post_comment(hr, case, "@riley please look.")

    services.edit_comment(hr, comment, "@riley and @chris please look.")

    assert [[u.username for u in users] for users in calls] == [["riley"], ["chris"]]
    assert sorted(u.username for u in comment.mentioned.all()) == ["chris", "riley"]


def test_the_author_mentioning_themselves_is_not_notified(hr, open_case, monkeypatch):
    case = open_case()
    calls = []
    monkeypatch.setattr(
        comment_services, "_notify_mentions", lambda comment, users: calls.append(list(users))
    )

    services.post_comment(hr, case, "Note to self, @hana.")

    assert calls == [[]]


def test_the_page_says_which_mentions_notified_nobody(client, hr, reviewer, open_case):
    case = open_case()
    client.force_login(hr)

    response = client.post(
        reverse("case_comments", args=[case.reference]), {"body": "@riley and @ghost"}, follow=True
    )

    page = response.content.decode()
    assert "Not notified: @ghost" in page
    assert "Mentioned and notified:" in page and "@riley" in page


def test_a_mention_reaches_the_inbox_of_the_person_mentioned_and_no_one_else(
    hr, reviewer, open_case
):
    from notifications import events
    from notifications.models import Notification

    case = open_case()

    comment = services.post_comment(hr, case, "@riley the **routing number** " + "z" * 300)

    (notification,) = Notification.objects.filter(event=events.MENTIONED)
    assert (notification.recipient, notification.actor, notification.case) == (reviewer, hr, case)
    assert notification.context["comment_excerpt"].startswith("@riley the routing number zzz")
    assert notification.url == f"/cases/{case.reference}/comments/#comment-{comment.pk}"
    assert not Notification.objects.filter(recipient=hr).exists()


# ---------------------------------------------------------------- audit and history


def test_posting_and_editing_are_in_the_audit_log_with_the_text(hr, reviewer, open_case):
    case = open_case()
    comment = services.post_comment(hr, case, "First @riley")
    services.edit_comment(hr, comment, "Second")

    posted = AuditEvent.objects.get(action="case.comment_posted")
    edited = AuditEvent.objects.get(action="case.comment_edited")
    assert posted.case_reference == case.reference
    assert posted.data["note"] == "First @riley"
    assert posted.data["mentioned"] == ["riley"]
    assert edited.data["note"] == "Second" and edited.data["previous"] == "First @riley"
    assert describe_event(posted) == f"hana commented on {case.reference}, mentioning @riley"
    assert describe_event(edited) == f"hana edited a comment on {case.reference}"


def test_the_history_tab_shows_a_comment_and_its_edit_with_the_earlier_text(client, hr, open_case):
    case = open_case()
    comment = services.post_comment(hr, case, "Old words")
    services.edit_comment(hr, comment, "New words")
    client.force_login(hr)

    page = client.get(reverse("case_history", args=[case.reference])).content.decode()

    assert f"hana commented on {case.reference}" in page
    assert f"hana edited a comment on {case.reference}" in page
    assert "Comment (changed)" in page
    assert "Old words" in page and "New words" in page
    entries = timeline.build_timeline(case, list(timeline.history_events(case)))
    (edit,) = [e for e in entries if e.action == "case.comment_edited"]
    ((label, changes),) = edit.changes
    assert label == "Comment (changed)"
    assert any(c.old == "Old words" and c.new == "New words" for c in changes)


def test_a_comment_does_not_make_its_author_an_assessor(answered_case, hr, reviewer):
    from cases import selectors

    case = answered_case()
    services.post_comment(reviewer, case, "I will take this one.")

    assert reviewer.pk not in selectors.assessor_ids(case)


def test_posting_with_htmx_shows_the_form_errors_in_place(client, hr, open_case):
    case = open_case()
    client.force_login(hr)

    response = client.post(
        reverse("case_comments", args=[case.reference]), {"body": ""}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200  # htmx swaps only successful answers
    page = response.content.decode()
    assert 'id="discussion"' in page and "Write something to post." in page
    assert not CaseComment.objects.exists()


def test_the_discussion_speaks_korean(client, hr, open_case):
    case = open_case()
    comment = services.post_comment(hr, case, "첫 번째")
    services.edit_comment(hr, comment, "두 번째")
    client.force_login(hr)
    client.cookies["django_language"] = "ko"

    page = comments_page(client, case).content.decode()

    assert "댓글 게시" in page and "수정됨" in page and "이전 버전 1개" in page


def test_an_edit_from_an_old_page_keeps_the_typed_text_and_shows_the_current_one(
    client, hr, open_case
):
    case = open_case()
    comment = services.post_comment(hr, case, "One.")
    services.edit_comment(hr, comment, "Two.")  # in another tab
    client.force_login(hr)
    url = reverse("case_comment_edit", args=[case.reference, comment.pk])

    stale = client.post(url, {"body": "Three.", "version": 1})
    again = client.post(url, {"body": "Three.", "version": 2})

    page = stale.content.decode()
    assert stale.status_code == 400
    assert "The comment now reads: “Two.”" in page
    assert ">\nThree.</textarea>" in page and 'name="version" value="2"' in page
    assert again.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Three."
