"""The findings API contract (issue 10, part 6): list, accept, dismiss."""

from cases.models import Finding

DPRK_IP = "175.45.176.77"
BAD_ROUTING = "026073151"
FIELDS = {"id", "check", "severity", "summary", "detail", "suggests", "status", "source"}


def test_the_findings_of_a_case_are_listed_most_severe_first_with_the_contract_fields(
    open_case, hr_api
):
    case = open_case(ip_addresses=[DPRK_IP], routing_number=BAD_ROUTING)
    response = hr_api.get(f"/api/v1/cases/{case.reference}/signals/")
    assert response.status_code == 200
    findings = response.json()
    assert all(set(item) == FIELDS for item in findings)
    assert findings[0]["check"] == "ip.dprk_address"
    assert findings[0]["severity"] == "critical"
    assert findings[0]["suggests"] is None
    assert findings[0]["status"] == "open"
    assert set(findings[0]["source"]) == {"title", "url"}
    bank = next(item for item in findings if item["check"] == "bank.routing_checksum")
    assert bank["suggests"] == {"item_code": "DD-2023-05", "value": "adverse"}


def test_the_summary_is_read_in_the_callers_language(open_case, hr_api):
    case = open_case(ip_addresses=[DPRK_IP])
    english = hr_api.get(f"/api/v1/cases/{case.reference}/signals/").json()[0]["summary"]
    korean = hr_api.get(
        f"/api/v1/cases/{case.reference}/signals/", HTTP_ACCEPT_LANGUAGE="ko"
    ).json()[0]["summary"]
    assert english == "Connected from an address in North Korea"
    assert korean != english


def test_accepting_fills_in_the_suggested_answer(open_case, hr_api):
    case = open_case(routing_number=BAD_ROUTING)
    finding = Finding.objects.get(case=case, check_code="bank.routing_checksum")
    response = hr_api.post(
        f"/api/v1/cases/{case.reference}/signals/{finding.pk}/accept/", {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    answer = hr_api.get(f"/api/v1/cases/{case.reference}/answers/DD-2023-05/").json()
    assert answer["value"] == "adverse"


def test_dismissing_without_a_note_is_a_400_on_the_note(open_case, hr_api):
    case = open_case(routing_number=BAD_ROUTING)
    finding = Finding.objects.get(case=case, check_code="bank.routing_checksum")
    url = f"/api/v1/cases/{case.reference}/signals/{finding.pk}/dismiss/"
    response = hr_api.post(url, {}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["note"]


def test_hr_dismissing_a_critical_finding_is_a_403_and_another_reviewer_may(
    open_case, hr_api, reviewer_api
):
    case = open_case(ip_addresses=[DPRK_IP])
    finding = Finding.objects.get(case=case, check_code="ip.dprk_address")
    url = f"/api/v1/cases/{case.reference}/signals/{finding.pk}/dismiss/"
    assert hr_api.post(url, {"note": "Fine."}, format="json").status_code == 403
    response = reviewer_api.post(url, {"note": "Known lab range."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"


def test_a_finding_of_another_case_is_not_found(open_case, hr_api):
    case = open_case(ip_addresses=[DPRK_IP])
    other = open_case(ip_addresses=[DPRK_IP])
    finding = Finding.objects.get(case=other, check_code="ip.dprk_address")
    url = f"/api/v1/cases/{case.reference}/signals/{finding.pk}/accept/"
    assert hr_api.post(url, {}, format="json").status_code == 404


def test_the_case_history_shows_a_dismissal_with_the_status_change(open_case, hr_api, reviewer_api):
    case = open_case(ip_addresses=[DPRK_IP])
    finding = Finding.objects.get(case=case, check_code="ip.dprk_address")
    url = f"/api/v1/cases/{case.reference}/signals/{finding.pk}/dismiss/"
    reviewer_api.post(url, {"note": "Known lab range."}, format="json")
    entries = hr_api.get(f"/api/v1/cases/{case.reference}/history/").json()["results"]
    dismissal = next(e for e in entries if e["summary"].startswith("Dismissed finding"))
    fields = {f["field"]: f for change in dismissal["changes"] for f in change["fields"]}
    assert (fields["Status"]["old"], fields["Status"]["new"]) == ("Open", "Dismissed")


def test_case_detail_shows_finding_contributions_and_no_close_for_a_case_a_reviewer_must_decide(
    answered_case, hr, hr_api
):
    from cases import services
    from cases.models import Case

    case = services.perform_action(hr, answered_case(ip_addresses=[DPRK_IP]), "submit")
    Case.objects.filter(pk=case.pk).update(risk_level="low")  # as a 2026.1 snapshot could read
    detail = hr_api.get(f"/api/v1/cases/{case.reference}/").json()
    assert "close_cleared" not in detail["allowed_actions"]
    risk = detail["risk"]["current"]
    assert risk["policy_version"] == "2026.2" and risk["level"] == "critical"
    [contribution] = [c for c in risk["contributions"] if c["kind"] == "finding"]
    assert contribution["code"] == "ip.dprk_address"
    assert (contribution["severity"], contribution["subject"]) == ("critical", DPRK_IP)
    assert contribution["points"] == "35.00"
    assert contribution["reason"] == "Open finding ip.dprk_address (critical)"
    assert [(f["kind"], f["level"]) for f in risk["forced_by"]] == [("finding", "critical")]
    assert detail["risk"]["changed_since_snapshot"] is False

    Finding.objects.filter(case=case).update(status="dismissed")
    detail = hr_api.get(f"/api/v1/cases/{case.reference}/").json()
    assert "close_cleared" in detail["allowed_actions"]
    assert detail["risk"]["changed_since_snapshot"] is True
