from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ReportKind(models.TextChoices):
    RISK_SUMMARY = "risk_summary", _("Risk summary (PDF)")
    REFERRAL_PACKET = "referral_packet", _("Referral packet (ZIP)")
    INTEGRITY_CHECK = "integrity_check", _("Integrity check (CSV)")


# Documents about one case; the others (integrity checks) cover the whole installation.
CASE_REPORT_KINDS = (ReportKind.RISK_SUMMARY, ReportKind.REFERRAL_PACKET)


class ReportLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    KOREAN = "ko", _("Korean")

    @classmethod
    def default_for(cls, language_code: str | None) -> str:
        """The language a report is written in when none is chosen: the requesting user's
        active language (`request.LANGUAGE_CODE`) if reports are written in it, else English."""
        code = (language_code or "").split("-")[0].lower()
        return code if code in cls.values else cls.ENGLISH


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


PENDING_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})


class ImmutableReportError(Exception):
    """Raised when code tries to change the file of a finished report."""


class ReportJob(models.Model):
    """A request for a generated document, and once done, the document itself.

    The file of a done job is never replaced: regenerating means a new job, so a hash someone
    recorded always matches the file they were given.
    """

    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="report_jobs", null=True, blank=True
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_jobs",
        null=True,
        blank=True,
        help_text=_("Empty for checks that vetting schedules itself."),
    )
    language = models.CharField(
        max_length=2, choices=ReportLanguage.choices, default=ReportLanguage.ENGLISH
    )
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done, 0–100."))
    error = models.TextField(blank=True, help_text=_("Why the last attempt failed."))
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text=_("Attempts started since the job was requested or last retried.")
    )
    file = models.FileField(upload_to="reports/", max_length=300, blank=True)
    file_name = models.CharField(max_length=200, blank=True, help_text=_("Name for downloads."))
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Last time the job was handed to the task queue.")
    )
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Last sign of life from the worker running the job.")
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(
        default=dict, blank=True, help_text=_("What the document found (integrity checks).")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["case", "-requested_at"])]

    def __str__(self):
        where = self.case.reference if self.case_id else "—"
        return f"#{self.pk} {self.get_kind_display()} {where} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def is_done(self) -> bool:
        return self.status == JobStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == JobStatus.FAILED

    def save(self, *args, **kwargs):
        if self.pk:
            stored = ReportJob.objects.filter(pk=self.pk).values("status", "file", "sha256").first()
            if (
                stored
                and stored["status"] == JobStatus.DONE
                and (stored["file"], stored["sha256"]) != (self.file.name or "", self.sha256)
            ):
                raise ImmutableReportError(
                    f"Report job #{self.pk} is done; its file cannot change. Request a new report."
                )
        super().save(*args, **kwargs)
