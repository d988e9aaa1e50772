"""A report is written in the requesting user's language unless they choose another."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from reports.models import ReportJob

from ..api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def back_to_english():
    """Requests in Korean leave Korean active in the thread; later tests expect English."""
    yield
    translation.activate("en")


def selected_report_language(html: str, select_id: str = "risk-summary-language") -> list[str]:
    """The options selected in the report form's language list (not the site's own)."""
    select = re.search(rf'<select id="{select_id}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\w+)"[^>]*\sselected', select)


@pytest.mark.parametrize(
    ("accept_language", "expected"), [("ko", "ko"), ("ko-KR,ko;q=0.9", "ko"), ("en", "en")]
)
def test_the_reports_tab_offers_reports_in_the_users_language(
    client, hr, assessed_case, accept_language, expected
):
    client.force_login(hr)
    page = client.get(
        reverse("reports:case_reports", args=[assessed_case.reference]),
        HTTP_ACCEPT_LANGUAGE=accept_language,
    )

    assert page.status_code == 200
    assert selected_report_language(page.content.decode()) == [expected]


def test_a_web_request_without_a_language_gets_the_users_language(client, hr, assessed_case):
    client.force_login(hr)
    client.post(
        reverse("reports:case_reports", args=[assessed_case.reference]),
        {"kind": "risk_summary"},
        HTTP_ACCEPT_LANGUAGE="ko",
    )

    assert ReportJob.objects.get(case=assessed_case).language == "ko"


@pytest.mark.parametrize(
    ("accept_language", "expected"), [("ko", "ko"), ("en-US", "en"), ("fr", "en"), ("", "en")]
)
def test_an_api_request_without_a_language_gets_the_users_language(
    hr, assessed_case, accept_language, expected
):
    response = token_client(hr).post(
        f"/api/v1/cases/{assessed_case.reference}/reports/",
        {"kind": "risk_summary"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=accept_language,
    )

    assert response.status_code == 202, response.content
    assert response.json()["language"] == expected


def test_a_chosen_language_wins_over_the_users(hr, assessed_case):
    response = token_client(hr).post(
        f"/api/v1/cases/{assessed_case.reference}/reports/",
        {"kind": "risk_summary", "language": "en"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ko",
    )

    assert response.json()["language"] == "en"
