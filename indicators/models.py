from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    RED_FLAG = "red_flag", _("Red flag")
    DUE_DILIGENCE = "due_diligence", _("Due diligence")


class Category(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    INTERVIEW = "interview", _("Interview")
    LOCATION_LOGISTICS = "location_logistics", _("Location & logistics")
    PAYMENT = "payment", _("Payment")
    CONDUCT = "conduct", _("Conduct")
    DOCUMENTS = "documents", _("Documents")
    ACCESS_DEVICES = "access_devices", _("Access & devices")
    SOURCING = "sourcing", _("Sourcing")


class Audience(models.TextChoices):
    HIRING_COMPANY = "hiring_company", _("Hiring company")
    STAFFING_FIRM = "staffing_firm", _("Staffing firm")
    FREELANCE_PLATFORM = "freelance_platform", _("Freelance platform")
    PAYMENT_PLATFORM = "payment_platform", _("Payment platform")


class VersionKind(models.TextChoices):
    BASE = "base", _("Base advisory")
    SUPPLEMENT = "supplement", _("Supplement")


class Section(models.TextChoices):
    """Where an item sits on the checklist. Post-hire checks concern people already employed."""

    RED_FLAGS = "red_flags", _("Red flags")
    DUE_DILIGENCE = "due_diligence", _("Due diligence")
    POST_HIRE = "post_hire", _("Post-hire checks")


class ImmutableError(Exception):
    """Raised when code tries to change a published catalogue."""


class CatalogVersion(models.Model):
    """One published version of the indicator catalogue (one advisory). Immutable once loaded."""

    code = models.CharField(max_length=32, unique=True, help_text=_("e.g. 2023-10"))
    title = models.CharField(max_length=300)
    published_on = models.DateField(help_text=_("Date the advisory was issued."))
    source = models.JSONField(
        help_text=_("Advisory, agencies, date, URL and where the text was read.")
    )
    kind = models.CharField(
        max_length=20,
        choices=VersionKind.choices,
        default=VersionKind.BASE,
        help_text=_(
            "A base version is an advisory a case is built on; a supplement adds items to it."
        ),
    )
    file_name = models.CharField(max_length=200)
    content_sha256 = models.CharField(max_length=64, help_text=_("Hash of the loaded data file."))
    loaded_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(
        default=True,
        help_text=_("Inactive versions are kept for old cases but not offered to new ones."),
    )
    default_for_new_cases = models.BooleanField(
        default=False,
        help_text=_("New cases pin this version unless whoever opens the case chooses otherwise."),
    )

    # Who activated, deactivated or made it a default, and when (the content never changes).
    history = HistoricalRecords()

    IMMUTABLE_FIELDS = (
        "code",
        "title",
        "published_on",
        "source",
        "kind",
        "file_name",
        "content_sha256",
    )

    class Meta:
        ordering = ["-published_on", "-code"]

    def __str__(self):
        return f"{self.code} — {self.title}"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = CatalogVersion.objects.filter(pk=self.pk).values(*self.IMMUTABLE_FIELDS)[0]
            current = {field: getattr(self, field) for field in self.IMMUTABLE_FIELDS}
            if stored != current:
                raise ImmutableError(
                    f"Catalogue version {stored['code']} is published and cannot be changed; "
                    "publish a new version instead."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"Catalogue version {self.code} is published and cannot be deleted.")


class CatalogItem(models.Model):
    version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(max_length=32)
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    section = models.CharField(
        max_length=20,
        choices=Section.choices,
        blank=True,
        help_text=_("Checklist section; empty means the section of the item's kind."),
    )
    category = models.CharField(max_length=30, choices=Category.choices)
    audience = models.JSONField(default=list)
    title = models.CharField(max_length=200)
    title_ko = models.CharField(max_length=200)
    source_text = models.TextField(help_text=_("The advisory's exact wording."))
    source_section = models.CharField(max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField()
    critical = models.BooleanField(default=False)
    evidence_expectation = models.TextField(blank=True)
    citations = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Sources: issuer, title, date, URL and an optional one-sentence quotation."),
    )
    see_also = models.JSONField(
        default=list, blank=True, help_text=_("Codes of overlapping items in other versions.")
    )
    supersedes = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Codes of earlier items whose answers carry over to this item on upgrade."),
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_item_code_per_version")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_red_flag(self) -> bool:
        return self.kind == Kind.RED_FLAG

    @property
    def checklist_section(self) -> str:
        if self.section:
            return self.section
        return Section.RED_FLAGS if self.is_red_flag else Section.DUE_DILIGENCE

    def localized_title(self, language_code: str | None) -> str:
        return self.title_ko if (language_code or "").startswith("ko") else self.title

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutableError(
                f"Catalogue item {self.code} is published and cannot be changed; "
                "publish a new catalogue version instead."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"Catalogue item {self.code} is published and cannot be deleted.")


class UploadStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


class CatalogUpload(models.Model):
    """A catalogue file compliance uploaded on the web or through the API: a draft to check
    (every problem found, the changes against the previous version) until it is published
    through the loader of `manage.py load_catalogs` or discarded. Its content never changes."""

    MAX_BYTES = 2 * 1024 * 1024
    EXTENSION = ".json"

    file_name = models.CharField(max_length=200)
    content = models.TextField(help_text=_("The JSON text as uploaded."))
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    version_code = models.CharField(
        max_length=100, blank=True, help_text=_("The version the file declares, if any.")
    )
    title = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, blank=True)
    errors = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Problems found when it was last checked: where (item, code, field) and what."),
    )
    status = models.CharField(
        max_length=20, choices=UploadStatus.choices, default=UploadStatus.DRAFT
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    discard_reason = models.CharField(max_length=300, blank=True)
    published_version = models.ForeignKey(
        CatalogVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uploads",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == UploadStatus.DRAFT
