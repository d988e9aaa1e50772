"""Schemathesis against the OpenAPI schema, in process: no generated request may cause a 5xx.

Each operation gets a bounded number of generated requests (valid and invalid ones). Path
parameters are pointed at real objects so the requests reach the services instead of
stopping at 404, and the caller rotates through the roles.

Then hand-made hostile requests generators rarely produce, sent to every operation that takes
JSON: deeply nested JSON, every list of the request emptied, and a stale or malformed If-Match.
None may cause a 5xx, and every error body is JSON.
"""

import itertools
import json

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from accounts.services import create_api_token
from cases import services
from indicators import services as indicator_services
from reports import services as report_services
from tests.api.conftest import PDF_BYTES
from tests.indicators.helpers import as_bytes, revised_2023

MAX_EXAMPLES = 12


@pytest.fixture
def keep_test_connection():
    """Requests through the raw WSGI app would close the test's database connection at the
    end of each request; Django's test client avoids that the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(
    keep_test_connection, settings, catalog, answered_case, open_case, hr, reviewer, compliance
):
    settings.ALLOWED_HOSTS = ["localhost"]
    draft = open_case(emails=["fuzz@example.com"], account_number="12345678")
    evidence = services.upload_evidence(hr, draft, SimpleUploadedFile("a.pdf", PDF_BYTES))
    submitted = answered_case(emails=["fuzz@example.com"])
    services.perform_action(hr, submitted, "submit")
    job, _ = report_services.request_report(hr, draft, "risk_summary")
    comment = services.post_comment(hr, draft, "A first look, @riley.")
    tokens = [create_api_token(u, name="fuzz")[1] for u in (hr, reviewer, compliance)]
    upload = indicator_services.upload_catalog(
        actor=compliance, file_name="r1.json", content=as_bytes(revised_2023())
    )
    return {
        # Built here, after the test settings are in place (middleware reads them at start-up).
        "app": get_wsgi_application(),
        "path": {
            "reference": itertools.cycle([draft.reference, submitted.reference]),
            "evidence_id": itertools.repeat(evidence.pk),
            "item_code": itertools.repeat("RF-2023-01"),
            "code": itertools.repeat(draft.catalog_version.code),
            "candidate_id": itertools.repeat(draft.candidate_id),
            "job_id": itertools.repeat(job.pk),
            "upload_id": itertools.repeat(upload.pk),
            "comment_id": itertools.repeat(comment.pk),
        },
        "tokens": itertools.cycle(tokens),
    }


def load_document() -> dict:
    # Built at collection time (no database there); it is what /api/schema/ serves.
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


DOCUMENT = load_document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_no_server_error(case, fuzz_world):
    for name, values in fuzz_world["path"].items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = next(values)
    headers = {"Authorization": f"Token {next(fuzz_world['tokens'])}"}
    case.call_and_validate(headers=headers, checks=[not_a_server_error], app=fuzz_world["app"])


# ---------------------------------------------------------------- hand-made hostile requests


def _json_operations() -> list[tuple[str, str, dict]]:
    """(method, path template, request schema) of every operation taking a JSON body."""
    found = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                found.append((method.upper(), path, content["application/json"]["schema"]))
    return found


JSON_OPERATIONS = _json_operations()


def _resolved(schema_part: dict) -> dict:
    ref = schema_part.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema_part


def _empty_lists(request_schema: dict) -> dict:
    """Every list property of the request, sent empty."""
    properties = _resolved(request_schema).get("properties", {})
    return {name: [] for name, part in properties.items() if _resolved(part).get("type") == "array"}


DEEP = 3000
HOSTILE = {
    "deep list": "[" * DEEP + "]" * DEEP,
    "deep object": '{"a": ' * DEEP + "1" + "}" * DEEP,
    "deep inside a field": '{"note": ' + "[" * DEEP + "]" * DEEP + "}",
}


def _send(fuzz_world, method: str, path: str, body: str, **headers):
    from rest_framework.test import APIClient

    from cases.models import Finding

    values = {name: next(values) for name, values in fuzz_world["path"].items()}
    finding = Finding.objects.order_by("pk").first()
    values.update(action="submit", finding_id=finding.pk if finding else 1)
    url = path.format(**values)
    client = APIClient()
    client.raise_request_exception = False
    client.credentials(HTTP_AUTHORIZATION=f"Token {next(fuzz_world['tokens'])}")
    response = client.generic(
        method, url, body, content_type="application/json", HTTP_HOST="localhost", **headers
    )
    assert response.status_code < 500, (method, url, response.content[:300])
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), (method, url)
    return response


@pytest.mark.parametrize("method, path, request_schema", JSON_OPERATIONS, ids=lambda v: str(v)[:60])
def test_hostile_json_never_causes_a_server_error(fuzz_world, method, path, request_schema):
    for kind, body in HOSTILE.items():
        response = _send(fuzz_world, method, path, body)
        if response.status_code not in (401, 403, 404, 405):
            assert response.status_code == 400, (kind, response.content[:200])
            assert "nested too deeply" in response.json()["detail"]
    _send(fuzz_world, method, path, json.dumps(_empty_lists(request_schema)))
    for if_match in ('"0"', 'W/"999"', '"x"'):
        _send(
            fuzz_world,
            method,
            path,
            json.dumps(_empty_lists(request_schema)),
            HTTP_IF_MATCH=if_match,
        )
