"""Compliance audit export: every event of the period, nothing outside it, as CSV or JSON."""

import csv
import datetime
import io
import json

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def export_url(start, end, export_format="csv") -> str:
    return f"/api/v1/audit-export/?start={start}&end={end}&format={export_format}"


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff"), "spreadsheet programs need the BOM to read Korean"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def read_json(response) -> list[dict]:
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def busy_period(referred_case, reviewer, generate):
    """A case taken through the whole workflow, a report generated and downloaded, and one
    event from long before the period."""
    job = generate(reviewer, referred_case)
    download = token_client(reviewer).get(f"/api/v1/reports/{job.pk}/download/")
    assert download.status_code == 200
    b"".join(download.streaming_content)
    # Written as it was then: the audit log refuses to change an event afterwards.
    return AuditEvent.objects.create(
        at=timezone.now() - datetime.timedelta(days=40),
        actor=reviewer,
        actor_username=reviewer.username,
        action="test.old",
        object_type="test",
        summary="old",
    )


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_the_export_lists_every_event_of_the_period_and_nothing_else(
    busy_period, compliance, export_format
):
    api = token_client(compliance)  # issuing its token is an event of the period too
    in_period = set(AuditEvent.objects.exclude(pk=busy_period.pk).values_list("pk", flat=True))

    response = api.get(export_url(TODAY(), TODAY(), export_format))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == (
        f'attachment; filename="vetting-audit-{TODAY()}_{TODAY()}.{export_format}"'
    )
    rows = read_csv(response) if export_format == "csv" else read_json(response)
    exported = {int(row["id"]) for row in rows}
    own = AuditEvent.objects.get(action="audit.exported")
    assert exported == in_period | {own.pk}
    actions = {row["action"] for row in rows}
    assert {
        "case.opened",
        "answer.recorded",
        "evidence.uploaded",
        "case.submit",
        "case.refer",
        "report.generated",
        "report.downloaded",
        "audit.exported",
    } <= actions, actions
    # Oldest first, with who did it.
    assert [int(row["id"]) for row in rows] == sorted(exported)
    assert {row["actor_username"] for row in rows} >= {"hana", "riley", "chris"}


def test_csv_and_json_carry_the_same_facts(busy_period, compliance):
    api = token_client(compliance)
    as_csv = read_csv(api.get(export_url(TODAY(), TODAY(), "csv")))
    as_json = read_json(api.get(export_url(TODAY(), TODAY(), "json")))
    # The second export also lists the first one's event.
    assert len(as_json) == len(as_csv) + 1
    for row, obj in zip(as_csv, as_json, strict=False):
        assert int(row["id"]) == obj["id"]
        assert row["action"] == obj["action"] and row["summary"] == obj["summary"]
        assert json.loads(row["data"]) == obj["data"]
        assert datetime.datetime.fromisoformat(row["at"]) == datetime.datetime.fromisoformat(
            obj["at"]
        )


def test_korean_text_survives_and_spreadsheet_formulas_are_neutralised(compliance, hr):
    record_event(actor=hr, action="test.note", object_type="test", summary='=HYPERLINK("x")')
    record_event(actor=hr, action="test.note", object_type="test", summary="선불 요청 기록")

    rows = read_csv(token_client(compliance).get(export_url(TODAY(), TODAY())))

    summaries = [row["summary"] for row in rows if row["action"] == "test.note"]
    assert summaries == ['\'=HYPERLINK("x")', "선불 요청 기록"]


def test_the_export_is_recorded_with_its_period_and_format(compliance):
    token_client(compliance).get(export_url(TODAY() - datetime.timedelta(days=7), TODAY(), "json"))

    event = AuditEvent.objects.get(action="audit.exported")
    assert event.actor == compliance
    assert event.data == {
        "start": str(TODAY() - datetime.timedelta(days=7)),
        "end": str(TODAY()),
        "format": "json",
    }


@pytest.mark.parametrize(
    "start, end, field, message",
    [
        ("2026-03-10", "2026-03-01", "end", "on or after the start date"),
        ("2024-01-01", "2025-06-30", "end", "at most 366 days"),
        (str(TODAY() + datetime.timedelta(days=3)), "2099-01-01", "start", "in the future"),
        ("yesterday", "2026-01-01", "start", "Date has wrong format"),
    ],
)
def test_a_bad_period_is_a_field_error_and_nothing_is_recorded(
    compliance, start, end, field, message
):
    response = token_client(compliance).get(export_url(start, end))

    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_the_web_page_exports_for_compliance_only(client, compliance, reviewer):
    client.force_login(reviewer)
    assert client.get("/reports/audit-export/").status_code == 403

    client.force_login(compliance)
    page = client.get("/reports/audit-export/")
    assert page.status_code == 200
    response = client.post(
        "/reports/audit-export/", {"start": TODAY(), "end": TODAY(), "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    actions = [row["action"] for row in read_csv(response)]
    # The users were given their roles and signed in; then the export is its own last event.
    assert set(actions) == {"accounts.roles_changed", "auth.signed_in", "audit.exported"}
    assert actions[-1] == "audit.exported"


def test_the_web_page_shows_a_bad_period_as_a_form_error(client, compliance):
    client.force_login(compliance)

    response = client.post(
        "/reports/audit-export/", {"start": "2026-03-10", "end": "2026-03-01", "format": "csv"}
    )

    assert response.status_code == 400
    assert "on or after the start date" in response.context["form"].errors["end"][0]
    assert not AuditEvent.objects.filter(action="audit.exported").exists()
