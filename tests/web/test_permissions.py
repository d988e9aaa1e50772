"""Permission matrix of the web pages: every URL pattern × every role, and the status each gets.

One row per URL pattern and method, like tests/api/test_permissions.py for the API. A cell is
the status code, or LOGIN for a redirect to the sign-in page. A page refuses a signed-in user
whose role may not use it with 403; a POST the role may make but the case's state does not allow
ends, like any finished action, in a redirect with a message (302) or the form again (400).
"""

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from accounts.services import create_api_token
from cases import services
from reports import services as report_services
from tests.api.conftest import PDF_BYTES
from tests.helpers import make_user, new_case_form

HR, REVIEWER, COMPLIANCE, ADMIN, ANONYMOUS = "hr", "reviewer", "compliance", "admin", "anonymous"
ROLES = (HR, REVIEWER, COMPLIANCE, ADMIN, ANONYMOUS)
LOGIN = "login"  # a redirect to the sign-in page


@dataclass(frozen=True)
class Row:
    method: str
    name: str
    statuses: dict
    data: dict = field(default_factory=dict)
    kwargs: tuple = ()  # names of the world's ids the URL takes

    def __str__(self):
        return f"{self.method} {self.name}"


def cells(hr, reviewer, compliance, admin=403, anonymous=LOGIN) -> dict:
    return {HR: hr, REVIEWER: reviewer, COMPLIANCE: compliance, ADMIN: admin, ANONYMOUS: anonymous}


def readers(status, **others) -> dict:
    """The same status for every role that reads cases; admin 403, anonymous to sign-in."""
    return cells(status, status, status, **others)


def only(role: str, status, refused=403, **others) -> dict:
    result = cells(refused, refused, refused, **others)
    result[role] = status
    return result


NOT_POST = cells(405, 405, 405, 405, 405)  # require_POST answers before any sign-in check
CASE = ("reference",)
ITEM = ("reference", "code")
EVIDENCE = ("reference", "evidence_id")
FINDING = ("reference", "finding_id")
JOB = ("pk",)
NEW_CASE = new_case_form(legal_name="Kim Test")
UPGRADE_PREVIEW = {
    "step": "preview",
    "catalogues_shown": "1",
    "catalog_version": "2023-10",
    "supplements": "2022-05",
}
AUDIT_PERIOD = {"start": "2026-01-01", "end": "2026-01-31", "format": "csv"}

MATRIX = [
    # ------------------------------------------------------------ accounts
    Row("GET", "login", cells(302, 302, 302, 302, 200)),
    # Single sign-on answers only where an identity provider is configured (tests/web/test_sso.py).
    Row("GET", "sso_start", cells(404, 404, 404, 404, 404)),
    Row("GET", "sso_callback", cells(404, 404, 404, 404, 404)),
    Row("GET", "password_change", readers(200, admin=200)),
    Row("POST", "logout", cells(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
    Row("GET", "api_tokens", readers(200, admin=200)),
    Row("POST", "api_tokens", readers(200, admin=200), {"name": "script"}),
    # Only its owner (hr here) may revoke a token; to anyone else it does not exist.
    Row("POST", "api_token_revoke", cells(302, 404, 404, 404), kwargs=("token_id",)),
    Row("GET", "api_token_revoke", NOT_POST, kwargs=("token_id",)),
    Row("GET", "account", readers(200, admin=200)),
    # Signed in fully (see tests/conftest.py): reviewer, compliance and admin have an
    # authenticator app and a verified session, hr has none (optional for hr).
    Row("GET", "second_factor_enrol", cells(200, 302, 302, 302)),
    Row("POST", "second_factor_enrol", cells(400, 302, 302, 302), {"code": "not-a-code"}),
    Row("GET", "second_factor_verify", cells(302, 302, 302, 302)),  # nothing to verify
    Row("POST", "second_factor_verify", cells(302, 302, 302, 302), {"code": "not-a-code"}),
    Row("POST", "second_factor_recovery_codes", cells(302, 200, 200, 200)),
    # ------------------------------------------------------------ cases
    Row("GET", "dashboard", readers(200, admin=200)),
    Row("GET", "case_list", readers(200)),
    Row("GET", "review_queue", readers(200)),
    Row("GET", "case_new", only(HR, 200)),
    Row("POST", "case_new", only(HR, 302), NEW_CASE),
    Row("GET", "case_detail", readers(200), kwargs=CASE),
    Row("POST", "case_action", readers(302), {"action": "submit"}, CASE),
    Row("GET", "case_action", NOT_POST, kwargs=CASE),
    Row("GET", "case_candidate", readers(200), kwargs=CASE),
    Row("POST", "case_candidate", only(HR, 302), NEW_CASE, CASE),
    Row(
        "POST",
        "case_reveal",
        cells(200, 403, 200),
        {"field": "account_number", "reason": "Bank"},
        CASE,
    ),
    Row("GET", "case_reveal", NOT_POST, kwargs=CASE),
    Row("GET", "case_checklist", readers(200), kwargs=CASE),
    Row("POST", "case_answer", only(HR, 302), {"value": "not_observed"}, ITEM),
    Row("GET", "case_catalogues", readers(200), kwargs=CASE),
    # A preview of asking May 2022 too: nothing changes.
    Row("POST", "case_catalogues", only(HR, 200), UPGRADE_PREVIEW, CASE),
    Row("POST", "case_item_evidence", only(HR, 302), {"description": "x"}, ITEM),
    Row("GET", "case_evidence", readers(200), kwargs=CASE),
    Row("POST", "case_evidence", only(HR, 302), {"description": "x"}, CASE),
    Row("GET", "evidence_download", readers(200), kwargs=EVIDENCE),
    Row("POST", "evidence_withdraw", only(HR, 302), {"reason": "Wrong file"}, EVIDENCE),
    # The case's finding is medium: hr and reviewers may dismiss it (the second one to try finds
    # it decided: a message); only hr may accept it.
    Row("POST", "case_finding_accept", only(HR, 302), kwargs=FINDING),
    Row("GET", "case_finding_accept", NOT_POST, kwargs=FINDING),
    Row("POST", "case_finding_dismiss", cells(302, 302, 403), {"note": "Known bank"}, FINDING),
    Row("GET", "case_finding_dismiss", NOT_POST, kwargs=FINDING),
    Row("GET", "case_review", readers(200), kwargs=CASE),
    # The case is a draft: the reviewer gets the form back with the service's refusal.
    Row("POST", "case_review", only(REVIEWER, 400), {"action": "approve"}, CASE),
    Row("POST", "case_assign", cells(302, 302, 403), {"reviewer": "seoyeon"}, CASE),
    Row("GET", "case_history", readers(200), kwargs=CASE),
    # ------------------------------------------------------------ reports
    Row("GET", "reports:list", readers(200)),
    Row("GET", "reports:case_reports", readers(200), kwargs=CASE),
    Row(
        "POST",
        "reports:case_reports",
        readers(302),
        {"kind": "risk_summary", "language": "en"},
        CASE,
    ),
    Row("GET", "reports:job_detail", readers(200), kwargs=JOB),
    Row("GET", "reports:job_status", readers(200), kwargs=JOB),
    Row("GET", "reports:download", readers(200), kwargs=JOB),
    Row("POST", "reports:retry", readers(302), kwargs=JOB),  # done: refused with a message
    Row("GET", "reports:audit_export", only(COMPLIANCE, 200)),
    Row("POST", "reports:audit_export", only(COMPLIANCE, 200), AUDIT_PERIOD),
    Row("GET", "reports:integrity", only(COMPLIANCE, 200)),
    Row("POST", "reports:integrity", only(COMPLIANCE, 302)),
]


@pytest.fixture
def world(catalog, role_users, open_case, reviewer2, django_capture_on_commit_callbacks):
    owner = make_user("owner-hr", "hr")
    world_hr = role_users[HR]
    # The routing number fails the ABA checksum: a medium finding that suggests an answer.
    case = open_case(owner, account_number="000123456789", routing_number="026073151")
    found = case.findings.get(check_code="bank.routing_checksum")
    evidence = services.upload_evidence(
        owner, case, SimpleUploadedFile("proof.pdf", PDF_BYTES), "proof", ["RF-2023-01"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = report_services.request_report(owner, case, "risk_summary")
    return {
        "users": {**role_users, ANONYMOUS: None},
        "ids": {
            "reference": case.reference,
            "code": "RF-2023-01",
            "evidence_id": evidence.pk,
            "finding_id": found.pk,
            "pk": job.pk,
            "token_id": create_api_token(world_hr, name="hr's script")[0].pk,
        },
    }


def status_of(response):
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return response.status_code


def request_as(client, row: Row, user, ids: dict):
    client.logout()
    if user is not None:
        client.force_login(user)
    url = reverse(row.name, kwargs={name: ids[name] for name in row.kwargs})
    data = dict(row.data)
    if row.name in ("case_item_evidence", "case_evidence"):
        data["file"] = SimpleUploadedFile("more.pdf", PDF_BYTES)
    return client.generic(row.method, url) if row.method == "GET" else client.post(url, data)


@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_web_permission_matrix(row, world, client):
    seen = {}
    for role in ROLES:
        response = request_as(client, row, world["users"][role], world["ids"])
        seen[role] = status_of(response)
    assert seen == row.statuses


def _names(urlconf: str, namespace: str = "") -> set[str]:
    resolver = get_resolver(urlconf)
    prefix = f"{namespace}:" if namespace else ""
    return {prefix + p.name for p in resolver.url_patterns if p.name}


def test_matrix_covers_every_web_page():
    pages = _names("cases.urls") | _names("reports.urls", "reports") | _names("accounts.urls")
    assert {row.name for row in MATRIX} == pages
    assert len({str(row) for row in MATRIX}) == len(MATRIX), "one row per page and method"
