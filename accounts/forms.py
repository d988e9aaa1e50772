from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiToken


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken.NAME_MAX,
        help_text=_("What the token is for, e.g. “nightly export script”."),
    )
