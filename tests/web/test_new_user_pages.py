"""What a new user trying the app noticed (issue 9): the pages say what is true, in both
languages, and every time shown names its zone."""

import re

import pytest
from django.urls import reverse


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


def page(client, name, case, **extra):
    response = client.get(reverse(name, args=[case.reference]), **extra)
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- Korean evidence hints


def test_korean_checklist_shows_the_evidence_to_keep_in_korean(hr_client, open_case):
    case = open_case()
    html = page(hr_client, "case_checklist", case, HTTP_ACCEPT_LANGUAGE="ko")
    assert "보관할 증거" in html
    hint = "거부하거나 불일치(시간, 장소, 외모)를 보인 장면이 담긴 면접 메모 또는 녹화."
    assert f'<span lang="ko">{hint}</span>' in html
    assert "Interview notes or recording showing the refusal" not in html


def test_english_checklist_keeps_the_english_evidence_hint(hr_client, open_case):
    html = page(hr_client, "case_checklist", open_case())
    assert '<span lang="en">Interview notes or recording showing the refusal' in html
