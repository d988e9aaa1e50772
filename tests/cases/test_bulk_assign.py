"""Bulk assignment of a reviewer from the case list: each case goes through the single
assignment's service, so every rule applies per case and each result is shown."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases import services
from cases.models import Case
from tests.cases.helpers import bring_to
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(answered_case, hr, reviewer):
    def _submitted(count=1, **facts):
        return [
            bring_to(answered_case(**facts), "submitted", hr=hr, reviewer=reviewer)
            for _ in range(count)
        ]

    return _submitted


def test_hr_assigns_several_submitted_cases_at_once(client, hr, reviewer2, submitted):
    cases = submitted(2)
    client.force_login(hr)

    response = client.post(
        reverse("case_bulk_assign"),
        {"case": [c.reference for c in cases], "reviewer": "seoyeon", "next": "/cases/?q=x"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Assigned to seoyeon.") == 2
    assert "2 of 2 cases assigned." in page
    assert 'href="/cases/?q=x"' in page
    for case in cases:
        case.refresh_from_db()
        assert case.reviewer == reviewer2
        event = AuditEvent.objects.get(
            action="case.reviewer_assigned", case_reference=case.reference
        )
        assert event.actor == hr and event.data["reviewer"] == "seoyeon"
        assert case.history.latest().reviewer_id == reviewer2.pk


def test_the_four_eyes_rule_refuses_each_case_the_reviewer_assessed(
    client, hr, reviewer2, answered_case, submitted
):
    assessed = bring_to(
        answered_case(actor=reviewer2_as_hr(reviewer2)), "submitted", hr=reviewer2, reviewer=None
    )
    fine, draft = submitted()[0], answered_case()
    client.force_login(hr)

    response = client.post(
        reverse("case_bulk_assign"),
        {"case": [assessed.reference, fine.reference, draft.reference], "reviewer": "seoyeon"},
    )

    page = response.content.decode()
    assert "Four-eyes rule: seoyeon assessed this case and cannot review it." in page
    assert "Only submitted cases or cases in review get a reviewer." in page
    assert "1 of 3 cases assigned." in page
    assessed.refresh_from_db()
    fine.refresh_from_db()
    assert assessed.reviewer is None and fine.reviewer == reviewer2


def reviewer2_as_hr(reviewer2):
    """seoyeon also holds the hr role, so she can open and answer a case (and so assess it)."""
    from django.contrib.auth.models import Group

    reviewer2.groups.add(Group.objects.get(name="hr"))
    return reviewer2


def test_a_reviewer_may_not_take_a_case_away_from_another_reviewer(
    client, reviewer, reviewer2, submitted
):
    mine, theirs = submitted(2)
    services.assign_reviewer(reviewer2, theirs, reviewer2)
    other = make_user("ravi", "reviewer")
    client.force_login(reviewer)

    response = client.post(
        reverse("case_bulk_assign"),
        {"case": [mine.reference, theirs.reference], "reviewer": "ravi"},
    )

    page = response.content.decode()
    assert (
        f"{theirs.reference} is assigned to seoyeon; only that reviewer or HR may hand it on."
        in page
    )
    assert Case.objects.get(pk=mine.pk).reviewer == other
    assert Case.objects.get(pk=theirs.pk).reviewer == reviewer2
    assert AuditEvent.objects.filter(action="case.reviewer_assigned.refused").count() == 1


def test_nothing_ticked_or_no_reviewer_is_a_clear_message(client, hr, submitted):
    (case,) = submitted()
    client.force_login(hr)

    none_ticked = client.post(
        reverse("case_bulk_assign"), {"reviewer": "seoyeon"}, follow=True
    ).content.decode()
    no_reviewer = client.post(
        reverse("case_bulk_assign"), {"case": [case.reference]}, follow=True
    ).content.decode()

    assert "Nobody was assigned: Tick the cases to assign." in none_ticked
    assert "Nobody was assigned: Choose an active reviewer." in no_reviewer


def test_the_list_offers_bulk_assignment_only_to_those_who_may_assign(
    client, hr, compliance, submitted, reviewer2
):
    (case,) = submitted()

    client.force_login(hr)
    page = client.get("/cases/?all=1").content.decode()
    assert 'id="bulk-assign"' in page
    assert f'name="case" value="{case.reference}" form="bulk-assign"' in page
    assert '<option value="seoyeon">' in page
    assert "js/select-all.js" in page
    client.force_login(compliance)
    page = client.get("/cases/").content.decode()
    assert 'id="bulk-assign"' not in page and 'name="case"' not in page
