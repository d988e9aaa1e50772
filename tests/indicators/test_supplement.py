"""The cited 2024–2025 supplement: what a compliance officer relies on when a case asks it."""

import datetime
import re
from urllib.parse import urlsplit

import pytest

from indicators.models import CatalogItem, CatalogVersion, Kind, Section, VersionKind
from indicators.services import CATALOG_DIR, load_catalogs

SUPPLEMENT = "vetting-supplement-2025"
SOURCES_FILE = CATALOG_DIR / "sources" / "vetting-supplement-2025-sources.md"

# Official issuers and named research only: a citation elsewhere is a reporter's account.
ALLOWED_HOSTS = (
    "ic3.gov",
    "fbi.gov",
    "justice.gov",
    "treasury.gov",
    "state.gov",
    "gov.uk",
    "mofa.go.jp",
    "npa.go.jp",
    "meti.go.jp",
    "mof.go.jp",
    "cloud.google.com",
    "mandiant.com",
    "microsoft.com",
    "okta.com",
    "knowbe4.com",
    "levelblue.com",
)

# Words that would make an item a signal about who someone is rather than what they do.
ORIGIN_WORDS = re.compile(
    r"korea|dprk|chin(a|ese)|russia|japan|asian|nationalit|ethnic|accent|native speaker|"
    r"language|foreign-sounding",
    re.IGNORECASE,
)
ORIGIN_WORDS_KO = re.compile("북한|조선|국적|민족|한국어|중국|러시아|외국인|억양")


@pytest.fixture
def supplement(db):
    load_catalogs()
    return CatalogVersion.objects.get(code=SUPPLEMENT)


def host_allowed(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == allowed or host.endswith("." + allowed) for allowed in ALLOWED_HOSTS)


def one_sentence(text: str) -> bool:
    return len(re.split(r"(?<=[.!?])\s+(?=[A-Z“\"(])", text.strip())) == 1


def test_the_sentence_check_tells_one_sentence_from_two():
    assert one_sentence("Reshipment of U.S. company laptops to workers overseas.")
    assert not one_sentence("Laptops were reshipped. Pay went to other accounts.")


def test_the_host_check_accepts_official_subdomains_only():
    assert host_allowed("https://home.treasury.gov/news/press-releases/jy2790")
    assert host_allowed("https://www.ic3.gov/PSA/2025/PSA250723-4")
    assert not host_allowed("https://treasury.gov.example.com/x")
    assert not host_allowed("https://technologyforyou.org/north-korean-it-workers")


@pytest.mark.django_db
def test_the_supplement_loads_as_a_supplement_with_enough_items(supplement):
    assert supplement.kind == VersionKind.SUPPLEMENT
    assert supplement.published_on == datetime.date(2025, 9, 30)
    assert supplement.items.count() >= 15
    assert supplement.source["retrieved_from"] == [
        "indicators/catalogs/sources/vetting-supplement-2025-sources.md"
    ]
    assert SOURCES_FILE.exists()


@pytest.mark.django_db
def test_every_section_has_items_of_the_right_kind(supplement):
    items = supplement.items.all()
    for section in Section.values:
        assert items.filter(section=section).exists(), section
    assert not items.filter(section=Section.RED_FLAGS).exclude(kind=Kind.RED_FLAG).exists()
    assert not items.filter(section=Section.DUE_DILIGENCE).exclude(kind=Kind.DUE_DILIGENCE).exists()


@pytest.mark.django_db
def test_every_item_cites_an_official_or_named_research_page(supplement):
    for item in supplement.items.all():
        assert item.citations, item.code
        for citation in item.citations:
            assert citation["url"].startswith("https://"), (item.code, citation["url"])
            assert host_allowed(citation["url"]), (item.code, citation["url"])
            datetime.date.fromisoformat(citation["date"])
            assert citation["issuer"].strip() and citation["title"].strip()


@pytest.mark.django_db
def test_quotations_are_one_short_sentence(supplement):
    quotes = [
        (item.code, citation["quote"])
        for item in supplement.items.all()
        for citation in item.citations
        if "quote" in citation
    ]
    assert quotes  # some wording matters enough to quote
    for code, quote in quotes:
        assert len(quote) <= 300, code
        assert one_sentence(quote), (code, quote)


@pytest.mark.django_db
def test_every_cited_source_is_recorded_in_the_sources_file(supplement):
    recorded = SOURCES_FILE.read_text(encoding="utf-8")
    for item in supplement.items.all():
        for citation in item.citations:
            assert citation["url"] in recorded, (item.code, citation["url"])


@pytest.mark.django_db
def test_every_quotation_is_listed_with_its_source_in_the_sources_file(supplement):
    recorded = SOURCES_FILE.read_text(encoding="utf-8")
    for item in supplement.items.all():
        for citation in item.citations:
            if "quote" in citation:
                listed = f"<{citation['url']}> ("
                assert listed in recorded, (item.code, citation["url"])
                after = recorded[recorded.index(listed) :]
                assert f"> {citation['quote']}" in after, (item.code, citation["quote"])


@pytest.mark.django_db
def test_see_also_names_existing_2022_and_2023_items(supplement):
    earlier = set(
        CatalogItem.objects.filter(version__code__in=["2022-05", "2023-10"]).values_list(
            "code", flat=True
        )
    )
    referenced = [code for item in supplement.items.all() for code in item.see_also]
    assert referenced
    assert set(referenced) <= earlier, set(referenced) - earlier


@pytest.mark.django_db
def test_no_item_flags_anyone_for_origin_name_or_language(supplement):
    for item in supplement.items.all():
        english = " ".join([item.title, item.source_text, item.evidence_expectation])
        assert not ORIGIN_WORDS.search(english), (item.code, ORIGIN_WORDS.search(english))
        assert not ORIGIN_WORDS_KO.search(item.title_ko), item.code


@pytest.mark.django_db
def test_critical_items_weigh_as_much_as_the_earlier_critical_items(supplement):
    earlier_critical = CatalogItem.objects.filter(
        version__code__in=["2022-05", "2023-10"], critical=True
    ).values_list("weight", flat=True)
    critical = supplement.items.filter(critical=True)
    assert critical.exists()
    assert all(item.weight >= min(earlier_critical) for item in critical)
    assert critical.count() <= supplement.items.count() // 5  # the exception, not the rule


@pytest.mark.django_db
def test_the_issue_topics_are_all_covered(supplement):
    text = " ".join(f"{item.title} {item.source_text}".lower() for item in supplement.items.all())
    for topic in [
        "face swap",
        "voice",
        "kvm",
        "remote-desktop",
        "laptop farm",
        "several remote jobs",
        "personal cloud",
        "release",
        "astrill",
        "crypto",
        "name different",
        "several accounts",
        "third party",
        "re-verify",
        "home address",
        "payroll",
        "person doing the work is the person hired",
    ]:
        assert topic in text, topic
