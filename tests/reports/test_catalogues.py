"""Reports of a case that pins several catalogues, or was upgraded: every pinned version is
named, every pinned item is reported, and answers kept from an earlier version are listed."""

import json

import pytest

from cases import services
from tests.cases.catalogues import newer_base, supplement

from .conftest import Packet, pdf_text, stored_bytes

pytestmark = pytest.mark.django_db


def test_the_risk_summary_names_every_pinned_version_and_reports_their_items(
    answered_case, hr, generate, tmp_path
):
    extra = supplement(tmp_path)
    case = answered_case(overrides={"PH-S-01": ("observed", "AnyDesk on the company laptop")})
    case = services.perform_action(hr, case, "submit")
    text = " ".join(pdf_text(stored_bytes(generate(hr, case))).split())
    assert f"Catalogue versions 2023-10, {extra.code}" in text
    assert "PH-S-01" in text and "AnyDesk on the company laptop" in text
    assert f"Test catalogue {extra.code}" in text  # its sources
    assert "Test item PH-S-01" in text  # in the contributions too


def test_the_risk_summary_lists_the_answers_kept_from_an_earlier_version(
    answered_case, hr, generate, tmp_path
):
    case = answered_case(overrides={"DD-2023-02": ("adverse", "Reference did not exist")})
    newer_base(tmp_path)
    services.upgrade_catalogues(hr, case, catalog_version="2026-01")
    text = " ".join(pdf_text(stored_bytes(generate(hr, case))).split())
    assert "Answers from an earlier catalogue version" in text
    assert "Reference did not exist" in text
    assert "Catalogue versions 2026-01" in text


def test_the_referral_packet_names_every_catalogue_the_checklist_asked(
    answered_case, hr, reviewer, generate, tmp_path
):
    extra = supplement(tmp_path)
    case = answered_case(overrides={"PH-S-01": ("observed", "Logins from Pyongyang")})
    services.perform_action(hr, case, "submit")
    services.perform_action(reviewer, case, "start_review")
    services.perform_action(reviewer, case, "refer", "Post-hire signals")
    packet = Packet(stored_bytes(generate(reviewer, case, kind="referral_packet")))
    ic3 = json.loads(packet.read("ic3_complaint.json"))
    assert [c["code"] for c in ic3["description_of_incident"]["catalogues"]] == [
        "2023-10",
        extra.code,
    ]
    text = packet.read("ic3_complaint.txt").decode()
    assert f"Its checklist also asked the items of Test catalogue {extra.code} ({extra.code})." in (
        " ".join(text.split())
    )
    assert "PH-S-01" in text and "Logins from Pyongyang" in text
    nis = " ".join(packet.read("nis_knpa_ko.txt").decode().split())
    assert extra.code in nis and "PH-S-01" in nis
