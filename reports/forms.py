import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import export
from .models import JobStatus, ReportKind, ReportLanguage


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    # Left out: the user's own language (ReportLanguage.default_for).
    language = forms.ChoiceField(
        label=_("Language"), choices=ReportLanguage.choices, required=False
    )


class ReportFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Report"), choices=[("", _("All kinds"))] + ReportKind.choices, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status"))] + JobStatus.choices, required=False
    )
    case = forms.CharField(label=_("Case reference"), max_length=32, required=False)
    mine = forms.BooleanField(label=_("Only reports I requested"), required=False)


class DateInput(forms.DateInput):
    input_type = "date"


class AuditExportForm(forms.Form):
    start = forms.DateField(
        label=_("From"), widget=DateInput, help_text=_("First day of the period (inclusive).")
    )
    end = forms.DateField(
        label=_("To"), widget=DateInput, help_text=_("Last day of the period (inclusive).")
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("csv", _("CSV — opens in spreadsheet programs")),
            ("json", _("JSON — for scripts and other systems")),
        ],
        initial="csv",
        widget=forms.RadioSelect,
    )

    @classmethod
    def with_defaults(cls):
        today = timezone.localdate()
        return cls(initial={"start": today.replace(day=1), "end": today, "format": "csv"})

    def clean(self):
        cleaned = super().clean()
        start: datetime.date | None = cleaned.get("start")
        end: datetime.date | None = cleaned.get("end")
        for field, message in export.range_errors(start, end).items():
            self.add_error(field, message)
        return cleaned
