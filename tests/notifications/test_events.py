"""Each notification event reaches the recipient's inbox and, over real SMTP, their mailbox."""

import datetime

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from notifications import events
from notifications.models import EmailStatus, Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db


def only_notification(user, event) -> Notification:
    rows = list(Notification.objects.filter(recipient=user, event=event))
    assert len(rows) == 1, rows
    return rows[0]


def assert_delivered(smtp_server, user, event, case, subject_part: str):
    notification = only_notification(user, event)
    assert notification.in_inbox and notification.read_at is None
    assert notification.email_status == EmailStatus.SENT
    received = smtp_server.inbox.to(user.email)
    assert len(received) == 1, [m["Subject"] for m in received]
    message = received[0]
    assert subject_part in message["Subject"]
    assert case.reference in message["Subject"]
    assert message["From"] == "vetting <vetting@example.org>"
    return message


def test_assigning_a_reviewer_notifies_that_reviewer(smtp_server, people, submitted_case, commit):
    hr, reviewer = people["hr"], people["reviewer"]

    commit(case_services.assign_reviewer, hr, submitted_case, reviewer)

    message = assert_delivered(
        smtp_server, reviewer, events.CASE_ASSIGNED, submitted_case, "assigned to you"
    )
    assert f"https://vetting.example.org/cases/{submitted_case.reference}/" in (
        smtp_server.inbox.text(message)
    )
    assert smtp_server.inbox.to(hr.email) == []  # the actor hears nothing of their own action


def test_a_reviewer_handing_their_review_over_notifies_the_new_reviewer(
    smtp_server, people, in_review, commit
):
    reviewer, reviewer2 = people["reviewer"], people["reviewer2"]

    commit(case_services.assign_reviewer, reviewer, in_review, reviewer2)

    assert_delivered(smtp_server, reviewer2, events.REVIEW_HANDED_OVER, in_review, "handed over")
    assert not Notification.objects.filter(recipient=reviewer).exists()


@pytest.mark.parametrize(
    "action, event, words",
    [
        ("return", events.CASE_RETURNED, "returned"),
        ("approve", events.CASE_APPROVED, "approved"),
        ("reject", events.CASE_REJECTED, "rejected"),
        ("refer", events.CASE_REFERRED, "referred"),
    ],
)
def test_a_sign_off_notifies_the_cases_owner(
    smtp_server, people, in_review, commit, action, event, words
):
    commit(
        case_services.perform_action,
        people["reviewer"],
        in_review,
        action,
        note="Account 9876543210123 looked wrong",
    )

    message = assert_delivered(smtp_server, people["hr"], event, in_review, words)
    # The reviewer's note is free text that may hold numbers: it stays on the case page.
    assert "9876543210123" not in smtp_server.inbox.text(message)
    assert smtp_server.inbox.to(people["reviewer"].email) == []


def test_a_refused_action_notifies_nobody(smtp_server, people, submitted_case, commit):
    from common.errors import ServiceError

    with pytest.raises(ServiceError):
        commit(case_services.perform_action, people["hr"], submitted_case, "approve")
    assert not Notification.objects.exists()
    assert smtp_server.inbox.messages == []


def test_a_finished_report_notifies_the_user_who_asked_for_it(
    smtp_server, people, submitted_case, commit, settings
):
    from notifications.models import NotificationSettings
    from reports import services as report_services

    # Report e-mails are off by default: this user asked for them.
    NotificationSettings.objects.create(
        user=people["reviewer"],
        channels={events.REPORT_READY: {"email": True}, events.REPORT_FAILED: {"email": True}},
    )
    job, _ = commit(
        report_services.request_report, people["reviewer"], submitted_case, "risk_summary"
    )
    job.refresh_from_db()
    assert job.status == "done"

    message = assert_delivered(
        smtp_server, people["reviewer"], events.REPORT_READY, submitted_case, "is ready"
    )
    assert f"https://vetting.example.org/reports/jobs/{job.pk}/" in smtp_server.inbox.text(message)
    assert "Risk summary" in smtp_server.inbox.text(message)


def test_a_failed_report_notifies_the_user_who_asked_for_it(
    smtp_server, people, submitted_case, commit, monkeypatch
):
    from notifications.models import NotificationSettings
    from reports import risk_summary
    from reports import services as report_services

    NotificationSettings.objects.create(
        user=people["hr"], channels={events.REPORT_FAILED: {"email": True}}
    )

    def broken(*args, **kwargs):
        raise ValueError("template exploded")

    monkeypatch.setattr(risk_summary, "render_pdf", broken)
    job, _ = commit(report_services.request_report, people["hr"], submitted_case, "risk_summary")
    job.refresh_from_db()
    assert job.status == "failed"

    message = assert_delivered(
        smtp_server, people["hr"], events.REPORT_FAILED, submitted_case, "failed"
    )
    assert "template exploded" not in smtp_server.inbox.text(message)


def test_report_e_mails_are_off_by_default_but_the_inbox_has_them(
    smtp_server, people, submitted_case, commit
):
    from reports import services as report_services

    commit(report_services.request_report, people["reviewer"], submitted_case, "risk_summary")

    notification = only_notification(people["reviewer"], events.REPORT_READY)
    assert notification.in_inbox
    assert notification.email_status == EmailStatus.NOT_WANTED
    assert smtp_server.inbox.messages == []


@pytest.mark.parametrize(
    "hours_left, event, words",
    [(6, events.DEADLINE_NEAR, "is due"), (-2, events.DEADLINE_PASSED, "is overdue")],
)
def test_a_deadline_near_or_passed_notifies_reviewer_and_owner(
    smtp_server, people, in_review, commit, hours_left, event, words
):
    due = timezone.now() + datetime.timedelta(hours=hours_left)
    Case.objects.filter(pk=in_review.pk).update(review_due_at=due)

    commit(case_services.send_deadline_reminders)

    for person in (people["reviewer"], people["hr"]):
        assert_delivered(smtp_server, person, event, in_review, words)


def test_a_mention_notifies_the_person_mentioned_with_a_link_to_the_comment(
    smtp_server, people, submitted_case, commit
):
    comment_url = f"/cases/{submitted_case.reference}/#comment-7"

    commit(
        notify,
        events.MENTIONED,
        [people["reviewer"]],
        case=submitted_case,
        actor=people["hr"],
        context={
            "comment_excerpt": "@riley can you check account 9876543210123?",
            "comment_url": comment_url,
        },
    )

    message = assert_delivered(
        smtp_server, people["reviewer"], events.MENTIONED, submitted_case, "mentioned you"
    )
    text = smtp_server.inbox.text(message)
    assert "https://vetting.example.org" + comment_url in text
    assert "hana" in message["Subject"]
    # The excerpt is in the inbox only: a comment may quote numbers.
    assert "9876543210123" not in text
    notification = only_notification(people["reviewer"], events.MENTIONED)
    assert notification.context["comment_excerpt"].startswith("@riley")
    assert notification.url == comment_url


def test_notify_refuses_unknown_events_missing_context_and_outside_links(people, submitted_case):
    with pytest.raises(ValueError, match="Unknown"):
        notify("case_exploded", people["hr"], case=submitted_case)
    with pytest.raises(ValueError, match="comment_url"):
        notify(events.MENTIONED, people["hr"], case=submitted_case, context={})
    with pytest.raises(ValueError, match="path on this site"):
        notify(
            events.MENTIONED,
            people["hr"],
            case=submitted_case,
            context={"comment_url": "https://evil.example/"},
        )


def test_inactive_users_and_the_actor_are_not_notified(people, submitted_case):
    reviewer = people["reviewer"]
    reviewer.is_active = False
    reviewer.save()

    written = notify(
        events.CASE_ASSIGNED,
        [reviewer, people["hr"], None, people["hr"]],
        case=submitted_case,
        actor=people["hr"],
    )

    assert written == []
