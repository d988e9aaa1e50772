"""Retention periods per final state, legal holds and what they block."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Status
from common.errors import InvalidTransition, NotAllowed, ServiceValidationError
from retention import selectors, services
from retention.models import LegalHold, PurgeRun, PurgeState, RetentionPolicy

from .helpers import closed_case

pytestmark = pytest.mark.django_db


def test_default_periods_are_documented_and_used_until_compliance_sets_one(settings):
    assert selectors.retention_months() == {
        "closed_cleared": 6,
        "approved": 24,
        "rejected": 12,
        "referred": 84,
    }


@pytest.mark.parametrize(
    ("status", "months"),
    [
        (Status.CLOSED_CLEARED, 6),
        (Status.APPROVED, 24),
        (Status.REJECTED, 12),
        (Status.REFERRED, 84),
    ],
)
def test_retention_ends_months_after_the_case_reached_its_final_state(
    answered_case, hr, reviewer, status, months
):
    case = closed_case(answered_case, hr, reviewer, status, evidence=False)
    ends = selectors.retention_ends(case)
    assert ends == selectors.add_months(case.closed_at, months)
    assert not selectors.cases_past_retention().filter(pk=case.pk).exists()
    later = selectors.add_months(case.closed_at, months) + datetime.timedelta(minutes=1)
    assert selectors.cases_past_retention(later).filter(pk=case.pk).exists()


def test_an_open_case_is_never_past_retention(open_case):
    case = open_case()
    assert selectors.retention_ends(case) is None
    far = timezone.now() + datetime.timedelta(days=365 * 50)
    assert not selectors.cases_past_retention(far).filter(pk=case.pk).exists()


def test_compliance_changes_a_period_and_it_is_audited_and_in_history(compliance):
    services.set_retention_period(
        actor=compliance, status="closed_cleared", months=3, reason="Works council"
    )
    assert selectors.retention_months()["closed_cleared"] == 3
    policy = RetentionPolicy.objects.get(status="closed_cleared")
    assert policy.history.latest().history_user == compliance
    event = AuditEvent.objects.get(action="retention.period_set")
    assert event.data == {
        "status": "closed_cleared",
        "months": 3,
        "before": 6,
        "reason": "Works council",
    }


@pytest.mark.parametrize(("months", "field"), [(0, "months"), ("many", "months"), (5000, "months")])
def test_a_period_must_be_a_sensible_number_of_months(compliance, months, field):
    with pytest.raises(ServiceValidationError) as refused:
        services.set_retention_period(actor=compliance, status="approved", months=months)
    assert field in refused.value.errors


def test_only_compliance_sets_periods_and_holds(hr, reviewer, open_case):
    case = open_case()
    for user in (hr, reviewer):
        with pytest.raises(NotAllowed):
            services.set_retention_period(actor=user, status="approved", months=3)
        with pytest.raises(NotAllowed):
            services.set_legal_hold(actor=user, case=case, reason="Litigation")


def test_a_hold_needs_a_reason(compliance, open_case):
    with pytest.raises(ServiceValidationError):
        services.set_legal_hold(actor=compliance, case=open_case(), reason="  ")


def test_a_case_past_retention_is_listed_as_due_with_the_grace_period(
    answered_case, hr, reviewer, settings
):
    settings.VETTING_PURGE_GRACE_DAYS = 30
    case = closed_case(answered_case, hr, reviewer, Status.CLOSED_CLEARED, months_ago=7)
    result = services.refresh_due()
    assert result == {"added": 1, "dropped": 0}
    run = PurgeRun.objects.get(case=case)
    assert run.state == PurgeState.DUE
    assert run.purge_after - run.due_since == datetime.timedelta(days=30)
    # Not purged before the grace period is over.
    assert services.purge_due() == {"purged": 0, "failed": 0}
    # A longer period takes it off the list again.
    services.set_retention_period(
        actor=_compliance(), status="closed_cleared", months=24, reason="Longer"
    )
    assert services.refresh_due() == {"added": 0, "dropped": 1}


def _compliance():
    from tests.helpers import make_user

    return make_user("carol", "compliance")


def test_a_legal_hold_blocks_the_purge_until_it_is_lifted(answered_case, hr, reviewer, compliance):
    case = closed_case(answered_case, hr, reviewer, Status.REJECTED, months_ago=13)
    services.refresh_due()
    (hold,) = services.set_legal_hold(actor=compliance, case=case, reason="Court order 12/2026")
    assert selectors.is_held(case)
    # Neither the sweep after the grace period nor compliance's confirmation purges it.
    later = timezone.now() + datetime.timedelta(days=60)
    assert services.purge_due(later) == {"purged": 0, "failed": 0}
    with pytest.raises(InvalidTransition):
        services.purge_now(actor=compliance, case=case, reason="Requested")
    assert PurgeRun.objects.get(case=case).state == PurgeState.DUE
    # The due list shows it as held.
    assert [run.held for run in selectors.due_runs()] == [True]

    services.lift_legal_hold(actor=compliance, hold=hold, reason="Case settled")
    assert not selectors.is_held(case)
    assert services.purge_due(later) == {"purged": 1, "failed": 0}
    actions = list(
        AuditEvent.objects.filter(action__startswith="retention.hold").values_list(
            "action", flat=True
        )
    )
    assert actions == ["retention.hold_set", "retention.hold_lifted"]
    assert LegalHold.objects.get().history.count() == 2


def test_a_hold_with_linked_cases_holds_every_linked_case(answered_case, hr, reviewer, compliance):
    first = closed_case(
        answered_case, hr, reviewer, Status.REFERRED, emails=["same@example.org"], evidence=False
    )
    linked = closed_case(
        answered_case,
        hr,
        reviewer,
        Status.APPROVED,
        months_ago=25,
        emails=["same@example.org"],
        evidence=False,
    )
    holds = services.set_legal_hold(
        actor=compliance, case=first, reason="FBI request", include_linked=True
    )
    assert {hold.case for hold in holds} == {first, linked}
    services.refresh_due()
    later = timezone.now() + datetime.timedelta(days=60)
    assert services.purge_due(later) == {"purged": 0, "failed": 0}
    # Lifting the first hold lifts the one it put on the linked case.
    services.lift_legal_hold(actor=compliance, hold=holds[0], reason="Closed by the FBI")
    assert not selectors.is_held(linked)
    assert services.purge_due(later) == {"purged": 1, "failed": 0}


def test_a_lifted_hold_cannot_be_lifted_again(compliance, open_case):
    (hold,) = services.set_legal_hold(actor=compliance, case=open_case(), reason="Litigation")
    services.lift_legal_hold(actor=compliance, hold=hold, reason="Done")
    with pytest.raises(InvalidTransition):
        services.lift_legal_hold(actor=compliance, hold=hold, reason="Again")
