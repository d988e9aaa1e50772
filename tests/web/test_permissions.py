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
from indicators import services as indicator_services
from notifications import events
from notifications.services import notify
from reports import services as report_services
from retention import services as retention_services
from tests.api.conftest import PDF_BYTES
from tests.helpers import make_user, new_case_form
from tests.indicators.helpers import as_bytes, revised_2023

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
UPLOAD = ("upload_id",)
VERSION = ("version_code",)
NOTIFICATION = ("notification_id",)
COMMENT = ("reference", "comment_id")
VIEW = ("view_id",)
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
    Row(
        "POST",
        "case_answer_section",
        only(HR, 302),
        {"item": "RF-2023-01", "value-RF-2023-01": "unknown"},
        CASE,
    ),
    Row("GET", "case_answer_section", NOT_POST, kwargs=CASE),
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
    # Everyone who may see the case takes part in its discussion; only the author (hr here)
    # edits a comment: anyone else is sent back to it with the refusal.
    Row("GET", "case_comments", readers(200), kwargs=CASE),
    Row("POST", "case_comments", readers(302), {"body": "Looks fine."}, CASE),
    Row("GET", "case_comment_edit", cells(200, 302, 302), kwargs=COMMENT),
    Row("POST", "case_comment_edit", readers(302), {"body": "Edited."}, COMMENT),
    # Saved views are each user's own: another user's view is not found.
    Row("GET", "saved_views", readers(200)),
    Row("POST", "saved_views", readers(302), {"name": "Drafts", "query": "status=draft"}),
    Row("POST", "saved_view_change", cells(302, 404, 404), {"view-0-name": "x"}, VIEW),
    Row("GET", "saved_view_change", NOT_POST, kwargs=VIEW),
    Row("POST", "saved_view_delete", cells(302, 404, 404), kwargs=VIEW),
    Row("GET", "saved_view_delete", NOT_POST, kwargs=VIEW),
    # The case is a draft: the result page says it was refused.
    Row(
        "POST",
        "case_bulk_assign",
        cells(200, 200, 403),
        {"case": "{reference}", "reviewer": "seoyeon"},
    ),
    Row("GET", "case_bulk_assign", NOT_POST),
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
    # ------------------------------------------------------------ catalogues
    # Every role reads the catalogue; only compliance uploads, publishes, activates, sets defaults.
    Row("GET", "indicators:version_list", readers(200, admin=200)),
    Row("GET", "indicators:coverage", readers(200, admin=200)),
    Row("GET", "indicators:upload", only(COMPLIANCE, 200)),
    Row("POST", "indicators:upload", only(COMPLIANCE, 302)),  # a valid file: to its draft
    Row("GET", "indicators:upload_detail", only(COMPLIANCE, 200), kwargs=UPLOAD),
    Row("POST", "indicators:upload_publish", only(COMPLIANCE, 302), {"confirm": "on"}, UPLOAD),
    Row("GET", "indicators:upload_publish", NOT_POST, kwargs=UPLOAD),
    Row("POST", "indicators:upload_discard", only(COMPLIANCE, 302), {"reason": "x"}, UPLOAD),
    Row("GET", "indicators:upload_discard", NOT_POST, kwargs=UPLOAD),
    Row("POST", "indicators:version_active", only(COMPLIANCE, 302), {"active": "1"}, VERSION),
    Row("GET", "indicators:version_active", NOT_POST, kwargs=VERSION),
    Row("GET", "indicators:defaults", only(COMPLIANCE, 200)),
    Row("POST", "indicators:defaults", only(COMPLIANCE, 302), {"base": "2023-10"}),
    # ------------------------------------------------------------ notifications
    # Every signed-in user has an inbox; the world's one notification is hr's: to anyone else
    # it does not exist.
    Row("GET", "notifications:inbox", readers(200, admin=200)),
    # The bell is fetched by htmx: signed out, an empty answer that changes nothing.
    Row("GET", "notifications:bell", readers(200, admin=200, anonymous=204)),
    Row("GET", "notifications:open", cells(302, 404, 404, 404), kwargs=NOTIFICATION),
    Row("POST", "notifications:read", cells(302, 404, 404, 404), kwargs=NOTIFICATION),
    Row("GET", "notifications:read", NOT_POST, kwargs=NOTIFICATION),
    Row("POST", "notifications:read_all", readers(302, admin=302)),
    Row("GET", "notifications:read_all", NOT_POST),
    Row("GET", "notifications:preferences", readers(200, admin=200)),
    Row("POST", "notifications:preferences", readers(302, admin=302), {"language": "ko"}),
    # ------------------------------------------------------------ retention
    Row("GET", "retention:policy", only(COMPLIANCE, 200)),
    Row("POST", "retention:policy", only(COMPLIANCE, 302), {"status": "approved", "months": "30"}),
    Row("GET", "retention:due", only(COMPLIANCE, 200)),
    # The case is a draft, not due: compliance is refused with a message.
    Row("POST", "retention:purge", only(COMPLIANCE, 302), {"reason": "Erasure"}, CASE),
    Row("GET", "retention:purge", NOT_POST, kwargs=CASE),
    Row("POST", "retention:hold", only(COMPLIANCE, 302), {"reason": "Litigation"}, CASE),
    Row("GET", "retention:hold", NOT_POST, kwargs=CASE),
    Row("POST", "retention:lift_hold", only(COMPLIANCE, 302), {"reason": "Settled"}, ("hold_id",)),
    Row("POST", "retention:subject_access", only(COMPLIANCE, 200), kwargs=CASE),
    Row("GET", "retention:subject_access", NOT_POST, kwargs=CASE),
    Row("GET", "retention:privacy_notice", readers(200)),
    Row("GET", "retention:keys", only(COMPLIANCE, 200)),
]


@pytest.fixture
def world(
    catalog, role_users, open_case, reviewer2, django_capture_on_commit_callbacks, monkeypatch
):
    # The report is produced and stored as usual but not laid out: who may reach it is the
    # question here, and laying it out took most of each of these hundred tests' time.
    from reports import risk_summary

    monkeypatch.setattr(risk_summary, "render_pdf", lambda template, context: PDF_BYTES)
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
    (notification,) = notify(events.CASE_ASSIGNED, world_hr, case=case, actor=owner)
    return {
        "users": {**role_users, ANONYMOUS: None},
        "ids": {
            "reference": case.reference,
            "code": "RF-2023-01",
            "evidence_id": evidence.pk,
            "finding_id": found.pk,
            "pk": job.pk,
            "token_id": create_api_token(world_hr, name="hr's script")[0].pk,
            "upload_id": indicator_services.upload_catalog(
                actor=role_users[COMPLIANCE], file_name="r1.json", content=as_bytes(revised_2023())
            ).pk,
            "version_code": "2022-05",
            "notification_id": notification.pk,
            "comment_id": services.post_comment(world_hr, case, "First look.").pk,
            "view_id": services.save_view(world_hr, name="Mine", params={}).pk,
            "hold_id": retention_services.set_legal_hold(
                actor=role_users[COMPLIANCE], case=case, reason="Litigation"
            )[0].pk,
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
    data = {name: value.format(**ids) for name, value in row.data.items()}
    if row.name in ("case_item_evidence", "case_evidence"):
        data["file"] = SimpleUploadedFile("more.pdf", PDF_BYTES)
    if row.name == "indicators:upload":
        data["file"] = SimpleUploadedFile("r2.json", as_bytes(revised_2023("2023-10-r2")))
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
    pages = (
        _names("cases.urls")
        | _names("reports.urls", "reports")
        | _names("accounts.urls")
        | _names("indicators.urls", "indicators")
        | _names("notifications.urls", "notifications")
        | _names("retention.urls", "retention")
    )
    assert {row.name for row in MATRIX} == pages
    assert len({str(row) for row in MATRIX}) == len(MATRIX), "one row per page and method"
