from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.errors import NotAllowed

from . import audit, roles, services


class UserAdmin(DjangoUserAdmin):
    """Django's user admin; saving a user's roles and access flags is one audited change."""

    actions = ["reset_second_factor"]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        user = None
        if object_id and request.method == "POST":
            user = self.get_object(request, unquote(object_id))
        if user is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic(), audit.access_change(user, request.user):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def has_reset_second_factor_permission(self, request) -> bool:
        return roles.has_role(request.user, roles.ADMIN)

    @admin.action(
        description=gettext_lazy("Reset second factor (the user must set it up again)"),
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        done = []
        for user in queryset.order_by("username"):
            try:
                if services.reset_second_factor(request.user, user):
                    done.append(user.get_username())
            except NotAllowed as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
        if done:
            self.message_user(
                request,
                _("Second factor reset for: %(users)s. They must set it up again.")
                % {"users": ", ".join(done)},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, _("None of these users had a second factor to reset."), messages.INFO
            )


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
# Devices change only through accounts.services (enrolment, the audited reset above); the
# plugin's admin would show and delete them unaudited.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
