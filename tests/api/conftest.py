import pytest
from rest_framework.test import APIClient

from accounts.services import create_api_token

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def token_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, key = create_api_token(user, name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api_for():
    """api_for(user) → an APIClient authenticated with the user's token (None: anonymous)."""
    return token_client


@pytest.fixture
def hr_api(hr):
    return token_client(hr)


@pytest.fixture
def reviewer_api(reviewer):
    return token_client(reviewer)


def answer_all(api, reference, overrides=None):
    """Answer every item through the API: nothing observed, all due diligence completed."""
    overrides = overrides or {}
    answers = api.get(f"/api/v1/cases/{reference}/answers/").json()
    for answer in answers:
        code = answer["item"]["code"]
        default = "not_observed" if answer["item"]["kind"] == "red_flag" else "completed"
        value, note = overrides.get(code, (default, ""))
        response = api.patch(
            f"/api/v1/cases/{reference}/answers/{code}/",
            {"value": value, "note": note},
            format="json",
        )
        assert response.status_code == 200, response.content
