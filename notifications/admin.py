from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read only: for finding out why an e-mail was not sent."""

    list_display = ("created_at", "event", "case_reference", "recipient", "email_status")
    list_filter = ("event", "email_status")
    search_fields = ("case_reference", "recipient__username")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
