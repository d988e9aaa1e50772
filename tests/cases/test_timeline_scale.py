"""The history timeline of a busy case (issue 12): a fixed number of queries however many
history rows it has, and every change under the action that made it."""

import pytest

from audit.models import AuditEvent
from cases import selectors, services, timeline
from tests.query_counts import assert_pinned_queries

pytestmark = pytest.mark.django_db


def busy_case(open_case, hr, changes: int):
    """A case whose checklist answers were changed `changes` times through the service (each
    change is one history row and one audit event), all within a few seconds."""
    case = open_case()
    answers = [a.item for a in selectors.answers_for(case)]
    for number in range(changes):
        item = answers[number % len(answers)]
        value = ("unknown", "not_observed") if item.is_red_flag else ("completed", "not_completed")
        services.answer_item(hr, case, item.code, value[number % 2], f"Change {number}")
    return case


def page_timeline(case, page: int = 1):
    events = list(timeline.history_events(case)[(page - 1) * 25 : page * 25])
    return timeline.build_timeline(case, events)


def test_the_timeline_reads_the_same_queries_for_10_and_300_history_rows(open_case, hr):
    for changes in (10, 300):
        case = busy_case(open_case, hr, changes)
        with assert_pinned_queries("selector.timeline"):
            built = page_timeline(case)
        assert len(built) == 25 if changes >= 25 else changes + 1


def test_each_change_of_a_busy_case_is_under_the_event_that_made_it(open_case, hr):
    case = busy_case(open_case, hr, 120)
    notes_by_event = {
        event.pk: event.data["note"]
        for event in AuditEvent.objects.filter(case_reference=case.reference)
        if event.action == "answer.recorded"
    }
    shown, expected = 0, 0
    for page in (1, 3, 5):
        events = timeline.history_events(case)[(page - 1) * 25 : page * 25]
        expected += sum(1 for event in events if event.action == "answer.recorded")
        for entry in page_timeline(case, page):
            if entry.action != "answer.recorded":
                continue
            [(label, changes)] = entry.changes  # its own change, none of its neighbours'
            assert label.startswith("Answer ")
            notes = [change.new for change in changes if change.label == "Note"]
            assert notes == [notes_by_event[entry.event_id]]
            shown += 1
    assert shown == expected > 60
