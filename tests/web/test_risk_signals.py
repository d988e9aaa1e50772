"""Policy 2026.2 on the pages and in the risk summary: findings and links in the explanation of
the score, what forced the level, and no "close as cleared" button when a reviewer must decide."""

import re

import pytest
from django.urls import reverse

from cases.models import Status
from reports.documents import risk_context
from reports.selectors import case_dossier
from tests.cases.helpers import bring_to

pytestmark = pytest.mark.django_db


def text(client, case, **extra) -> str:
    response = client.get(reverse("case_detail", args=[case.reference]), **extra)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def flagged_and_linked(answered_case, hr, reviewer, reviewer2):
    referred = bring_to(
        answered_case(legal_name="Kim Ra", claimed_country="US", phones=["+1 (646) 555-0142"]),
        Status.REFERRED,
        hr=hr,
        reviewer=reviewer2,
    )
    case = answered_case(
        claimed_country="US", phones=["646.555.0142"], ip_addresses=["81.2.69.142"]
    )
    case = bring_to(case, Status.SUBMITTED, hr=hr, reviewer=reviewer)
    return referred, case


def test_the_case_page_explains_findings_links_and_the_forced_level(client, hr, flagged_and_linked):
    referred, case = flagged_and_linked
    client.force_login(hr)
    page = text(client, case)
    assert "Levels forced by the policy:" in page
    assert f"Link to referred case {referred.reference}: at least High" in page
    assert "Open finding ip.country_mismatch (medium)" in page
    assert "Connected from outside the claimed country (81.2.69.142)" in page
    assert "Open finding links.flagged_case (high)" in page
    assert f"Linked to referred case {referred.reference} (phone)" in page
    assert "Close as cleared" not in page
    assert "Only a reviewer can end this case: risk level is high; " in page
    assert f"linked to a referred or rejected case ({referred.reference})" in page

    korean = text(client, case, HTTP_ACCEPT_LANGUAGE="ko")
    assert f"회부된 사건 {referred.reference}와 연결됨" in korean
    assert "미결 발견 사항 ip.country_mismatch" in korean


def test_the_risk_summary_lists_finding_and_link_contributions(flagged_and_linked):
    referred, case = flagged_and_linked
    risk = risk_context(case_dossier(case), "en")
    rows = {(c["code"], c["reason"]) for c in risk["contributions"]}
    assert ("ip.country_mismatch", "Open finding ip.country_mismatch (medium)") in rows
    assert (referred.reference, f"Linked to referred case {referred.reference} (phone)") in rows
    assert risk["forced_by"] == f"Link to referred case {referred.reference} → High"
    korean = risk_context(case_dossier(case), "ko")
    assert any("미결 발견 사항" in c["reason"] for c in korean["contributions"])
