"""Cases submitted before review deadlines existed get theirs, as if set at submission
(cases/deadlines.py): submission time plus the working days of their risk level."""

from django.db import migrations


def backfill(apps, schema_editor):
    from cases.deadlines import review_due

    Case = apps.get_model("cases", "Case")
    pending = Case.objects.filter(submitted_at__isnull=False, review_due_at__isnull=True)
    for case in pending.only("pk", "submitted_at", "risk_level").iterator(chunk_size=500):
        Case.objects.filter(pk=case.pk).update(
            review_due_at=review_due(case.submitted_at, case.risk_level)
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_review_deadlines")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
