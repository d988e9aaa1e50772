from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiToken

CODE_MAX = 32


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken.NAME_MAX,
        help_text=_("What the token is for, e.g. “nightly export script”."),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=CODE_MAX,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )
