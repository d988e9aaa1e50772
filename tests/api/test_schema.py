"""The OpenAPI description is valid, warning-free, served, and its docs pages need no CDN."""

import json
import re

from django.core.management import call_command


def test_schema_validates_as_openapi_3_without_warnings(tmp_path):
    target = tmp_path / "schema.json"
    # --fail-on-warn turns any drf-spectacular warning (an undocumented field, an enum name
    # clash) into an error; --validate checks the document against the OpenAPI 3 schema.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json",
        "--file", str(target),
    )  # fmt: skip
    schema = json.loads(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/cases/{reference}/actions/{action}/" in schema["paths"]
    assert schema["components"]["securitySchemes"].keys() >= {"tokenAuth", "cookieAuth"}


def test_schema_and_interactive_docs_are_served_from_this_server(client, hr):
    client.force_login(hr)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert json.loads(schema.content)["info"]["title"] == "vetting API"
    for page in ("/api/docs/", "/api/redoc/"):
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
        assert external == [], f"{page} loads {external}"
