"""Integrity check: every stored evidence file and report re-hashed against its record."""

import csv
import io

import pytest
from django.core.files.storage import default_storage

from audit.models import AuditEvent
from common.errors import NotAllowed, ServiceValidationError
from reports import services
from reports.models import JobStatus, ReportJob

from .conftest import stored_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def check(django_capture_on_commit_callbacks):
    """Run an integrity check as the worker would; returns the finished job."""

    def _check(actor):
        with django_capture_on_commit_callbacks(execute=True):
            job, _created = services.request_integrity_check(actor)
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.error
        return job

    return _check


def rows_of(job) -> list[dict]:
    text = stored_bytes(job).decode("utf-8")
    assert text.startswith("\ufeff"), "spreadsheet programs need the BOM"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_an_intact_installation_checks_every_file_and_says_so(
    assessed_case, hr, compliance, generate, check
):
    report = generate(hr, assessed_case)

    job = check(compliance)

    rows = rows_of(job)
    evidence = list(assessed_case.evidence.order_by("id"))
    assert [(r["object"], int(r["id"])) for r in rows] == [
        *[("evidence", e.pk) for e in evidence],
        ("report", report.pk),
    ]
    assert {r["result"] for r in rows} == {"ok"}
    assert all(r["recorded_sha256"] == r["actual_sha256"] for r in rows)
    assert rows[0]["case_reference"] == assessed_case.reference
    chain = job.summary.pop("audit_chain")
    assert job.summary == {"checked": 3, "ok": 3, "changed": 0, "missing": 0, "problems": []}
    assert chain["intact"] and chain["checked"] > 0 and chain["first_broken"] is None
    assert job.file_name.startswith("vetting-integrity-check-") and job.file_name.endswith(".csv")
    assert job.case is None
    event = AuditEvent.objects.get(action="integrity.verified")
    assert event.actor == compliance
    assert "3 files, every file matches its recorded SHA-256; audit chain intact" in event.summary


def test_the_check_names_the_first_broken_link_of_the_audit_chain(open_case, compliance, check):
    from audit.services import seal_all_pending
    from tests.audit.test_chain import tamper

    open_case()
    seal_all_pending()
    changed = AuditEvent.objects.get(action="case.opened").sequence
    tamper(sequence=changed, summary="Opened nothing")

    job = check(compliance)

    chain = job.summary["audit_chain"]
    assert not chain["intact"]
    assert chain["first_broken"]["sequence"] == changed
    event = AuditEvent.objects.get(action="integrity.problems_found")
    assert f"audit chain broken at event {changed}: its content was changed" in event.summary


def test_a_changed_and_a_missing_file_are_reported(assessed_case, hr, compliance, generate, check):
    report = generate(hr, assessed_case)
    tampered, _other = assessed_case.evidence.order_by("id")
    with open(default_storage.path(tampered.file.name), "ab") as stored:
        stored.write(b"edited outside vetting")
    default_storage.delete(report.file.name)

    job = check(compliance)

    results = {(r["object"], int(r["id"])): r for r in rows_of(job)}
    assert results[("evidence", tampered.pk)]["result"] == "changed"
    assert results[("evidence", tampered.pk)]["actual_sha256"] != tampered.sha256
    assert results[("report", report.pk)]["result"] == "missing"
    assert results[("report", report.pk)]["actual_sha256"] == ""
    assert job.summary["checked"] == 3
    assert (job.summary["ok"], job.summary["changed"], job.summary["missing"]) == (1, 1, 1)
    assert job.summary["problems"] == [
        f"evidence #{tampered.pk} of {assessed_case.reference} (interview notes.png)",
        f"report #{report.pk} of {assessed_case.reference} ({report.file_name})",
    ]
    event = AuditEvent.objects.get(action="integrity.problems_found")
    assert "1 changed, 1 missing" in event.summary


def test_earlier_checks_are_checked_too_but_not_the_running_one(compliance, catalog, check):
    first = check(compliance)
    second = check(compliance)
    assert [(r["object"], int(r["id"])) for r in rows_of(first)] == []
    assert [(r["object"], int(r["id"])) for r in rows_of(second)] == [("report", first.pk)]


def test_file_names_cannot_run_as_spreadsheet_formulas(open_case, hr, compliance, check):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases import services as case_services
    from tests.api.conftest import PDF_BYTES

    case = open_case()
    case_services.upload_evidence(hr, case, SimpleUploadedFile("-2-3.pdf", PDF_BYTES))

    (row,) = rows_of(check(compliance))
    assert row["name"] == "'-2-3.pdf"


def test_only_compliance_may_check_and_a_pending_check_is_not_queued_twice(
    hr, reviewer, compliance, catalog
):
    for other in (hr, reviewer):
        with pytest.raises(NotAllowed, match="Only compliance"):
            services.request_integrity_check(other)
    first, created = services.request_integrity_check(compliance)
    again, created_again = services.request_integrity_check(compliance)
    assert (created, created_again) == (True, False) and again.pk == first.pk


def test_an_integrity_check_is_not_a_case_report(assessed_case, hr):
    with pytest.raises(ServiceValidationError, match="risk_summary, referral_packet"):
        services.request_report(hr, assessed_case, "integrity_check")


def test_integrity_checks_are_visible_to_compliance_only(compliance, hr, reviewer, catalog):
    from reports import selectors

    job, _ = services.request_integrity_check(compliance)
    assert list(selectors.visible_jobs(compliance)) == [job]
    assert list(selectors.visible_jobs(hr)) == []
    assert list(selectors.visible_jobs(reviewer)) == []
    assert ReportJob.objects.count() == 1


def test_the_integrity_page_runs_a_check_and_shows_what_it_found(
    client, compliance, assessed_case, django_capture_on_commit_callbacks
):
    client.force_login(compliance)
    assert (
        "No integrity check has been run yet." in client.get("/reports/integrity/").content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/integrity/")
    assert response["Location"] == "/reports/integrity/"

    page = client.get("/reports/integrity/").content.decode()
    assert "Integrity check requested" in page
    assert "2 files checked: every one matches its recorded SHA-256." in page
    job = ReportJob.objects.get()
    download = client.get(f"/reports/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    detail = client.get(f"/reports/jobs/{job.pk}/").content.decode()
    assert "All integrity checks" in detail


def test_the_integrity_page_shows_problems_plainly(
    client, compliance, assessed_case, django_capture_on_commit_callbacks
):
    evidence = assessed_case.evidence.first()
    default_storage.delete(evidence.file.name)
    client.force_login(compliance)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/integrity/")
    page = client.get("/reports/integrity/").content.decode()
    assert "2 files checked: 0 changed, 1 missing." in page
    assert f"evidence #{evidence.pk} of {assessed_case.reference}" in page


def test_other_roles_may_not_open_the_integrity_page(client, hr, reviewer):
    for user in (hr, reviewer):
        client.force_login(user)
        assert client.get("/reports/integrity/").status_code == 403
        assert client.post("/reports/integrity/").status_code == 403
    assert not ReportJob.objects.exists()


def test_the_nightly_check_is_vetting_s_own_and_is_not_queued_twice(
    client, compliance, assessed_case, django_capture_on_commit_callbacks
):
    from reports import tasks

    with django_capture_on_commit_callbacks(execute=True):
        job_id = tasks.scheduled_integrity_check.apply().get()
    job = ReportJob.objects.get(pk=job_id)
    assert job.status == JobStatus.DONE and job.requester is None
    assert job.summary["checked"] == 2
    event = AuditEvent.objects.get(action="integrity.verified")
    assert event.actor is None and event.actor_username == "system"

    pending, _created = services.request_integrity_check(compliance)
    assert tasks.scheduled_integrity_check.apply().get() == pending.pk

    client.force_login(compliance)
    page = client.get("/reports/integrity/").content.decode()
    assert "scheduled by vetting on" in page
    detail = client.get(f"/api/v1/reports/{job.pk}/")
    assert detail.json()["requester"] is None


def test_a_long_check_keeps_reporting_progress(open_case, hr, monkeypatch):
    """Progress is the heartbeat: without it the redispatcher would take the check for dead."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases import services as case_services
    from reports import integrity
    from tests.api.conftest import PDF_BYTES

    case = open_case()
    for i in range(3):
        case_services.upload_evidence(hr, case, SimpleUploadedFile(f"{i}.pdf", PDF_BYTES))
    clock = iter(range(0, 1000, 11))  # every file takes 11 s
    monkeypatch.setattr(integrity.time, "monotonic", lambda: next(clock))
    reported = []

    summary = integrity.write_report(io.BytesIO(), None, reported.append)

    assert summary.checked == 3
    assert reported == [35, 65, 95]
