"""Comments through the API: list, post, show and edit with If-Match, the same rules as the
web page (tests/cases/test_comments.py)."""

import datetime

import pytest
from django.utils import timezone

from cases import services
from cases.models import CaseComment
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def comments_url(case):
    return f"/api/v1/cases/{case.reference}/comments/"


def comment_url(case, comment_id):
    return f"{comments_url(case)}{comment_id}/"


def test_a_comment_is_posted_and_listed_with_its_sanitised_html(hr_api, reviewer, open_case):
    case = open_case()

    posted = hr_api.post(
        comments_url(case),
        {"body": "@riley @ghost see <script>x</script> [doc](javascript:alert(1))"},
        format="json",
    )

    assert posted.status_code == 201, posted.content
    body = posted.json()
    assert posted["ETag"] == '"1"'
    assert posted["Location"].endswith(comment_url(case, body["id"]))
    assert body["author"] == "hana" and body["mentioned"] == ["riley"]
    assert body["ignored_mentions"] == ["ghost"]
    assert "<script" not in body["html"] and "&lt;script&gt;" in body["html"]
    assert "javascript:" not in body["html"]
    listed = hr_api.get(comments_url(case)).json()
    assert [c["id"] for c in listed["results"]] == [body["id"]]
    assert "ignored_mentions" not in listed["results"][0]


def test_a_comment_too_long_is_a_400_with_the_field_message(hr_api, open_case):
    case = open_case()

    response = hr_api.post(
        comments_url(case), {"body": "x" * (CaseComment.BODY_MAX_LENGTH + 1)}, format="json"
    )

    assert response.status_code == 400
    assert "10000" in response.json()["body"][0]
    assert not CaseComment.objects.exists()


def test_the_author_edits_with_if_match_and_a_stale_one_is_a_409_with_the_current_comment(
    hr_api, hr, open_case
):
    case = open_case()
    comment = services.post_comment(hr, case, "First")
    shown = hr_api.get(comment_url(case, comment.pk))
    assert shown["ETag"] == '"1"'

    saved = hr_api.patch(
        comment_url(case, comment.pk), {"body": "Second"}, format="json", HTTP_IF_MATCH='"1"'
    )
    stale = hr_api.patch(
        comment_url(case, comment.pk), {"body": "Third"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert saved.status_code == 200 and saved["ETag"] == '"2"'
    assert saved.json()["edited"] is True and saved.json()["body"] == "Second"
    assert stale.status_code == 409
    assert stale.json()["current"]["body"] == "Second" and stale["ETag"] == '"2"'


def test_someone_else_may_not_edit_and_nobody_may_after_the_window(
    hr, reviewer, open_case, settings
):
    settings.VETTING_COMMENT_EDIT_MINUTES = 15
    case = open_case()
    comment = services.post_comment(hr, case, "Mine")

    other = token_client(reviewer).patch(
        comment_url(case, comment.pk), {"body": "Yours?"}, format="json"
    )
    CaseComment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    late = token_client(hr).patch(comment_url(case, comment.pk), {"body": "Late"}, format="json")

    assert other.status_code == 403
    assert late.status_code == 409 and "15 minutes" in late.json()["detail"]
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_a_comment_of_another_case_is_not_found(hr_api, hr, open_case):
    case, other = open_case(), open_case()
    comment = services.post_comment(hr, other, "Elsewhere")

    assert hr_api.get(comment_url(case, comment.pk)).status_code == 404
