"""Evidence names stored before common.files lose their hidden characters (bidirectional
overrides, zero-width and other format characters, controls, blank letters), so no page shows
`cv<U+202E>fdp.exe` as "cvexe.pdf". Downloads clean names anyway; this cleans what pages show.
The historical records and the audit log keep what was recorded."""

from django.db import migrations


def strip_hidden_characters(apps, schema_editor):
    from common.files import is_hidden_character

    Evidence = apps.get_model("cases", "Evidence")
    for evidence in Evidence.objects.only("pk", "original_name").iterator():
        name = evidence.original_name
        cleaned = "".join(ch for ch in name if not is_hidden_character(ch)).strip(" .")
        if cleaned != name:
            Evidence.objects.filter(pk=evidence.pk).update(original_name=cleaned or "evidence")


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_case_screened_at")]

    operations = [migrations.RunPython(strip_hidden_characters, migrations.RunPython.noop)]
