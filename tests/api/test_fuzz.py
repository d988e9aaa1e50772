"""Schemathesis against the OpenAPI schema, in process: no generated request may cause a 5xx.

Each operation gets a bounded number of generated requests (valid and invalid ones). Path
parameters are pointed at real objects so the requests reach the services instead of
stopping at 404, and the caller rotates through the roles.
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
from reports import services as report_services
from tests.api.conftest import PDF_BYTES

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
    tokens = [create_api_token(u, name="fuzz")[1] for u in (hr, reviewer, compliance)]
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
        },
        "tokens": itertools.cycle(tokens),
    }


def load_schema():
    # Built at collection time (no database there); it is what /api/schema/ serves.
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))


schema = load_schema()


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
