"""API representations of cases. Input serializers check shape and types only; the case
services own every business rule and report its problems as field messages."""

from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEvent
from indicators.models import Kind, Section, VersionKind

from . import permissions, selectors, services
from .markdown import render_markdown
from .models import (
    LIST_MAX_ITEMS,
    NOTE_MAX_LENGTH,
    VALUES_BY_KIND,
    VALUES_NEEDING_NOTE,
    AnswerValue,
    Candidate,
    CandidateContact,
    Case,
    CaseComment,
    ChecklistAnswer,
    ContactKind,
    Evidence,
    Finding,
    HistoryEntry,
    OnlineProfile,
    ProfileKind,
    RiskLevel,
    SensitiveReveal,
    SignOff,
    SourcingChannel,
    Status,
    max_length,
)

# ---------------------------------------------------------------- candidate


class ProfileSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ProfileKind.choices)
    url_or_handle = serializers.CharField(max_length=OnlineProfile.URL_OR_HANDLE_MAX)


class CountryCodeField(serializers.CharField):
    """An ISO 3166-1 alpha-2 code in and out ("US"); blank for none. The case services refuse
    an unknown code with "XX is not an ISO 3166-1 alpha-2 country code." (a 400)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 country code, e.g. US or KR.")
        super().__init__(**kwargs)

    def to_representation(self, value):
        return getattr(value, "code", value) or ""


class HistoryEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(HistoryEntry.Kind.choices)
    organisation = serializers.CharField(
        max_length=max_length(HistoryEntry, "organisation"), help_text="Institution or employer."
    )
    country = CountryCodeField()
    country_text = serializers.CharField(
        read_only=True, help_text="As entered before countries became codes, if it named none."
    )
    start_year = serializers.IntegerField(required=False, allow_null=True)
    end_year = serializers.IntegerField(required=False, allow_null=True)
    detail = serializers.CharField(
        max_length=max_length(HistoryEntry, "detail"),
        required=False,
        allow_blank=True,
        help_text="Degree or job title.",
    )


class ContactSerializer(serializers.Serializer):
    """A contact: its value, an optional label and whose it is. Input may also be the value
    alone, as a string."""

    value = serializers.CharField()
    label = serializers.CharField(
        max_length=CandidateContact.LABEL_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="A comment, e.g. “work” or “VoIP”.",
    )
    belongs_to = serializers.ChoiceField(
        CandidateContact.Owner.choices,
        required=False,
        default=CandidateContact.Owner.CANDIDATE,
        help_text="The candidate's own contact, or a reference's.",
    )

    def __init__(self, *args, kind: str = ContactKind.EMAIL, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"] = serializers.CharField(
            max_length=CandidateContact.VALUE_MAX_LENGTH[kind]
        )

    def to_internal_value(self, data):
        return super().to_internal_value({"value": data} if isinstance(data, str) else data)


def _contacts(kind: str, help_text: str = ""):
    return ContactSerializer(
        kind=kind, many=True, required=False, max_length=LIST_MAX_ITEMS, help_text=help_text
    )


def _text(name: str, help_text: str = "", **kwargs):
    return serializers.CharField(
        max_length=max_length(Candidate, name),
        required=False,
        allow_blank=True,
        help_text=help_text,
        **kwargs,
    )


class CandidateFactsSerializer(serializers.Serializer):
    """What the applicant claims. On update only the fields sent are changed; a list sent
    (emails, phones, ip_addresses, aliases, profiles, history) replaces the stored list."""

    legal_name = serializers.CharField(max_length=max_length(Candidate, "legal_name"))
    role_applied_for = serializers.CharField(max_length=max_length(Candidate, "role_applied_for"))
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=Candidate.ALIAS_MAX_LENGTH),
        required=False,
        max_length=LIST_MAX_ITEMS,
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    claimed_country = CountryCodeField(
        help_text="Claimed country of residence: ISO 3166-1 alpha-2 code, e.g. US."
    )
    claimed_city = _text("claimed_city")
    claimed_nationality = CountryCodeField(
        help_text="Claimed nationality: ISO 3166-1 alpha-2 code. A recorded fact, never a signal."
    )
    sourcing_channel = serializers.ChoiceField(SourcingChannel.choices, required=False)
    sourcing_name = _text("sourcing_name", "Name of the staffing firm, platform or competition.")
    shipping_address = _text(
        "shipping_address", "Where the candidate asks for laptops or other equipment to be sent."
    )
    shipping_country = CountryCodeField(
        help_text="Equipment shipping country: ISO 3166-1 alpha-2 code."
    )
    bank_name = _text("bank_name")
    bank_country = CountryCodeField(help_text="Bank country: ISO 3166-1 alpha-2 code.")
    routing_number = _text("routing_number")
    account_number = _text("account_number", "Stored encrypted; shown masked.", write_only=True)
    identity_document_type = _text("identity_document_type")
    identity_document_number = _text(
        "identity_document_number", "Stored encrypted; shown masked.", write_only=True
    )
    emails = _contacts(ContactKind.EMAIL)
    phones = _contacts(ContactKind.PHONE)
    ip_addresses = _contacts(
        ContactKind.IP_ADDRESS,
        "IPv4 or IPv6 addresses the candidate connected from (for the IC3 complaint).",
    )
    profiles = ProfileSerializer(many=True, required=False, max_length=LIST_MAX_ITEMS)
    history = HistoryEntrySerializer(many=True, required=False, max_length=LIST_MAX_ITEMS)


def _version_codes(help_text: str):
    return serializers.ListField(
        child=serializers.CharField(max_length=32, allow_blank=True),
        required=False,
        allow_null=True,
        max_length=LIST_MAX_ITEMS,
        help_text=help_text,
    )


class OpenCaseSerializer(CandidateFactsSerializer):
    catalog_version = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="Code of the active base catalogue version to pin; by default the default "
        "base version.",
    )
    supplements = _version_codes(
        "Codes of the active catalogue versions asked besides the base version: supplements, "
        "or an older base version (such as 2022-05) whose own items are asked too. Absent or "
        "null: the defaults for new cases; [] asks the base version only."
    )


class CandidateSerializer(serializers.ModelSerializer):
    """A candidate as every role sees it: account and document numbers masked."""

    case_reference = serializers.CharField(source="case.reference", read_only=True)
    emails = serializers.SerializerMethodField()
    phones = serializers.SerializerMethodField()
    ip_addresses = serializers.SerializerMethodField()
    profiles = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    claimed_country = CountryCodeField(read_only=True)
    claimed_nationality = CountryCodeField(read_only=True)
    bank_country = CountryCodeField(read_only=True)
    shipping_country = CountryCodeField(read_only=True)

    class Meta:
        model = Candidate
        # Every candidate fact, protected numbers only in their masked form.
        fields = (
            "id",
            "case_reference",
            *(
                f"masked_{name}" if name in services.SENSITIVE_FIELDS else name
                for name in services.CANDIDATE_FACT_FIELDS
            ),
            # As entered before countries became codes, where it named no single country.
            "claimed_country_text",
            "claimed_nationality_text",
            *services.CONTACT_LISTS,
            "profiles",
            "history",
            "created_at",
            "updated_at",
            "version",
        )
        read_only_fields = fields
        extra_kwargs = {
            "version": {
                "help_text": "One more on each save of the facts; send it as If-Match when "
                "changing them."
            }
        }

    def _contacts(self, candidate, kind) -> list[dict]:
        # Filtered in Python so a prefetch of contacts serves every candidate of a page.
        return [
            {"value": c.value, "label": c.label, "belongs_to": c.belongs_to}
            for c in candidate.contacts.all()
            if c.kind == kind
        ]

    @extend_schema_field(ContactSerializer(many=True))
    def get_emails(self, candidate):
        return self._contacts(candidate, ContactKind.EMAIL)

    @extend_schema_field(ContactSerializer(many=True))
    def get_phones(self, candidate):
        return self._contacts(candidate, ContactKind.PHONE)

    @extend_schema_field(ContactSerializer(many=True))
    def get_ip_addresses(self, candidate):
        return self._contacts(candidate, ContactKind.IP_ADDRESS)

    @extend_schema_field(ProfileSerializer(many=True))
    def get_profiles(self, candidate):
        return [
            {"kind": p.kind, "url_or_handle": p.url_or_handle} for p in candidate.profiles.all()
        ]

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, candidate):
        return [
            {
                "kind": h.kind,
                "organisation": h.organisation,
                "country": h.country.code,
                "country_text": h.country_text,
                "start_year": h.start_year,
                "end_year": h.end_year,
                "detail": h.detail,
            }
            for h in candidate.history_entries.all()
        ]


class LinkMatchSerializer(serializers.Serializer):
    what = serializers.CharField(help_text="The identifier both candidates share.")
    value = serializers.CharField(help_text="The shared value (numbers masked).")


class LinkedCaseSerializer(serializers.Serializer):
    reference = serializers.CharField(source="case.reference")
    status = serializers.CharField(source="case.status")
    candidate_name = serializers.CharField(source="case.candidate.legal_name")
    owner = serializers.CharField(source="case.owner.username")
    matches = serializers.SerializerMethodField()

    @extend_schema_field(LinkMatchSerializer(many=True))
    def get_matches(self, link):
        return [{"what": what, "value": value} for what, value in link.matches]


class CaseCandidateSerializer(CandidateSerializer):
    """The candidate of one case, with the other cases that share an identifier with it."""

    linked_cases = serializers.SerializerMethodField()

    class Meta(CandidateSerializer.Meta):
        fields = (*CandidateSerializer.Meta.fields, "linked_cases")
        read_only_fields = fields

    @extend_schema_field(LinkedCaseSerializer(many=True))
    def get_linked_cases(self, candidate):
        return LinkedCaseSerializer(selectors.linked_cases(candidate.case), many=True).data


class RevealRequestSerializer(serializers.Serializer):
    field = serializers.ChoiceField(services.SENSITIVE_FIELDS)
    reason = serializers.CharField(
        max_length=max_length(SensitiveReveal, "reason"),
        help_text="Why you need the number in clear.",
    )


class RevealResponseSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


# ---------------------------------------------------------------- checklist


class ChecklistItemBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    catalog_version = serializers.CharField(
        source="version.code", help_text="The catalogue version the item belongs to."
    )
    kind = serializers.ChoiceField(Kind.choices)
    section = serializers.ChoiceField(
        Section.choices,
        source="checklist_section",
        help_text="Checklist section: red flags, due diligence or post-hire checks.",
    )
    category = serializers.CharField()
    title = serializers.CharField()
    title_ko = serializers.CharField()
    weight = serializers.IntegerField()
    critical = serializers.BooleanField()
    evidence_expectation = serializers.CharField()
    source_text = serializers.CharField()


class AnswerSerializer(serializers.ModelSerializer):
    item = ChecklistItemBriefSerializer(read_only=True)
    answered_by = serializers.CharField(
        source="answered_by.username", allow_null=True, read_only=True
    )
    allowed_values = serializers.SerializerMethodField(
        help_text="The values this item's kind accepts."
    )
    note_required = serializers.SerializerMethodField(
        help_text="Values for which a note is required."
    )
    evidence = serializers.SerializerMethodField(help_text="Ids of linked evidence.")

    class Meta:
        model = ChecklistAnswer
        fields = (
            "item",
            "value",
            "note",
            "answered_by",
            "answered_at",
            "allowed_values",
            "note_required",
            "evidence",
            "version",
        )
        read_only_fields = fields
        extra_kwargs = {
            "version": {
                "help_text": "One more on each change of the answer; send it as If-Match when "
                "answering."
            }
        }

    def get_allowed_values(self, answer) -> list[str]:
        return [str(v) for v in VALUES_BY_KIND[answer.item.kind]]

    def get_note_required(self, answer) -> list[str]:
        return [str(v) for v in VALUES_BY_KIND[answer.item.kind] if v in VALUES_NEEDING_NOTE]

    def get_evidence(self, answer) -> list[int]:
        return [e.pk for e in answer.evidence.all()]


class AnswerUpdateSerializer(serializers.Serializer):
    value = serializers.ChoiceField(
        AnswerValue.choices,
        help_text="Red flag: observed, not_observed, unknown. Due diligence: completed, "
        "adverse, not_completed, not_applicable.",
    )
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for observed, adverse and not_applicable.",
    )


class AnswerBulkEntrySerializer(serializers.Serializer):
    item = serializers.CharField(max_length=32, help_text="The item's code, e.g. RF-2023-01.")
    value = serializers.CharField(
        max_length=32,
        allow_blank=True,
        help_text="As for one answer: observed, not_observed, unknown (red flags); completed, "
        "adverse, not_completed, not_applicable (due diligence).",
    )
    # No length limit here: the service refuses a note longer than NOTE_MAX_LENGTH for its item.
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=f"Required for observed, adverse and not_applicable; at most "
        f"{NOTE_MAX_LENGTH} characters.",
    )
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="The answer's version the change is based on (its ETag). If someone changed "
        "the answer since, this item is not saved and is listed in `conflicts`. Omit it to save "
        "whatever the current version.",
    )


class AnswerBulkSerializer(serializers.Serializer):
    answers = AnswerBulkEntrySerializer(
        many=True, allow_empty=False, max_length=services.SECTION_MAX_ANSWERS
    )


class AnswerConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = AnswerSerializer(help_text="The answer as it is stored now.")


class AnswerBulkResultSerializer(serializers.Serializer):
    saved = AnswerSerializer(many=True, help_text="Answers changed by this request.")
    unchanged = AnswerSerializer(many=True, help_text="Answers already stored as sent.")
    errors = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        help_text="Per item code: its refused fields and their messages (not saved).",
    )
    conflicts = serializers.DictField(
        child=AnswerConflictSerializer(),
        help_text="Per item code: changed by someone else since `version` (not saved).",
    )


class ProgressSerializer(serializers.Serializer):
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


# ---------------------------------------------------------------- evidence


class EvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    withdrawn_by = serializers.CharField(
        source="withdrawn_by.username", allow_null=True, read_only=True
    )
    answers = serializers.SerializerMethodField(help_text="Codes of the items it supports.")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = (
            "id",
            "original_name",
            "description",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "answers",
            "is_withdrawn",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawn_reason",
            "download_url",
        )
        read_only_fields = fields

    def get_answers(self, evidence) -> list[str]:
        return sorted(a.item.code for a in evidence.answers.all())

    def get_download_url(self, evidence) -> str:
        return _absolute(
            self.context,
            reverse(
                "api-evidence-download",
                kwargs={"reference": evidence.case.reference, "evidence_id": evidence.pk},
            ),
        )


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="PDF, image, text, CSV, e-mail, audio, video, DOCX or XLSX; the type is "
        "checked from the content, not the name."
    )
    description = serializers.CharField(
        max_length=max_length(Evidence, "description"), required=False, allow_blank=True, default=""
    )
    answers = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        default=list,
        help_text="Item codes this evidence supports (repeat the field for several).",
    )


class EvidenceLinkSerializer(serializers.Serializer):
    answers = serializers.ListField(
        child=serializers.CharField(max_length=32),
        allow_empty=True,
        help_text="Item codes this evidence supports; replaces the current links.",
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=Evidence.WITHDRAWN_REASON_MAX_LENGTH, help_text="Why the evidence is withdrawn."
    )


# ---------------------------------------------------------------- workflow and risk


def optional_note(help_text: str) -> serializers.CharField:
    """A note the service may require (it says when, as a field message)."""
    return serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=help_text,
    )


class ActionSerializer(serializers.Serializer):
    note = optional_note("Required to reject, refer, return and reopen.")


class AssignReviewerSerializer(serializers.Serializer):
    reviewer = serializers.CharField(
        max_length=150, allow_null=True, help_text="Username of a reviewer, or null to unassign."
    )


class ContributionSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Item code, check id (finding) or case reference (link)."
    )
    title = serializers.CharField()
    kind = serializers.CharField(help_text="red_flag, due_diligence, finding or link.")
    value = serializers.CharField(
        help_text="The answer; a finding's status (open, accepted); a linked case's outcome."
    )
    points = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=True)
    reason = serializers.CharField(help_text="Why it counts, in English as recorded.")
    critical = serializers.BooleanField()
    severity = serializers.CharField(
        required=False, help_text="Findings (policy 2026.2 on): the finding's severity."
    )
    subject = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Findings: the fact it is about; links: the kinds of identifiers shared.",
    )
    through = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="An accepted finding counted through this item's answer (0 points here).",
    )


class ForcingSerializer(serializers.Serializer):
    level = serializers.ChoiceField(RiskLevel.choices, help_text="The level forced at least.")
    kind = serializers.CharField(help_text="answer, finding or link.")
    code = serializers.CharField(help_text="Item code, check id or case reference.")
    value = serializers.CharField(help_text="Answer value, finding severity or case outcome.")
    reason = serializers.CharField()


class RiskResultSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=True)
    level = serializers.ChoiceField(RiskLevel.choices)
    policy_version = serializers.CharField()
    catalog_version = serializers.CharField()
    inputs_hash = serializers.CharField(
        help_text="SHA-256 of the inputs (answers, weights; from 2026.2 findings, links), versions."
    )
    forced_critical_by = serializers.ListField(child=serializers.CharField())
    contributions = ContributionSerializer(many=True)
    forced_by = ForcingSerializer(
        many=True,
        required=False,
        help_text="What forced the level (policy 2026.2 on; absent from older snapshots).",
    )
    catalog_versions = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Every catalogue version the case pinned, base first (absent from snapshots "
        "taken before several catalogues per case).",
    )


class RiskSnapshotSerializer(RiskResultSerializer):
    computed_at = serializers.DateTimeField()


SNAPSHOT_INPUTS = ("inputs", "findings", "links")  # kept in the snapshot, not shown here


class CaseRiskSerializer(serializers.Serializer):
    current = RiskResultSerializer(help_text="The risk of the answers as they are now.")
    snapshot = RiskSnapshotSerializer(
        allow_null=True, help_text="The risk recorded at submission (null before)."
    )
    changed_since_snapshot = serializers.BooleanField(
        help_text=(
            "True when the inputs (answers; from policy 2026.2 also findings and links) no "
            "longer give the snapshot's inputs hash under the snapshot's policy."
        )
    )


class SignOffSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username")

    class Meta:
        model = SignOff
        fields = (
            "reviewer",
            "outcome",
            "note",
            "risk_score",
            "risk_level",
            "inputs_hash",
            "signed_at",
        )
        read_only_fields = fields


# ---------------------------------------------------------------- cases


def _absolute(context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


class CaseSummarySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    candidate_name = serializers.CharField(source="candidate.legal_name", read_only=True)
    role_applied_for = serializers.CharField(source="candidate.role_applied_for", read_only=True)
    claimed_country = CountryCodeField(source="candidate.claimed_country", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    reviewer = serializers.CharField(source="reviewer.username", allow_null=True, read_only=True)
    catalog_version = serializers.CharField(source="catalog_version.code", read_only=True)
    answered_items = serializers.IntegerField(read_only=True)
    total_items = serializers.IntegerField(read_only=True)

    class Meta:
        model = Case
        fields = (
            "reference",
            "url",
            "status",
            "status_display",
            "risk_level",
            "risk_score",
            "decision",
            "candidate_name",
            "role_applied_for",
            "claimed_country",
            "owner",
            "reviewer",
            "catalog_version",
            "answered_items",
            "total_items",
            "created_at",
            "updated_at",
            "submitted_at",
            "review_due_at",
            "closed_at",
        )
        read_only_fields = fields

    def get_url(self, case) -> str:
        return _absolute(
            self.context, reverse("api-case-detail", kwargs={"reference": case.reference})
        )


class PinnedVersionSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(VersionKind.choices)
    published_on = serializers.DateField()


class EarlierAnswerSerializer(AnswerSerializer):
    """An answer to an item the case no longer asks, with no successor: read-only."""

    class Meta(AnswerSerializer.Meta):
        fields = (*AnswerSerializer.Meta.fields, "retired_at")
        read_only_fields = fields


class CaseCataloguesSerializer(serializers.Serializer):
    catalog_revision = serializers.IntegerField(
        help_text="One more at each upgrade; send it as If-Match when upgrading."
    )
    versions = PinnedVersionSerializer(many=True, help_text="Base version first.")
    earlier_answers = EarlierAnswerSerializer(
        many=True,
        help_text="Answers kept from an earlier version (no successor item): not asked, not "
        "counted for completeness, not scored.",
    )


class UpgradeRequestSerializer(serializers.Serializer):
    catalog_version = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="The newer base version; absent or blank keeps the current one.",
    )
    supplements = _version_codes(
        "The versions to ask besides the base version (replaces the current ones); absent or "
        "null keeps the current ones."
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="True: only say what would happen (the preview)."
    )


class CarriedAnswerSerializer(serializers.Serializer):
    from_code = serializers.CharField()
    from_version = serializers.CharField()
    to_code = serializers.CharField()
    to_version = serializers.CharField()
    value = serializers.CharField()
    through = serializers.ChoiceField(["same_code", "supersedes"])


class PlanItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.CharField()
    value = serializers.CharField(required=False)


class UpgradePlanSerializer(serializers.Serializer):
    from_versions = serializers.ListField(child=serializers.CharField())
    to_versions = serializers.ListField(child=serializers.CharField())
    carried = CarriedAnswerSerializer(
        many=True, help_text="Answers carried over to successor items (supersedes, same code)."
    )
    orphaned = PlanItemSerializer(
        many=True, help_text="Answered items with no successor: kept from an earlier version."
    )
    added = PlanItemSerializer(many=True, help_text="New items, unanswered.")
    restored = PlanItemSerializer(many=True, help_text="Items asked again, with their answers.")
    kept = serializers.IntegerField(help_text="Answers to items still asked, unchanged.")
    retired_unanswered = PlanItemSerializer(many=True)


class UpgradeResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    catalog_revision = serializers.IntegerField()
    plan = UpgradePlanSerializer()


class CaseDetailSerializer(CaseSummarySerializer):
    candidate = CandidateSerializer(read_only=True)
    progress = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    signoffs = serializers.SerializerMethodField()
    linked_cases = serializers.SerializerMethodField()
    risk = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text="Workflow actions the caller could take now (POST …/actions/{action}/)."
    )
    catalog_versions = serializers.SerializerMethodField(
        help_text="Every catalogue version the case asks, base first (`catalog_version`)."
    )
    earlier_answers = serializers.SerializerMethodField(
        help_text="Answers kept from an earlier version after an upgrade (not scored)."
    )

    class Meta(CaseSummarySerializer.Meta):
        fields = (
            *CaseSummarySerializer.Meta.fields,
            "catalog_versions",
            "catalog_revision",
            "earlier_answers",
            "decision_note",
            "candidate",
            "progress",
            "answers",
            "evidence",
            "signoffs",
            "linked_cases",
            "risk",
            "allowed_actions",
        )
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, case):
        progress = selectors.progress(case)
        return {"answered": progress.answered, "total": progress.total, "percent": progress.percent}

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, case):
        return AnswerSerializer(selectors.answers_for(case), many=True).data

    def get_catalog_versions(self, case) -> list[str]:
        return selectors.pinned_version_codes(case)

    @extend_schema_field(EarlierAnswerSerializer(many=True))
    def get_earlier_answers(self, case):
        return EarlierAnswerSerializer(
            selectors.earlier_answers(case).prefetch_related("evidence"), many=True
        ).data

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, case):
        return EvidenceSerializer(
            selectors.evidence_for(case).select_related("case"), many=True, context=self.context
        ).data

    @extend_schema_field(SignOffSerializer(many=True))
    def get_signoffs(self, case):
        return SignOffSerializer(case.signoffs.select_related("reviewer"), many=True).data

    @extend_schema_field(LinkedCaseSerializer(many=True))
    def get_linked_cases(self, case):
        return LinkedCaseSerializer(selectors.linked_cases(case), many=True).data

    @extend_schema_field(CaseRiskSerializer)
    def get_risk(self, case):
        current = selectors.current_risk(case)
        snapshot = case.risk_snapshot
        if snapshot:
            snapshot = {k: v for k, v in snapshot.items() if k not in SNAPSHOT_INPUTS}
        return CaseRiskSerializer(
            {
                "current": current.as_dict(),
                "snapshot": snapshot,
                "changed_since_snapshot": selectors.changed_since_snapshot(case, current),
            }
        ).data

    def get_allowed_actions(self, case) -> list[str]:
        request = self.context.get("request")
        return services.allowed_actions(request.user, case) if request else []


class CaseFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=(
            "A reference, name or alias, e-mail, phone in any format, IP address, account or "
            "identity document number, profile URL or handle, or shipping address."
        ),
    )
    status = serializers.ChoiceField(Status.choices, required=False)
    risk_level = serializers.ChoiceField(RiskLevel.choices, required=False)
    owner = serializers.CharField(max_length=150, required=False, help_text="Owner's username.")
    reviewer = serializers.CharField(
        max_length=150, required=False, help_text="Assigned reviewer's username."
    )
    created_from = serializers.DateField(
        required=False, help_text="Opened on or after this date (YYYY-MM-DD)."
    )
    created_to = serializers.DateField(
        required=False, help_text="Opened on or before this date (YYYY-MM-DD)."
    )

    def validate(self, data):
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"created_to": ["The end date is before the start date."]}
            )
        return data


class CandidateFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=(
            "A name or alias, e-mail, phone in any format, IP address, account or identity "
            "document number, profile URL or handle, or shipping address."
        ),
    )


# ---------------------------------------------------------------- history


class HistoryFilterSerializer(serializers.Serializer):
    who = serializers.CharField(
        max_length=AuditEvent._meta.get_field("actor_username").max_length,
        required=False,
        allow_blank=True,
        help_text="Only what this username did (as the history page's person filter).",
    )


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(source="label", help_text="The field's name, as people read it.")
    old = serializers.CharField(help_text="The value before (— when empty); numbers masked.")
    new = serializers.CharField(help_text="The value after (— when empty); numbers masked.")


class RecordChangesSerializer(serializers.Serializer):
    record = serializers.CharField(
        help_text="What was changed, e.g. “Answer RF-2023-01 (changed)”."
    )
    fields = FieldChangeSerializer(many=True)


class TimelineEntrySerializer(serializers.Serializer):
    """One entry of a case's history, as its history page shows it."""

    event = serializers.IntegerField(
        source="event_id",
        allow_null=True,
        help_text="The audit event; null for a recorded change no event claims.",
    )
    at = serializers.DateTimeField()
    who = serializers.CharField(help_text="Username, or “system”.")
    action = serializers.CharField(help_text="The audit action, e.g. `answer.recorded`.")
    summary = serializers.CharField()
    changes = serializers.SerializerMethodField()

    @extend_schema_field(RecordChangesSerializer(many=True))
    def get_changes(self, entry) -> list[dict]:
        return [
            {"record": record, "fields": FieldChangeSerializer(fields, many=True).data}
            for record, fields in entry.changes
        ]


# ---------------------------------------------------------------- findings


class SuggestionSerializer(serializers.Serializer):
    item_code = serializers.CharField(help_text="Checklist item of the case's catalogue.")
    value = serializers.ChoiceField(AnswerValue.choices, help_text="The answer it suggests.")


class SourceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.URLField()


class FindingSerializer(serializers.ModelSerializer):
    check = serializers.CharField(
        source="check_code", help_text="Dotted check id, such as `ip.country_mismatch`."
    )
    summary = serializers.SerializerMethodField(help_text="One line, in the caller's language.")
    suggests = serializers.SerializerMethodField(
        help_text="The checklist answer accepting the finding fills in, or null."
    )
    source = serializers.SerializerMethodField(help_text="What justifies the finding.")

    class Meta:
        model = Finding
        fields = ("id", "check", "severity", "summary", "detail", "suggests", "status", "source")
        read_only_fields = fields

    def get_summary(self, finding) -> str:
        return gettext(finding.summary)  # stored in English; the checks' summaries are msgids

    @extend_schema_field(SuggestionSerializer(allow_null=True))
    def get_suggests(self, finding) -> dict | None:
        return finding.suggests

    @extend_schema_field(SourceSerializer)
    def get_source(self, finding) -> dict:
        return {"title": finding.source_title, "url": finding.source_url}


class FindingDecisionSerializer(serializers.Serializer):
    note = optional_note("Why: required to dismiss; optional when accepting.")


# ---------------------------------------------------------------- comments


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    html = serializers.SerializerMethodField(
        help_text="The body rendered from Markdown and sanitised: no raw HTML, no images, links "
        "only to http, https and mailto addresses (rel=nofollow noopener noreferrer)."
    )
    mentioned = serializers.SerializerMethodField(
        help_text="Usernames of the people the comment mentions who may see the case; each "
        "was notified (people mentioned before an edit stay)."
    )
    edited = serializers.SerializerMethodField()
    editable_until = serializers.SerializerMethodField(
        help_text="Until when its author may edit it (VETTING_COMMENT_EDIT_MINUTES)."
    )

    class Meta:
        model = CaseComment
        fields = (
            "id",
            "author",
            "body",
            "html",
            "mentioned",
            "created_at",
            "edited",
            "edited_at",
            "editable_until",
            "version",
        )

    def get_html(self, comment) -> str:
        return str(render_markdown(comment.body))

    def get_mentioned(self, comment) -> list[str]:
        return sorted(user.username for user in comment.mentioned.all())

    def get_edited(self, comment) -> bool:
        return comment.edited_at is not None

    @extend_schema_field(serializers.DateTimeField())
    def get_editable_until(self, comment):
        return serializers.DateTimeField().to_representation(
            permissions.comment_edit_deadline(comment)
        )


class PostedCommentSerializer(CommentSerializer):
    ignored_mentions = serializers.SerializerMethodField(
        help_text="The @names in the text that notify nobody: no active user of that name who "
        "may see the case. Only in the answer to a POST or PATCH."
    )

    class Meta(CommentSerializer.Meta):
        fields = (*CommentSerializer.Meta.fields, "ignored_mentions")

    def get_ignored_mentions(self, comment) -> list[str]:
        return list(getattr(comment, "ignored_mentions", []))


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=CaseComment.BODY_MAX_LENGTH,
        help_text="Markdown. `@username` mentions notify the people named who may see the case.",
    )
