from django.contrib import admin, messages

from common.errors import ServiceError

from . import services
from .models import CatalogItem, CatalogVersion


class ReadOnlyAdminMixin:
    """Published catalogues are data files: the admin shows them, it never edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CatalogItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CatalogItem
    fields = ("code", "kind", "category", "title", "weight", "critical")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(CatalogVersion)
class CatalogVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "title", "published_on", "is_active", "loaded_at")
    list_filter = ("is_active",)
    readonly_fields = (
        "code",
        "title",
        "published_on",
        "source",
        "file_name",
        "content_sha256",
        "loaded_at",
    )
    fields = readonly_fields + ("is_active",)
    inlines = [CatalogItemInline]
    actions = ["activate", "deactivate"]

    @admin.action(description="Offer to new cases", permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description="Stop offering to new cases", permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    def _set_active(self, request, queryset, active: bool):
        for version in queryset:
            try:
                services.set_version_active(version, active, actor=request.user)
            except ServiceError as exc:
                self.message_user(request, f"{version.code}: {exc.message}", messages.ERROR)


@admin.register(CatalogItem)
class CatalogItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "version", "kind", "category", "title", "weight", "critical")
    list_filter = ("version", "kind", "category", "critical")
    search_fields = ("code", "title", "title_ko", "source_text")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)
