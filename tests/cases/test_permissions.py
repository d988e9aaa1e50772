"""The named permission rules of cases/permissions.py, and that every door follows them."""

import pytest
from django.contrib.auth.models import Permission

from cases import permissions, services
from cases.models import Status
from common.errors import InvalidTransition, NotAllowed
from tests.api.conftest import token_client
from tests.cases.helpers import bring_to

pytestmark = pytest.mark.django_db

HAND_OVER = "Hand the review to another reviewer"
ASSIGN = "Assign a reviewer"


@pytest.fixture
def in_review(answered_case, hr, reviewer):
    """A case `reviewer` (riley) is reviewing."""
    return bring_to(answered_case(hr), Status.IN_REVIEW, hr=hr, reviewer=reviewer)


def review_page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(f"/cases/{case.reference}/review/")
    assert response.status_code == 200
    return response.content.decode()


def test_reviewer2_is_not_offered_the_hand_over_of_a_review_someone_else_is_doing(
    client, in_review, hr, reviewer, reviewer2
):
    assert HAND_OVER not in review_page(client, reviewer2, in_review)
    assert HAND_OVER in review_page(client, reviewer, in_review)
    assert HAND_OVER in review_page(client, hr, in_review)


def test_the_service_the_page_and_the_api_refuse_reviewer2_the_hand_over(
    client, in_review, hr, reviewer2
):
    with pytest.raises(NotAllowed, match="only that reviewer or HR"):
        services.assign_reviewer(reviewer2, in_review, reviewer2)
    client.force_login(reviewer2)
    page = client.post(
        f"/cases/{in_review.reference}/review/assign/", {"reviewer": "seoyeon"}, follow=True
    )
    assert "only that reviewer or HR may hand it on" in page.content.decode()
    api = token_client(reviewer2).post(
        f"/api/v1/cases/{in_review.reference}/assign-reviewer/",
        {"reviewer": "seoyeon"},
        format="json",
    )
    assert api.status_code == 403
    in_review.refresh_from_db()
    assert in_review.reviewer.username == "riley"
    # HR may hand it on.
    assert services.assign_reviewer(hr, in_review, reviewer2).reviewer == reviewer2


def test_a_reviewer_may_take_an_unassigned_submitted_case_but_not_one_assigned_to_another(
    client, answered_case, hr, reviewer, reviewer2
):
    case = bring_to(answered_case(hr), Status.SUBMITTED, hr=hr, reviewer=reviewer)
    assert ASSIGN in review_page(client, reviewer2, case)
    case = services.assign_reviewer(reviewer2, case, reviewer)  # nobody had it: allowed
    assert ASSIGN not in review_page(client, reviewer2, case)
    assert HAND_OVER not in review_page(client, reviewer2, case)
    with pytest.raises(NotAllowed):
        services.assign_reviewer(reviewer2, case, reviewer2)
    assert HAND_OVER in review_page(client, reviewer, case)


@pytest.mark.parametrize(
    "status",
    [Status.ASSESSING, Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED],
)
def test_can_assign_reviewer_says_exactly_what_the_service_allows(
    status, answered_case, hr, hr2, reviewer, reviewer2, compliance, admin_user_role
):
    case = bring_to(answered_case(hr), status, hr=hr, reviewer=reviewer)
    for actor in (hr, hr2, reviewer, reviewer2, compliance, admin_user_role):
        case.refresh_from_db()
        expected = permissions.can_assign_reviewer(actor, case)
        try:
            # Unassigning needs no eligible reviewer, so only the actor's right is tested.
            services.assign_reviewer(actor, case, None)
        except (NotAllowed, InvalidTransition):
            allowed = False
        else:
            allowed = True
            if status == Status.IN_REVIEW:  # give the review back for the next actor
                services.assign_reviewer(hr, case, reviewer)
        assert allowed == expected, (status, actor.username)


def test_can_be_assigned_is_an_active_reviewer_who_did_not_assess(
    answered_case, hr, reviewer, reviewer2, compliance
):
    case = bring_to(answered_case(hr), Status.SUBMITTED, hr=hr, reviewer=reviewer)
    assert permissions.can_be_assigned(reviewer2, case)
    assert not permissions.can_be_assigned(compliance, case)
    assert not permissions.can_be_assigned(hr, case)
    reviewer2.is_active = False
    reviewer2.save()
    assert not permissions.can_be_assigned(reviewer2, case)


def test_the_reveal_button_the_api_and_the_service_agree_for_every_role(
    client, open_case, role_users
):
    case = open_case(account_number="000123456789")
    for role, user in role_users.items():
        may = permissions.can_reveal_numbers(user)
        assert may == (role in ("hr", "compliance")), role
        if permissions.can_read_cases(user):
            client.force_login(user)
            page = client.get(f"/cases/{case.reference}/candidate/").content.decode()
            assert ("Reveal the number" in page) == may, role
        api = token_client(user).post(
            f"/api/v1/cases/{case.reference}/candidate/reveal/",
            {"field": "account_number", "reason": "Check"},
            format="json",
        )
        assert (api.status_code == 200) == may, (role, api.status_code)
        try:
            services.reveal_sensitive(user, case, "account_number", "Check")
        except NotAllowed:
            assert not may, role
        else:
            assert may, role


def test_the_unused_reveal_sensitive_model_permission_is_gone():
    """Revealing is the role rule NUMBER_REVEALERS; an admin grant of this did nothing."""
    assert not Permission.objects.filter(codename="reveal_sensitive").exists()
