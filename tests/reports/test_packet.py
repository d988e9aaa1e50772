import hashlib
import json
import subprocess

import pytest

from audit.models import AuditEvent
from cases import services as case_services
from cases.models import SensitiveReveal
from reports.models import JobStatus

from .conftest import Packet, evidence_file, pdf_text, stored_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def packet(referred_case, compliance, generate):
    # Compliance may reveal numbers, so its packet holds them in clear (test_packet_numbers.py).
    job = generate(compliance, referred_case, kind="referral_packet")
    assert job.status == JobStatus.DONE, job.error
    data = stored_bytes(job)
    assert hashlib.sha256(data).hexdigest() == job.sha256
    yield job, Packet(data)


def test_the_manifest_lists_every_file_with_its_hash(packet):
    job, archive = packet
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["path"]: entry for entry in manifest["files"]}

    # manifest.json cannot hold its own hash: manifest.sha256 covers it.
    assert set(archive.namelist()) == set(listed) | {"manifest.json", "manifest.sha256"}
    for path, entry in listed.items():
        data = archive.read(path)
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], path
        assert len(data) == entry["size"], path
    assert manifest["case_reference"] == job.case.reference
    assert manifest["report_job"] == job.pk
    assert manifest["hash_algorithm"] == "SHA-256"
    # manifest.sha256 works with `sha256sum -c`, and covers manifest.json too.
    lines = archive.read("manifest.sha256").decode().splitlines()
    checked = {}
    for line in lines:
        digest, path = line.split("  ", 1)
        checked[path] = digest
        assert hashlib.sha256(archive.read(path)).hexdigest() == digest
    assert set(checked) == set(listed) | {"manifest.json"}


def test_the_packet_holds_the_expected_documents_and_evidence(packet, referred_case):
    _job, archive = packet
    names = set(archive.namelist())
    assert {"cover.pdf", "ic3_complaint.txt", "ic3_complaint.json", "nis_knpa_ko.txt"} <= names
    evidence = [n for n in names if n.startswith("evidence/")]
    assert sorted(evidence) == ["evidence/E01-interview notes.png", "evidence/E02-chat.txt"]
    for item in referred_case.evidence.all():
        number = 1 if item.original_name == "interview notes.png" else 2
        data = archive.read(f"evidence/E{number:02d}-{item.original_name}")
        assert hashlib.sha256(data).hexdigest() == item.sha256
    cover = pdf_text(archive.read("cover.pdf"))
    assert referred_case.reference in cover
    assert "ic3.gov" in cover and "111" in cover and "112" in cover


def test_ic3_text_follows_the_complaint_form(packet, referred_case):
    _job, archive = packet
    text = archive.read("ic3_complaint.txt").decode()
    sections = [
        "=== Victim Information ===",
        "=== Financial Transaction(s) ===",
        "=== Information About The Subject(s) ===",
        "=== Description of Incident ===",
        "=== Other Information ===",
        "=== Who Filed the Complaint ===",
    ]
    positions = [text.index(section) for section in sections]
    assert positions == sorted(positions)
    for expected in (
        "Example Employer Ltd.",  # the complainant is the employer
        "Name: Jin Park",
        "Aliases: Jimmy Park, J. Parker",
        "jin.park@example.net",
        "+1 416 555 0100",
        "GitHub: https://github.com/jinpark-dev",
        "Unit 4, 77 Forwarder Road, Laredo TX",
        "IP addresses: 175.45.176.12, 2001:db8::1",
        "Bank name: First Example Bank",
        "Routing number: 021000021",
        "Account number: 9876543210123",  # in clear: the packet is for law enforcement
        "Identity document: Passport XK1234567",
        "Camera 'broken' in all three interviews.",
        "Unwillingness or inability to appear on camera",  # the advisory's wording
        "[RF-2023-07]",
        "Payment-related indicator [RF-2023-07]",
        "Routing number belongs to a money service business.",
        "Several advisory indicators; referring to IC3 and NIS.",
        referred_case.reference,
    ):
        assert expected in text, expected
    structured = json.loads(archive.read("ic3_complaint.json"))
    subject = structured["subjects"][0]
    assert subject["emails"] == ["jin.park@example.net"]
    assert subject["ip_addresses"] == ["175.45.176.12", "2001:db8::1"]
    money = structured["financial_transactions"]
    assert money["payment_details_supplied_by_subject"]["account_number"] == "9876543210123"
    observed = {i["code"] for i in structured["description_of_incident"]["observed_indicators"]}
    assert observed == {"RF-2023-01", "RF-2023-07"}
    adverse = structured["description_of_incident"]["adverse_due_diligence"]
    assert [i["code"] for i in adverse] == ["DD-2023-05"]


def test_the_ic3_narrative_is_written_in_proper_sentences(packet):
    _job, archive = packet
    text = archive.read("ic3_complaint.txt").decode()
    narrative = json.loads(archive.read("ic3_complaint.json"))["description_of_incident"][
        "narrative"
    ]

    assert narrative in text.replace("\r\n", "\n")
    for expected in (
        "The applicant gave Canada as their nationality.",  # a code named, not "a national of"
        "The applicant applied through a freelance platform (GigBoard).",
        'with this note: "Several advisory indicators; referring to IC3 and NIS." Example',
    ):
        assert expected in narrative, expected
    for slip in ("a national of", "through freelance platform", '.".'):
        assert slip not in narrative, slip


def test_the_korean_report_for_nis_and_knpa(packet):
    _job, archive = packet
    text = archive.read("nis_knpa_ko.txt").decode()
    for expected in (
        "국가정보원(111",
        "경찰청(112",
        "신고 대상자",
        "법적 성명: Jin Park",
        "계좌번호: 9876543210123",
        "IP 주소: 175.45.176.12, 2001:db8::1",
        "카메라·화상 면접 회피 또는 화면상 불일치",  # RF-2023-01's Korean title
        "확인 내용: Camera 'broken' in all three interviews. (증거 E1)",
        "증거 자료",
    ):
        assert expected in text, expected


def test_numbers_included_in_clear_are_recorded_as_reveals(packet, compliance):
    job, _archive = packet
    reveals = SensitiveReveal.objects.filter(case=job.case)
    assert {r.field for r in reveals} == {"account_number", "identity_document_number"}
    assert all(r.revealed_by == compliance and f"#{job.pk}" in r.reason for r in reveals)
    events = AuditEvent.objects.filter(
        action="candidate.revealed", case_reference=job.case.reference
    )
    assert events.count() == 2
    assert all(e.data["report_job"] == job.pk for e in events)


def test_withdrawn_evidence_stays_out_and_names_are_made_safe(
    answered_case, hr, reviewer, generate
):
    case = answered_case(hr, overrides={"RF-2023-01": ("observed", "No camera.")})
    case_services.upload_evidence(hr, case, evidence_file("../../etc/passwd.png"))
    case_services.upload_evidence(hr, case, evidence_file("면접 기록.png"))
    mistaken = case_services.upload_evidence(hr, case, evidence_file("wrong person.png"))
    case_services.withdraw_evidence(hr, mistaken, "Uploaded to the wrong case.")
    case_services.perform_action(hr, case, "submit")
    case_services.perform_action(reviewer, case, "start_review")
    case_services.perform_action(reviewer, case, "refer", "Refer.")

    job = generate(reviewer, case, kind="referral_packet", language="ko")
    archive = Packet(stored_bytes(job))
    evidence = sorted(n for n in archive.namelist() if n.startswith("evidence/"))
    assert evidence == ["evidence/E01-passwd.png", "evidence/E02-면접 기록.png"]
    assert all(".." not in name and not name.startswith("/") for name in archive.zip.namelist())
    assert "확인된 위험 신호" in pdf_text(archive.read("cover.pdf"))  # a Korean cover page
    # Nothing recorded is said plainly, for the form's IP field too.
    ic3 = archive.read("ic3_complaint.txt").decode()
    assert "IP addresses: No IP address is recorded in vetting." in ic3
    assert "IP 주소: 기록 없음" in archive.read("nis_knpa_ko.txt").decode()


def test_a_tampered_evidence_file_stops_the_packet(referred_case, reviewer, generate):
    from django.core.files.storage import default_storage

    evidence = referred_case.evidence.first()
    with open(default_storage.path(evidence.file.name), "ab") as stored:
        stored.write(b"changed")

    job = generate(reviewer, referred_case, kind="referral_packet")

    assert job.status == JobStatus.FAILED
    assert "no longer matches the SHA-256 recorded at upload" in job.error
    assert not SensitiveReveal.objects.filter(case=referred_case).exists()


def test_the_packet_unpacks_into_one_folder_named_after_the_case(packet, tmp_path):
    job, archive = packet
    folder = f"{job.case.reference}-referral"

    assert archive.folders == {folder}
    assert all(name.startswith(f"{folder}/") for name in archive.zip.namelist())
    unpacked = tmp_path / "unpacked"
    archive.zip.extractall(unpacked)
    assert [p.name for p in unpacked.iterdir()] == [folder]
    # The manifest is checked from inside the folder, as the cover page says.
    check = subprocess.run(
        ["sha256sum", "--check", "--strict", "manifest.sha256"],
        cwd=unpacked / folder,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "cover.pdf: OK" in check.stdout and "manifest.json: OK" in check.stdout


def test_every_text_file_of_the_packet_uses_lf_line_endings(answered_case, hr, reviewer, generate):
    # Browsers send what is typed in a text area with CRLF line endings.
    case = answered_case(
        hr, overrides={"RF-2023-01": ("observed", "No camera.\r\nNot in any interview.")}
    )
    case_services.upload_evidence(hr, case, evidence_file("notes.txt", b"kept\r\nas is\r\n"))
    case_services.perform_action(hr, case, "submit")
    case_services.perform_action(reviewer, case, "start_review")
    case_services.perform_action(reviewer, case, "refer", "Refer.\r\nSee the notes.")

    archive = Packet(stored_bytes(generate(reviewer, case, kind="referral_packet")))
    documents = [n for n in archive.namelist() if n.endswith((".txt", ".json", ".sha256"))]

    assert sorted(documents) == [
        "evidence/E01-notes.txt",
        "ic3_complaint.json",
        "ic3_complaint.txt",
        "manifest.json",
        "manifest.sha256",
        "nis_knpa_ko.txt",
    ]
    for name in documents:
        if name.startswith("evidence/"):
            assert archive.read(name) == b"kept\r\nas is\r\n"  # evidence stays byte for byte
            continue
        data = archive.read(name)
        assert b"\r" not in data, name
        assert data.endswith(b"\n"), name
    assert "No camera.\nNot in any interview." in archive.read("ic3_complaint.txt").decode()
    structured = json.loads(archive.read("ic3_complaint.json"))
    assert structured["description_of_incident"]["decision"]["note"] == "Refer.\nSee the notes."


def test_the_ic3_data_does_not_deny_recorded_ip_addresses(packet):
    _job, archive = packet
    subject = json.loads(archive.read("ic3_complaint.json"))["subjects"][0]

    assert subject["ip_addresses"] == ["175.45.176.12", "2001:db8::1"]
    assert "No IP address" not in subject["ip_addresses_note"]


def test_evidence_in_the_packet_ends_with_the_extension_of_its_real_type(
    answered_case, hr, reviewer, generate
):
    case = answered_case(hr, overrides={"RF-2023-01": ("observed", "No camera.")})
    case_services.upload_evidence(hr, case, evidence_file("page.html", b"<script>x()</script>"))
    case_services.upload_evidence(hr, case, evidence_file("cv\u202efdp.exe", b"plain text"))
    case_services.perform_action(hr, case, "submit")
    case_services.perform_action(reviewer, case, "start_review")
    case_services.perform_action(reviewer, case, "refer", "Refer.")

    archive = Packet(stored_bytes(generate(reviewer, case, kind="referral_packet")))

    evidence = sorted(n for n in archive.namelist() if n.startswith("evidence/"))
    assert evidence == ["evidence/E01-page.html.txt", "evidence/E02-cvfdp.exe.txt"]
