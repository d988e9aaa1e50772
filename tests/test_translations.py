"""The Korean translation is complete, and the compiled django.mo matches django.po.

After changing user-facing strings, run `make messages`: it regenerates django.po (new strings
come out untranslated, changed ones fuzzy), and once they are translated, compiles django.mo.
These tests fail until both steps are done. The .po parser below is deliberately small: it reads
what `makemessages` writes (msgctxt, msgid, msgid_plural, msgstr, msgstr[N], continuation lines
and `#,` flags) and skips the header and obsolete `#~` entries.
"""

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LC_MESSAGES = Path(__file__).resolve().parent.parent / "locale" / "ko" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index -> text; 0 if singular
    flags: set[str] = field(default_factory=set)

    @property
    def mo_key(self):
        """The key of this entry in GNUTranslations._catalog."""
        key = self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"
        return key if self.msgid_plural is None else (key, 0)


def unquote(literal: str) -> str:
    """Turn a quoted .po string into its text: strip the quotes, undo the C-style escapes."""
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), literal[1:-1])


def parse_po(text: str) -> list[Entry]:
    """All entries of a .po file, in order, with the header and obsolete entries left out."""
    entries = []
    parts: dict[str | int, str] = {}  # "msgctxt", "msgid", "msgid_plural"; msgstr[N] as N
    flags: set[str] = set()
    obsolete = False
    current: str | int = ""
    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if not line:  # a blank line ends an entry
            if parts.get("msgid") and not obsolete:
                msgstr = {k: v for k, v in parts.items() if isinstance(k, int)}
                entries.append(
                    Entry(
                        parts.get("msgctxt"),
                        parts["msgid"],
                        parts.get("msgid_plural"),
                        msgstr,
                        flags,
                    )
                )
            parts, flags, obsolete = {}, set(), False
        elif line.startswith("#~"):
            obsolete = True
        elif line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue  # translator, reference and previous-msgid (#|) comments
        elif line.startswith('"'):  # continues the keyword above
            parts[current] += unquote(line)
        else:
            keyword, index, literal = KEYWORD.match(line).groups()
            current = keyword if not keyword.startswith("msgstr") else int(index or 0)
            parts[current] = unquote(literal)
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO_FILE.read_text(encoding="utf-8"))


def test_parser_reads_contexts_plurals_escapes_and_flags():
    sample = "\n".join(
        [
            'msgid ""',
            'msgstr "Language: ko\\n"',
            "",
            "#: a.py:1",
            "#, fuzzy, python-format",
            'msgctxt "verb"',
            'msgid ""',
            '"Say \\"%(x)s\\" "',
            '"twice\\\\n"',
            'msgstr "두 번\\n"',
            "",
            'msgid "%(n)s file"',
            'msgid_plural "%(n)s files"',
            'msgstr[0] "파일 %(n)s개"',
            "",
            '#~ msgid "Old"',
            '#~ msgstr "옛것"',
        ]
    )
    first, second = parse_po(sample)
    assert first.msgctxt == "verb"
    assert first.msgid == 'Say "%(x)s" twice\\n'
    assert first.msgstr == {0: "두 번\n"}
    assert first.flags == {"fuzzy", "python-format"}
    assert first.mo_key == 'verb\x04Say "%(x)s" twice\\n'
    assert (second.msgid_plural, second.msgstr) == ("%(n)s files", {0: "파일 %(n)s개"})
    assert second.mo_key == ("%(n)s file", 0)


def test_po_has_entries(entries):
    assert len(entries) > 100, f"{PO_FILE} looks truncated: only {len(entries)} entries"


def test_no_fuzzy_entries(entries):
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, (
        f"{len(fuzzy)} fuzzy entries in {PO_FILE.name}: check the translation, then remove "
        f"the fuzzy flag and the #| lines: {fuzzy}"
    )


def test_no_untranslated_entries(entries):
    untranslated = [e.msgid for e in entries if not e.msgstr or not all(e.msgstr.values())]
    assert not untranslated, f"{len(untranslated)} untranslated entries: {untranslated}"


def test_mo_file_matches_po_file(entries):
    assert MO_FILE.exists(), f"{MO_FILE} is missing: run make messages"
    with MO_FILE.open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog  # the exact keys, unlike gettext()
    stale = [e.msgid for e in entries if catalog.get(e.mo_key) != e.msgstr.get(0)]
    assert not stale, (
        f"{MO_FILE.name} is out of date for {len(stale)} entries "
        f"(run make messages to recompile it): {stale}"
    )
