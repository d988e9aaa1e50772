"""The history page speaks the reader's language: summaries and field labels alike."""

import re
from html import unescape

import pytest

from cases import services

pytestmark = pytest.mark.django_db


def timeline_text(html: str) -> str:
    start = html.index('<ol class="timeline"')
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html[start:])))


def test_the_korean_history_names_changed_fields_and_answers_in_korean(
    client, answered_case, hr, reviewer
):
    case = answered_case(overrides={"RF-2023-01": ("observed", "seen on camera")})
    case = services.perform_action(hr, case, "submit")
    services.perform_action(reviewer, case, "start_review")
    client.force_login(hr)

    url = f"/cases/{case.reference}/history/"
    text = " ".join(
        timeline_text(client.get(url, {"page": page}, HTTP_ACCEPT_LANGUAGE="ko").content.decode())
        for page in (1, 2)
    )

    assert "“확인됨”" in text  # observed, as the checklist says it
    for label in ("메모", "답변", "상태", "위험 점수", "제출 시각"):
        assert label in text, label
    english = (" note ", " value ", " status ", " risk score ", " submitted at ", "answered “")
    for words in english:
        assert words not in text.lower(), words
