from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FINAL_STATUS_CHOICES, REASON_MAX_LENGTH, RetentionPolicy


class PolicyForm(forms.Form):
    status = forms.ChoiceField(label=_("Final state"), choices=FINAL_STATUS_CHOICES)
    months = forms.IntegerField(
        label=_("Months kept"), min_value=1, max_value=RetentionPolicy.MAX_MONTHS
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=REASON_MAX_LENGTH, widget=forms.Textarea
    )


class HoldForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH)
    include_linked = forms.BooleanField(label=_("Hold every linked case too"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH)
