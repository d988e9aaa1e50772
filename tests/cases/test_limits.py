"""Every door takes a candidate fact up to exactly the limit its model states, and refuses one
character more with a message on that field: the web form (a form error on the page), the API
(400 naming the field) and the case service called directly (as the admin or a task would)."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import (
    LIST_MAX_ITEMS,
    NOTE_MAX_LENGTH,
    Candidate,
    CandidateContact,
    Case,
    ContactKind,
    Evidence,
    SensitiveReveal,
    max_length,
)
from common.errors import ServiceValidationError
from tests.api.conftest import token_client
from tests.helpers import new_case_form

pytestmark = pytest.mark.django_db

BASE = {"legal_name": "Jane Doe", "role_applied_for": "Backend engineer"}


@dataclass
class Limit:
    """One limited fact: its field, its limit, a valid value of a given length, and how each
    door takes it (the web form as text, the API and the service as JSON)."""

    field: str
    limit: int
    value_of: callable = lambda n: "x" * n
    web: callable = lambda value: value
    api: callable = lambda value: value

    def __str__(self):
        return self.field


def _email(length: int) -> str:
    # 64 + "@" + labels of at most 63 characters, ending in ".com"
    domain = "b" * 63 + "." + "c" * 63 + "." + "d" * (length - 64 - 1 - 128 - 4) + ".com"
    return "a" * 64 + "@" + domain


def _ipv6(length: int) -> str:
    longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
    return longest if length == len(longest) else "0" * (length - len(longest)) + longest


SCALARS = [
    Limit(name, max_length(Candidate, name))
    for name in services.CANDIDATE_FACT_FIELDS
    if name not in ("aliases", "date_of_birth", "sourcing_channel", *services.COUNTRY_INPUTS)
]
LIMITS = [
    *SCALARS,
    Limit("aliases", Candidate.ALIAS_MAX_LENGTH, api=lambda value: [value]),
    Limit(
        "emails",
        CandidateContact.VALUE_MAX_LENGTH[ContactKind.EMAIL],
        value_of=_email,
        api=lambda value: [value],
    ),
    Limit(
        "phones",
        CandidateContact.VALUE_MAX_LENGTH[ContactKind.PHONE],
        value_of=lambda n: "1" * n,
        api=lambda value: [value],
    ),
    Limit(
        "ip_addresses",
        CandidateContact.VALUE_MAX_LENGTH[ContactKind.IP_ADDRESS],
        value_of=_ipv6,
        api=lambda value: [value],
    ),
    Limit(
        "phones",
        CandidateContact.LABEL_MAX_LENGTH,
        web=lambda label: f"+1 555 0100 ({label})",
        api=lambda label: [{"value": "+1 555 0100", "label": label}],
    ),
]


def test_every_limited_candidate_fact_is_covered():
    assert len(SCALARS) == 10  # countries are codes, not free text: see below
    assert all(limit.limit for limit in LIMITS)


def _through_the_web(client, limit: Limit, value) -> list[str]:
    response = client.post(reverse("case_new"), new_case_form(**{limit.field: limit.web(value)}))
    if response.status_code == 302:
        return []
    assert response.status_code == 400
    return list(response.context["form"].errors.get(limit.field, ["(no message on the field)"]))


def _through_the_api(api, limit: Limit, value) -> list:
    response = api.post("/api/v1/cases/", {**BASE, limit.field: limit.api(value)}, format="json")
    if response.status_code == 201:
        return []
    assert response.status_code == 400
    return response.json().get(limit.field, ["(no message on the field)"])


def _through_the_service(hr, limit: Limit, value) -> list[str]:
    try:
        services.open_case(hr, {**BASE, limit.field: limit.api(value)})
    except ServiceValidationError as exc:
        return exc.errors.get(limit.field, ["(no message on the field)"])
    return []


DOORS = {"web": _through_the_web, "api": _through_the_api, "service": _through_the_service}


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("limit", LIMITS, ids=lambda limit: f"{limit}-{limit.limit}")
def test_each_door_takes_a_fact_up_to_its_model_limit_and_refuses_one_more(
    client, catalog, hr, door, limit
):
    caller = {"web": client, "api": token_client(hr), "service": hr}[door]
    if door == "web":
        client.force_login(hr)
    assert DOORS[door](caller, limit, limit.value_of(limit.limit)) == []
    assert Case.objects.count() == 1
    assert DOORS[door](caller, limit, limit.value_of(limit.limit + 1)) != []
    assert Case.objects.count() == 1


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("name", services.COUNTRY_INPUTS)
def test_each_door_takes_a_country_as_an_alpha_2_code_and_refuses_anything_else(
    client, catalog, hr, door, name
):
    caller = {"web": client, "api": token_client(hr), "service": hr}[door]
    if door == "web":
        client.force_login(hr)
    country = Limit(name, 2)
    assert DOORS[door](caller, country, "KR") == []
    assert getattr(Candidate.objects.get(), name) == "KR"
    refused = DOORS[door](caller, country, "XX")
    if door != "web":  # the web form is a select: Django's own "not one of the choices"
        assert refused == ["XX is not an ISO 3166-1 alpha-2 country code."]
    assert refused and DOORS[door](caller, country, "South Korea") != []
    assert Case.objects.count() == 1


# ---------------------------------------------------------------- validation once


def test_the_service_refuses_a_too_long_contact_label_or_an_unknown_owner(open_case):
    too_long = {"value": "+1 555 0100", "label": "x" * (CandidateContact.LABEL_MAX_LENGTH + 1)}
    unknown_owner = {"value": "+1 555 0101", "belongs_to": "neighbour"}
    with pytest.raises(ServiceValidationError) as refused:
        open_case(phones=[too_long, unknown_owner])
    assert len(refused.value.errors["phones"]) == 2
    assert not Case.objects.exists()


def test_the_service_refuses_more_entries_than_a_list_may_hold(open_case):
    phones = [f"+1 555 01{i:02d}" for i in range(LIST_MAX_ITEMS + 1)]
    with pytest.raises(ServiceValidationError) as refused:
        open_case(phones=phones)
    assert list(refused.value.errors) == ["phones"]


def test_history_rows_are_checked_by_the_model_whatever_the_door(open_case):
    with pytest.raises(ServiceValidationError) as refused:
        open_case(
            history=[
                {"kind": "employment", "organisation": "A", "start_year": 1800},
                {"kind": "employment", "organisation": "B", "start_year": 2015, "end_year": 2010},
                {"kind": "employment", "organisation": "x" * 201},
            ]
        )
    messages = refused.value.errors["history"]
    assert messages[0].startswith("Row 1: Years must be between 1900 and ")
    assert messages[1] == "Row 2: The end year is before the start year."
    assert messages[2].startswith("Row 3: ")


def test_the_service_refuses_a_too_long_note_withdrawal_or_reveal_reason(open_case, hr):
    case = open_case(account_number="000123456789")
    with pytest.raises(ServiceValidationError, match=str(NOTE_MAX_LENGTH)):
        services.answer_item(hr, case, "RF-2023-01", "observed", "x" * (NOTE_MAX_LENGTH + 1))
    reason_max = max_length(SensitiveReveal, "reason")
    with pytest.raises(ServiceValidationError, match=str(reason_max)):
        services.reveal_sensitive(hr, case, "account_number", "x" * (reason_max + 1))
    assert not SensitiveReveal.objects.exists()


def test_a_withdrawal_reason_over_the_limit_is_refused_not_cut(open_case, hr):
    case = open_case()
    notes = SimpleUploadedFile("notes.txt", b"Interview notes\n", content_type="text/plain")
    evidence = services.upload_evidence(hr, case, notes, "notes")
    too_long = "x" * (Evidence.WITHDRAWN_REASON_MAX_LENGTH + 1)
    with pytest.raises(ServiceValidationError):
        services.withdraw_evidence(hr, evidence, too_long)
    evidence.refresh_from_db()
    assert not evidence.is_withdrawn


@pytest.mark.parametrize(
    "facts",
    [
        {"aliases": None},
        {"aliases": "Doe, Jane"},
        {"aliases": [{"name": "x"}]},
        {"phones": [{"value": 5550100123}]},
        {"phones": "+1 555 0100"},
        {"profiles": [5]},
        {"history": ["Acme"]},
        {"history": [{"organisation": "Acme", "start_year": "soon"}]},
    ],
)
def test_odd_shapes_sent_to_the_service_directly_get_messages_never_a_crash(open_case, facts):
    try:
        open_case(**facts)
    except ServiceValidationError as exc:
        assert set(exc.errors) == set(facts)
