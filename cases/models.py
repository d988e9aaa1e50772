import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from indicators.models import CatalogItem, CatalogVersion, Kind
from signals.findings import Severity

from .crypto import EncryptedTextField, mask
from .fields import BoundedTextField

# Limits every door applies (web forms, API serializers, services). Each is stated here once.
LIST_MAX_ITEMS = 50  # aliases, each contact list, profiles, history rows
NOTE_MAX_LENGTH = 5000  # checklist notes, sign-off and workflow notes
EARLIEST_YEAR = 1900  # of a date of birth or a history row


def max_length(model, name: str) -> int:
    """The most characters `model.name` takes (text fields without a limit have none)."""
    return model._meta.get_field(name).max_length


def country_field(verbose_name) -> CountryField:
    """An ISO 3166-1 alpha-2 country code, or blank. Pages show its name in the page's language."""
    return CountryField(
        verbose_name,
        blank=True,
        error_messages={
            "invalid_choice": _("%(value)s is not an ISO 3166-1 alpha-2 country code.")
        },
    )


def legacy_country_text(verbose_name) -> models.CharField:
    """Free text kept from before countries became codes, where it named no single country.
    Read only: nothing writes it after the migration (cases 0009)."""
    return models.CharField(verbose_name, max_length=100, blank=True, editable=False)


def validate_date_of_birth(value: datetime.date) -> None:
    if value > timezone.localdate() or value.year < EARLIEST_YEAR:
        raise ValidationError(_("Enter a real date of birth."), code="date_of_birth")


def latest_claimed_year() -> int:
    """History rows may name a planned end up to ten years ahead."""
    return timezone.localdate().year + 10


def validate_claimed_year(value: int) -> None:
    if not EARLIEST_YEAR <= value <= latest_claimed_year():
        raise ValidationError(
            _("Years must be between %(min)d and %(max)d."),
            code="year",
            params={"min": EARLIEST_YEAR, "max": latest_claimed_year()},
        )


def validate_aliases(value) -> None:
    if not isinstance(value, list) or not all(isinstance(alias, str) for alias in value):
        raise ValidationError(_("Give a list of names."), code="aliases")
    if len(value) > LIST_MAX_ITEMS:
        raise ValidationError(
            _("At most %(n)d entries."), code="list_max", params={"n": LIST_MAX_ITEMS}
        )
    for alias in value:
        if len(alias) > Candidate.ALIAS_MAX_LENGTH:
            raise ValidationError(
                _("%(v)s… is longer than %(n)d characters."),
                code="max_length",
                params={"v": alias[:30], "n": Candidate.ALIAS_MAX_LENGTH},
            )


class SourcingChannel(models.TextChoices):
    DIRECT = "direct", _("Direct application")
    STAFFING_FIRM = "staffing_firm", _("Staffing firm")
    OUTSOURCING_COMPANY = "outsourcing_company", _("Outsourcing company")
    FREELANCE_PLATFORM = "freelance_platform", _("Freelance platform")
    IT_COMPETITION = "it_competition", _("IT competition")


class Candidate(models.Model):
    """Who the applicant claims to be. Facts are claims to verify, not verified truths."""

    ALIAS_MAX_LENGTH = 200
    NUMBER_MAX_LENGTH = 64  # account and identity document numbers

    legal_name = models.CharField(_("legal name"), max_length=200)
    normalized_name = models.CharField(max_length=200, editable=False, db_index=True)
    # normalize.name_key of the legal name: cases are linked on it together with the date of
    # birth (both indexed).
    name_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    aliases = models.JSONField(
        _("aliases"), default=list, blank=True, validators=[validate_aliases]
    )
    date_of_birth = models.DateField(
        _("date of birth"),
        null=True,
        blank=True,
        db_index=True,
        validators=[validate_date_of_birth],
    )
    claimed_country = country_field(_("claimed country of residence"))
    claimed_city = models.CharField(_("claimed city"), max_length=100, blank=True)
    claimed_nationality = country_field(_("claimed nationality"))
    # What was typed before countries became codes, where it named no single country.
    claimed_country_text = legacy_country_text(_("claimed country of residence as entered"))
    claimed_nationality_text = legacy_country_text(_("claimed nationality as entered"))
    sourcing_channel = models.CharField(
        _("sourcing channel"),
        max_length=30,
        choices=SourcingChannel.choices,
        default=SourcingChannel.DIRECT,
    )
    sourcing_name = models.CharField(
        _("sourcing name"),
        max_length=200,
        blank=True,
        help_text=_("Name of the staffing firm, platform or competition."),
    )
    role_applied_for = models.CharField(_("role applied for"), max_length=200)
    shipping_address = BoundedTextField(
        _("equipment shipping address"),
        max_length=2000,
        blank=True,
        help_text=_("Where the candidate asks for laptops or other equipment to be sent."),
    )
    normalized_shipping_address = models.CharField(max_length=500, editable=False, db_index=True)
    shipping_country = country_field(_("equipment shipping country"))
    bank_name = models.CharField(_("bank name"), max_length=200, blank=True)
    bank_country = country_field(_("bank country"))
    routing_number = models.CharField(_("routing number"), max_length=34, blank=True)
    account_number = EncryptedTextField(
        _("account number"), max_length=NUMBER_MAX_LENGTH, blank=True
    )
    account_number_index = models.CharField(max_length=64, editable=False, db_index=True)
    identity_document_type = models.CharField(
        _("identity document type"), max_length=60, blank=True
    )
    identity_document_number = EncryptedTextField(
        _("identity document number"), max_length=NUMBER_MAX_LENGTH, blank=True
    )
    identity_document_index = models.CharField(max_length=64, editable=False, db_index=True)
    # Optimistic concurrency: 1 when created, one more on each save of the facts (contacts,
    # profiles and history rows included). A save that names an older version is refused
    # (services.update_candidate's expected_version; the API's ETag and If-Match).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self):
        return self.legal_name

    @property
    def masked_account_number(self) -> str:
        return mask(self.account_number)

    @property
    def masked_identity_document_number(self) -> str:
        return mask(self.identity_document_number, visible=3)


class ContactKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    # Addresses the candidate was seen connecting from (interviews, application portal, VPN
    # logs): the IC3 complaint form asks for them, and shared ones link applications.
    IP_ADDRESS = "ip", _("IP address")


class CandidateContact(models.Model):
    """An e-mail address, phone number or IP address: the candidate's own or a reference's."""

    class Owner(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate's own")
        REFERENCE = "reference", _("A reference's")

    # The longest value of each kind: an e-mail address (RFC 5321), a phone number as typed,
    # an IPv6 address with an IPv4 tail.
    VALUE_MAX_LENGTH = {ContactKind.EMAIL: 254, ContactKind.PHONE: 40, ContactKind.IP_ADDRESS: 45}
    LABEL_MAX_LENGTH = 100

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=max(VALUE_MAX_LENGTH.values()))
    normalized = models.CharField(max_length=254, editable=False, db_index=True)
    label = models.CharField(
        _("label"),
        max_length=LABEL_MAX_LENGTH,
        blank=True,
        help_text=_("A comment, for example “work” or “VoIP”."),
    )
    belongs_to = models.CharField(
        _("belongs to"), max_length=10, choices=Owner.choices, default=Owner.CANDIDATE
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self):
        return f"{self.kind}: {self.value}"

    def clean(self):
        limit = self.VALUE_MAX_LENGTH.get(self.kind)
        if limit and len(self.value) > limit:
            raise ValidationError(
                {
                    "value": ValidationError(
                        _("%(v)s… is longer than %(n)d characters."),
                        code="max_length",
                        params={"v": self.value[:30], "n": limit},
                    )
                }
            )

    @property
    def is_reference(self) -> bool:
        return self.belongs_to == self.Owner.REFERENCE


class ProfileKind(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn"
    GITHUB = "github", "GitHub"
    UPWORK = "upwork", "Upwork"
    FREELANCER = "freelancer", "Freelancer"
    FIVERR = "fiverr", "Fiverr"
    TELEGRAM = "telegram", "Telegram"
    SKYPE = "skype", "Skype"
    DISCORD = "discord", "Discord"
    WEBSITE = "website", _("Website")
    OTHER = "other", _("Other")


class OnlineProfile(models.Model):
    URL_OR_HANDLE_MAX = 500
    KIND_MAX = 20

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="profiles")
    kind = models.CharField(_("kind"), max_length=KIND_MAX, choices=ProfileKind.choices)
    url_or_handle = models.CharField(_("URL or handle"), max_length=URL_OR_HANDLE_MAX)
    # Normalising may prefix the kind ("telegram:alice"), so it can outgrow the input.
    normalized_handle = models.CharField(
        max_length=KIND_MAX + 1 + URL_OR_HANDLE_MAX, editable=False, db_index=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.url_or_handle}"


class HistoryEntry(models.Model):
    """Education or employment, as the candidate claims it."""

    class Kind(models.TextChoices):
        EDUCATION = "education", _("Education")
        EMPLOYMENT = "employment", _("Employment")

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="history_entries"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    organisation = models.CharField(_("institution or employer"), max_length=200)
    country = country_field(_("country"))
    country_text = legacy_country_text(_("country as entered"))
    start_year = models.PositiveSmallIntegerField(
        _("from year"), null=True, blank=True, validators=[validate_claimed_year]
    )
    end_year = models.PositiveSmallIntegerField(
        _("to year"), null=True, blank=True, validators=[validate_claimed_year]
    )
    detail = models.CharField(_("degree or job title"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "start_year", "id"]
        verbose_name_plural = "history entries"

    def __str__(self):
        return f"{self.organisation} ({self.start_year or '?'}–{self.end_year or '?'})"

    def clean(self):
        start, end = self.start_year, self.end_year
        if isinstance(start, int) and isinstance(end, int) and end < start:
            raise ValidationError(
                {"end_year": _("The end year is before the start year.")}, code="year_order"
            )


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ASSESSING = "assessing", _("Assessing")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CLOSED_CLEARED = "closed_cleared", _("Closed – cleared")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REFERRED = "referred", _("Referred")


FINAL_STATUSES = frozenset(
    {Status.CLOSED_CLEARED, Status.APPROVED, Status.REJECTED, Status.REFERRED}
)
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.ASSESSING})
# A case that ended so flags every case linked to it (signals check `links.flagged_case`; scoring
# policy 2026.2; only a reviewer may clear a case linked to one).
FLAGGED_STATUSES = frozenset({Status.REFERRED, Status.REJECTED})


class Decision(models.TextChoices):
    CLEARED = "cleared", _("Cleared")
    REJECTED = "rejected", _("Rejected")
    REFERRED = "referred", _("Referred to authorities")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CaseSequence(models.Model):
    """Next number for case references, per year; rows are locked while a reference is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Case(models.Model):
    reference = models.CharField(max_length=32, unique=True, editable=False)
    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="case")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases"
    )
    catalog_version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_cases",
    )
    # Indexed with the list's order (Meta.indexes), not alone.
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    risk_score = models.DecimalField(
        _("risk score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, blank=True, db_index=True
    )
    risk_snapshot = models.JSONField(null=True, blank=True, editable=False)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Optimistic concurrency of the catalogue pinning: one more at each upgrade
    # (services.upgrade_catalogues' expected_version; the API's ETag and If-Match).
    catalog_revision = models.PositiveIntegerField(
        _("catalogue revision"), default=1, editable=False
    )
    # When the review should be done: set at submission from the risk level (cases/deadlines.py).
    review_due_at = models.DateTimeField(_("review due"), null=True, blank=True, db_index=True)
    # When the automated checks last ran over the candidate's facts (None: never).
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["screened_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        # Each list is read in index order from a cursor (selectors.CASE_LIST_ORDER), so a page
        # costs the same at any depth and whatever the number of cases: the whole list, the
        # list of one status, of one owner (and "my open cases"), and the review queue oldest
        # submission first (the dashboard's "waiting longest" is its first rows).
        indexes = [
            models.Index(fields=["created_at", "id"], name="case_newest_idx"),
            models.Index(fields=["status", "created_at", "id"], name="case_status_newest_idx"),
            models.Index(fields=["owner", "created_at", "id"], name="case_owner_newest_idx"),
            models.Index(
                fields=["submitted_at", "id"],
                name="case_review_queue_idx",
                condition=models.Q(status__in=["submitted", "in_review"]),
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.candidate.legal_name}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class CaseCatalog(models.Model):
    """A catalogue version a case asks besides its base version (`Case.catalog_version`): a
    supplement, or another base version (such as May 2022) whose own items are asked too.
    Chosen when the case is opened; changed only by an upgrade."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extra_catalogs")
    version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(help_text=_("1 for the first after the base."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="one_pin_per_version")
        ]

    def __str__(self):
        return f"{self.case_id} + {self.version_id} ({self.position})"


class DeadlineReminder(models.Model):
    """A reminder sent about a review deadline: one per case, deadline and kind, so beat never
    sends the same one twice (a resubmitted case has a new deadline and may be reminded again)."""

    class Kind(models.TextChoices):
        NEAR = "near", _("Deadline near")
        OVERDUE = "overdue", _("Deadline passed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadline_reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "due_at"], name="one_deadline_reminder_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"


class CaseTally(models.Model):
    """How many cases have this status, risk level and reviewer: kept by database triggers on
    the cases table (cases/tallies.py), read by the dashboard instead of counting cases."""

    status = models.CharField(max_length=20)
    risk_level = models.CharField(max_length=10, blank=True)
    reviewer_key = models.IntegerField(default=0)  # the reviewer's id; 0: no reviewer
    cases = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status", "risk_level", "reviewer_key"], name="one_tally_per_key"
            )
        ]

    def __str__(self):
        return f"{self.status}/{self.risk_level or '-'}/{self.reviewer_key}: {self.cases}"


class AnswerValue(models.TextChoices):
    OBSERVED = "observed", _("Observed")
    NOT_OBSERVED = "not_observed", _("Not observed")
    UNKNOWN = "unknown", _("Unknown")
    COMPLETED = "completed", _("Completed")
    ADVERSE = "adverse", _("Completed – adverse finding")
    NOT_COMPLETED = "not_completed", _("Not completed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


VALUES_BY_KIND = {
    Kind.RED_FLAG: (AnswerValue.OBSERVED, AnswerValue.NOT_OBSERVED, AnswerValue.UNKNOWN),
    Kind.DUE_DILIGENCE: (
        AnswerValue.COMPLETED,
        AnswerValue.ADVERSE,
        AnswerValue.NOT_COMPLETED,
        AnswerValue.NOT_APPLICABLE,
    ),
}
VALUES_NEEDING_NOTE = frozenset(
    {AnswerValue.OBSERVED, AnswerValue.ADVERSE, AnswerValue.NOT_APPLICABLE}
)


class ChecklistAnswer(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("answer"), max_length=20, choices=AnswerValue.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency, as Candidate.version: one more on each change of the answer.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Set when an upgrade took the item off the case's catalogues. A retired answer is no
    # longer asked, counted for completeness or scored; an answered one stays visible as
    # "from an earlier version" unless it carried over to a successor item.
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    # The answer of an earlier item this one's value was carried over from at an upgrade.
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_into"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["item__position"]
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="one_answer_per_item")]

    def __str__(self):
        return f"{self.case_id}/{self.item.code}: {self.value or 'unanswered'}"

    @property
    def is_answered(self) -> bool:
        return bool(self.value)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


def evidence_upload_path(instance, filename):
    # The stored name never uses the uploaded name: it is random, the original is kept as data.
    return f"evidence/{instance.case.reference}/{instance.stored_name}"


class Evidence(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    answers = models.ManyToManyField(ChecklistAnswer, blank=True, related_name="evidence")
    file = models.FileField(upload_to=evidence_upload_path, max_length=300)
    stored_name = models.CharField(max_length=80, editable=False)
    WITHDRAWN_REASON_MAX_LENGTH = 2000

    original_name = models.CharField(_("file name"), max_length=255)
    description = models.CharField(_("description"), max_length=500, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(
        _("size (bytes)"),
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return f"{self.original_name} ({self.sha256[:12]})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def download_name(self) -> str:
        """The name the file is handed back under (on the web, the API and in packets): the
        original name cleaned again (rows stored before the rule too), ending with the
        extension of the stored type, e.g. `resume.pdf.js.txt`."""
        from .uploads import download_name

        return download_name(self.original_name, self.content_type)


class SignOffOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve (clear)")
    REJECT = "reject", _("Reject")
    REFER = "refer", _("Refer to authorities")
    RETURN = "return", _("Return for more work")


class SignOff(models.Model):
    """A reviewer's signed decision. Never edited: a later decision is a new sign-off."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="signoffs")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=SignOffOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    risk_score = models.DecimalField(_("risk score"), max_digits=7, decimal_places=2, null=True)
    risk_level = models.CharField(_("risk level"), max_length=10, blank=True)
    inputs_hash = models.CharField(_("hash of the scoring inputs"), max_length=64, blank=True)
    signed_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["signed_at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.outcome} by {self.reviewer_id}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Sign-offs are never changed; record a new one.")
        super().save(*args, **kwargs)


class SensitiveReveal(models.Model):
    """Each time somebody looked at an account or identity document number in clear."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=40)
    revealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revealed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300)

    def __str__(self):
        return f"{self.field} of case {self.case_id} by {self.revealed_by_id}"


# ---------------------------------------------------------------- findings (issue 10, part 4)


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


# The severities of `signals.findings.Severity`, by code, least severe first (labels from there).
FINDING_SEVERITIES = [(severity.code, severity.label) for severity in Severity]
# Dismissing one of these needs a reviewer who did not assess the case (four-eyes rule).
FOUR_EYES_SEVERITIES = frozenset(s.code for s in Severity if s >= Severity.HIGH)


class Finding(models.Model):
    """A stored result of an automated check on a case's candidate facts.

    Re-screening matches findings by `fingerprint` (the check id and the fact it is about), so a
    finding keeps its status and history while the fact stays; an open finding whose fact is
    gone is removed, a decided one is kept.
    """

    CHECK_MAX_LENGTH = 64
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="findings")
    check_code = models.CharField(_("check"), max_length=CHECK_MAX_LENGTH)
    subject = models.TextField(_("about"), blank=True)
    fingerprint = models.CharField(max_length=64, editable=False)
    severity = models.CharField(_("severity"), max_length=10, choices=FINDING_SEVERITIES)
    summary = models.CharField(_("summary"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    suggests_item_code = models.CharField(_("suggested item"), max_length=32, blank=True)
    suggests_value = models.CharField(_("suggested answer"), max_length=20, blank=True)
    source_title = models.CharField(_("source"), max_length=500)
    source_url = models.URLField(_("source address"), max_length=500)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=FindingStatus.choices,
        default=FindingStatus.OPEN,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "fingerprint"], name="finding_unique_per_case")
        ]

    def __str__(self):
        return f"{self.check_code} on case {self.case_id} ({self.status})"

    @property
    def needs_four_eyes(self) -> bool:
        return self.severity in FOUR_EYES_SEVERITIES

    @property
    def suggests(self) -> dict | None:
        if not self.suggests_item_code:
            return None
        return {"item_code": self.suggests_item_code, "value": self.suggests_value}


class CaseComment(models.Model):
    """A message in a case's discussion, written in Markdown (shown sanitised, cases.markdown).

    Everyone who may see the case may read and post. Only the author may edit it, within
    settings.VETTING_COMMENT_EDIT_MINUTES of posting; every earlier text stays in its history.
    Comments are never deleted.
    """

    BODY_MAX_LENGTH = 10_000

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    # The people the text mentions (`@username`) who may see the case; each was notified.
    mentioned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("mentioned")
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    # Optimistic concurrency, as Candidate.version (the API's ETag and If-Match).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Comment {self.pk} on case {self.case_id}"


class SavedView(models.Model):
    """A user's named view of the case list: its filters and sort, as a cleaned query string
    (only the list's known parameters; cases.selectors.clean_list_query)."""

    NAME_MAX_LENGTH = 80
    QUERY_MAX_LENGTH = 1000

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_case_views"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    query = models.CharField(_("filters"), max_length=QUERY_MAX_LENGTH, blank=True)
    is_default = models.BooleanField(_("open the list with this view"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_per_user"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="one_default_saved_view_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.user_id})"
