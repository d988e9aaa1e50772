"""The dashboard counts cases from tallies the database keeps (issue 12): they always equal a
count of the cases, whichever way the cases were written, and they come back after their
triggers were lost."""

import pytest
from django.db.models import Count
from django.db.models.functions import Coalesce

from cases import selectors, services, tallies
from cases.models import Case, CaseTally
from tests.helpers import open_cases, submit_all

pytestmark = pytest.mark.django_db


def counted() -> dict:
    """The truth: the cases counted by status, risk level and reviewer."""
    rows = (
        Case.objects.order_by()
        .values("status", "risk_level", reviewer_key=Coalesce("reviewer_id", 0))
        .annotate(n=Count("id"))
    )
    return {(r["status"], r["risk_level"], r["reviewer_key"]): r["n"] for r in rows}


def tallied() -> dict:
    rows = CaseTally.objects.exclude(cases=0)
    return {(t.status, t.risk_level, t.reviewer_key): t.cases for t in rows}


def test_the_tallies_follow_every_kind_of_write(answered_case, open_case, hr, reviewer):
    cases = open_cases(open_case, 4)
    assert tallied() == counted() == {("draft", "", 0): 4}
    services.answer_item(hr, cases[0], "RF-2023-01", "not_observed")  # → assessing
    submitted = services.perform_action(hr, answered_case(), "submit")  # a risk level
    services.perform_action(reviewer, submitted, "start_review")  # a reviewer
    assert tallied() == counted()
    submit_all(cases[1:3], reviewer)  # a bulk update
    Case.objects.filter(pk=cases[3].pk).delete()  # and a deletion
    assert tallied() == counted()
    assert selectors.status_counts(hr)["submitted"] == 2
    assert selectors.status_counts(hr)["in_review"] == 1
    queue = selectors.queue_counts(reviewer)
    assert queue == {"all": 3, "in_review": 1, "unassigned": 0, "mine": 3, "overdue": 0}
    assert selectors.risk_distribution(hr)["low"] == 3


def test_lost_triggers_are_put_back_and_the_cases_counted_again(open_case, reviewer):
    cases = open_cases(open_case, 3)
    tallies.drop_triggers()
    submit_all(cases[:2], reviewer)  # not tallied: no triggers
    assert tallied() != counted()
    assert tallies.ensure_triggers() is True
    assert tallied() == counted()
    assert tallies.ensure_triggers() is False  # already there: nothing to do
    Case.objects.filter(pk=cases[2].pk).update(status="assessing")
    assert tallied() == counted()


def test_a_user_who_reads_no_cases_counts_none(open_case, django_user_model):
    open_cases(open_case, 2)
    nobody = django_user_model.objects.create_user("nobody")
    assert set(selectors.status_counts(nobody).values()) == {0}
    assert selectors.queue_counts(nobody)["all"] == 0
