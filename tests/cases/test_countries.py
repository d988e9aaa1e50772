"""Countries are ISO 3166-1 alpha-2 codes at every door, named in the page's language, and the
migration that made them codes mapped the free text it could and kept the rest as typed."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from cases.models import Candidate, HistoryEntry
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

mapping = importlib.import_module("cases.migrations.0008_countries_map")
BEFORE = [("cases", "0007_countries_fields")]


@pytest.mark.parametrize(
    ("text", "mapped"),
    [
        ("United States", ("US", "")),
        ("USA", ("US", "")),
        ("Republic of Korea", ("KR", "")),
        ("대한민국", ("KR", "")),
        (" north korea ", ("KP", "")),
        ("Korea", ("", "Korea")),  # names two countries: kept as typed, never guessed
        ("Canadian", ("", "Canadian")),  # a demonym names no country here
        ("", ("", "")),
        ("   ", ("", "")),
    ],
)
def test_the_migration_maps_unambiguous_text_to_a_code_and_keeps_the_rest(text, mapped):
    assert mapping.map_country_text(text) == mapped


@pytest.mark.django_db(transaction=True)
def test_the_migration_maps_candidates_history_entries_and_their_historical_records():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    candidate = old.get_model("cases", "Candidate").objects.create(
        legal_name="Old",
        role_applied_for="Dev",
        claimed_country="United States",
        claimed_nationality="Korea",
    )
    old.get_model("cases", "HistoryEntry").objects.create(
        candidate=candidate, kind="employment", organisation="Acme", country="대한민국"
    )
    old.get_model("cases", "HistoryEntry").objects.create(
        candidate=candidate, kind="education", organisation="Uni", country="Congo"
    )
    old.get_model("cases", "HistoricalCandidate").objects.create(
        id=candidate.pk,
        legal_name="Old",
        role_applied_for="Dev",
        claimed_country="USA",
        claimed_nationality="",
        created_at=timezone.now(),
        updated_at=timezone.now(),
        history_date=timezone.now(),
        history_type="+",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = Candidate.objects.get()
    assert (migrated.claimed_country, migrated.claimed_country_text) == ("US", "")
    assert (migrated.claimed_nationality, migrated.claimed_nationality_text) == ("", "Korea")
    entries = {e.organisation: (e.country, e.country_text) for e in HistoryEntry.objects.all()}
    assert entries == {"Acme": ("KR", ""), "Uni": ("", "Congo")}
    historical = Candidate.history.get()
    assert (historical.claimed_country, historical.claimed_country_text) == ("US", "")


@pytest.mark.django_db(transaction=True)
def test_undoing_the_migration_gives_back_the_text_it_kept_and_the_codes_it_mapped(open_case):
    case = open_case(claimed_country="US")
    Candidate.objects.filter(pk=case.candidate_id).update(claimed_nationality_text="Korea")
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0006_identity_keys")])
    old = executor.loader.project_state([("cases", "0006_identity_keys")]).apps
    candidate = old.get_model("cases", "Candidate").objects.get()
    assert (candidate.claimed_country, candidate.claimed_nationality) == ("US", "Korea")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_api_takes_and_gives_alpha_2_codes(catalog, hr):
    api = token_client(hr)
    facts = {
        "legal_name": "Jane Doe",
        "role_applied_for": "Developer",
        "claimed_country": "us",
        "claimed_nationality": "KR",
        "bank_country": "DE",
        "shipping_country": "US",
        "history": [{"kind": "employment", "organisation": "Acme", "country": "SG"}],
    }
    created = api.post("/api/v1/cases/", facts, format="json")
    assert created.status_code == 201, created.json()
    candidate = api.get(f"/api/v1/cases/{created.json()['reference']}/candidate/").json()
    assert {name: candidate[name] for name in list(facts)[2:6]} == {
        "claimed_country": "US",
        "claimed_nationality": "KR",
        "bank_country": "DE",
        "shipping_country": "US",
    }
    assert candidate["history"][0]["country"] == "SG"
    assert candidate["claimed_country_text"] == ""


def test_the_api_refuses_an_unknown_code_with_a_400_naming_it(catalog, hr):
    api = token_client(hr)
    facts = {"legal_name": "Jane Doe", "role_applied_for": "Developer"}
    refused = api.post(
        "/api/v1/cases/",
        {**facts, "history": [{"kind": "employment", "organisation": "A", "country": "XX"}]},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["history"] == ["Row 1: XX is not an ISO 3166-1 alpha-2 country code."]


def test_the_korean_candidate_page_names_countries_in_korean(client, hr, open_case):
    case = open_case(
        claimed_country="US",
        history=[{"kind": "employment", "organisation": "Acme", "country": "KR"}],
    )
    client.force_login(hr)
    url = reverse("case_candidate", args=[case.reference])
    korean = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert '<option value="US" selected>미국</option>' in korean
    assert '<option value="KR" selected>대한민국</option>' in korean
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="US" selected>United States of America</option>' in english
    overview = client.get(reverse("case_detail", args=[case.reference]), HTTP_ACCEPT_LANGUAGE="ko")
    assert "<dd>미국</dd>" in overview.content.decode()


def test_text_kept_by_the_migration_is_shown_read_only_on_the_candidate_page(client, hr, open_case):
    case = open_case(history=[{"kind": "employment", "organisation": "Acme"}])
    Candidate.objects.filter(pk=case.candidate_id).update(claimed_nationality_text="Korea")
    HistoryEntry.objects.update(country_text="Congo")
    client.force_login(hr)
    page = client.get(reverse("case_candidate", args=[case.reference])).content.decode()
    assert "Countries as entered before they became codes" in page
    assert "<dd>Korea</dd>" in page and "<dd>Congo</dd>" in page
    assert 'name="claimed_nationality_text"' not in page
