"""The audit export tells each event in words, in the language asked for, with the note or
reason the person gave in a column of its own."""

import pytest
from django.utils import timezone

from cases import services
from tests.api.conftest import token_client
from tests.reports.test_export import export_url, read_csv, read_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def noted_case(open_case, hr):
    case = open_case()
    services.answer_item(hr, case, "RF-2023-01", "not_observed")
    services.answer_item(hr, case, "RF-2023-02", "observed", "Asked to be paid in USDT")
    return case


def answer_rows(rows, item_code):
    return [r for r in rows if r["action"] == "answer.recorded" and item_code in r["summary"]]


def test_the_csv_export_shows_labels_and_the_answer_note(noted_case, compliance):
    today = timezone.localdate()

    response = token_client(compliance).get(
        export_url(today, today, "csv"), HTTP_ACCEPT_LANGUAGE="en"
    )

    rows = read_csv(response)
    assert "note" in rows[0]
    (plain,) = answer_rows(rows, "RF-2023-01")
    (observed,) = answer_rows(rows, "RF-2023-02")
    assert "“Not observed”" in plain["summary"]
    assert "not_observed" not in plain["summary"]
    assert plain["note"] == ""
    assert "“Observed”" in observed["summary"]
    assert observed["note"] == "Asked to be paid in USDT"
    assert '"note": "Asked to be paid in USDT"' in observed["data"]


def test_the_json_export_in_korean_has_korean_summaries_and_the_note(noted_case, compliance):
    today = timezone.localdate()

    response = token_client(compliance).get(
        export_url(today, today, "json"), HTTP_ACCEPT_LANGUAGE="ko"
    )

    rows = read_json(response)
    (observed,) = answer_rows(rows, "RF-2023-02")
    assert observed["summary"] == (
        f"{noted_case.reference}의 RF-2023-02 답변: “확인됨” — Asked to be paid in USDT"
    )
    assert observed["note"] == "Asked to be paid in USDT"
    assert observed["data"]["note"] == "Asked to be paid in USDT"


def test_the_web_export_speaks_the_language_of_the_page(noted_case, compliance, client):
    today = timezone.localdate()
    client.force_login(compliance)
    client.cookies["django_language"] = "ko"

    response = client.post(
        "/reports/audit-export/", {"start": today, "end": today, "format": "csv"}
    )

    (plain,) = answer_rows(read_csv(response), "RF-2023-01")
    assert "“확인되지 않음”" in plain["summary"]


def test_comments_and_their_edits_are_in_the_export_with_their_text(open_case, hr, compliance):
    case = open_case()
    comment = services.post_comment(hr, case, "The **bank** is a fintech; @chris please check.")
    services.edit_comment(hr, comment, "The **bank** is Wise, a fintech; @chris please check.")
    today = timezone.localdate()

    rows = read_csv(
        token_client(compliance).get(export_url(today, today, "csv"), HTTP_ACCEPT_LANGUAGE="en")
    )

    posted = [r for r in rows if r["action"] == "case.comment_posted"]
    edited = [r for r in rows if r["action"] == "case.comment_edited"]
    assert [r["summary"] for r in posted] == [
        f"hana commented on {case.reference}, mentioning @chris"
    ]
    assert posted[0]["note"] == "The **bank** is a fintech; @chris please check."
    assert edited[0]["summary"] == f"hana edited a comment on {case.reference}"
    assert edited[0]["note"] == "The **bank** is Wise, a fintech; @chris please check."
    assert "The **bank** is a fintech" in edited[0]["data"]  # the earlier text
