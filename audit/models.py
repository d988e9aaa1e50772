from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One thing somebody did: append-only, the source of compliance audit exports.

    Field-level before/after values live in the django-simple-history tables; this log says who
    did what to which object, when, and with what result, in one place that exports stream from.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    case_reference = models.CharField(max_length=32, blank=True, db_index=True)
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    # The hash chain (audit/chain.py). An event is sealed just after its transaction commits;
    # until then these are empty.
    sequence = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)
    # Set when a purge replaced the summary and data; the hashes stay as they were sealed, and
    # an `audit.redacted` event later in the chain holds what was redacted and why.
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["at", "id"]),
            models.Index(
                fields=["id"], condition=models.Q(sequence__isnull=True), name="audit_unsealed"
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username or 'system'} {self.action}"

    @property
    def chain_content(self) -> dict:
        """What the event's hash covers (audit/chain.py)."""
        return {
            "sequence": self.sequence,
            "at": self.at,
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "case_reference": self.case_reference,
            "summary": self.summary,
            "data": self.data,
        }

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")
