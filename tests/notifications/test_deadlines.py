"""Review deadlines: working days per risk level, set at submission, shown in the queue and on
the dashboard, and reminded by beat once per case, deadline and kind."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases import deadlines
from cases import services as case_services
from cases import tasks as case_tasks
from cases.models import Case, DeadlineReminder
from notifications import events
from notifications.models import Notification

UTC = ZoneInfo("UTC")


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "start, days, due",
    [
        ("2026-11-23 10:00", 2, "2026-11-25 10:00"),  # Monday + 2 → Wednesday
        ("2026-11-26 10:00", 2, "2026-11-30 10:00"),  # Thursday + 2 → Monday (weekend skipped)
        ("2026-11-27 16:30", 1, "2026-11-30 16:30"),  # Friday + 1 → Monday
        ("2026-11-28 11:00", 1, "2026-12-01 00:00"),  # Saturday: counts from Monday 00:00
        ("2026-11-23 09:00", 10, "2026-12-07 09:00"),  # two working weeks
    ],
)
def test_deadlines_count_working_days_only(start, days, due):
    assert deadlines.add_working_days(at(start), days) == at(due)


def test_near_is_one_working_day_before_the_deadline(settings):
    due = at("2026-11-30 10:00")  # a Monday
    assert deadlines.near_from(due) == at("2026-11-27 10:00")  # the Friday before
    assert deadlines.state(due, at("2026-11-27 09:59")) == ""
    assert deadlines.state(due, at("2026-11-28 12:00")) == deadlines.NEAR
    assert deadlines.state(due, at("2026-11-30 10:00")) == deadlines.OVERDUE


def test_the_deadline_follows_the_risk_level_and_the_setting(settings):
    start = at("2026-11-23 10:00")
    assert deadlines.review_due(start, "critical") == at("2026-11-25 10:00")
    assert deadlines.review_due(start, "low") == at("2026-12-07 10:00")
    settings.VETTING_REVIEW_DEADLINES = {**settings.VETTING_REVIEW_DEADLINES, "critical": 1}
    assert deadlines.review_due(start, "critical") == at("2026-11-24 10:00")


def test_the_setting_is_read_from_the_environment_with_defaults_for_levels_left_out():
    from vetting.settings import REVIEW_DEADLINE_DEFAULTS, _review_deadlines

    assert REVIEW_DEADLINE_DEFAULTS == {"critical": 2, "high": 3, "medium": 5, "low": 10}
    assert _review_deadlines("critical=1, low=15") == {
        "critical": 1,
        "high": 3,
        "medium": 5,
        "low": 15,
    }
    from django.core.exceptions import ImproperlyConfigured

    for bad in ("urgent=1", "critical=0", "critical=two"):
        with pytest.raises(ImproperlyConfigured, match="VETTING_REVIEW_DEADLINES"):
            _review_deadlines(bad)


@pytest.mark.django_db
def test_submitting_a_case_sets_its_review_due_date(submitted_case):
    assert submitted_case.review_due_at == deadlines.review_due(
        submitted_case.submitted_at, submitted_case.risk_level
    )
    assert submitted_case.review_due_at > submitted_case.submitted_at
    assert submitted_case.history.first().review_due_at == submitted_case.review_due_at


@pytest.mark.django_db
def test_a_resubmitted_case_gets_a_new_deadline(in_review, people, commit):
    first_due = in_review.review_due_at
    commit(case_services.perform_action, people["reviewer"], in_review, "return", note="More")
    commit(case_services.perform_action, people["hr"], in_review, "submit")
    in_review.refresh_from_db()
    assert in_review.review_due_at >= first_due


def make_due(case, hours_from_now: float) -> Case:
    Case.objects.filter(pk=case.pk).update(
        review_due_at=timezone.now() + datetime.timedelta(hours=hours_from_now)
    )
    case.refresh_from_db()
    return case


@pytest.mark.django_db
def test_beat_reminds_once_when_near_and_once_when_passed(in_review, people, commit):
    make_due(in_review, 5)

    sent = commit(case_tasks.review_deadline_reminders)
    again = commit(case_tasks.review_deadline_reminders)

    assert sent == {"near": 1, "overdue": 0}
    assert again == {"near": 0, "overdue": 0}
    near = Notification.objects.filter(event=events.DEADLINE_NEAR)
    assert sorted(near.values_list("recipient__username", flat=True)) == ["hana", "riley"]

    make_due(in_review, -1)
    assert commit(case_tasks.review_deadline_reminders) == {"near": 0, "overdue": 1}
    assert commit(case_tasks.review_deadline_reminders) == {"near": 0, "overdue": 0}
    assert Notification.objects.filter(event=events.DEADLINE_PASSED).count() == 2
    assert DeadlineReminder.objects.filter(case=in_review).count() == 2
    actions = AuditEvent.objects.filter(case_reference=in_review.reference).values_list(
        "action", flat=True
    )
    assert {"case.deadline_near", "case.deadline_overdue"} <= set(actions)


@pytest.mark.django_db
def test_beat_leaves_far_deadlines_and_finished_reviews_alone(in_review, people, commit):
    make_due(in_review, 24 * 10)
    assert commit(case_services.send_deadline_reminders) == {"near": 0, "overdue": 0}

    make_due(in_review, -1)
    commit(case_services.perform_action, people["reviewer"], in_review, "approve")
    commit(case_services.send_deadline_reminders)
    assert not Notification.objects.filter(
        event__in=[events.DEADLINE_NEAR, events.DEADLINE_PASSED]
    ).exists()


@pytest.mark.django_db
def test_an_unassigned_case_reminds_its_owner(submitted_case, people, commit):
    make_due(submitted_case, -3)
    commit(case_services.send_deadline_reminders)
    (reminder,) = Notification.objects.filter(event=events.DEADLINE_PASSED)
    assert reminder.recipient == people["hr"]


def test_beat_runs_the_reminders_every_ten_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["review-deadline-reminders"]
    assert entry["task"] == case_tasks.review_deadline_reminders.name
    assert entry["schedule"].minute == set(range(0, 60, 10))


@pytest.mark.django_db
def test_the_review_queue_highlights_overdue_and_near_cases(client, reviewer, open_case, catalog):
    from tests.helpers import open_cases, submit_all

    overdue, near, later = open_cases(open_case, 3)
    submit_all([overdue, near, later], None)
    make_due(overdue, -2)
    make_due(near, 3)
    make_due(later, 24 * 20)
    client.force_login(reviewer)

    page = client.get(reverse("review_queue")).content.decode()

    def row_of(case):
        start = page.index(case.reference)
        return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]

    assert 'class="is-overdue"' in row_of(overdue) and "deadline-overdue" in row_of(overdue)
    assert 'class="is-near"' in row_of(near) and "deadline-near" in row_of(near)
    assert "is-overdue" not in row_of(later) and "is-near" not in row_of(later)
    assert "due " in row_of(later)

    only_overdue = client.get(reverse("review_queue") + "?show=overdue").content.decode()
    assert overdue.reference in only_overdue
    assert near.reference not in only_overdue and later.reference not in only_overdue


@pytest.mark.django_db
def test_the_dashboard_counts_and_marks_overdue_reviews(client, reviewer, open_case, catalog):
    from tests.helpers import open_cases, submit_all

    overdue, on_time = open_cases(open_case, 2)
    submit_all([overdue, on_time], None)
    make_due(overdue, -2)
    make_due(on_time, 24 * 20)
    client.force_login(reviewer)

    response = client.get(reverse("dashboard"))

    assert response.context["queue_counts"]["overdue"] == 1
    page = response.content.decode()
    assert "?show=overdue" in page
    assert "deadline-overdue" in page


@pytest.mark.django_db
def test_cases_submitted_before_deadlines_existed_get_one_from_the_migration(submitted_case):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("cases.migrations.0016_backfill_review_due_at").backfill
    Case.objects.filter(pk=submitted_case.pk).update(review_due_at=None)

    backfill(apps, None)

    submitted_case.refresh_from_db()
    assert submitted_case.review_due_at == deadlines.review_due(
        submitted_case.submitted_at, submitted_case.risk_level
    )


@pytest.mark.django_db
def test_reminders_read_in_the_audit_trail_in_english_and_korean(in_review, commit):
    from django.utils import translation

    from audit.summaries import describe_event

    make_due(in_review, -1)
    commit(case_services.send_deadline_reminders)
    event = AuditEvent.objects.get(action="case.deadline_overdue")

    with translation.override("en"):
        assert describe_event(event).startswith(f"Review of {in_review.reference} overdue")
    with translation.override("ko"):
        assert "검토 기한 경과" in describe_event(event)


@pytest.mark.django_db
def test_the_api_shows_the_review_due_date(submitted_case, reviewer):
    from tests.api.conftest import token_client

    client = token_client(reviewer)
    row = client.get("/api/v1/review-queue/").json()["results"][0]
    detail = client.get(f"/api/v1/cases/{submitted_case.reference}/").json()

    assert row["review_due_at"] == detail["review_due_at"]
    assert datetime.datetime.fromisoformat(row["review_due_at"]) == submitted_case.review_due_at
