"""The user and group admin, with the admin role's boundaries and an audit trail.

The admin role manages users and their roles but gains no power through the admin: it never
grants superuser or single permissions, never edits its own access, never edits a superuser,
and hands out only the role groups (or a group whose permissions it holds itself). API tokens
have no admin: their keys are not stored, and a user's tokens are revoked by an action.
"""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from common.errors import NotAllowed

from . import audit, roles, services
from .models import ExternalIdentity

# Fields only a superuser sets or sees in a form.
SUPERUSER_FIELDS = ("is_superuser", "user_permissions")
# What a non-superuser may not change on their own account.
OWN_ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")
# Form fields that set the password, recorded as "password".
PASSWORD_FIELDS = ("password", "password1", "password2", "usable_password")
_CHANGED = "_vetting_admin_changed_fields"


class AuditedAdminMixin:
    """Records who added, changed or deleted what through the admin in the audit log."""

    audit_kind = ""  # "user", "group"
    # Fields another audit event already records (role changes: accounts.roles_changed).
    audited_elsewhere: tuple[str, ...] = ()

    def construct_change_message(self, request, form, formsets, add=False):
        setattr(request, _CHANGED, self.changed_fields(form))
        return super().construct_change_message(request, form, formsets, add)

    def changed_fields(self, form) -> list[str]:
        return [name for name in form.changed_data if name not in self.audited_elsewhere]

    def audit_data(self, obj) -> dict:
        return {}

    def _record(self, request, obj, what: str, fields: list[str]) -> None:
        if what == "changed" and not fields:
            return
        described = f" ({', '.join(fields)})" if fields else ""
        services.record_admin_change(
            actor=request.user,
            obj=obj,
            action=f"admin.{self.audit_kind}_{what}",
            summary=f"{self.audit_kind.title()} {obj} {what} in the admin{described}",
            data={"name": str(obj), "fields": fields, **self.audit_data(obj)},
        )

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._record(request, obj, "added", getattr(request, _CHANGED, []))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._record(request, obj, "changed", getattr(request, _CHANGED, []))
        return entry

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._record(request, obj, "deleted", [])
        return super().log_deletions(request, queryset)


def _without(fieldsets, hidden) -> list:
    return [
        (title, {**opts, "fields": tuple(f for f in opts["fields"] if f not in hidden)})
        for title, opts in fieldsets
    ]


class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    """Django's user admin; saving a user's roles and access flags is one audited change."""

    audit_kind = "user"
    audited_elsewhere = audit.ACCESS_FLAGS + ("groups",)
    actions = ["revoke_api_tokens", "unlock_sign_in", "reset_second_factor"]

    # ------------------------------------------------------------ boundaries

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        return _without(fieldsets, ("user_permissions",))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        readonly += ["is_superuser"]
        if obj is not None and obj.pk == request.user.pk:
            readonly += [f for f in OWN_ACCESS_FIELDS if f not in readonly]
        return readonly

    def has_change_permission(self, request, obj=None):
        # A superuser's account (its password above all) is for superusers only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.user.is_superuser or "groups" not in form.base_fields:
            return form
        actor = request.user

        class BoundedForm(form):
            def clean_groups(self):
                groups = self.cleaned_data["groups"]
                before = set(self.instance.groups.all()) if self.instance.pk else set()
                changed = set(groups) ^ before
                refused = sorted(g.name for g in changed if not services.may_assign_group(actor, g))
                if refused:
                    raise ValidationError(
                        _("You may not give or take away the group(s) %(names)s.")
                        % {"names": ", ".join(refused)}
                    )
                return groups

        return BoundedForm

    # ------------------------------------------------------------ audit

    def changed_fields(self, form) -> list[str]:
        fields = []
        for name in super().changed_fields(form):
            name = "password" if name in PASSWORD_FIELDS else name
            if name not in fields:
                fields.append(name)
        return fields

    def audit_data(self, obj) -> dict:
        return {"username": obj.get_username()}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        user = None
        if object_id and request.method == "POST":
            user = self.get_object(request, unquote(object_id))
        if user is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic(), audit.access_change(user, request.user):
            return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.action(
        description=gettext_lazy("Revoke all API tokens of the selected users"),
        permissions=["change"],
    )
    def revoke_api_tokens(self, request, queryset):
        users = [u for u in queryset if self.has_change_permission(request, u)]
        revoked = sum(
            services.revoke_all_tokens(u, "revoked by an administrator", actor=request.user)
            for u in users
        )
        self.message_user(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )

    @admin.action(
        description=gettext_lazy("Unlock sign-in (forget failed sign-ins)"),
        permissions=["change"],
    )
    def unlock_sign_in(self, request, queryset):
        unlocked = [
            user.get_username()
            for user in queryset
            if self.has_change_permission(request, user)
            and services.unlock_sign_in(user, actor=request.user)
        ]
        if unlocked:
            self.message_user(
                request,
                _("Sign-in unlocked for: %(users)s.") % {"users": ", ".join(unlocked)},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, _("None of these users had failed sign-ins to forget."), messages.INFO
            )

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


class AuditedAccessAttemptAdmin(AccessAttemptAdmin):
    """axes' list of failed sign-ins; deleting entries (which unlocks) is audited."""

    def delete_model(self, request, obj):
        services.forget_failed_sign_ins(AccessAttempt.objects.filter(pk=obj.pk), actor=request.user)

    def delete_queryset(self, request, queryset):
        services.forget_failed_sign_ins(queryset, actor=request.user)


class GroupAdmin(AuditedAdminMixin, DjangoGroupAdmin):
    audit_kind = "group"

    def audit_data(self, obj) -> dict:
        perms = obj.permissions.values_list("content_type__app_label", "codename")
        return {"permissions": sorted(f"{app}.{code}" for app, code in perms)}


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AuditedAccessAttemptAdmin)


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(SimpleHistoryAdmin):
    """Which identity at the IdP each user signs in as. An admin links an existing local account
    by adding a row here (the subject is the IdP's `sub` of that person)."""

    list_display = ("user", "issuer", "subject", "last_sign_in")
    search_fields = ("user__username", "subject")
    raw_id_fields = ("user",)
    readonly_fields = ("last_sign_in",)

    # Linking an identity to an account lets whoever holds that identity act as the account:
    # only a superuser may do it, so the admin role cannot impersonate anyone this way.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


# Devices change only through accounts.services (enrolment, the audited reset above); the
# plugin's admin would show and delete them unaudited.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
