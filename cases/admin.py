"""Read-only admin views of cases. Changes go through the case services (web pages and API),
so that role, state and four-eyes rules and the audit trail apply to every change."""

from django.contrib import admin

from common.admin import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin

from .models import (
    Candidate,
    CandidateContact,
    Case,
    CaseCatalog,
    ChecklistAnswer,
    Evidence,
    SensitiveReveal,
    SignOff,
)


class CaseCatalogInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The versions a case asks besides its base version, read-only (upgrades change them)."""

    model = CaseCatalog
    fields = ("position", "version")
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnlyHistoryAdmin):
    inlines = (CaseCatalogInline,)
    list_display = (
        "reference",
        "candidate",
        "status",
        "risk_level",
        "owner",
        "reviewer",
        "created_at",
    )
    list_filter = ("status", "risk_level", "decision", "catalog_version")
    search_fields = ("reference", "candidate__legal_name")
    list_select_related = ("candidate", "owner", "reviewer")
    date_hierarchy = "created_at"


class ContactInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The candidate's contacts with their labels and whose they are, read-only like the rest."""

    model = CandidateContact
    fields = ("kind", "value", "label", "belongs_to", "normalized")
    extra = 0


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyHistoryAdmin):
    list_display = ("legal_name", "role_applied_for", "sourcing_channel", "claimed_country")
    inlines = (ContactInline,)
    search_fields = ("legal_name",)
    exclude = ("account_number", "identity_document_number")

    def get_readonly_fields(self, request, obj=None):
        hidden = {"account_number", "identity_document_number"}
        fields = [f.name for f in self.model._meta.fields if f.name not in hidden]
        return [*fields, "masked_account_number", "masked_identity_document_number"]


@admin.register(ChecklistAnswer)
class ChecklistAnswerAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "item", "value", "answered_by", "answered_at")
    list_filter = ("value",)
    list_select_related = ("case", "item", "answered_by")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyHistoryAdmin):
    list_display = ("original_name", "case", "content_type", "size", "sha256", "uploaded_by")
    list_select_related = ("case", "uploaded_by")


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "outcome", "reviewer", "signed_at")
    list_filter = ("outcome",)


@admin.register(SensitiveReveal)
class SensitiveRevealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "field", "revealed_by", "revealed_at", "reason")
