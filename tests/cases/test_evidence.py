import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from cases import services
from cases.models import Evidence, Status
from common.errors import InvalidTransition, NotAllowed, ServiceValidationError

from .helpers import bring_to

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_upload_records_hash_size_sniffed_type_and_uploader(open_case, hr):
    case = open_case()
    evidence = services.upload_evidence(
        hr, case, upload("bank letter.pdf", PDF, "image/png"), "Bank letter", ["DD-2023-04"]
    )
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.size == len(PDF)
    assert evidence.content_type == "application/pdf"  # by content, not by the claimed type
    assert evidence.original_name == "bank letter.pdf"
    assert evidence.uploaded_by == hr
    assert [a.item.code for a in evidence.answers.all()] == ["DD-2023-04"]
    with evidence.file.open("rb") as stored:
        assert stored.read() == PDF
    assert "bank" not in evidence.file.name  # stored under a random name
    assert AuditEvent.objects.filter(
        action="evidence.uploaded", object_id=str(evidence.pk)
    ).exists()
    case.refresh_from_db()
    assert case.status == Status.ASSESSING


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),  # a Windows executable
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 40),
        ("photo.png", b"\x00\x01\x02\x03binary\x00"),
    ],
)
def test_wrong_types_are_refused_whatever_the_name(open_case, hr, name, content):
    case = open_case()
    with pytest.raises(ServiceValidationError, match="not accepted") as excinfo:
        services.upload_evidence(hr, case, upload(name, content))
    assert "file" in excinfo.value.errors
    assert not Evidence.objects.exists()


def test_too_big_is_refused_with_the_limit(open_case, hr, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ServiceValidationError, match="limit is"):
        services.upload_evidence(hr, open_case(), upload("big.pdf", PDF + b"0" * 2000))
    assert not Evidence.objects.exists()


def test_empty_file_is_refused(open_case, hr):
    with pytest.raises(ServiceValidationError, match="empty"):
        services.upload_evidence(hr, open_case(), upload("empty.txt", b""))


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("/absolute/path/report.pdf", "report.pdf"),
        ("...", "evidence"),
        ("이력서 사본.pdf", "이력서 사본.pdf"),
        ("bad\x00name<script>.pdf", "badname_script_.pdf"),
    ],
)
def test_path_traversal_names_are_sanitised(open_case, hr, settings, name, shown):
    evidence = services.upload_evidence(hr, open_case(), upload(name, PDF))
    assert evidence.original_name == shown
    stored = evidence.file.path
    assert stored.startswith(str(settings.MEDIA_ROOT / "evidence"))
    assert ".." not in evidence.file.name


def test_text_and_images_are_accepted(open_case, hr):
    case = open_case()
    text = services.upload_evidence(hr, case, upload("chat.txt", "면접 메모 notes".encode()))
    image = services.upload_evidence(hr, case, upload("shot", PNG))
    assert text.content_type == "text/plain"
    assert image.content_type == "image/png" and image.stored_name.endswith(".png")


def test_linking_to_an_item_of_another_catalogue_is_refused(open_case, hr):
    with pytest.raises(ServiceValidationError, match="RF-2022-01"):
        services.upload_evidence(hr, open_case(), upload("a.pdf", PDF), answer_codes=["RF-2022-01"])
    assert not Evidence.objects.exists()


def test_withdrawal_keeps_the_file_and_needs_a_reason(open_case, hr):
    case = open_case()
    evidence = services.upload_evidence(hr, case, upload("a.pdf", PDF))
    with pytest.raises(ServiceValidationError, match="why"):
        services.withdraw_evidence(hr, evidence, "")
    evidence = services.withdraw_evidence(hr, evidence, "Wrong candidate's file")
    assert evidence.is_withdrawn and evidence.withdrawn_by == hr
    assert evidence.file.storage.exists(evidence.file.name)
    with pytest.raises(InvalidTransition):
        services.withdraw_evidence(hr, evidence, "again")


def test_only_hr_uploads_and_only_while_assessing(answered_case, open_case, hr, reviewer):
    with pytest.raises(NotAllowed):
        services.upload_evidence(reviewer, open_case(), upload("a.pdf", PDF))
    case = bring_to(answered_case(), Status.SUBMITTED, hr=hr, reviewer=reviewer)
    with pytest.raises(InvalidTransition, match="draft or assessing"):
        services.upload_evidence(hr, case, upload("a.pdf", PDF))


def test_downloads_are_recorded(open_case, hr, compliance, admin_user_role):
    evidence = services.upload_evidence(hr, open_case(), upload("a.pdf", PDF))
    services.record_evidence_download(compliance, evidence)
    event = AuditEvent.objects.get(action="evidence.downloaded")
    assert event.actor == compliance and event.data["sha256"] == evidence.sha256
    with pytest.raises(NotAllowed):
        services.record_evidence_download(admin_user_role, evidence)


@pytest.mark.parametrize("door", ["web", "api"])
def test_an_evidence_download_carries_the_same_safety_headers_on_the_web_and_the_api(
    client, open_case, hr, door
):
    case = open_case()
    evidence = services.upload_evidence(hr, case, upload("cv.pdf", PDF), "CV")
    client.force_login(hr)
    base = "/api/v1/cases" if door == "api" else "/cases"

    response = client.get(f"{base}/{case.reference}/evidence/{evidence.pk}/download/")

    assert response.status_code == 200
    assert response["X-Content-SHA256"] == evidence.sha256
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("door", ["web", "api"])
def test_a_missing_stored_evidence_file_is_not_found_on_the_web_and_the_api(
    client, open_case, hr, door
):
    case = open_case()
    evidence = services.upload_evidence(hr, case, upload("cv.pdf", PDF), "CV")
    evidence.file.storage.delete(evidence.file.name)
    client.force_login(hr)
    base = "/api/v1/cases" if door == "api" else "/cases"

    response = client.get(f"{base}/{case.reference}/evidence/{evidence.pk}/download/")

    assert response.status_code == 404
    if door == "api":
        assert response.json() == {"detail": "The stored file is missing."}


@pytest.mark.parametrize("door", ["web", "api"])
def test_evidence_changed_on_disk_is_not_handed_out(client, open_case, hr, door):
    case = open_case()
    evidence = services.upload_evidence(hr, case, upload("cv.pdf", PDF), "CV")
    with open(evidence.file.path, "ab") as stored:
        stored.write(b"edited outside vetting")
    client.force_login(hr)
    base = "/api/v1/cases" if door == "api" else "/cases"

    response = client.get(f"{base}/{case.reference}/evidence/{evidence.pk}/download/")

    if door == "api":
        assert response.status_code == 409
        assert "no longer matches the SHA-256 recorded at upload" in response.json()["detail"]
    else:
        assert response.status_code == 302
        assert response["Location"] == f"/cases/{case.reference}/evidence/"
    assert AuditEvent.objects.filter(action="evidence.integrity_failed").exists()
    assert not AuditEvent.objects.filter(action="evidence.downloaded").exists()
