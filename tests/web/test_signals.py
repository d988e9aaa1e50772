"""The signals panel, suggestions beside checklist items and findings on the review page
(issue 10, web): people see what the automated checks found and accept or dismiss it."""

import pytest
from django.urls import reverse

from cases import selectors, services
from cases.models import Finding, FindingStatus, Status
from tests.cases.helpers import bring_to
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

DPRK_IP = "175.45.176.77"  # ip.dprk_address: critical, suggests nothing
BAD_ROUTING = "026073151"  # bank.routing_checksum: medium, suggests DD-2023-05 = adverse
FORWARDER = "Jane Doe\n4283 Express Lane\nSuite 512-118\nSarasota, FL 34238\nUSA"  # high


def finding(case, check):
    return Finding.objects.get(case=case, check_code=check)


def overview(case):
    return reverse("case_detail", args=[case.reference])


def accept_url(case, found):
    return reverse("case_finding_accept", args=[case.reference, found.pk])


def dismiss_url(case, found):
    return reverse("case_finding_dismiss", args=[case.reference, found.pk])


def test_the_panel_lists_the_findings_most_severe_first_with_their_sources(client, hr, open_case):
    case = open_case(ip_addresses=[DPRK_IP], routing_number=BAD_ROUTING)
    client.force_login(hr)
    page = client.get(overview(case)).content.decode()
    assert 'id="signals-heading"' in page
    critical = finding(case, "ip.dprk_address")
    medium = finding(case, "bank.routing_checksum")
    assert page.index(f'id="finding-{critical.pk}"') < page.index(f'id="finding-{medium.pk}"')
    assert "Connected from an address in North Korea" in page
    for found in (critical, medium):
        assert f'<a href="{found.source_url}" rel="noopener noreferrer">' in page
        assert found.detail and found.detail in page
    assert accept_url(case, medium) in page
    assert dismiss_url(case, medium) in page


def test_accepting_fills_in_the_suggested_answer_and_shows_the_finding_accepted(
    client, hr, open_case
):
    case = open_case(routing_number=BAD_ROUTING)
    found = finding(case, "bank.routing_checksum")
    client.force_login(hr)
    response = client.post(
        accept_url(case, found), {"note": "Bank confirmed.", "next": overview(case)}, follow=True
    )
    assert response.redirect_chain[-1] == (overview(case), 302)
    page = response.content.decode()
    assert "Finding bank.routing_checksum accepted." in page
    answer = selectors.answers_for(case).get(item__code="DD-2023-05")
    assert answer.value == "adverse"
    assert "Accepted finding bank.routing_checksum" in answer.note
    found.refresh_from_db()
    assert (found.status, found.decided_by, found.note) == ("accepted", hr, "Bank confirmed.")
    assert '<span class="badge finding-accepted">Accepted</span>' in page
    assert "Accepted by" in page and "Bank confirmed." in page
    assert accept_url(case, found) not in page


def test_dismissing_without_a_reason_shows_a_form_error_and_changes_nothing(client, hr, open_case):
    case = open_case(routing_number=BAD_ROUTING)
    found = finding(case, "bank.routing_checksum")
    client.force_login(hr)
    response = client.post(dismiss_url(case, found), {"note": "  ", "next": overview(case)})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<ul class="errorlist" id="dismiss-errors-{found.pk}">' in page
    assert "Say why the finding is dismissed." in page
    assert '<details class="signal-dismiss" open>' in page
    found.refresh_from_db()
    assert (found.status, found.note, found.decided_by) == (FindingStatus.OPEN, "", None)
    assert not Finding.history.filter(id=found.pk, history_change_reason="dismissed").exists()


def test_hr_dismissing_a_high_finding_is_refused_with_the_four_eyes_message(client, hr, open_case):
    case = open_case(claimed_country="US", shipping_address=FORWARDER)
    high = finding(case, "shipping.forwarder")
    assert high.severity == "high"
    client.force_login(hr)
    page = client.get(overview(case)).content.decode()
    assert dismiss_url(case, high) not in page  # not offered; the reason is shown instead
    refusal = f"Only a reviewer who did not assess {case.reference} may dismiss a high finding."
    assert refusal in page

    response = client.post(
        dismiss_url(case, high), {"note": "Looks fine.", "next": overview(case)}, follow=True
    )
    assert response.status_code == 200
    assert f"Finding shipping.forwarder was not dismissed: {refusal}" in response.content.decode()
    high.refresh_from_db()
    assert high.status == FindingStatus.OPEN


def test_a_reviewer_who_assessed_the_case_is_refused_and_another_reviewer_may_dismiss(
    client, catalog, open_case, reviewer
):
    assessor = make_user("dual", "hr", "reviewer")
    case = open_case(assessor, claimed_country="US", shipping_address=FORWARDER)
    high = finding(case, "shipping.forwarder")
    client.force_login(assessor)
    response = client.post(dismiss_url(case, high), {"note": "Fine."}, follow=True)
    assert "Four-eyes rule: you assessed" in response.content.decode()
    high.refresh_from_db()
    assert high.status == FindingStatus.OPEN

    client.force_login(reviewer)
    assert dismiss_url(case, high) in client.get(overview(case)).content.decode()
    reason = "The employer ships every laptop through MyUS."
    response = client.post(dismiss_url(case, high), {"note": reason}, follow=True)
    page = response.content.decode()
    assert "Finding shipping.forwarder dismissed." in page
    high.refresh_from_db()
    assert (high.status, high.decided_by, high.note) == ("dismissed", reviewer, reason)
    assert "Dismissed by" in page and reason in page


def test_the_suggestion_sits_beside_its_checklist_item_with_accept_and_dismiss(
    client, hr, open_case
):
    case = open_case(routing_number=BAD_ROUTING, ip_addresses=[DPRK_IP])
    found = finding(case, "bank.routing_checksum")
    client.force_login(hr)
    page = client.get(reverse("case_checklist", args=[case.reference])).content.decode()
    item = page[page.index('id="item-DD-2023-05"') :]
    item = item[: item.index("</article>")]
    assert "Suggested: Completed – adverse finding" in item
    assert "from bank.routing_checksum: Routing number fails the ABA checksum" in item
    assert f'href="{found.source_url}" rel="noopener noreferrer"' in item
    assert f'hx-post="{accept_url(case, found)}"' in item
    assert f'hx-post="{dismiss_url(case, found)}"' in item
    # A finding that suggests no answer is not beside any item.
    assert 'suggestion-{}"'.format(finding(case, "ip.dprk_address").pk) not in page


def test_accepting_from_the_checklist_with_htmx_swaps_the_item_answered(client, hr, open_case):
    case = open_case(routing_number=BAD_ROUTING)
    found = finding(case, "bank.routing_checksum")
    client.force_login(hr)
    response = client.post(
        accept_url(case, found),
        {"next": reverse("case_checklist", args=[case.reference])},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="item-DD-2023-05",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<article id="item-DD-2023-05"')
    assert '<span class="badge answer-adverse">' in page
    assert f'id="suggestion-{found.pk}"' not in page
    assert "Finding bank.routing_checksum accepted." in page  # the messages, out of band


def test_dismissing_from_the_checklist_without_a_reason_marks_the_suggestion(client, hr, open_case):
    case = open_case(routing_number=BAD_ROUTING)
    found = finding(case, "bank.routing_checksum")
    client.force_login(hr)
    checklist = reverse("case_checklist", args=[case.reference])
    response = client.post(dismiss_url(case, found), {"note": "", "next": checklist})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="item-DD-2023-05"' in page
    assert f'id="dismiss-errors-{found.pk}"' in page
    assert finding(case, "bank.routing_checksum").status == FindingStatus.OPEN


def test_the_review_page_shows_open_and_decided_findings_beside_the_linked_cases(
    client, hr, reviewer, answered_case
):
    case = answered_case(routing_number=BAD_ROUTING, ip_addresses=[DPRK_IP])
    services.accept_finding(hr, finding(case, "bank.routing_checksum"), "Checked with the bank.")
    case = bring_to(case, Status.IN_REVIEW, hr=hr, reviewer=reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("case_review", args=[case.reference])).content.decode()
    aside = page[page.index("<aside>") :]
    assert aside.index('id="signals-heading"') < aside.index('id="linked-heading"')
    critical = finding(case, "ip.dprk_address")
    assert "Connected from an address in North Korea" in aside
    assert f'href="{critical.source_url}" rel="noopener noreferrer"' in aside
    assert '<span class="badge finding-open">Open</span>' in aside
    assert '<span class="badge finding-accepted">Accepted</span>' in aside
    assert "Checked with the bank." in aside
    assert f"Accepted by</dt><dd>{hr.get_full_name() or hr.username}," in aside
    # The reviewer did not assess the case: they may dismiss the critical finding here.
    assert dismiss_url(case, critical) in aside


def test_the_panel_says_when_no_check_found_anything_or_the_case_was_never_screened(
    client, hr, open_case
):
    case = open_case(claimed_country="US")
    client.force_login(hr)
    assert not Finding.objects.filter(case=case).exists()
    page = client.get(overview(case)).content.decode()
    assert "No automated check found anything in the candidate" in page
    assert "Last screened" in page

    type(case).objects.filter(pk=case.pk).update(screened_at=None)  # a case from before the checks
    page = client.get(overview(case)).content.decode()
    assert "This case has not been screened yet." in page


def test_compliance_sees_the_findings_without_any_form(client, compliance, open_case):
    case = open_case(routing_number=BAD_ROUTING)
    found = finding(case, "bank.routing_checksum")
    client.force_login(compliance)
    page = client.get(overview(case)).content.decode()
    assert f'id="finding-{found.pk}"' in page
    assert accept_url(case, found) not in page and dismiss_url(case, found) not in page
    assert client.post(accept_url(case, found), {}).status_code == 403


def test_the_panel_and_the_suggestion_read_in_korean(client, hr, open_case):
    case = open_case(routing_number=BAD_ROUTING, ip_addresses=[DPRK_IP])
    client.force_login(hr)
    page = client.get(overview(case), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "자동 탐지 신호" in page  # Signals
    assert "Connected from an address in North Korea" not in page  # the summary, translated
    assert ">수용</button>" in page and "기각…" in page
    checklist = reverse("case_checklist", args=[case.reference])
    page = client.get(checklist, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "제안: 완료 – 부정적 결과" in page


def test_a_finding_of_another_case_is_not_found(client, hr, open_case):
    case = open_case(routing_number=BAD_ROUTING)
    other = open_case(routing_number=BAD_ROUTING)
    found = finding(other, "bank.routing_checksum")
    client.force_login(hr)
    url = reverse("case_finding_accept", args=[case.reference, found.pk])
    assert client.post(url, {}).status_code == 404
    assert finding(other, "bank.routing_checksum").status == FindingStatus.OPEN
