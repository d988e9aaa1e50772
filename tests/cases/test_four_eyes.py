"""The four-eyes rule (issue 11): whoever opened, answered, uploaded, withdrew, re-linked or
edited facts of a case, or accepted one of its findings, is its assessor and may not review it.
One predicate (`permissions.is_assessor`) is asked at every door: starting the review, signing
off, being assigned, being offered as reviewer, dismissing a high or critical finding."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import permissions, selectors, services
from cases.models import Evidence, Finding, Status
from common.errors import FourEyesViolation, ServiceValidationError
from tests.cases.helpers import bring_to
from tests.helpers import make_user

FORWARDER = "Jane Doe\n4283 Express Lane\nSuite 512-118\nSarasota, FL 34238\nUSA"
BAD_ROUTING = "026073151"  # fails the ABA checksum: suggests DD-2023-05 = adverse


def _evidence(case):
    return Evidence.objects.get(case=case)


def answered(dual, case):
    services.answer_item(dual, case, "RF-2023-01", "observed", "Camera always off.")


def edited_facts(dual, case):
    services.update_candidate(dual, case, {"claimed_city": "Shenyang"})


def uploaded(dual, case):
    services.upload_evidence(dual, case, SimpleUploadedFile("b.txt", b"log"))


def withdrew(dual, case):
    services.withdraw_evidence(dual, _evidence(case), "Wrong candidate.")


def unlinked(dual, case):
    services.link_evidence(dual, _evidence(case), [])


def relinked(dual, case):
    services.link_evidence(dual, _evidence(case), ["RF-2023-02"])


def accepted_a_finding(dual, case):
    found = Finding.objects.get(case=case, check_code="bank.routing_checksum")
    # Without a suggested answer, so only the acceptance itself makes `dual` an assessor.
    Finding.objects.filter(pk=found.pk).update(suggests_item_code="", suggests_value="")
    found.refresh_from_db()
    services.accept_finding(dual, found)


PATHS = [answered, edited_facts, uploaded, withdrew, unlinked, relinked, accepted_a_finding]


@pytest.fixture
def dual(db):
    """Someone with both roles: may assess and may review, but never the same case."""
    return make_user("dual", "hr", "reviewer")


@pytest.fixture
def assessed_case(answered_case, hr):
    case = answered_case(
        claimed_country="US", shipping_address=FORWARDER, routing_number=BAD_ROUTING
    )
    upload = SimpleUploadedFile("a.txt", b"chat log")
    services.upload_evidence(hr, case, upload, answer_codes=["RF-2023-01"])
    return case


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.__name__)
def test_whoever_changed_the_case_may_not_review_it_at_any_door(
    path, dual, assessed_case, hr, reviewer
):
    case = assessed_case
    assert not permissions.is_assessor(dual, case)
    path(dual, case)
    assert permissions.is_assessor(dual, case)
    case = bring_to(case, Status.SUBMITTED, hr=hr, reviewer=reviewer)

    assert "start_review" not in services.allowed_actions(dual, case)
    with pytest.raises(FourEyesViolation, match="Four-eyes"):
        services.perform_action(dual, case, "start_review")
    assert "dual" not in [name for name, _ in selectors.reviewer_choices(case)]
    assert "Four-eyes" in permissions.why_not_assignable(dual, case)
    with pytest.raises(ServiceValidationError, match="Four-eyes"):
        services.assign_reviewer(hr, case, dual)
    high = Finding.objects.get(case=case, check_code="shipping.forwarder")
    assert not permissions.can_dismiss_finding(dual, high)
    with pytest.raises(FourEyesViolation):
        services.dismiss_finding(dual, high, "Looks fine.")

    case = services.perform_action(reviewer, case, "start_review")
    with pytest.raises(FourEyesViolation):
        services.perform_action(dual, case, "approve")
    assert services.perform_action(reviewer, case, "approve").status == Status.APPROVED


def test_a_reviewer_who_dismissed_a_high_finding_may_still_review(
    dual, assessed_case, hr, reviewer
):
    """Dismissing is a reviewer's decision on a suggestion, not assessing: it changes no fact,
    answer or evidence."""
    case = assessed_case
    high = Finding.objects.get(case=case, check_code="shipping.forwarder")
    services.dismiss_finding(dual, high, "The employer ships through this forwarder.")
    assert not permissions.is_assessor(dual, case)
    case = bring_to(case, Status.SUBMITTED, hr=hr, reviewer=reviewer)
    case = services.perform_action(dual, case, "start_review")
    assert services.perform_action(dual, case, "approve").status == Status.APPROVED


def test_a_reviewer_who_only_read_and_downloaded_may_review(dual, assessed_case, hr, reviewer):
    case = assessed_case
    services.record_evidence_download(dual, _evidence(case))
    case = bring_to(case, Status.SUBMITTED, hr=hr, reviewer=reviewer)
    assert not permissions.is_assessor(dual, case)
    assert "dual" in [name for name, _ in selectors.reviewer_choices(case)]
