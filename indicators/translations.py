"""Translations of catalogue texts that the published files do not carry (today: the Korean
evidence expectation of each item).

A published catalogue file is immutable and its hash is recorded, so its translations live beside
it in `catalogs/translations/<version>.<language>.json`, outside that hash: a translation can be
corrected without publishing a new version. Each entry repeats the English it translates and is
used only while that English is the item's text; otherwise the English is shown.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

TRANSLATION_DIR = Path(settings.BASE_DIR) / "indicators" / "catalogs" / "translations"
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class LocalizedText:
    text: str
    lang: str  # the language the text is in, for the HTML lang attribute


def translation_files(language: str, directory: Path = TRANSLATION_DIR) -> list[Path]:
    return sorted(directory.glob(f"*.{language}.json"))


@functools.cache
def _evidence_expectations(language: str) -> dict[tuple[str, str], str]:
    """(item code, English text) → the text in `language`, from every translation file."""
    texts = {}
    for path in translation_files(language):
        entries = json.loads(path.read_text(encoding="utf-8"))["evidence_expectation"]
        for code, entry in entries.items():
            texts[(code, entry[SOURCE_LANGUAGE])] = entry[language]
    return texts


def evidence_expectation(item, language_code: str | None) -> LocalizedText:
    """The item's evidence expectation in the page's language, or in English if untranslated."""
    language = (language_code or SOURCE_LANGUAGE).split("-")[0]
    if language != SOURCE_LANGUAGE:
        text = _evidence_expectations(language).get((item.code, item.evidence_expectation))
        if text:
            return LocalizedText(text, language)
    return LocalizedText(item.evidence_expectation, SOURCE_LANGUAGE)
