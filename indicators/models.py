from django.db import models
from django.utils.translation import gettext_lazy as _


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
    file_name = models.CharField(max_length=200)
    content_sha256 = models.CharField(max_length=64, help_text=_("Hash of the loaded data file."))
    loaded_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(
        default=True,
        help_text=_("Inactive versions are kept for old cases but not offered to new ones."),
    )

    IMMUTABLE_FIELDS = ("code", "title", "published_on", "source", "file_name", "content_sha256")

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
    category = models.CharField(max_length=30, choices=Category.choices)
    audience = models.JSONField(default=list)
    title = models.CharField(max_length=200)
    title_ko = models.CharField(max_length=200)
    source_text = models.TextField(help_text=_("The advisory's exact wording."))
    source_section = models.CharField(max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField()
    critical = models.BooleanField(default=False)
    evidence_expectation = models.TextField(blank=True)

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
