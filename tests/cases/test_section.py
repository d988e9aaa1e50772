"""Answering a whole section of the checklist at once (issue 14): each item as a single save
would, the valid ones saved, the refused ones reported item by item."""

import pytest

from audit.models import AuditEvent
from cases import services
from cases.models import ChecklistAnswer
from cases.services import AnswerInput
from common.errors import InvalidTransition, NotAllowed


def _answer(case, code):
    return ChecklistAnswer.objects.get(case=case, item__code=code)


def _recorded(case):
    return AuditEvent.objects.filter(case_reference=case.reference, action="answer.recorded")


def test_a_section_is_answered_in_one_call_with_a_record_per_changed_answer(open_case, hr):
    case = open_case()
    result = services.answer_section(
        hr,
        case,
        [
            AnswerInput("RF-2023-01", "observed", "Camera off in every call.", 1),
            AnswerInput("RF-2023-02", "not_observed", "", 1),
            AnswerInput("RF-2023-03", "unknown"),
        ],
    )
    assert result.complete
    assert [a.item.code for a in result.saved] == ["RF-2023-01", "RF-2023-02", "RF-2023-03"]
    assert _answer(case, "RF-2023-01").note == "Camera off in every call."
    assert _answer(case, "RF-2023-02").version == 2
    assert _recorded(case).count() == 3
    assert _answer(case, "RF-2023-01").history.count() == 2  # created, answered
    case.refresh_from_db()
    assert case.status == "assessing"


def test_unchanged_answers_are_not_saved_again(open_case, hr):
    case = open_case()
    services.answer_item(hr, case, "RF-2023-01", "unknown")
    result = services.answer_section(
        hr,
        case,
        [AnswerInput("RF-2023-01", "unknown", "", 2), AnswerInput("RF-2023-02", "unknown")],
    )
    assert [a.item.code for a in result.unchanged] == ["RF-2023-01"]
    assert [a.item.code for a in result.saved] == ["RF-2023-02"]
    assert _answer(case, "RF-2023-01").version == 2
    assert _answer(case, "RF-2023-01").history.count() == 2
    assert _recorded(case).count() == 2


def test_valid_items_are_saved_and_each_refused_item_reported_with_its_field(open_case, hr):
    case = open_case()
    result = services.answer_section(
        hr,
        case,
        [
            AnswerInput("RF-2023-01", "observed", ""),  # a note is required
            AnswerInput("RF-2023-02", "not_observed"),
            AnswerInput("DD-2023-01", "observed"),  # not a due-diligence value
            AnswerInput("XX-9", "unknown"),  # not an item of the case
            AnswerInput("RF-2023-02", "unknown"),  # sent twice
        ],
    )
    assert not result.complete
    assert [a.item.code for a in result.saved] == ["RF-2023-02"]
    assert "A note is required" in result.errors["RF-2023-01"]["note"][0]
    assert "completed, adverse" in result.errors["DD-2023-01"]["value"][0]
    assert "XX-9 is not an item" in result.errors["XX-9"]["item"][0]
    assert "more than once" in result.errors["RF-2023-02"]["item"][0]
    assert _answer(case, "RF-2023-01").value == ""
    assert _answer(case, "RF-2023-02").value == "not_observed"
    assert _recorded(case).count() == 1


def test_an_item_someone_else_changed_meanwhile_is_a_conflict_and_keeps_their_answer(
    open_case, hr, hr2
):
    case = open_case()
    # Both loaded the section at version 1; henry saved RF-2023-01 first.
    services.answer_item(hr2, case, "RF-2023-01", "observed", "Seen on a call.", expected_version=1)
    result = services.answer_section(
        hr,
        case,
        [
            AnswerInput("RF-2023-01", "not_observed", "", 1),
            AnswerInput("RF-2023-02", "not_observed", "", 1),
        ],
    )
    assert list(result.conflicts) == ["RF-2023-01"]
    conflict = result.conflicts["RF-2023-01"]
    assert "Someone else saved the answer to RF-2023-01" in conflict.message
    assert conflict.current.note == "Seen on a call."
    stored = _answer(case, "RF-2023-01")
    assert (stored.value, stored.answered_by, stored.version) == ("observed", hr2, 2)
    assert _answer(case, "RF-2023-02").value == "not_observed"


def test_only_hr_may_answer_a_section_and_only_while_the_case_is_editable(
    answered_case, open_case, hr, reviewer
):
    case = open_case()
    with pytest.raises(NotAllowed):
        services.answer_section(reviewer, case, [AnswerInput("RF-2023-01", "unknown")])
    assert _answer(case, "RF-2023-01").value == ""
    assert AuditEvent.objects.filter(action="answer.recorded.refused").count() == 1
    submitted = answered_case()
    services.perform_action(hr, submitted, "submit")
    with pytest.raises(InvalidTransition):
        services.answer_section(hr, submitted, [AnswerInput("RF-2023-01", "unknown")])
