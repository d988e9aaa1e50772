"""Optimistic concurrency (issue 11): two people saving the same answer or the same candidate
facts at once no longer silently overwrite each other. The check is in the services, so every
door (pages, API) applies it the same way."""

import pytest

from cases import selectors, services
from cases.models import Candidate, ChecklistAnswer
from common.errors import StaleVersion


def _answer(case, code="RF-2023-01"):
    return ChecklistAnswer.objects.get(case=case, item__code=code)


def test_each_change_of_an_answer_counts_one_version(open_case, hr):
    case = open_case()
    assert _answer(case).version == 1
    services.answer_item(hr, case, "RF-2023-01", "not_observed")
    services.answer_item(hr, case, "RF-2023-01", "unknown")
    assert _answer(case).version == 3
    services.answer_item(hr, case, "RF-2023-01", "unknown")  # nothing changed
    assert _answer(case).version == 3


def test_an_answer_based_on_an_old_version_is_refused_and_the_newer_one_kept(open_case, hr, hr2):
    case = open_case()
    loaded = _answer(case).version
    services.answer_item(hr, case, "RF-2023-01", "observed", "Camera off.", expected_version=loaded)
    with pytest.raises(StaleVersion, match="Someone else saved the answer to RF-2023-01") as error:
        services.answer_item(hr2, case, "RF-2023-01", "not_observed", expected_version=loaded)
    assert (error.value.current.value, error.value.current.version) == ("observed", 2)
    assert (_answer(case).value, _answer(case).note) == ("observed", "Camera off.")
    # Based on the current version, the change is saved.
    services.answer_item(hr2, case, "RF-2023-01", "not_observed", expected_version=2)
    assert _answer(case).value == "not_observed"


def test_saving_what_is_already_stored_is_never_a_conflict(open_case, hr, hr2):
    case = open_case()
    services.answer_item(hr, case, "RF-2023-01", "unknown", expected_version=1)
    services.answer_item(hr2, case, "RF-2023-01", "unknown", expected_version=1)
    assert _answer(case).version == 2


def test_without_an_expected_version_the_last_save_wins_as_before(open_case, hr, hr2):
    case = open_case()
    services.answer_item(hr, case, "RF-2023-01", "observed", "x")
    services.answer_item(hr2, case, "RF-2023-01", "unknown")
    assert _answer(case).value == "unknown"


def test_candidate_facts_based_on_an_old_version_are_refused(open_case, hr, hr2):
    case = open_case(emails=["a@example.com"])
    assert case.candidate.version == 1
    services.update_candidate(hr, case, {"claimed_city": "Seoul"}, expected_version=1)
    with pytest.raises(StaleVersion, match="the candidate facts") as error:
        services.update_candidate(hr2, case, {"emails": []}, expected_version=1)
    assert error.value.current.version == 2
    candidate = Candidate.objects.get(pk=case.candidate_id)
    assert candidate.claimed_city == "Seoul"
    assert [c.value for c in candidate.contacts.all()] == ["a@example.com"]
    services.update_candidate(hr2, case, {"emails": []}, expected_version=2)
    assert Candidate.objects.get(pk=case.candidate_id).version == 3


def test_accepting_a_finding_changes_the_answer_version(open_case, hr):
    case = open_case(routing_number="026073151")
    found = case.findings.get(check_code="bank.routing_checksum")
    services.accept_finding(hr, found)
    answer = _answer(case, found.suggests_item_code)
    assert (answer.value, answer.version) == ("adverse", 2)
    assert selectors.answers_for(case).get(pk=answer.pk).version == 2
