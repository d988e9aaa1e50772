"""Records kept for as long as needed and no longer: retention periods per final state, legal
holds, purges (with their tombstones) and the field keys seen (README, "Records and retention")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import FINAL_STATUSES, Case, Status

FINAL_STATUS_CHOICES = [(s.value, s.label) for s in Status if s in FINAL_STATUSES]
REASON_MAX_LENGTH = 2000


class RetentionPolicy(models.Model):
    """How many months a case in one final state is kept after it reached that state.

    A final state without a row keeps its default (settings.VETTING_RETENTION_MONTHS)."""

    MAX_MONTHS = 1200  # a hundred years

    status = models.CharField(
        _("final state"), max_length=20, choices=FINAL_STATUS_CHOICES, unique=True
    )
    months = models.PositiveIntegerField(_("months kept"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "retention policies"

    def __str__(self):
        return f"{self.status}: {self.months} months"


class LegalHold(models.Model):
    """A case kept beyond its retention period, whatever the policy, until the hold is lifted.

    A hold set "with linked cases" puts a hold of its own (`origin` = the first one) on every
    case linked to the case; lifting the first lifts those with it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)
    origin = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="cascaded"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-set_at", "-id"]
        indexes = [
            models.Index(
                fields=["case"], condition=models.Q(lifted_at__isnull=True), name="active_holds"
            )
        ]

    def __str__(self):
        return f"hold on case {self.case_id}" + (" (lifted)" if self.lifted_at else "")

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class PurgeState(models.TextChoices):
    DUE = "due", _("Due")
    # The database part is done and committed; stored files are still being deleted.
    DELETING_FILES = "files", _("Deleting files")
    DONE = "done", _("Purged")


class PurgeRun(models.Model):
    """One case's way from "past retention" to "purged": a small state machine that a crash at
    any point leaves resumable (retention/services.py, purge_case)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="purge_run")
    state = models.CharField(
        max_length=10, choices=PurgeState.choices, default=PurgeState.DUE, db_index=True
    )
    due_since = models.DateTimeField(_("due since"))
    purge_after = models.DateTimeField(_("purged automatically after"), db_index=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    # Stored files still to delete once the database part has committed.
    pending_files = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["purge_after", "id"]

    def __str__(self):
        return f"purge of case {self.case_id}: {self.state}"


class Tombstone(models.Model):
    """What is left of a purged case: no personal data, enough to prove what was there."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="tombstone")
    reference = models.CharField(max_length=32, unique=True)
    final_status = models.CharField(_("final state"), max_length=20)
    decision = models.CharField(_("decision"), max_length=10, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=10, blank=True)
    risk_score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    opened_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField()
    purged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    # [{"name", "sha256", "size"}] of every evidence file and generated report deleted.
    evidence = models.JSONField(default=list)
    reports = models.JSONField(default=list)
    # How many rows of each kind were deleted or blanked, and audit events redacted.
    counts = models.JSONField(default=dict)

    def __str__(self):
        return f"tombstone of {self.reference}"


class FieldKeySighting(models.Model):
    """When vetting first saw a field encryption key (by fingerprint, never the key itself)."""

    fingerprint = models.CharField(max_length=16, unique=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.fingerprint
