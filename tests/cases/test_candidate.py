import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEvent
from cases import selectors, services
from cases.models import (
    Candidate,
    Case,
    ContactKind,
    OnlineProfile,
    ProfileKind,
    SensitiveReveal,
)
from common.errors import NotAllowed, ServiceValidationError
from common.normalize import normalize_profile

pytestmark = pytest.mark.django_db


def raw_column(candidate, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM cases_candidate WHERE id = %s", [candidate.pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_facts_and_related_rows_are_saved(open_case, hr):
    case = open_case(
        aliases=["J. Doe", "Jay"],
        emails=["jane@example.com"],
        phones=["+1 555 123 4567"],
        date_of_birth="1990-04-01",
        sourcing_channel="staffing_firm",
        sourcing_name="TalentBridge",
        profiles=[{"kind": "github", "url_or_handle": "https://github.com/janedoe"}],
        history=[
            {
                "kind": "education",
                "organisation": "Dalian University",
                "country": "CN",
                "start_year": 2008,
                "end_year": 2012,
            },
            {"kind": "employment", "organisation": "Acme", "country": "us", "start_year": "2015"},
        ],
    )
    candidate = case.candidate
    assert candidate.aliases == ["J. Doe", "Jay"]
    assert [c.value for c in candidate.contacts.all()] == ["jane@example.com", "+1 555 123 4567"]
    assert candidate.profiles.get().normalized_handle == "github:janedoe"
    assert [h.country.code for h in candidate.history_entries.all()] == ["CN", "US"]
    assert candidate.date_of_birth.isoformat() == "1990-04-01"


def test_bad_input_gets_field_messages_and_nothing_is_saved(catalog, hr):
    with pytest.raises(ServiceValidationError) as excinfo:
        services.open_case(
            hr,
            {
                "legal_name": "",
                "role_applied_for": "Dev",
                "emails": ["not-an-email"],
                "date_of_birth": "31/12/1990",
                "sourcing_channel": "carrier pigeon",
                "history": [
                    {"kind": "education", "organisation": "X", "start_year": 2015, "end_year": 2010}
                ],
            },
        )
    errors = excinfo.value.errors
    assert set(errors) == {"legal_name", "emails", "date_of_birth", "sourcing_channel", "history"}
    assert "not-an-email" in errors["emails"][0]
    assert "end year" in errors["history"][0]
    assert not Case.objects.exists() and not Candidate.objects.exists()


def test_update_keeps_what_was_not_sent(open_case, hr):
    case = open_case(emails=["a@example.com"], claimed_country="CA")
    with pytest.raises(ServiceValidationError):
        services.update_candidate(hr, case, {"legal_name": "", "claimed_city": "Toronto"})
    services.update_candidate(hr, case, {"claimed_city": "Toronto"})
    candidate = Candidate.objects.get(pk=case.candidate_id)
    assert candidate.claimed_city == "Toronto" and candidate.claimed_country == "CA"
    assert candidate.contacts.get().value == "a@example.com"


def test_numbers_are_encrypted_at_rest_and_masked(open_case):
    case = open_case(account_number="000123456789", identity_document_number="M12345678")
    candidate = Candidate.objects.get(pk=case.candidate_id)
    assert candidate.account_number == "000123456789"
    stored = raw_column(candidate, "account_number")
    assert "123456789" not in stored and stored.startswith("gAAAA")
    assert "M12345678" not in raw_column(candidate, "identity_document_number")
    assert candidate.masked_account_number.endswith("6789") and "1234" not in (
        candidate.masked_account_number
    )
    history_row = candidate.history.first()
    assert history_row.account_number == "000123456789"


def test_key_rotation_re_encrypts_under_the_new_key(open_case, settings):
    case = open_case(account_number="000123456789")
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_field_keys")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    candidate = Candidate.objects.get(pk=case.candidate_id)
    assert candidate.account_number == "000123456789"
    assert candidate.history.first().account_number == "000123456789"


def test_reveal_is_audited_and_limited_to_roles_that_need_it(open_case, hr, reviewer):
    case = open_case(account_number="000123456789")
    with pytest.raises(ServiceValidationError, match="why"):
        services.reveal_sensitive(hr, case, "account_number", "")
    assert services.reveal_sensitive(hr, case, "account_number", "Bank check") == "000123456789"
    reveal = SensitiveReveal.objects.get()
    assert reveal.revealed_by == hr and reveal.reason == "Bank check"
    assert AuditEvent.objects.filter(action="candidate.revealed").exists()
    with pytest.raises(NotAllowed):
        services.reveal_sensitive(reviewer, case, "account_number", "curious")


LINK_FIELDS = [
    ({"emails": ["J.Smith+jobs@gmail.com"]}, {"emails": ["jsmith@gmail.com"]}, "email"),
    ({"phones": ["+1 (555) 010-9999"]}, {"phones": ["001 555 010 9999"]}, "phone"),
    ({"ip_addresses": ["::ffff:175.45.176.12"]}, {"ip_addresses": ["175.45.176.12"]}, "ip"),
    ({"ip_addresses": ["2001:DB8:0:0::1"]}, {"ip_addresses": ["2001:db8::1"]}, "ip"),
    (
        {"shipping_address": "12 Cargo Way, Suite 4\nNewark, NJ"},
        {"shipping_address": "12 cargo way suite 4 newark nj"},
        "shipping address",
    ),
    ({"account_number": "1234-5678-90"}, {"account_number": "1234567890"}, "bank account"),
    (
        {"profiles": [{"kind": "github", "url_or_handle": "https://github.com/DevStar/"}]},
        {"profiles": [{"kind": "github", "url_or_handle": "@devstar"}]},
        "online profile",
    ),
    ({"date_of_birth": "1991-02-03"}, {"date_of_birth": "1991-02-03"}, "name and date of birth"),
]


@pytest.mark.parametrize(("first", "second", "what"), LINK_FIELDS)
def test_cases_sharing_an_identifier_are_linked(open_case, first, second, what):
    one = open_case(legal_name="Kim Min", **first)
    other_name = "Kim Min" if what == "name and date of birth" else "Someone Else"
    two = open_case(legal_name=other_name, **second)
    links = selectors.linked_cases(one)
    assert [link.case for link in links] == [two]
    assert [m[0] for m in links[0].matches] == [what]
    assert [link.case for link in selectors.linked_cases(two)] == [one]


def test_unrelated_cases_are_not_linked(open_case):
    one = open_case(emails=["a@example.com"], date_of_birth="1990-01-01")
    open_case(legal_name="Jane Doe", emails=["b@example.com"], date_of_birth="1991-01-01")
    assert selectors.linked_cases(one) == []


def test_linked_account_numbers_are_shown_masked(open_case):
    one = open_case(account_number="99887766")
    open_case(legal_name="Other", account_number="99887766")
    shown = selectors.linked_cases(one)[0].matches[0][1]
    assert "9988" not in shown and shown.endswith("7766")


def test_links_found_when_facts_are_saved_are_kept_in_the_audit_trail(open_case, hr):
    first = open_case(emails=["shared@example.com"])
    second = open_case(legal_name="Other")
    services.update_candidate(hr, second, {"emails": ["Shared@Example.com"]})
    event = AuditEvent.objects.filter(action="candidate.updated").latest("id")
    assert event.data["linked_cases"] == {first.reference: ["email"]}


@pytest.mark.parametrize("kind", ProfileKind.values)
def test_the_longest_accepted_profile_fits_its_normalised_column(kind):
    """SQLite ignores column lengths; PostgreSQL refuses the whole save (found by fuzzing)."""
    longest = "x" * OnlineProfile.URL_OR_HANDLE_MAX
    column = OnlineProfile._meta.get_field("normalized_handle").max_length
    for value in (longest, "@" + longest[1:], "https://example.org/" + longest[20:]):
        assert len(normalize_profile(kind, value)) <= column


def test_a_profile_of_the_longest_accepted_length_is_saved(open_case):
    handle = "x" * OnlineProfile.URL_OR_HANDLE_MAX
    case = open_case(profiles=[{"kind": "telegram", "url_or_handle": handle}])
    assert case.candidate.profiles.get().normalized_handle == "telegram:" + handle


def test_ip_addresses_are_checked_and_nothing_is_saved_when_one_is_wrong(open_case):
    with pytest.raises(ServiceValidationError) as refused:
        open_case(ip_addresses=["175.45.176.12", "300.1.1.1", "vpn exit node"])
    assert refused.value.errors["ip_addresses"] == [
        "300.1.1.1 is not an IPv4 or IPv6 address.",
        "vpn exit node is not an IPv4 or IPv6 address.",
    ]
    assert not Case.objects.exists()


def test_ip_addresses_are_kept_as_given_and_replaced_as_a_list(open_case, hr):
    case = open_case(
        ip_addresses=["175.45.176.12", " 2001:db8::1 ", "175.45.176.12"],
        phones=["+82 10 5555 0101"],
    )
    ips = case.candidate.contacts.filter(kind=ContactKind.IP_ADDRESS)
    assert [(c.value, c.normalized) for c in ips] == [
        ("175.45.176.12", "175.45.176.12"),
        ("2001:db8::1", "2001:db8::1"),
    ]
    services.update_candidate(hr, case, {"ip_addresses": ["175.45.176.13"]})
    assert [c.value for c in ips.all()] == ["175.45.176.13"]
    # Other contact lists are untouched when only the IP addresses are sent.
    assert [c.value for c in case.candidate.contacts.filter(kind=ContactKind.PHONE)] == [
        "+82 10 5555 0101"
    ]
    event = AuditEvent.objects.filter(action="candidate.updated").latest("id")
    assert "ip_addresses" in event.summary
