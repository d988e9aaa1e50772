"""Re-screening every open case after reference data changed (issue 10): the same findings as
screening each case on its own, a few queries per batch rather than per case, the progress
recorded batch by batch, and the data as updated even in a process that held the old one."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors, services
from cases.models import Finding, FindingStatus, Status
from cases.services import findings as findings_service
from signals.reference import PACKAGE_DATA_DIR, reference_data, reload_reference_data
from tests.cases.helpers import bring_to

DPRK_IP = "175.45.176.77"
BAD_ROUTING = "026073151"
FORWARDER = "Jane Doe\n4283 Express Lane\nSuite 512-118\nSarasota, FL 34238\nUSA"


def stored(case) -> dict:
    return {
        row.fingerprint: (row.check_code, row.subject, row.severity, row.status, row.summary)
        for row in Finding.objects.filter(case=case)
    }


@pytest.fixture
def varied_cases(open_case, answered_case, hr, reviewer):
    """Open cases whose stored findings the last screening left in every state, and a closed one."""
    cases = [
        open_case(claimed_country="US", ip_addresses=[DPRK_IP, "8.8.8.8"]),
        open_case(claimed_country="US", routing_number=BAD_ROUTING, phones=["+1 646 555 0142"]),
        open_case(claimed_country="CA", shipping_address=FORWARDER, emails=["a@mailinator.com"]),
        open_case(claimed_country="KR", phones=["+82 10 1234 5678"]),
        open_case(claimed_country="US", ip_addresses=[DPRK_IP], routing_number=BAD_ROUTING),
    ]
    # Closed first: opening it re-screens the open cases it links to (the same IP address).
    closed = bring_to(
        answered_case(ip_addresses=[DPRK_IP]), Status.APPROVED, hr=hr, reviewer=reviewer
    )
    screened_before = Finding.objects.filter(case=cases[0])  # before the data listed them
    cases[0].missing = screened_before.count()
    screened_before.delete()
    Finding.objects.filter(case=cases[1], check_code="bank.routing_checksum").update(
        summary="An older wording"
    )
    services.dismiss_finding(
        reviewer, Finding.objects.get(case=cases[4], check_code="ip.dprk_address"), "Lab range."
    )
    Finding.objects.create(  # its fact is no longer listed: removed
        case=cases[3],
        check_code="persona.public_identifier",
        subject="old@example.org",
        fingerprint=findings_service.fingerprint("persona.public_identifier", "old@example.org"),
        severity="high",
        summary="Listed before",
        source_title="An older report",
        source_url="https://example.org/",
    )
    Finding.objects.filter(case=closed).delete()
    return cases, closed


def test_re_screening_in_batches_stores_what_screening_each_case_would(varied_cases):
    cases, closed = varied_cases

    totals = services.rescreen_open_cases(batch_size=2)

    assert cases[0].missing >= 1
    assert (totals["cases"], totals["opened"], totals["updated"], totals["removed"]) == (
        5,
        cases[0].missing,  # the findings of case 0
        1,  # the routing finding's summary of case 1
        1,  # the stale persona finding of case 3
    )
    after = {case.pk: stored(case) for case in cases}
    for case in cases:  # screening each case on its own now finds nothing to change
        assert services.screen_case(case) == findings_service.Screening(0, 0, 0)
        assert stored(case) == after[case.pk]
    assert Finding.objects.get(case=cases[4], check_code="ip.dprk_address").status == (
        FindingStatus.DISMISSED
    )
    assert stored(closed) == {}


def test_re_screening_records_its_progress_after_each_batch(varied_cases, monkeypatch):
    recorded = []
    record = findings_service._record_progress

    def spy(done, total, *, finished=False):
        recorded.append((done, total, finished))
        record(done, total, finished=finished)

    monkeypatch.setattr(findings_service, "_record_progress", spy)
    services.rescreen_open_cases(batch_size=2)

    assert recorded == [(0, 5, False), (2, 5, False), (4, 5, False), (5, 5, False), (5, 5, True)]
    progress = selectors.rescreen_progress()
    assert (progress["done"], progress["total"], progress["finished"]) == (5, 5, True)


def test_re_screening_unchanged_cases_costs_queries_per_batch_not_per_case(open_case):
    def queries_to_rescreen():
        with CaptureQueriesContext(connection) as queries:
            totals = services.rescreen_open_cases(batch_size=4)
        assert (totals["opened"], totals["updated"], totals["removed"]) == (0, 0, 0)
        return len(queries)

    for _ in range(4):
        open_case(ip_addresses=[DPRK_IP], phones=["+1 646 555 0142"], emails=["a@gmail.com"])
    one_batch = queries_to_rescreen()
    for _ in range(4):
        open_case(ip_addresses=[DPRK_IP], phones=["+1 646 555 0142"], emails=["a@gmail.com"])
    two_batches = queries_to_rescreen()

    assert two_batches - one_batch <= 6  # the case rows, 3 related lists, findings (+ audit)


def test_re_screening_reads_the_data_as_updated_even_where_the_old_one_was_loaded(
    settings, tmp_path, open_case
):
    """A worker that loaded the reference data before another process imported an update."""
    case = open_case(emails=["persona.dev@gmail.com"])
    settings.SIGNALS_DATA_DIR = tmp_path
    reference_data()  # loaded before the update, as in a long-lived worker
    try:
        for name in ("persona_identifiers.json", "persona_identifiers.provenance.json"):
            data = json.loads((PACKAGE_DATA_DIR / name).read_text())
            data["version"] = "2099-01-01"
            if "entries" in data:
                data["entries"] = [
                    {
                        "kind": "email",
                        "value": "persona.dev@gmail.com",
                        "persona": "test persona",
                        "source": {"title": "A public report", "url": "https://example.org/r"},
                    }
                ]
            (tmp_path / name).write_text(json.dumps(data))

        services.rescreen_open_cases()

        assert Finding.objects.filter(case=case, check_code="persona.public_identifier").exists()
    finally:
        settings.SIGNALS_DATA_DIR = None
        reload_reference_data()
