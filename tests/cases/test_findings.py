"""Findings have a life (issue 10, part 4): stored per case, recomputed with the facts, accepted
or dismissed by people, every change in history and in the audit log."""

import json

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from audit.summaries import describe_event
from cases import permissions, selectors, services
from cases.models import Finding, FindingStatus, Status
from cases.tasks import rescreen_open_cases
from common.errors import FourEyesViolation, InvalidTransition, NotAllowed, ServiceValidationError
from signals.reference import PACKAGE_DATA_DIR, reload_reference_data
from tests.cases.helpers import bring_to
from tests.helpers import make_user

DPRK_IP = "175.45.176.77"
FORWARDER = "Jane Doe\n4283 Express Lane\nSuite 512-118\nSarasota, FL 34238\nUSA"
BAD_ROUTING = "026073151"  # fails the ABA checksum: suggests DD-2023-05 = adverse


def finding(case, check):
    return Finding.objects.get(case=case, check_code=check)


def checks(case):
    return sorted(Finding.objects.filter(case=case).values_list("check_code", flat=True))


def test_a_dprk_address_added_opens_a_critical_finding_and_removing_it_removes_it(open_case, hr):
    case = open_case(claimed_country="US", ip_addresses=["8.8.8.8"])
    assert "ip.dprk_address" not in checks(case)

    services.update_candidate(hr, case, {"ip_addresses": ["8.8.8.8", DPRK_IP]})
    found = finding(case, "ip.dprk_address")
    assert (found.status, found.severity, found.subject) == ("open", "critical", DPRK_IP)

    services.update_candidate(hr, case, {"ip_addresses": ["8.8.8.8"]})
    assert "ip.dprk_address" not in checks(case)
    # Its history stays: created, then deleted.
    assert [h.history_type for h in Finding.history.filter(id=found.pk)] == ["-", "+"]


def test_screening_unchanged_facts_again_neither_duplicates_nor_touches_findings(open_case, hr):
    case = open_case(ip_addresses=[DPRK_IP])
    before = Finding.history.filter(case_id=case.pk).count()
    result = services.screen_case(case)
    services.update_candidate(hr, case, {"claimed_city": "Seoul"})
    assert (result.opened, result.updated, result.removed) == (0, 0, 0)
    assert checks(case).count("ip.dprk_address") == 1
    assert Finding.history.filter(case_id=case.pk).count() == before


def test_a_dismissed_finding_is_kept_when_its_fact_goes_away(open_case, hr, reviewer):
    case = open_case(ip_addresses=[DPRK_IP])
    services.dismiss_finding(reviewer, finding(case, "ip.dprk_address"), "Lab test address.")
    services.update_candidate(hr, case, {"ip_addresses": []})
    assert finding(case, "ip.dprk_address").status == FindingStatus.DISMISSED


def test_accepting_a_finding_fills_in_the_answer_it_suggests_with_a_note_citing_it(open_case, hr):
    case = open_case(routing_number=BAD_ROUTING)
    found = finding(case, "bank.routing_checksum")
    assert found.suggests == {"item_code": "DD-2023-05", "value": "adverse"}

    services.accept_finding(hr, found)

    answer = selectors.answers_for(case).get(item__code="DD-2023-05")
    assert answer.value == "adverse"
    assert answer.note.startswith(f"Accepted finding bank.routing_checksum: {found.summary}")
    found.refresh_from_db()
    assert (found.status, found.decided_by) == (FindingStatus.ACCEPTED, hr)
    assert found.decided_at is not None


def test_a_finding_of_a_submitted_case_cannot_be_accepted(answered_case, hr, reviewer):
    case = bring_to(
        answered_case(routing_number=BAD_ROUTING), Status.SUBMITTED, hr=hr, reviewer=reviewer
    )
    with pytest.raises(InvalidTransition):
        services.accept_finding(hr, finding(case, "bank.routing_checksum"))


def test_a_decided_finding_cannot_be_decided_again(open_case, hr):
    case = open_case(routing_number=BAD_ROUTING)
    services.accept_finding(hr, finding(case, "bank.routing_checksum"))
    with pytest.raises(InvalidTransition):
        services.dismiss_finding(hr, finding(case, "bank.routing_checksum"), "Changed my mind.")


def test_dismissing_needs_a_reason(open_case, hr):
    case = open_case(routing_number=BAD_ROUTING)
    with pytest.raises(ServiceValidationError) as error:
        services.dismiss_finding(hr, finding(case, "bank.routing_checksum"), "  ")
    assert "note" in error.value.errors
    assert finding(case, "bank.routing_checksum").status == FindingStatus.OPEN


def test_a_high_finding_is_dismissed_only_by_a_reviewer_who_did_not_assess_the_case(
    catalog, open_case, hr, reviewer
):
    assessor = make_user("dual", "hr", "reviewer")
    case = open_case(assessor, claimed_country="US", shipping_address=FORWARDER)
    high = finding(case, "shipping.forwarder")
    assert high.severity == "high"

    with pytest.raises(NotAllowed):
        services.dismiss_finding(hr, high, "Looks fine.")
    with pytest.raises(FourEyesViolation):
        services.dismiss_finding(assessor, high, "Looks fine.")
    assert not permissions.can_dismiss_finding(hr, high)
    assert not permissions.can_dismiss_finding(assessor, high)
    assert permissions.can_dismiss_finding(reviewer, high)
    refused = AuditEvent.objects.filter(
        action="finding.dismissed.refused", case_reference=case.reference
    )
    assert refused.count() == 2
    assert refused.filter(data__four_eyes=True).count() == 1

    services.dismiss_finding(reviewer, high, "The candidate's employer ships through MyUS.")
    high.refresh_from_db()
    assert (high.status, high.decided_by, high.note) == (
        FindingStatus.DISMISSED,
        reviewer,
        "The candidate's employer ships through MyUS.",
    )


def test_hr_dismisses_a_medium_finding_only_while_the_case_is_editable(answered_case, hr, reviewer):
    case = answered_case(routing_number=BAD_ROUTING)
    medium = finding(case, "bank.routing_checksum")
    assert permissions.can_dismiss_finding(hr, medium)
    case = bring_to(case, Status.SUBMITTED, hr=hr, reviewer=reviewer)
    medium = finding(case, "bank.routing_checksum")
    assert not permissions.can_dismiss_finding(hr, medium)
    assert permissions.can_dismiss_finding(reviewer, medium)


def test_every_change_of_a_finding_is_in_history_and_in_the_audit_log(open_case, hr, reviewer):
    case = open_case(routing_number=BAD_ROUTING, ip_addresses=[DPRK_IP])
    services.accept_finding(hr, finding(case, "bank.routing_checksum"), "Checked with the bank.")
    services.dismiss_finding(reviewer, finding(case, "ip.dprk_address"), "Known test range.")
    services.update_candidate(hr, case, {"routing_number": "021000021"})  # a valid number

    events = AuditEvent.objects.filter(case_reference=case.reference, action__startswith="finding.")
    actions = sorted(events.values_list("action", flat=True))
    assert actions.count("finding.opened") >= 2
    assert {"finding.accepted", "finding.dismissed"} <= set(actions)
    dismissed = events.get(action="finding.dismissed")
    assert describe_event(dismissed) == (
        f"Dismissed finding ip.dprk_address on {case.reference} — Known test range."
    )
    accepted = finding(case, "bank.routing_checksum")
    assert accepted.status == FindingStatus.ACCEPTED  # kept although the number changed
    assert [h.status for h in accepted.history.all()] == ["accepted", "open"]
    assert [h.history_user for h in accepted.history.all()] == [hr, hr]


def test_the_rescreen_task_screens_every_case_that_is_not_closed(
    answered_case, open_case, hr, reviewer
):
    # One address each: a shared one would link the cases (links.many_cases).
    cases = [open_case(ip_addresses=[f"175.45.176.{n}"]) for n in (10, 11, 12)]
    closed = bring_to(
        answered_case(ip_addresses=["175.45.176.13"]), Status.APPROVED, hr=hr, reviewer=reviewer
    )
    Finding.objects.filter(case__in=[*cases, closed]).delete()  # as screened before the data

    totals = rescreen_open_cases.delay().get()
    again = rescreen_open_cases.delay().get()

    assert all(checks(case) == ["ip.dprk_address"] for case in cases)
    assert checks(closed) == []
    assert (totals["cases"], totals["opened"]) == (3, 3)
    assert (again["cases"], again["opened"], again["removed"]) == (3, 0, 0)
    assert selectors.rescreen_progress()["done"] == selectors.rescreen_progress()["total"] == 3
    assert selectors.rescreen_progress()["finished"]
    event = AuditEvent.objects.filter(action="findings.rescreened").first()
    assert describe_event(event).startswith("Re-screened 3 open cases")


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.SIGNALS_DATA_DIR = tmp_path / "signal-data"
    reload_reference_data()
    yield settings.SIGNALS_DATA_DIR
    reload_reference_data()


def test_updating_reference_data_re_screens_the_open_cases(
    data_dir, tmp_path, open_case, django_capture_on_commit_callbacks
):
    case = open_case(emails=["persona.dev@gmail.com"])
    assert "persona.public_identifier" not in checks(case)
    data = json.loads((PACKAGE_DATA_DIR / "persona_identifiers.json").read_text())
    provenance = json.loads((PACKAGE_DATA_DIR / "persona_identifiers.provenance.json").read_text())
    data["version"] = provenance["version"] = "2099-01-01"
    data["entries"] = [
        {
            "kind": "email",
            "value": "persona.dev@gmail.com",
            "persona": "test persona",
            "source": {"title": "A public report", "url": "https://example.org/report"},
        }
    ]
    (tmp_path / "persona_identifiers.json").write_text(json.dumps(data))
    (tmp_path / "persona_identifiers.provenance.json").write_text(json.dumps(provenance))

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "update_signal_data",
            "persona_identifiers",
            "--file",
            str(tmp_path / "persona_identifiers.json"),
        )

    assert finding(case, "persona.public_identifier").status == FindingStatus.OPEN
