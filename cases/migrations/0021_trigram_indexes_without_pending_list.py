"""Name search's trigram indexes (migration 0014) are updated as rows are written.

By default a GIN index collects new entries in a "pending list" that every search must read in
full until VACUUM merges it: after a bulk import of 100,000 candidates, a name search read all
100,000 pending entries (7 ms of a 40 ms page). Candidates are written one case at a time, so
paying the index update on each write costs little, and search time no longer depends on when
autovacuum last ran. The pending entries already there are merged now.
"""

from django.db import migrations


INDEXES = ("cases_candidate_legal_name_trgm", "cases_candidate_aliases_trgm")


def without_pending_list(apps, schema_editor):
    _set_fastupdate(schema_editor, "off")


def with_pending_list(apps, schema_editor):
    _set_fastupdate(schema_editor, "on")


def _set_fastupdate(schema_editor, value: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:  # not created (no pg_trgm privilege): nothing to do
                continue
        schema_editor.execute(f'ALTER INDEX "{name}" SET (fastupdate = {value})')
        if value == "off":
            schema_editor.execute(f"SELECT gin_clean_pending_list('\"{name}\"'::regclass)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0020_several_catalogues_per_case_and_upgrades")]

    operations = [migrations.RunPython(without_pending_list, with_pending_list)]
