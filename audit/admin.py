from django.contrib import admin

from common.admin import ReadOnlyAdminMixin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor_username", "action", "case_reference", "summary")
    list_filter = ("action",)
    search_fields = ("case_reference", "actor_username", "summary")
    date_hierarchy = "at"
