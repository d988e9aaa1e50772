from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(SimpleHistoryAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
