"""Permission matrix: every API endpoint × every role, asserting exactly who is let in.

"Let in" means the answer is neither 401 nor 403: the request got past the role checks (it may
still be refused as bad input, 409 for the case's state, and so on). Anonymous callers get 401
with a WWW-Authenticate header; signed-in users whose role may not get 403.
"""

import json
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import EndpointEnumerator

from accounts.services import create_api_token
from cases import services
from indicators import services as indicator_services
from notifications import events
from notifications.services import notify
from reports import services as report_services
from retention import services as retention_services
from tests.api.conftest import PDF_BYTES, token_client
from tests.helpers import make_user
from tests.indicators.helpers import as_bytes, revised_2023

HR, REVIEWER, COMPLIANCE, ADMIN, ANONYMOUS = "hr", "reviewer", "compliance", "admin", "anonymous"
ROLES = (HR, REVIEWER, COMPLIANCE, ADMIN, ANONYMOUS)
CASE_READERS = {HR, REVIEWER, COMPLIANCE}
SIGNED_IN = {HR, REVIEWER, COMPLIANCE, ADMIN}

CASE = "/api/v1/cases/{reference}"
EVIDENCE = CASE + "/evidence/{evidence_id}"
FINDING = CASE + "/signals/{finding_id}"
UPLOAD = "/api/v1/catalog/uploads/{upload_id}"
COMMENT = CASE + "/comments/{comment_id}"


@dataclass(frozen=True)
class Row:
    method: str
    template: str
    allowed: frozenset
    body: dict | None = None
    params: dict = field(default_factory=dict)
    multipart: bool = False
    query: str = ""

    def __str__(self):
        return f"{self.method} {self.template.format(**{**PLACEHOLDERS, **self.params})}"


PLACEHOLDERS = {
    "reference": "{reference}",
    "evidence_id": "{evidence_id}",
    "item_code": "{item_code}",
    "code": "{code}",
    "candidate_id": "{candidate_id}",
    "action": "{action}",
    "job_id": "{job_id}",
    "finding_id": "{finding_id}",
    "token_id": "{token_id}",
    "upload_id": "{upload_id}",
    "notification_id": "{notification_id}",
    "comment_id": "{comment_id}",
    "hold_id": "{hold_id}",
}


def row(method, template, allowed, body=None, query="", **params):
    return Row(method, template, frozenset(allowed), body, params, query=query)


ACTION_ROLES = {
    "start_assessment": {HR},
    "submit": {HR},
    "close_cleared": {HR},
    "start_review": {REVIEWER},
    "approve": {REVIEWER},
    "reject": {REVIEWER},
    "refer": {REVIEWER},
    "return": {REVIEWER},
    "reopen": {HR, REVIEWER},
}

MATRIX = [
    row("GET", "/api/v1/auth/me/", SIGNED_IN),
    row("POST", "/api/v1/auth/token/", {*SIGNED_IN, ANONYMOUS}, "credentials"),
    row("DELETE", "/api/v1/auth/token/", SIGNED_IN),
    row("GET", "/api/v1/auth/tokens/", SIGNED_IN),
    # Everyone may revoke their own tokens; another user's token is a 404 (let in, not found).
    row("DELETE", "/api/v1/auth/tokens/{token_id}/", SIGNED_IN),
    row("GET", "/api/v1/catalog/versions/", SIGNED_IN),
    row("GET", "/api/v1/catalog/versions/{code}/", SIGNED_IN),
    row("GET", "/api/v1/catalog/versions/{code}/items/", SIGNED_IN),
    row("PATCH", "/api/v1/catalog/versions/{code}/", {COMPLIANCE}, {"is_active": True}),
    row("GET", "/api/v1/catalog/uploads/", {COMPLIANCE}),
    row("POST", "/api/v1/catalog/uploads/", {COMPLIANCE}, {"content": revised_2023("2023-10-r2")}),
    row("GET", UPLOAD + "/", {COMPLIANCE}),
    row("POST", UPLOAD + "/publish/", {COMPLIANCE}),
    row("POST", UPLOAD + "/discard/", {COMPLIANCE}, {"reason": "Wrong file"}),
    row("GET", "/api/v1/catalog/defaults/", SIGNED_IN),
    row("PUT", "/api/v1/catalog/defaults/", {COMPLIANCE}, {"base": "2023-10"}),
    row("GET", "/api/v1/catalog/coverage/", SIGNED_IN),
    row("GET", "/api/v1/candidates/", CASE_READERS),
    row("GET", "/api/v1/candidates/{candidate_id}/", CASE_READERS),
    row("GET", "/api/v1/cases/", CASE_READERS),
    row("POST", "/api/v1/cases/", {HR}, {"legal_name": "Kim Test", "role_applied_for": "Dev"}),
    row("GET", CASE + "/", CASE_READERS),
    row("GET", CASE + "/candidate/", CASE_READERS),
    row("PATCH", CASE + "/candidate/", {HR}, {"claimed_city": "Seoul"}),
    row(
        "POST",
        CASE + "/candidate/reveal/",
        {HR, COMPLIANCE},
        {"field": "account_number", "reason": "Verify with the bank"},
    ),
    row("GET", CASE + "/answers/", CASE_READERS),
    row(
        "PATCH", CASE + "/answers/", {HR}, {"answers": [{"item": "RF-2023-01", "value": "unknown"}]}
    ),
    row("GET", CASE + "/answers/{item_code}/", CASE_READERS),
    row("PATCH", CASE + "/answers/{item_code}/", {HR}, {"value": "not_observed"}),
    row("GET", CASE + "/catalogues/", CASE_READERS),
    row(
        "POST",
        CASE + "/catalogues/upgrade/",
        {HR},
        {"supplements": ["2022-05"], "dry_run": True},
    ),
    row("GET", CASE + "/evidence/", CASE_READERS),
    Row("POST", CASE + "/evidence/", frozenset({HR}), {"description": "x"}, multipart=True),
    row("GET", EVIDENCE + "/", CASE_READERS),
    row("PATCH", EVIDENCE + "/", {HR}, {"answers": ["RF-2023-01"]}),
    row("GET", EVIDENCE + "/download/", CASE_READERS),
    row("POST", EVIDENCE + "/withdraw/", {HR}, {"reason": "Wrong file"}),
    row("GET", CASE + "/signals/", CASE_READERS),
    row("POST", FINDING + "/accept/", {HR}),
    # A medium finding: hr (editable case) and reviewers may dismiss it.
    row("POST", FINDING + "/dismiss/", {HR, REVIEWER}, {"note": "Explained by the candidate."}),
    row("POST", CASE + "/assign-reviewer/", {HR, REVIEWER}, {"reviewer": "seoyeon"}),
    row("GET", CASE + "/history/", CASE_READERS),
    row("GET", CASE + "/comments/", CASE_READERS),
    row("POST", CASE + "/comments/", CASE_READERS, {"body": "Looks fine."}),
    row("GET", COMMENT + "/", CASE_READERS),
    # Only its author (hr here) edits a comment.
    row("PATCH", COMMENT + "/", {HR}, {"body": "Edited."}),
    row("GET", "/api/v1/review-queue/", CASE_READERS),
    row("GET", CASE + "/reports/", CASE_READERS),
    row("POST", CASE + "/reports/", CASE_READERS, {"kind": "risk_summary"}),
    row("GET", "/api/v1/reports/", CASE_READERS),
    row("GET", "/api/v1/reports/{job_id}/", CASE_READERS),
    row("GET", "/api/v1/reports/{job_id}/download/", CASE_READERS),
    row("POST", "/api/v1/reports/{job_id}/retry/", CASE_READERS),
    row("GET", "/api/v1/audit-export/", {COMPLIANCE}, query="start=2026-01-01&end=2026-01-31"),
    row("GET", "/api/v1/integrity-checks/", {COMPLIANCE}),
    row("POST", "/api/v1/integrity-checks/", {COMPLIANCE}),
    # Everyone has an inbox; another user's notification is a 404 (let in, not found).
    row("GET", "/api/v1/notifications/", SIGNED_IN),
    row("GET", "/api/v1/notifications/unread-count/", SIGNED_IN),
    row("POST", "/api/v1/notifications/read-all/", SIGNED_IN),
    row("POST", "/api/v1/notifications/{notification_id}/read/", SIGNED_IN),
    row("GET", "/api/v1/retention/policy/", {COMPLIANCE}),
    row("POST", "/api/v1/retention/policy/", {COMPLIANCE}, {"status": "approved", "months": 30}),
    row("GET", "/api/v1/retention/due/", {COMPLIANCE}),
    row("GET", "/api/v1/retention/keys/", {COMPLIANCE}),
    row("POST", "/api/v1/retention/holds/{hold_id}/lift/", {COMPLIANCE}, {"reason": "Settled"}),
    row("GET", CASE + "/holds/", {COMPLIANCE}),
    row("POST", CASE + "/holds/", {COMPLIANCE}, {"reason": "Litigation"}),
    # The case is a draft, not due: compliance is let in and refused with 409.
    row("POST", CASE + "/purge/", {COMPLIANCE}, {"reason": "Erasure"}),
    row("POST", CASE + "/subject-access/", {COMPLIANCE}, {}),
    *[
        row("POST", CASE + "/actions/{action}/", allowed, {"note": "Because."}, action=action)
        for action, allowed in ACTION_ROLES.items()
    ],
]


@pytest.fixture
def world(catalog, role_users, open_case, reviewer2):
    owner = make_user("owner-hr", "hr")
    case = open_case(owner, account_number="000123456789", emails=["dev@mailinator.com"])
    evidence = services.upload_evidence(
        owner, case, SimpleUploadedFile("proof.pdf", PDF_BYTES), "proof", ["RF-2023-01"]
    )
    # Queued only: the test transaction never commits, so no worker picks it up.
    job, _ = report_services.request_report(owner, case, "risk_summary")
    return {
        "users": {**role_users, ANONYMOUS: None},
        "ids": {
            "reference": case.reference,
            "evidence_id": evidence.pk,
            "item_code": "RF-2023-01",
            "code": case.catalog_version.code,
            "candidate_id": case.candidate_id,
            "job_id": job.pk,
            "finding_id": case.findings.get(check_code="email.disposable").pk,
            "token_id": create_api_token(owner, name="owner's script")[0].pk,
            "upload_id": indicator_services.upload_catalog(
                actor=role_users[COMPLIANCE], file_name="r1.json", content=as_bytes(revised_2023())
            ).pk,
            "notification_id": notify(events.CASE_ASSIGNED, role_users[HR], case=case, actor=owner)[
                0
            ].pk,
            "comment_id": services.post_comment(role_users[HR], case, "First look.").pk,
            "hold_id": retention_services.set_legal_hold(
                actor=role_users[COMPLIANCE], case=case, reason="Litigation"
            )[0].pk,
        },
    }


def request_as(row: Row, user, ids: dict):
    url = row.template.format(**{**ids, **row.params}) + (f"?{row.query}" if row.query else "")
    client = token_client(user)
    body = row.body
    if body == "credentials":
        body = {"username": user.username, "password": "pw-" + user.username} if user else {}
    if row.multipart:
        return client.post(
            url, {**body, "file": SimpleUploadedFile("more.pdf", PDF_BYTES)}, format="multipart"
        )
    return client.generic(
        row.method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
    )


@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_permission_matrix(row, world):
    let_in = set()
    for role in ROLES:
        user = world["users"][role]
        response = request_as(row, user, world["ids"])
        assert response.status_code < 500, (role, response.status_code)
        if response.status_code == 401:
            assert role == ANONYMOUS
            assert response["WWW-Authenticate"] == "Token"
        elif response.status_code != 403:
            let_in.add(role)
    assert let_in == set(row.allowed)


def api_routes() -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, _regex, method, _view in EndpointEnumerator().get_api_endpoints()
        if path.startswith("/api/v1/")
    }


def test_matrix_covers_every_api_endpoint():
    covered = {
        (r.method, r.template if "action" not in r.params else CASE + "/actions/{action}/")
        for r in MATRIX
    }
    assert api_routes() == covered
    assert {r.params["action"] for r in MATRIX if r.params} == set(services.TRANSITIONS)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_route_is_a_documented_api_view():
    """A plain Django view under /api/v1/ would escape both the matrix and the schema."""
    routes = [(route, view) for route, view in _walk(get_resolver().url_patterns)]
    api_v1 = [(route, view) for route, view in routes if route.startswith("api/v1/")]
    assert api_v1
    for route, view in api_v1:
        assert hasattr(view, "cls"), f"{route} is not a DRF view"


@pytest.mark.parametrize(
    "row",
    [r for r in MATRIX if r.method == "GET" and "download" not in r.template],
    ids=str,
)
def test_a_browser_reading_the_api_gets_the_browsable_page(row, world, client):
    """DRF's browsable API, as a signed-in user's browser sees it: never a 500 (it was one
    for every list, from a filter form that needs a queryset on the view)."""
    role = COMPLIANCE if COMPLIANCE in row.allowed else sorted(row.allowed)[0]
    client.force_login(world["users"][role])
    url = row.template.format(**{**world["ids"], **row.params})
    response = client.get(url + (f"?{row.query}" if row.query else ""), HTTP_ACCEPT="text/html")

    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].startswith(("text/html", "text/csv", "application/json"))
