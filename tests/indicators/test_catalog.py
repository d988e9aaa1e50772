import hashlib
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from indicators.models import CatalogItem, CatalogVersion, ImmutableError
from indicators.services import CATALOG_DIR, CatalogError, load_catalog_file, load_catalogs

SOURCE = CATALOG_DIR / "sources" / "2023-10-us-rok-additional-guidance.txt"
SHARED_SOURCE = (
    Path(__file__).resolve().parents[3] / "shared/advisories/2023-10-us-rok-additional-guidance.txt"
)


def advisory_bullets(text: str) -> list[str]:
    return [line.strip()[1:].strip() for line in text.splitlines() if line.strip().startswith("•")]


# SHA-256 of the advisory text as published in shared/advisories (read 2026-11-28), so the
# bundled copy is checked in every checkout, with or without shared/ beside it.
PUBLISHED_ADVISORY_SHA256 = "dc3d4edd7b4ef6ebaea26096bd6b430ac4bb63f1d19fb13ee765caaad8ffe287"


def test_bundled_source_text_is_the_published_advisory():
    assert hashlib.sha256(SOURCE.read_bytes()).hexdigest() == PUBLISHED_ADVISORY_SHA256
    if SHARED_SOURCE.exists():  # and still the text shared/ holds today
        assert SOURCE.read_bytes() == SHARED_SOURCE.read_bytes()


@pytest.mark.django_db
def test_every_2023_bullet_is_in_the_catalogue_verbatim():
    load_catalogs()
    bullets = advisory_bullets(SOURCE.read_text(encoding="utf-8"))
    assert len(bullets) == 26
    items = CatalogItem.objects.filter(version__code="2023-10")
    assert sorted(items.values_list("source_text", flat=True)) == sorted(bullets)
    assert items.filter(kind="red_flag").count() == 10
    assert items.filter(kind="due_diligence").count() == 16


@pytest.mark.django_db
def test_items_carry_everything_a_reviewer_needs():
    load_catalogs()
    for item in CatalogItem.objects.all():
        assert re.fullmatch(r"(RF|DD)-20\d\d-\d\d|SUP25-(RF|DD|PH)-\d\d", item.code), item.code
        assert item.title and item.title_ko and item.evidence_expectation
        assert re.search("[가-힣]", item.title_ko), item.code
        assert item.audience
        assert 1 <= item.weight <= 100
    for version in CatalogVersion.objects.all():
        assert version.source["url"].startswith("https://")
        assert version.source["retrieved_from"]


@pytest.mark.django_db
def test_2022_original_guidance_is_its_own_version():
    load_catalogs()
    version = CatalogVersion.objects.get(code="2022-05")
    assert version.published_on.isoformat() == "2022-05-16"
    assert version.items.filter(kind="red_flag").exists()
    assert version.items.filter(kind="due_diligence").exists()


@pytest.mark.django_db
def test_loading_twice_changes_nothing(capsys):
    call_command("load_catalogs")
    before = list(CatalogItem.objects.values())
    versions = list(CatalogVersion.objects.values())
    call_command("load_catalogs")
    assert list(CatalogItem.objects.values()) == before
    assert list(CatalogVersion.objects.values()) == versions
    assert "unchanged" in capsys.readouterr().out


@pytest.mark.django_db
def test_changing_a_published_version_is_refused(tmp_path):
    load_catalogs()
    data = json.loads((CATALOG_DIR / "us-rok-2023-10.json").read_text(encoding="utf-8"))
    data["items"][0]["weight"] += 1
    changed = tmp_path / "us-rok-2023-10.json"
    changed.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CatalogError, match="publish|new 'version'"):
        load_catalog_file(changed)
    with pytest.raises(CommandError, match="immutable"):
        call_command("load_catalogs", str(changed))
    assert CatalogItem.objects.get(version__code="2023-10", position=1).weight == (
        data["items"][0]["weight"] - 1
    )


@pytest.mark.django_db
def test_invalid_file_gets_a_clear_error(tmp_path):
    versions = list(CatalogVersion.objects.values_list("code", flat=True))
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": "x", "title": "t", "published_on": "2024-01-01", "source": {}}')
    with pytest.raises(CommandError, match="source is missing"):
        call_command("load_catalogs", str(bad))
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("load_catalogs", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_catalogs", str(tmp_path / "missing.json"))
    assert list(CatalogVersion.objects.values_list("code", flat=True)) == versions


@pytest.mark.django_db
def test_published_rows_cannot_be_edited_or_deleted():
    load_catalogs()
    item = CatalogItem.objects.first()
    item.weight = 99
    with pytest.raises(ImmutableError):
        item.save()
    with pytest.raises(ImmutableError):
        item.delete()
    version = CatalogVersion.objects.first()
    version.title = "changed"
    with pytest.raises(ImmutableError):
        version.save()
