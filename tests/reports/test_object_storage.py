"""Evidence, reports and integrity checks in S3-compatible object storage.

Every test talks to a real S3-API server (moto in server mode) on a localhost port, started once
for the session; each gets its own bucket. See the `s3_server` and `s3_storage` fixtures.
"""

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from audit.summaries import describe_event
from cases import services as case_services
from cases.models import Evidence
from common import storage
from reports import services
from reports.models import JobStatus, ReportJob

from .conftest import stored_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def check(django_capture_on_commit_callbacks):
    def _check(actor):
        with django_capture_on_commit_callbacks(execute=True):
            job, _created = services.request_integrity_check(actor)
        job.refresh_from_db()
        return job

    return _check


def keys(s3_storage) -> list[str]:
    server, bucket = s3_storage
    listed = server.client().list_objects_v2(Bucket=bucket)
    return sorted(entry["Key"] for entry in listed.get("Contents", []))


def put(s3_storage, key: str, data: bytes) -> None:
    server, bucket = s3_storage
    server.client().put_object(Bucket=bucket, Key=key, Body=data)


def streamed(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def evidence_url(evidence, door: str) -> str:
    base = "/api/v1/cases" if door == "api" else "/cases"
    return f"{base}/{evidence.case.reference}/evidence/{evidence.pk}/download/"


def upload_by_api(client, case, name="cv.pdf", data=PDF):
    return client.post(
        f"/api/v1/cases/{case.reference}/evidence/",
        {"file": SimpleUploadedFile(name, data), "description": "CV"},
        format="multipart",
    )


def test_evidence_is_uploaded_to_the_bucket_and_downloaded_streamed_and_checked(
    s3_storage, client, open_case, hr, settings
):
    case = open_case()
    client.force_login(hr)
    response = upload_by_api(client, case)
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()

    assert keys(s3_storage) == [evidence.file.name]
    assert evidence.file.name.startswith("evidence/")
    server, bucket = s3_storage
    stored = server.client().get_object(Bucket=bucket, Key=evidence.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == evidence.sha256
    assert not (settings.MEDIA_ROOT / "evidence").exists()  # nothing on the local disk

    for door in ("web", "api"):
        response = client.get(evidence_url(evidence, door))
        assert response.status_code == 200
        assert streamed(response) == PDF
        assert response["X-Content-SHA256"] == evidence.sha256
        assert response["Content-Length"] == str(len(PDF))
        assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="evidence.downloaded").count() == 2


def test_a_large_file_is_read_in_chunks_never_whole(s3_storage, open_case, hr, client):
    data = b"%PDF-1.4\n" + bytes(range(256)) * (5 * storage.CHUNK_SIZE // 256)
    evidence = case_services.upload_evidence(hr, open_case(), SimpleUploadedFile("big.pdf", data))

    opened = default_storage.open(evidence.file.name, "rb")
    assert isinstance(opened, storage.StreamedObject)  # a stream, not a downloaded copy
    opened.close()
    client.force_login(hr)
    response = client.get(evidence_url(evidence, "api"))
    chunks = list(response.streaming_content)
    assert len(chunks) >= 5
    assert max(len(chunk) for chunk in chunks) <= storage.CHUNK_SIZE
    assert b"".join(chunks) == data


@pytest.mark.parametrize("door", ["web", "api"])
def test_a_tampered_object_is_refused_on_download(s3_storage, client, open_case, hr, door):
    evidence = case_services.upload_evidence(hr, open_case(), SimpleUploadedFile("cv.pdf", PDF))
    put(s3_storage, evidence.file.name, PDF + b"edited in the bucket")
    client.force_login(hr)

    response = client.get(evidence_url(evidence, door), follow=door == "web")

    if door == "api":
        assert response.status_code == 409
        assert "no longer matches the SHA-256" in response.json()["detail"]
    else:
        assert response.status_code == 200  # back on the evidence page, with the reason
        assert b"no longer matches the SHA-256" in response.content
        page = f"/cases/{evidence.case.reference}/evidence/"
        assert response.redirect_chain[-1][0].endswith(page)
    event = AuditEvent.objects.get(action="evidence.integrity_failed")
    assert describe_event(event) == (
        f"The stored file of cv.pdf of {evidence.case.reference} does not match its recorded "
        "SHA-256"
    )
    assert not AuditEvent.objects.filter(action="evidence.downloaded").exists()


def test_bytes_changed_during_a_large_download_are_never_handed_out_whole(
    s3_storage, open_case, hr
):
    data = b"%PDF-1.4\n" + b"x" * (3 * storage.CHUNK_SIZE)
    evidence = case_services.upload_evidence(hr, open_case(), SimpleUploadedFile("big.pdf", data))
    put(s3_storage, evidence.file.name, data[:-1] + b"y")  # changed after it was checked

    received = []
    with pytest.raises(storage.HashMismatch):
        for chunk in storage.verified_chunks(evidence.file.name, evidence.sha256):
            received.append(chunk)
    assert 0 < len(b"".join(received)) < len(data)


@pytest.mark.parametrize("door", ["web", "api"])
def test_a_missing_object_is_not_found_with_an_explanation(s3_storage, client, open_case, hr, door):
    evidence = case_services.upload_evidence(hr, open_case(), SimpleUploadedFile("cv.pdf", PDF))
    server, bucket = s3_storage
    server.client().delete_object(Bucket=bucket, Key=evidence.file.name)
    client.force_login(hr)

    response = client.get(evidence_url(evidence, door))

    assert response.status_code == 404
    if door == "api":
        assert response.json() == {"detail": "The stored file is missing."}
    else:
        assert b"The stored file is missing." in response.content


def test_reports_are_generated_into_the_bucket_and_downloaded(
    s3_storage, assessed_case, hr, client, generate
):
    job = generate(hr, assessed_case, "risk_summary")
    assert job.status == JobStatus.DONE, job.error
    assert job.file.name in keys(s3_storage)
    assert job.file.name.startswith(f"reports/{assessed_case.reference}/{job.pk}-")

    client.force_login(hr)
    for url in (f"/reports/jobs/{job.pk}/download/", f"/api/v1/reports/{job.pk}/download/"):
        response = client.get(url)
        assert response.status_code == 200
        data = streamed(response)
        assert data.startswith(b"%PDF")
        assert hashlib.sha256(data).hexdigest() == job.sha256 == response["X-Content-SHA256"]


def test_a_report_missing_from_the_bucket_is_explained(
    s3_storage, assessed_case, hr, client, generate
):
    job = generate(hr, assessed_case)
    server, bucket = s3_storage
    server.client().delete_object(Bucket=bucket, Key=job.file.name)
    client.force_login(hr)

    response = client.get(f"/api/v1/reports/{job.pk}/download/")
    assert response.status_code == 404
    assert response.json() == {"detail": "The stored file is missing."}
    response = client.get(f"/reports/jobs/{job.pk}/download/", follow=True)
    assert b"The stored file is missing." in response.content
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()


def test_a_referral_packet_reads_its_evidence_from_the_bucket(
    s3_storage, referred_case, reviewer, generate
):
    import zipfile

    job = generate(reviewer, referred_case, "referral_packet")
    assert job.status == JobStatus.DONE, job.error
    packet = zipfile.ZipFile(io.BytesIO(stored_bytes(job)))
    chat = next(name for name in packet.namelist() if name.endswith("chat.txt"))
    assert "선불 요청".encode() in packet.read(chat)


def test_leftovers_of_a_killed_run_are_listed_and_removed_in_the_bucket(
    s3_storage, assessed_case, hr, generate
):
    job = generate(hr, assessed_case)
    folder = f"reports/{assessed_case.reference}"
    put(s3_storage, f"{folder}/{job.pk}-risk_summary-deadbeef0000.pdf", b"half")
    put(s3_storage, f"{folder}/999999-other.pdf", b"another job's")

    removed = services.remove_leftovers(job)

    assert removed == [f"{job.pk}-risk_summary-deadbeef0000.pdf"]
    assert job.file.name in keys(s3_storage)
    assert f"{folder}/999999-other.pdf" in keys(s3_storage)


def test_the_integrity_check_reads_the_bucket(
    s3_storage, assessed_case, hr, compliance, generate, check
):
    report = generate(hr, assessed_case)
    assert check(compliance).summary["ok"] == 3

    tampered, _other = assessed_case.evidence.order_by("id")
    put(s3_storage, tampered.file.name, b"edited in the bucket")
    server, bucket = s3_storage
    server.client().delete_object(Bucket=bucket, Key=report.file.name)

    job = check(compliance)

    assert job.status == JobStatus.DONE, job.error
    assert job.file.name in keys(s3_storage)  # the CSV is stored in the bucket too
    assert (job.summary["changed"], job.summary["missing"]) == (1, 1)
    assert job.summary["problems"] == [
        f"evidence #{tampered.pk} of {assessed_case.reference} (interview notes.png)",
        f"report #{report.pk} of {assessed_case.reference} ({report.file_name})",
    ]


def test_a_server_that_is_down_gives_clear_errors_and_loses_nothing(
    s3_storage,
    assessed_case,
    hr,
    compliance,
    client,
    generate,
    check,
    django_capture_on_commit_callbacks,
):
    server, _bucket = s3_storage
    report = generate(hr, assessed_case)
    evidence = assessed_case.evidence.order_by("id").first()
    before = (Evidence.objects.count(), sorted(keys(s3_storage)))
    client.force_login(hr)

    server.stop()

    # Downloads: a 503 that says the storage is unreachable, on the web and in the API.
    response = client.get(evidence_url(evidence, "api"))
    assert response.status_code == 503
    assert "file storage cannot be reached" in response.json()["detail"]
    response = client.get(evidence_url(evidence, "web"))
    assert response.status_code == 503
    assert b"file storage cannot be reached" in response.content
    assert b"Nothing was lost or changed" in response.content
    response = client.get(f"/api/v1/reports/{report.pk}/download/")
    assert response.status_code == 503
    response = client.get(f"/reports/jobs/{report.pk}/download/", follow=True)
    assert b"file storage cannot be reached" in response.content
    assert not AuditEvent.objects.filter(
        action__in=["evidence.downloaded", "report.downloaded"]
    ).exists()

    # Reports wait and fail with a reason the user can act on; nothing half-stored is kept.
    failed = generate(hr, assessed_case, "risk_summary", "ko")
    assert failed.status == JobStatus.FAILED
    assert "file storage" in failed.error and "Retry" in failed.error
    assert not failed.file
    audit = check(compliance)
    assert audit.status == JobStatus.FAILED  # not "every file missing"
    assert "could not be reached" in audit.error

    server.start()

    # Everything saved before is intact, and the failed jobs succeed when retried.
    assert (Evidence.objects.count(), sorted(keys(s3_storage))) == before
    response = client.get(evidence_url(evidence, "api"))
    assert response.status_code == 200
    assert hashlib.sha256(streamed(response)).hexdigest() == evidence.sha256
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_job(hr, failed)
    retried = ReportJob.objects.get(pk=failed.pk)
    assert retried.status == JobStatus.DONE, retried.error
    audit = check(compliance)
    assert audit.summary["ok"] == audit.summary["checked"] == 4


def test_an_upload_while_the_server_is_down_keeps_nothing_and_says_why(
    s3_storage, client, open_case, hr
):
    server, _bucket = s3_storage
    case = open_case()
    client.force_login(hr)
    server.stop()

    response = upload_by_api(client, case)
    assert response.status_code == 503
    assert "file storage cannot be reached" in response.json()["detail"]

    response = client.post(
        f"/cases/{case.reference}/evidence/", {"file": SimpleUploadedFile("cv.pdf", PDF)}
    )
    assert response.status_code == 503
    assert b"file storage cannot be reached" in response.content
    assert b"correct the marked fields" not in response.content

    assert not Evidence.objects.exists()
    assert not AuditEvent.objects.filter(action="evidence.uploaded").exists()
    server.start()
    assert keys(s3_storage) == []


def test_the_storage_hands_out_no_links(s3_storage):
    name = default_storage.save("evidence/x.txt", ContentFile(b"private"))
    assert default_storage.url(name) == ""
