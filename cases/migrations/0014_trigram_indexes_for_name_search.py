"""Trigram indexes for the name search's substring fallback (PostgreSQL only).

Every other identifier the case list searches is an equality or prefix lookup on an indexed
column. A part of a legal name or alias (`icontains`, which Django writes on PostgreSQL as
`UPPER(column::text) LIKE UPPER('%…%')`) can only use a `pg_trgm` GIN index on that same
expression. Creating the extension needs the CREATE privilege on the database (pg_trgm is a
trusted extension since PostgreSQL 13); without it the indexes are skipped with a warning and
search still works, by a scan. SQLite (embedded mode) has no such index: nothing to do.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

INDEXES = {
    "cases_candidate_legal_name_trgm": 'UPPER("legal_name"::text) gin_trgm_ops',
    "cases_candidate_aliases_trgm": 'UPPER("aliases"::text) gin_trgm_ops',
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for name, expression in INDEXES.items():
                schema_editor.execute(
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON "cases_candidate" '
                    f"USING gin ({expression})"
                )
    except Exception as exc:  # noqa: BLE001 - a missing privilege must not stop the upgrade
        logger.warning("Trigram indexes for name search not created: %s", exc)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_candidate_and_answer_versions")]

    operations = [migrations.RunPython(create, drop)]
