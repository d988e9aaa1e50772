"""Forms of the catalogue pages. They shape input for the indicator services, which check it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CatalogUpload, CatalogVersion, VersionKind


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file"),
        help_text=_("A JSON catalogue file like those in indicators/catalogs/, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": CatalogUpload.EXTENSION}),
    )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the changes. Once published, this version cannot be changed."),
        error_messages={"required": _("Tick the box to confirm that you checked the changes.")},
    )


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("Why discard it (optional)"),
        required=False,
        max_length=CatalogUpload._meta.get_field("discard_reason").max_length,
    )


class VersionLabelMixin:
    def label_from_instance(self, version):
        return f"{version.code} — {version.title} ({version.get_kind_display()})"


class VersionChoiceField(VersionLabelMixin, forms.ModelChoiceField):
    pass


class VersionMultipleChoiceField(VersionLabelMixin, forms.ModelMultipleChoiceField):
    pass


class DefaultsForm(forms.Form):
    """One active base version and any other active versions asked besides it."""

    base = VersionChoiceField(
        label=_("Base version"),
        queryset=CatalogVersion.objects.none(),
        to_field_name="code",
        empty_label=None,
    )
    supplements = VersionMultipleChoiceField(
        label=_("Also asked"),
        help_text=_("Supplements, or an older base version whose own items should be asked too."),
        queryset=CatalogVersion.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, versions=None, **kwargs):
        super().__init__(*args, **kwargs)
        active = (versions if versions is not None else CatalogVersion.objects.all()).filter(
            is_active=True
        )
        self.fields["base"].queryset = active.filter(kind=VersionKind.BASE)
        self.fields["supplements"].queryset = active

    def clean(self):
        data = super().clean()
        base, supplements = data.get("base"), data.get("supplements") or []
        if base is not None and base in supplements:
            self.add_error(
                "supplements",
                _("%(v)s is already the base version.") % {"v": base.code},
            )
        return data
