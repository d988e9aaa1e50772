from django.db import migrations, models
from django.db.models import Min


def mark_screened_cases(apps, schema_editor):
    """A case with findings was screened when its first one was stored; a case opened since the
    findings arrived (0010_findings) was screened when it was opened. Any other case was never
    screened: its next change of facts, or the next re-screening, screens it."""
    from django.db.migrations.recorder import MigrationRecorder

    Case = apps.get_model("cases", "Case")
    Finding = apps.get_model("cases", "Finding")
    first = dict(
        Finding.objects.values("case_id").annotate(at=Min("created_at")).values_list("case_id", "at")
    )
    applied = (
        MigrationRecorder(schema_editor.connection)
        .migration_qs.filter(app="cases", name="0010_findings")
        .values_list("applied", flat=True)
        .first()
    )
    for case in Case.objects.filter(screened_at__isnull=True).only("id", "created_at"):
        at = first.get(case.id)
        if at is None and applied is not None and case.created_at >= applied:
            at = case.created_at
        if at is not None:
            Case.objects.filter(pk=case.id).update(screened_at=at)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_findings"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="screened_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="screened at"
            ),
        ),
        migrations.RunPython(mark_screened_cases, migrations.RunPython.noop),
    ]
