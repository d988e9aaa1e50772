import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from cases import services as case_services

CANDIDATE_FACTS = {
    "legal_name": "Jin Park",
    "aliases": ["Jimmy Park", "J. Parker"],
    "claimed_country": "CA",
    "claimed_city": "Toronto",
    "claimed_nationality": "CA",
    "sourcing_channel": "freelance_platform",
    "sourcing_name": "GigBoard",
    "role_applied_for": "Senior backend engineer",
    "shipping_address": "Unit 4, 77 Forwarder Road, Laredo TX",
    "bank_name": "First Example Bank",
    "routing_number": "021000021",
    "account_number": "9876543210123",
    "identity_document_type": "Passport",
    "identity_document_number": "XK1234567",
    "emails": ["jin.park@example.net"],
    "phones": ["+1 416 555 0100"],
    "ip_addresses": ["175.45.176.12", "2001:db8::1"],
    "profiles": [{"kind": "github", "url_or_handle": "https://github.com/jinpark-dev"}],
    "history": [
        {
            "kind": "education",
            "organisation": "Shenyang Institute of Technology",
            "country": "CN",
            "start_year": 2010,
            "end_year": 2014,
        }
    ],
}

OBSERVED = {
    "RF-2023-01": ("observed", "Camera 'broken' in all three interviews."),
    "RF-2023-07": ("observed", "Asked twice for an advance payment, angry when refused."),
    "DD-2023-05": ("adverse", "Routing number belongs to a money service business."),
}

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def evidence_file(name: str, content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def assessed_case(answered_case, hr):
    """A case with observed red flags, an adverse finding and two evidence files, submitted."""
    case = answered_case(hr, overrides=OBSERVED, **CANDIDATE_FACTS)
    case_services.upload_evidence(
        hr, case, evidence_file("interview notes.png"), "Screenshot", ["RF-2023-01"]
    )
    case_services.upload_evidence(
        hr, case, evidence_file("chat.txt", "선불 요청 chat log\n".encode()), "Chat log"
    )
    case_services.perform_action(hr, case, "submit")
    case.refresh_from_db()
    return case


@pytest.fixture
def referred_case(assessed_case, reviewer):
    case_services.perform_action(reviewer, assessed_case, "start_review")
    case_services.perform_action(
        reviewer, assessed_case, "refer", "Several advisory indicators; referring to IC3 and NIS."
    )
    assessed_case.refresh_from_db()
    return assessed_case


@pytest.fixture
def generate(django_capture_on_commit_callbacks):
    """Request a report and run it as the worker would (tasks are eager in these tests)."""
    from reports import services

    def _generate(actor, case, kind="risk_summary", language="en"):
        with django_capture_on_commit_callbacks(execute=True):
            job, _created = services.request_report(actor, case, kind, language)
        job.refresh_from_db()
        return job

    return _generate


class Packet:
    """A referral packet ZIP, read inside the one folder it unpacks into."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.folders = {name.split("/", 1)[0] for name in self.zip.namelist()}
        # Tests of the contents still run (and fail for their own reason) on a packet whose
        # files lie loose; the folder itself has its own test.
        self.prefix = f"{next(iter(self.folders))}/" if len(self.folders) == 1 else ""

    def namelist(self) -> list[str]:
        return [name.removeprefix(self.prefix) for name in self.zip.namelist()]

    def read(self, path: str) -> bytes:
        return self.zip.read(self.prefix + path)


def stored_bytes(job) -> bytes:
    with job.file.open("rb") as stored:
        return stored.read()
