"""Countries as codes, step 2 of 3: map the free text to ISO 3166-1 alpha-2 codes.

Text that names one country ("United States", "USA", "대한민국") becomes its code. Text that names
none or several ("Korea", "Congo", "Canadian") is moved, unchanged, to the `..._text` field the
candidate page shows read only, so nothing typed is lost. Historical records are mapped the same
way, so the history pages keep reading.

The mapping reuses `common.countries.resolve_country` rather than a frozen copy: that resolver
stays to read country text that is not a code (this legacy text, and shipping addresses), and
`tests/cases/test_countries.py` pins the table this migration relies on. Should the resolver ever
go or change its answers, freeze a copy of it here.
"""

from django.db import migrations

from common.countries import resolve_country

# (model, ((code field, legacy text field), ...)); the historical tables have the same fields.
FIELDS = (
    ("candidate", (("claimed_country", "claimed_country_text"),
                   ("claimed_nationality", "claimed_nationality_text"))),
    ("historicalcandidate", (("claimed_country", "claimed_country_text"),
                             ("claimed_nationality", "claimed_nationality_text"))),
    ("historyentry", (("country", "country_text"),)),
    ("historicalhistoryentry", (("country", "country_text"),)),
)


def map_country_text(text: str | None) -> tuple[str, str]:
    """(code, text kept): the code when the text names exactly one country, else the text."""
    text = (text or "").strip()
    if not text:
        return "", ""
    code = resolve_country(text)
    return (code, "") if code else ("", text)


def _rows(apps, model_name, pairs):
    model = apps.get_model("cases", model_name)
    names = [name for pair in pairs for name in pair]
    return model, model.objects.only(model._meta.pk.name, *names)


def to_codes(apps, schema_editor):
    for model_name, pairs in FIELDS:
        model, rows = _rows(apps, model_name, pairs)
        for row in rows.iterator():
            changes = {}
            for code_field, text_field in pairs:
                value = getattr(row, code_field)
                if value:
                    changes[code_field], changes[text_field] = map_country_text(value)
            if changes:
                model.objects.filter(pk=row.pk).update(**changes)


def to_text(apps, schema_editor):
    """Back to free text: the text kept where there is one, else the code (which reads back)."""
    for model_name, pairs in FIELDS:
        model, rows = _rows(apps, model_name, pairs)
        for row in rows.iterator():
            changes = {
                code_field: getattr(row, text_field)
                for code_field, text_field in pairs
                if getattr(row, text_field)
            }
            if changes:
                model.objects.filter(pk=row.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_countries_fields"),
    ]

    operations = [
        migrations.RunPython(to_codes, to_text),
    ]
