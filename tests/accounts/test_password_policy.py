"""Passwords are at least 12 characters, varied, not common, not all digits and not built from
the user's own username or names; refused with a translated reason on the password page."""

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts import services
from accounts.password_validation import PersonalNameValidator, VarietyValidator

pytestmark = pytest.mark.django_db

GOOD = "violet-anchor-mosaic-41"


@pytest.fixture
def henry(db):
    return User.objects.create_user(
        "hr2", password="pw-hr2-start", first_name="Henry", last_name="Park"
    )


def refusal_codes(password: str, user) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize(
    "password",
    [
        "hr2hr2hr2",  # the finding: short and a repeated piece
        "hr2hr2hr2hr2",  # long enough, still a repeated piece (and the username)
        "xq7xq7xq7xq7",  # a repeated piece without the username
        "aaaabbbbcccc",  # few different characters
        "abcdefghijkl",  # a run of neighbouring characters
        "98765432109z",
    ],
)
def test_passwords_with_little_variety_are_refused(password, henry):
    assert "password_too_simple" in refusal_codes(password, henry)


@pytest.mark.parametrize(
    "password",
    [
        "HenryPark2026!",
        "henry-1985-summer",
        "Blue-sky-PARK-77",
        "kraPyrneH#2026",  # reversed
        "H3nry!winter2026",  # look-alike digits
        "winter-hr2-ocean-71",  # the username
    ],
)
def test_passwords_built_from_the_users_names_are_refused(password, henry):
    assert "password_contains_name" in refusal_codes(password, henry)


def test_good_passwords_pass_every_validator(henry):
    for password in (GOOD, "correct horse battery staple", services.DEMO_PASSWORD):
        assert refusal_codes(password, henry) == set(), password


def test_djangos_own_rules_still_apply(henry):
    assert "password_too_common" in refusal_codes("password1234", henry)
    assert "password_entirely_numeric" in refusal_codes("804716253901", henry)
    assert "password_too_short" in refusal_codes("k7#Qm2!x", henry)


def test_short_name_parts_do_not_refuse_ordinary_words(db):
    user = User(username="li", first_name="Yi", last_name="Lee")
    PersonalNameValidator().validate("steel-wheels-49-moon", user)  # "eel" is Lee reversed


def test_the_password_page_refuses_the_findings_passwords_with_reasons(client, henry):
    client.force_login(henry)

    for password in ("hr2hr2hr2", "hr2hr2hr2hr2", "HenryPark2026!"):
        response = client.post(
            "/accounts/password/",
            {"old_password": "pw-hr2-start", "new_password1": password, "new_password2": password},
        )
        assert response.status_code == 200, password
        assert response.context["form"].errors["new_password2"], password
    henry.refresh_from_db()
    assert henry.check_password("pw-hr2-start")


def test_the_password_page_accepts_a_good_password(client, henry):
    client.force_login(henry)

    response = client.post(
        "/accounts/password/",
        {"old_password": "pw-hr2-start", "new_password1": GOOD, "new_password2": GOOD},
    )

    assert response.status_code == 302
    henry.refresh_from_db()
    assert henry.check_password(GOOD)


def test_the_reasons_are_translated(henry):
    with translation.override("ko"):
        messages = []
        for password in ("HenryPark2026!", "xq7xq7xq7xq7"):
            try:
                validate_password(password, henry)
            except ValidationError as error:
                messages += error.messages
        help_texts = [PersonalNameValidator().get_help_text(), VarietyValidator().get_help_text()]
    assert messages and help_texts
    for text in messages + help_texts:
        assert not any(word in text for word in ("password", "Password")), text


def test_demo_users_are_still_created(db):
    services.create_demo_users()

    assert User.objects.get(username="hr2").check_password(services.DEMO_PASSWORD)
