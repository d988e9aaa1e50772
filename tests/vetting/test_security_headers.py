"""Every response says how a browser may treat it: a strict Content-Security-Policy on pages,
no caching of anything personal, powerful browser features off, no referrer to other sites."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import selectors
from cases import services as case_services
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

STRICT_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def assert_strict_page_policy(response):
    found = directives(response)
    for directive in STRICT_DIRECTIVES:
        assert found[directive.split()[0]] == directive, response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def assert_browser_policies(response):
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def assert_not_cached(response):
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/cases/", "/cases/new/", "/reports/"])
def test_signed_in_pages_carry_a_strict_policy_and_are_never_cached(client, hr, path):
    client.force_login(hr)
    response = client.get(path)
    assert response.status_code == 200
    assert_strict_page_policy(response)
    assert_browser_policies(response)
    assert_not_cached(response)


def test_a_case_page_is_never_cached(client, hr, open_case):
    case = open_case()
    client.force_login(hr)
    response = client.get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    assert_strict_page_policy(response)
    assert_not_cached(response)


def test_the_sign_in_page_has_the_policy_too(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert_strict_page_policy(response)
    assert_browser_policies(response)


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/catalog/versions/"])
def test_api_responses_are_never_cached(hr, path):
    response = token_client(hr).get(path)
    assert response.status_code == 200
    assert_not_cached(response)
    assert_browser_policies(response)
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_an_anonymous_api_refusal_is_never_cached(client):
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert_not_cached(response)


def test_an_evidence_download_is_never_cached_and_runs_nothing(client, hr, open_case):
    case = open_case()
    evidence = case_services.upload_evidence(
        hr, case, SimpleUploadedFile("notes.txt", b"notes", content_type="text/plain")
    )
    client.force_login(hr)
    response = client.get(f"/cases/{case.reference}/evidence/{evidence.pk}/download/")
    assert response.status_code == 200
    assert_not_cached(response)
    assert_browser_policies(response)
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(("status", "path"), [(404, "/cases/VET-1999-000001/"), (404, "/nope/")])
def test_error_pages_carry_the_policy(client, hr, status, path):
    client.force_login(hr)
    response = client.get(path)
    assert response.status_code == status
    assert_strict_page_policy(response)
    assert_browser_policies(response)
    assert_not_cached(response)


def test_a_forbidden_page_carries_the_policy(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/cases/new/")
    assert response.status_code == 403
    assert_strict_page_policy(response)
    assert_not_cached(response)


def test_a_server_error_page_carries_the_policy(client, hr, monkeypatch):
    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "status_counts", broken)
    client.raise_request_exception = False
    client.force_login(hr)
    response = client.get("/")
    assert response.status_code == 500
    assert_strict_page_policy(response)
    assert_browser_policies(response)
    assert_not_cached(response)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_relax_styles_but_never_scripts(client, hr, path):
    client.force_login(hr)
    response = client.get(path)
    assert response.status_code == 200
    found = directives(response)
    assert found["script-src"] == "script-src 'self'"
    assert found["style-src"] == "style-src 'self' 'unsafe-inline'"
    assert found["frame-ancestors"] == "frame-ancestors 'none'"
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script to allow


def test_the_swagger_start_up_script_is_served_from_its_own_url(client, hr):
    client.force_login(hr)
    html = client.get("/api/docs/").content.decode()
    script = re.search(r'<script src="(/api/docs/\?script=[^"]*)"', html)
    assert script, html
    response = client.get(script.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert "SwaggerUIBundle" in response.content.decode()


ROOT = Path(__file__).parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|style\s*=\s*[\"']|<style|javascript:", re.IGNORECASE
)


def test_no_template_served_to_browsers_has_inline_script_handlers_or_styles():
    offenders = []
    for folder in TEMPLATE_DIRS:
        for template in folder.rglob("*.html"):
            if "/pdf/" in template.as_posix():  # rendered by WeasyPrint, never by a browser
                continue
            for number, line in enumerate(template.read_text().splitlines(), start=1):
                if INLINE.search(line):
                    offenders.append(f"{template}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
