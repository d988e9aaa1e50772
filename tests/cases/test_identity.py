"""Identity resolution: the same phone, name and date of birth, or bank account written in
different ways links two cases; a name alone never does (issue 10, part 2)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases import crypto, selectors, services
from cases.models import Candidate, CandidateContact
from common import normalize
from tests.query_counts import assert_pinned_queries

from .helpers import bring_to

DOB = "1990-04-12"


def shared(case) -> dict[str, list[str]]:
    """What `case` shares, by the reference of each linked case."""
    return {
        link.case.reference: [what for what, _shown in link.matches]
        for link in selectors.linked_cases(case)
    }


# ---------------------------------------------------------------- phones


def test_a_national_number_links_to_the_same_number_written_internationally(open_case):
    one = open_case(claimed_country="US", phones=["646.555.0142"])
    two = open_case(claimed_country="CA", phones=["+1 (646) 555-0142"])

    assert shared(one) == {two.reference: ["phone"]}
    assert one.candidate.contacts.get().normalized == "+16465550142"


def test_national_numbers_are_read_in_the_claimed_country(open_case):
    korean = open_case(claimed_country="KR", phones=["010-1234-5678"])
    assert korean.candidate.contacts.get().normalized == "+821012345678"
    assert normalize.normalize_phone("010-1234-5678", "KR") == "+821012345678"
    assert normalize.normalize_phone("00 44 20 7946 0018", "US") == "+442079460018"


def test_a_country_code_is_a_region_as_well_as_a_country_name():
    assert normalize.phone_region("US") == normalize.phone_region("United States") == "US"
    assert normalize.phone_region("Korea") is None  # ambiguous: no region is guessed


def test_an_unparsable_phone_keeps_its_digits():
    assert normalize.normalize_phone("12345") == "12345"


def test_changing_the_claimed_country_rereads_the_stored_phones(open_case, hr):
    case = open_case(phones=["646.555.0142"])
    other = open_case(claimed_country="US", phones=["+1 646 555 0142"])
    assert shared(case) == {}

    services.update_candidate(hr, case, {"claimed_country": "US"})

    assert shared(case) == {other.reference: ["phone"]}


# ---------------------------------------------------------------- names and date of birth


def test_a_name_in_another_order_with_the_same_birth_date_links(open_case):
    one = open_case(legal_name="Kim Chol-su", date_of_birth=DOB)
    two = open_case(legal_name="Chol-su KIM", date_of_birth=DOB)

    assert shared(one) == {two.reference: ["name and date of birth"]}


@pytest.mark.parametrize(
    "first, second",
    [
        ("Lee Min-ho", "Yi Minho"),
        ("Lee Min-ho", "Rhee Min Ho"),
        ("Lee Min-ho", "Ri Min-ho"),
        ("Park Ji-sung", "Pak Jisung"),
        ("Park Ji-sung", "Bak Ji-sung"),
        ("Choi Eun-ji", "Choe Eunji"),
        ("Kim Yong-ho", "Gim Yong-ho"),
        ("Jung Hae-in", "Jeong Haein"),
        ("Jung Hae-in", "Chung Hae-in"),
    ],
)
def test_romanisation_variants_of_a_family_name_link_with_the_same_birth_date(
    open_case, first, second
):
    one = open_case(legal_name=first, date_of_birth=DOB)
    two = open_case(legal_name=second, date_of_birth=DOB)
    other_day = open_case(legal_name=second, date_of_birth="1991-04-12")
    no_birth_date = open_case(legal_name=second)

    assert list(shared(one)) == [two.reference]
    assert other_day.reference not in shared(one)
    assert no_birth_date.reference not in shared(one)
    assert shared(no_birth_date) == {}


def test_a_name_alone_never_links(open_case):
    one = open_case(legal_name="Kim Chol-su")
    open_case(legal_name="Kim Chol-su")

    assert shared(one) == {}


def test_hangul_links_to_its_romanisation(open_case):
    hangul = open_case(legal_name="김철수", date_of_birth=DOB)
    revised = open_case(legal_name="Gim Cheol-su", date_of_birth=DOB)
    # McCune-Reischauer style "Chol-su" differs from the Revised "Cheol-su" by one letter:
    # token_sort_ratio 95, over selectors.NAME_SIMILARITY_THRESHOLD (90).
    mccune = open_case(legal_name="Kim Chol-su", date_of_birth=DOB)
    other_person = open_case(legal_name="Kim Chol-min", date_of_birth=DOB)

    assert normalize.romanize_hangul("김철수") == "gimcheolsu"
    assert normalize.name_key("김철수") == normalize.name_key("Gim Cheol-su") == "cheolsu kim"
    links = shared(hangul)
    assert revised.reference in links and mccune.reference in links
    assert other_person.reference not in links


def test_the_similarity_threshold_is_what_the_comment_says():
    assert selectors.NAME_SIMILARITY_THRESHOLD == 90
    assert selectors.same_name("cheolsu kim", "cholsu kim")
    assert not selectors.same_name("lee minho", "lee minsu")


# ---------------------------------------------------------------- bank accounts


def test_account_numbers_with_spaces_or_dashes_link(open_case):
    one = open_case(account_number="123-456 7890")
    two = open_case(account_number="1234567890")

    assert shared(one) == {two.reference: ["bank account"]}
    assert one.candidate.account_number_index == crypto.account_number_index("12 345 67890")


def test_an_iban_links_by_its_compact_form_and_an_invalid_one_is_no_iban(open_case):
    one = open_case(account_number="DE89 3704 0044 0532 0130 00")
    two = open_case(account_number="de89370400440532013000")
    invalid = open_case(account_number="DE89 3704 0044 0532 0130 01")  # checksum fails

    assert normalize.normalize_account_number("DE89 3704 0044 0532 0130 00") == (
        "DE89370400440532013000"
    )
    assert normalize.normalize_account_number("DE89 3704 0044 0532 0130 01") == (
        "89370400440532013001"
    )
    assert shared(one) == {two.reference: ["bank account"]}
    assert shared(invalid) == {}


# ---------------------------------------------------------------- linking stays indexed


@pytest.mark.parametrize("others", [1, 6])
def test_linking_runs_as_many_queries_however_many_candidates_there_are(open_case, others):
    case = open_case(
        legal_name="Lee Min-ho",
        date_of_birth=DOB,
        phones=["+1 646 555 0142"],
        account_number="1234567890",
    )
    for n in range(others):
        open_case(legal_name="Yi Minho", date_of_birth=DOB, phones=["646 555 0142"])
        open_case(legal_name=f"Someone {n}", account_number="123-456-7890")
        open_case(legal_name=f"Unrelated {n}", phones=[f"+1 212 555 01{n:02d}"])

    with assert_pinned_queries("selector.linked_cases"):
        links = selectors.linked_cases(case)

    assert len(links) == 2 * others


# ---------------------------------------------------------------- pages where a decision is made


def test_the_review_page_lists_the_linked_cases(open_case, answered_case, hr, reviewer, client):
    case = answered_case(phones=["+1 646 555 0142"], claimed_country="US")
    other = open_case(claimed_country="US", phones=["646.555.0142"])
    bring_to(case, "in_review", hr=hr, reviewer=reviewer)
    client.force_login(reviewer)

    content = client.get(f"/cases/{case.reference}/review/").content.decode()

    assert other.reference in content
    assert "No other case shares" not in content


def test_the_overview_lists_the_linked_cases(open_case, hr, client):
    case = open_case(legal_name="Kim Chol-su", date_of_birth=DOB)
    other = open_case(legal_name="Chol-su Kim", date_of_birth=DOB)
    client.force_login(hr)

    content = client.get(f"/cases/{case.reference}/").content.decode()

    assert other.reference in content


# ---------------------------------------------------------------- migration


@pytest.mark.django_db(transaction=True)
def test_the_migration_recomputes_the_keys_of_existing_candidates():
    before, after = ("cases", "0005_field_labels"), ("cases", "0006_identity_keys")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    candidate = old.get_model("cases", "Candidate").objects.create(
        legal_name="Chol-su Kim",
        role_applied_for="Dev",
        claimed_country="United States",
        date_of_birth=datetime.date(1990, 4, 12),
        account_number="123-456 7890",
        account_number_index=crypto.blind_index("123-456 7890"),
    )
    old.get_model("cases", "CandidateContact").objects.create(
        candidate=candidate, kind="phone", value="646.555.0142", normalized="6465550142"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([after])
    executor.loader.build_graph()  # the later migrations too, so today's models can read rows
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = Candidate.objects.get()
    assert migrated.name_key == "cholsu kim"
    assert migrated.account_number == "123-456 7890"
    assert migrated.account_number_index == crypto.account_number_index("1234567890")
    assert CandidateContact.objects.get().normalized == "+16465550142"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
