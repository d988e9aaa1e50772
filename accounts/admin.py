from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from . import audit
from .models import ExternalIdentity


class UserAdmin(DjangoUserAdmin):
    """Django's user admin; saving a user's roles and access flags is one audited change."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        user = None
        if object_id and request.method == "POST":
            user = self.get_object(request, unquote(object_id))
        if user is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic(), audit.access_change(user, request.user):
            return super().changeform_view(request, object_id, form_url, extra_context)


admin.site.unregister(User)
admin.site.register(User, UserAdmin)


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(SimpleHistoryAdmin):
    """Which identity at the IdP each user signs in as. An admin links an existing local account
    by adding a row here (the subject is the IdP's `sub` of that person)."""

    list_display = ("user", "issuer", "subject", "last_sign_in")
    search_fields = ("user__username", "subject")
    raw_id_fields = ("user",)
    readonly_fields = ("last_sign_in",)
