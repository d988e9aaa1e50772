"""Seal the events recorded before the chain existed, in the order they happened, and, on
PostgreSQL, let the database itself refuse to change or delete an audit event.

The trigger allows two updates only: sealing an unsealed event (its chain fields, nothing else)
and a retention purge's redaction (summary, data and redacted_at of a sealed event, inside a
transaction that set `vetting.audit_redaction`, which audit.services.redact_events records in
the chain). TRUNCATE is not blocked, because test databases are emptied with it; the anchors
(audit.services.anchor_chain) show events cut off the end.
"""

from django.db import migrations

from audit.chain import GENESIS_HASH, event_hash

BATCH = 2000

GUARD = """
CREATE OR REPLACE FUNCTION vetting_audit_event_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit events cannot be deleted: the audit log is append-only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.sequence IS NULL AND NEW.sequence IS NOT NULL
       AND (NEW.at, NEW.actor_id, NEW.actor_username, NEW.action, NEW.object_type,
            NEW.object_id, NEW.case_reference, NEW.summary, NEW.data, NEW.redacted_at)
           IS NOT DISTINCT FROM
           (OLD.at, OLD.actor_id, OLD.actor_username, OLD.action, OLD.object_type,
            OLD.object_id, OLD.case_reference, OLD.summary, OLD.data, OLD.redacted_at) THEN
        RETURN NEW;
    END IF;
    IF current_setting('vetting.audit_redaction', true) = 'on'
       AND OLD.sequence IS NOT NULL AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
       AND (NEW.sequence, NEW.prev_hash, NEW.hash, NEW.at, NEW.actor_id, NEW.actor_username,
            NEW.action, NEW.object_type, NEW.object_id, NEW.case_reference)
           IS NOT DISTINCT FROM
           (OLD.sequence, OLD.prev_hash, OLD.hash, OLD.at, OLD.actor_id, OLD.actor_username,
            OLD.action, OLD.object_type, OLD.object_id, OLD.case_reference) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events cannot be changed: the audit log is append-only'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS vetting_audit_event_append_only ON audit_auditevent;
CREATE TRIGGER vetting_audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION vetting_audit_event_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS vetting_audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS vetting_audit_event_guard();
"""


def seal_existing(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    previous, sequence = GENESIS_HASH, 0
    while batch := list(AuditEvent.objects.filter(sequence__isnull=True).order_by("at", "id")[:BATCH]):
        for event in batch:
            sequence += 1
            event.sequence, event.prev_hash = sequence, previous
            content = {
                "sequence": sequence,
                "at": event.at,
                "actor_id": event.actor_id,
                "actor_username": event.actor_username,
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "case_reference": event.case_reference,
                "summary": event.summary,
                "data": event.data,
            }
            event.hash = previous = event_hash(previous, content)
        AuditEvent.objects.bulk_update(batch, ["sequence", "prev_hash", "hash"])


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_hash_chain")]

    operations = [
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
