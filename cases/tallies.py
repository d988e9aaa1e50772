"""How many cases have each status, risk level and reviewer, kept by the database itself.

The dashboard's counts (cases by status, the risk distribution, the review queue's tabs) read
these few rows (`CaseTally`) instead of counting every case, so they cost the same at a million
cases as at a thousand. Triggers on `cases_case` keep them: one more for a new case, one less
for a deleted one, one moved when a case's status, risk level or reviewer changes, whichever
code wrote the row (services, bulk writes, data migrations, the admin).

`ensure_triggers` installs the triggers when they are missing and then counts the cases once
into the tallies. Migration `cases.0016` calls it, and so does every `migrate` (post_migrate):
SQLite drops a table's triggers when a later migration rebuilds the table. Two transactions
that move the same tally (say, two cases opened at the same moment) take turns on its row.
"""

from django.db import connection as default_connection
from django.db import transaction

# The SQL is written out in full (no names put together), one list per database.
TRIGGERS = ("cases_case_tally_insert", "cases_case_tally_update", "cases_case_tally_delete")
TALLY = "cases_casetally"

SQLITE = [
    """
    CREATE TRIGGER IF NOT EXISTS cases_case_tally_insert AFTER INSERT ON cases_case
    BEGIN
        INSERT OR IGNORE INTO cases_casetally (status, risk_level, reviewer_key, cases)
        VALUES (NEW.status, NEW.risk_level, COALESCE(NEW.reviewer_id, 0), 0);
        UPDATE cases_casetally SET cases = cases + 1
        WHERE status = NEW.status AND risk_level = NEW.risk_level
        AND reviewer_key = COALESCE(NEW.reviewer_id, 0);
    END""",
    """
    CREATE TRIGGER IF NOT EXISTS cases_case_tally_update
    AFTER UPDATE OF status, risk_level, reviewer_id ON cases_case
    WHEN OLD.status IS NOT NEW.status OR OLD.risk_level IS NOT NEW.risk_level
        OR OLD.reviewer_id IS NOT NEW.reviewer_id
    BEGIN
        UPDATE cases_casetally SET cases = cases - 1
        WHERE status = OLD.status AND risk_level = OLD.risk_level
        AND reviewer_key = COALESCE(OLD.reviewer_id, 0);
        INSERT OR IGNORE INTO cases_casetally (status, risk_level, reviewer_key, cases)
        VALUES (NEW.status, NEW.risk_level, COALESCE(NEW.reviewer_id, 0), 0);
        UPDATE cases_casetally SET cases = cases + 1
        WHERE status = NEW.status AND risk_level = NEW.risk_level
        AND reviewer_key = COALESCE(NEW.reviewer_id, 0);
    END""",
    """
    CREATE TRIGGER IF NOT EXISTS cases_case_tally_delete AFTER DELETE ON cases_case
    BEGIN
        UPDATE cases_casetally SET cases = cases - 1
        WHERE status = OLD.status AND risk_level = OLD.risk_level
        AND reviewer_key = COALESCE(OLD.reviewer_id, 0);
    END""",
]

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION cases_case_tally() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE cases_casetally SET cases = cases - 1
            WHERE status = OLD.status AND risk_level = OLD.risk_level
            AND reviewer_key = COALESCE(OLD.reviewer_id, 0);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO cases_casetally (status, risk_level, reviewer_key, cases)
            VALUES (NEW.status, NEW.risk_level, COALESCE(NEW.reviewer_id, 0), 1)
            ON CONFLICT (status, risk_level, reviewer_key)
            DO UPDATE SET cases = cases_casetally.cases + 1;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS cases_case_tally_insert ON cases_case",
    """
    CREATE TRIGGER cases_case_tally_insert AFTER INSERT ON cases_case
    FOR EACH ROW EXECUTE FUNCTION cases_case_tally()""",
    "DROP TRIGGER IF EXISTS cases_case_tally_update ON cases_case",
    """
    CREATE TRIGGER cases_case_tally_update
    AFTER UPDATE OF status, risk_level, reviewer_id ON cases_case FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.risk_level IS DISTINCT FROM
        NEW.risk_level OR OLD.reviewer_id IS DISTINCT FROM NEW.reviewer_id)
    EXECUTE FUNCTION cases_case_tally()""",
    "DROP TRIGGER IF EXISTS cases_case_tally_delete ON cases_case",
    """
    CREATE TRIGGER cases_case_tally_delete AFTER DELETE ON cases_case
    FOR EACH ROW EXECUTE FUNCTION cases_case_tally()""",
]

RECOUNT = [
    "DELETE FROM cases_casetally",
    """
    INSERT INTO cases_casetally (status, risk_level, reviewer_key, cases)
    SELECT status, risk_level, COALESCE(reviewer_id, 0), COUNT(*) FROM cases_case
    GROUP BY status, risk_level, COALESCE(reviewer_id, 0)""",
]

DROP = {
    "sqlite": [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS],
    "postgresql": [
        *(f"DROP TRIGGER IF EXISTS {name} ON cases_case" for name in TRIGGERS),
        "DROP FUNCTION IF EXISTS cases_case_tally()",
    ],
}

INSTALLED = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cases_case'",
    "postgresql": "SELECT tgname FROM pg_trigger WHERE tgrelid = 'cases_case'::regclass",
}


def installed_triggers(connection=default_connection) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(INSTALLED[connection.vendor])
        return {name for (name,) in cursor.fetchall()} & set(TRIGGERS)


def ensure_triggers(connection=default_connection) -> bool:
    """Install the triggers if any is missing, and then count the cases into the tallies
    afresh (in one transaction, with the cases locked against writes meanwhile on
    PostgreSQL). Whether anything was installed."""
    if connection.vendor not in INSTALLED:
        raise NotImplementedError(f"No case tallies for {connection.vendor}.")
    if installed_triggers(connection) == set(TRIGGERS):
        return False
    statements = SQLITE if connection.vendor == "sqlite" else POSTGRESQL
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE cases_case IN SHARE ROW EXCLUSIVE MODE")
        for statement in [*statements, *RECOUNT]:
            cursor.execute(statement)
    return True


def drop_triggers(connection=default_connection) -> None:
    with connection.cursor() as cursor:
        for statement in DROP[connection.vendor]:
            cursor.execute(statement)
