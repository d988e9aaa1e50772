"""Translations of catalogue texts live beside the published files, outside their hashes."""

import json

import pytest

from indicators import translations
from indicators.models import CatalogItem, CatalogVersion
from indicators.services import catalog_files, load_catalogs


@pytest.mark.django_db
def test_every_bundled_item_has_a_korean_evidence_expectation_for_its_english_text():
    load_catalogs()
    for item in CatalogItem.objects.all():
        hint = translations.evidence_expectation(item, "ko")
        assert hint.lang == "ko", item.code
        assert any("가" <= ch <= "힣" for ch in hint.text), item.code


@pytest.mark.django_db
def test_each_translation_file_names_a_published_version_and_only_its_items():
    load_catalogs()
    files = translations.translation_files("ko")
    assert files
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        version = CatalogVersion.objects.get(code=data["version"])
        assert path.name == f"{version.code}.ko.json"
        published = dict(version.items.values_list("code", "evidence_expectation"))
        for code, entry in data["evidence_expectation"].items():
            assert published.get(code) == entry["en"], f"{path.name} {code} translates other text"


def test_translation_files_are_not_catalogues_and_leave_published_hashes_alone():
    assert all(path.parent.name == "catalogs" for path in catalog_files())
    assert not any(path.parent == translations.TRANSLATION_DIR for path in catalog_files())


@pytest.mark.django_db
def test_english_pages_and_changed_english_text_fall_back_to_the_english():
    load_catalogs()
    item = CatalogItem.objects.get(code="RF-2023-01")
    english = translations.evidence_expectation(item, "en")
    assert (english.text, english.lang) == (item.evidence_expectation, "en")
    item.evidence_expectation = "Something a later version says instead."
    changed = translations.evidence_expectation(item, "ko")
    assert (changed.text, changed.lang) == ("Something a later version says instead.", "en")
