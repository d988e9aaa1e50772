from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .events import CHANNELS, EVENTS


def field_name(event: str, channel: str) -> str:
    return f"{event}__{channel}"


class PreferencesForm(forms.Form):
    """The e-mail language and, per event, a box for the inbox and one for e-mail."""

    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)

    def __init__(self, *args, channels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for key, spec in EVENTS.items():
            for channel in CHANNELS:
                self.fields[field_name(key, channel)] = forms.BooleanField(
                    label=spec.label, required=False, initial=channels[key][channel]
                )

    def rows(self):
        """(event label, inbox field, e-mail field) per event, for the table."""
        return [
            (spec.label, self[field_name(key, "inbox")], self[field_name(key, "email")])
            for key, spec in EVENTS.items()
        ]

    def channels(self) -> dict[str, dict[str, bool]]:
        return {
            key: {channel: self.cleaned_data[field_name(key, channel)] for channel in CHANNELS}
            for key in EVENTS
        }
