from django.contrib import admin

from common.admin import ReadOnlyHistoryAdmin

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyHistoryAdmin):
    """Read-only: jobs change only through the report services, documents never."""

    list_display = (
        "id",
        "kind",
        "case",
        "language",
        "status",
        "progress",
        "requester",
        "requested_at",
    )
    list_filter = ("kind", "status", "language")
    search_fields = ("case__reference", "requester__username", "sha256")
    date_hierarchy = "requested_at"
    list_select_related = ("case", "requester")
