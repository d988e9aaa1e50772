from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.db import transaction

from . import audit


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
