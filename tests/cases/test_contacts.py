"""Contacts keep their comment: a label per contact, and whether it is the candidate's own or a
reference's, through the web form, the API and the services; links and reports tell them apart."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from cases import selectors, services
from cases.forms import contact_line, parse_contact_line
from cases.models import CandidateContact, Case, ContactKind
from reports.selectors import case_dossier
from tests.api.conftest import token_client
from tests.helpers import new_case_form

pytestmark = pytest.mark.django_db

REFERENCE = CandidateContact.Owner.REFERENCE
CANDIDATE = CandidateContact.Owner.CANDIDATE
COMMENTED = "+1 415-555-0199 (reference, VoIP)"


def rows(candidate, kind=ContactKind.PHONE):
    return [(c.value, c.label, c.belongs_to) for c in candidate.contacts.all() if c.kind == kind]


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


# ---------------------------------------------------------------- the web form


def test_a_commented_phone_survives_the_web_form_in_one_piece(hr_client, catalog):
    response = hr_client.post(
        reverse("case_new"), new_case_form(phones=f"{COMMENTED}\n+82 10 5555 0101 (work)")
    )
    assert response.status_code == 302
    assert rows(Case.objects.get().candidate) == [
        ("+1 415-555-0199", "VoIP", REFERENCE),
        ("+82 10 5555 0101", "work", CANDIDATE),
    ]


def test_commas_inside_a_line_are_not_separators(hr_client, catalog):
    response = hr_client.post(reverse("case_new"), new_case_form(aliases="Doe, Jane\nJ. Doe"))
    assert response.status_code == 302
    assert Case.objects.get().candidate.aliases == ["Doe, Jane", "J. Doe"]


def test_the_candidate_page_shows_contacts_as_typed_and_saving_again_changes_nothing(
    hr_client, open_case
):
    case = open_case(
        phones=[{"value": "+1 415-555-0199", "label": "VoIP", "belongs_to": "reference"}],
        emails=[{"value": "jane@example.com", "label": "personal"}],
    )
    page = hr_client.get(reverse("case_candidate", args=[case.reference]))
    form = page.context["form"]
    assert form.initial["phones"] == COMMENTED
    assert form.initial["emails"] == "jane@example.com (personal)"
    history_rows = CandidateContact.history.count()
    data = new_case_form(**{k: v for k, v in form.initial.items() if v is not None})
    data["legal_name"], data["role_applied_for"] = "Jane Doe", "Backend engineer"
    response = hr_client.post(reverse("case_candidate", args=[case.reference]), data)
    assert response.status_code == 302
    assert CandidateContact.history.count() == history_rows


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("+1 (415) 555-0199", ("+1 (415) 555-0199", "", CANDIDATE)),
        ("+1 (415) 555-0199 (Reference)", ("+1 (415) 555-0199", "", REFERENCE)),
        ("+1 415 555 0199 (VoIP, reference)", ("+1 415 555 0199", "VoIP", REFERENCE)),
        ("jane@example.com (home, old)", ("jane@example.com", "home, old", CANDIDATE)),
        ("  175.45.176.12   ", ("175.45.176.12", "", CANDIDATE)),
    ],
)
def test_a_contact_line_reads_a_trailing_comment_as_label_and_owner(line, expected):
    parsed = parse_contact_line(line)
    assert (parsed["value"], parsed["label"], parsed["belongs_to"]) == expected
    contact = CandidateContact(value=expected[0], label=expected[1], belongs_to=expected[2])
    assert parse_contact_line(contact_line(contact)) == parsed


def test_korean_users_mark_a_reference_in_korean():
    with translation.override("ko"):
        parsed = parse_contact_line("+1 415-555-0199 (추천인, VoIP)")
        contact = CandidateContact(value="+1 415-555-0199", label="VoIP", belongs_to=REFERENCE)
        assert contact_line(contact) == "+1 415-555-0199 (추천인, VoIP)"
    assert (parsed["label"], parsed["belongs_to"]) == ("VoIP", REFERENCE)


def test_a_too_long_label_on_the_web_is_an_error_on_the_field(hr_client, catalog):
    label = "x" * (CandidateContact.LABEL_MAX_LENGTH + 1)
    response = hr_client.post(reverse("case_new"), new_case_form(phones=f"+1 555 0100 ({label})"))
    assert response.status_code == 400
    assert "phones" in response.context["form"].errors
    assert not Case.objects.exists()


# ---------------------------------------------------------------- the API


def open_through_the_api(hr, **contacts):
    facts = {"legal_name": "Kim", "role_applied_for": "Dev", **contacts}
    return token_client(hr).post("/api/v1/cases/", facts, format="json")


def test_the_api_takes_strings_or_objects_and_returns_objects(hr, catalog):
    labelled = {"value": "+1 415-555-0199", "label": "reference, VoIP", "belongs_to": "reference"}
    response = open_through_the_api(hr, phones=[labelled, "+82 10 5555 0101"])
    assert response.status_code == 201
    assert response.json()["candidate"]["phones"] == [
        labelled,
        {"value": "+82 10 5555 0101", "label": "", "belongs_to": "candidate"},
    ]


def test_a_commented_phone_sent_as_a_string_stays_one_contact(hr, catalog):
    response = open_through_the_api(hr, phones=[COMMENTED])
    assert response.status_code == 201
    assert [p["value"] for p in response.json()["candidate"]["phones"]] == [COMMENTED]


def test_a_string_is_the_value_alone_without_the_comment_syntax(hr, catalog):
    response = open_through_the_api(hr, emails=["kim@example.com (reference, work)"])
    assert response.status_code == 400
    assert list(response.json()) == ["emails"]


def test_the_api_refuses_an_unknown_owner_with_a_field_error(hr, catalog):
    response = open_through_the_api(hr, phones=[{"value": "+1 555 0100", "belongs_to": "x"}])
    assert response.status_code == 400
    assert list(response.json()) == ["phones"]


# ---------------------------------------------------------------- services and history


def test_changing_a_label_or_owner_is_recorded_in_the_contact_history(open_case, hr):
    case = open_case(phones=["+1 555 0100"])
    services.update_candidate(
        hr, case, {"phones": [{"value": "+1 555 0100", "label": "VoIP", "belongs_to": "reference"}]}
    )
    assert rows(case.candidate) == [("+1 555 0100", "VoIP", REFERENCE)]
    history = CandidateContact.history.filter(candidate_id=case.candidate_id).order_by("history_id")
    assert [(h.history_type, h.label, h.belongs_to) for h in history] == [
        ("+", "", CANDIDATE),
        ("+", "VoIP", REFERENCE),
        ("-", "", CANDIDATE),
    ]
    assert {h.history_user for h in history} == {hr}


def test_clearing_a_contact_list_removes_its_rows(open_case, hr):
    case = open_case(emails=["a@example.com"], phones=["+1 555 0100"])
    services.update_candidate(hr, case, {"emails": [], "profiles": []})
    assert rows(case.candidate, ContactKind.EMAIL) == []
    assert rows(case.candidate) == [("+1 555 0100", "", CANDIDATE)]


# ---------------------------------------------------------------- links and reports


def test_a_reference_phone_shared_with_another_candidate_is_a_link_named_as_such(
    open_case, hr_client
):
    one = open_case(phones=[{"value": "+1 415-555-0199", "belongs_to": "reference"}])
    two = open_case(legal_name="Someone Else", phones=["001 415 555 0199"])
    for case, other in ((one, two), (two, one)):
        links = selectors.linked_cases(case)
        assert [link.case for link in links] == [other]
        assert [what for what, _shown in links[0].matches] == ["reference's phone"]
    page = hr_client.get(reverse("case_candidate", args=[two.reference]))
    assert "reference&#x27;s phone" in page.content.decode()


def test_own_phones_still_link_as_phones(open_case):
    one = open_case(phones=["+1 415-555-0199 "])
    open_case(legal_name="Someone Else", phones=[{"value": "+14155550199", "label": "mobile"}])
    assert [what for what, _shown in selectors.linked_cases(one)[0].matches] == ["phone"]


def test_a_reference_phone_is_not_listed_as_the_subjects_own_in_reports(open_case):
    case = open_case(
        phones=["+82 10 5555 0101", {"value": "+1 415-555-0199", "belongs_to": "reference"}],
        emails=[{"value": "ref@example.com", "belongs_to": "reference"}],
    )
    dossier = case_dossier(case)
    assert dossier.phones == ["+82 10 5555 0101"]
    assert dossier.emails == []


def test_signals_weigh_only_the_candidates_own_contacts(open_case):
    from cases.screening import facts_for_candidate

    case = open_case(
        phones=["+82 10 5555 0101", {"value": "+1 415-555-0199", "belongs_to": "reference"}]
    )
    assert facts_for_candidate(case.candidate).phones == ("+82 10 5555 0101",)


def test_the_admin_shows_each_contacts_label_and_owner_read_only(admin_client, open_case):
    case = open_case(
        phones=[{"value": "+1 415-555-0199", "label": "VoIP", "belongs_to": "reference"}]
    )
    page = admin_client.get(reverse("admin:cases_candidate_change", args=[case.candidate_id]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "VoIP" in content and "A reference&#x27;s" in content
    assert 'name="contacts-0-label"' not in content


# ---------------------------------------------------------------- migration


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_contacts_as_the_candidates_own():
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0003_reveal_permission")])
    old = executor.loader.project_state([("cases", "0003_reveal_permission")]).apps
    candidate = old.get_model("cases", "Candidate").objects.create(
        legal_name="Old", role_applied_for="Dev"
    )
    old.get_model("cases", "CandidateContact").objects.create(
        candidate=candidate, kind="phone", value="+1 555 0100", normalized="15550100"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    contact = CandidateContact.objects.get()
    assert (contact.value, contact.label, contact.belongs_to) == ("+1 555 0100", "", CANDIDATE)
