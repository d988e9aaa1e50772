"""The form renderer writes the common widgets in Python (common/forms.py): what it writes must
be exactly what Django's widget templates write, for every widget and on every page."""

import datetime
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from cases.models import Status
from common.forms import WidgetRenderer
from tests.cases.helpers import bring_to

CHOICES = [
    ("", "Any"),
    ("a<b", 'Quote " and <tag>'),
    (3, 1234567),
    ("safe", mark_safe("<em>kept</em>")),
    ("lazy", gettext_lazy("Status")),
]
GROUPED = [("Group & one", [("x", "X"), ("y", "Y")]), ("z", "Z")]


class EveryWidget(forms.Form):
    text = forms.CharField(required=False, help_text="Help")
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))
    email = forms.EmailField(widget=forms.EmailInput(attrs={"class": "wide", "hidden": False}))
    number = forms.IntegerField(min_value=0)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.DateTimeField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    agree = forms.BooleanField(required=False)
    status = forms.ChoiceField(choices=CHOICES, required=False)
    grouped = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, required=False)
    radio_grouped = forms.ChoiceField(choices=GROUPED, widget=forms.RadioSelect)
    ticks = forms.MultipleChoiceField(
        choices=GROUPED, widget=forms.CheckboxSelectMultiple(attrs={"class": "ticks"})
    )
    yes_no = forms.NullBooleanField()
    upload = forms.FileField(required=False)  # its own template: rendered by the templates


BOUND = {
    "text": "<script>alert(1)</script>",
    "search": "Lee & Yi",
    "email": "not an e-mail",
    "number": "-3",
    "hidden": '"quoted"',
    "password": "secret<",
    "day": "2026-02-30",
    "at": "2026-01-02 03:04",
    "note": "line one\nline <two>",
    "agree": "on",
    "status": "a<b",
    "grouped": "y",
    "many": ["3", "safe"],
    "radio": "3",
    "radio_grouped": "x",
    "ticks": ["x", "z"],
    "yes_no": "true",
}


def rendered(form, renderer) -> list[str]:
    form.renderer = renderer
    return [str(field) for field in form] + [form.as_div()]


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize(
    "make",
    [
        lambda: EveryWidget(),
        lambda: EveryWidget(BOUND),
        lambda: EveryWidget(auto_id=False, initial={"day": datetime.date(2026, 1, 2), "agree": 1}),
        lambda: EveryWidget({**BOUND, "radio": "", "ticks": []}, prefix="p"),
    ],
    ids=["unbound", "bound", "no-ids-with-initial", "prefixed-empty-choices"],
)
def test_every_common_widget_is_written_as_the_templates_write_it(make, language):
    with translation.override(language):
        expected = rendered(make(), DjangoTemplates())
        assert rendered(make(), WidgetRenderer()) == expected


def test_the_renderer_is_the_projects(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), WidgetRenderer)


# ---------------------------------------------------------------- the project's own pages

# Tokens differ from one response to the next.
TOKENS = re.compile(r'(name="csrfmiddlewaretoken" value=|nonce=|"X-CSRFToken": )"[^"]*"')


def page_html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return TOKENS.sub(r'\1""', response.content.decode())


@pytest.fixture
def pages(answered_case, open_case, hr, reviewer):
    case = open_case(emails=["shared@example.com"], phones=["+1 646 555 0142"])
    submitted = bring_to(answered_case(), Status.IN_REVIEW, hr=hr, reviewer=reviewer)
    return {
        "hr": [
            "/",
            "/cases/",
            "/cases/?q=jane&status=nonsense&created_from=2026-13-01",
            "/cases/new/",
            f"/cases/{case.reference}/",
            f"/cases/{case.reference}/candidate/",
            f"/cases/{case.reference}/checklist/",
            f"/cases/{case.reference}/evidence/",
            f"/cases/{case.reference}/catalogues/",
            f"/cases/{case.reference}/comments/",
            "/cases/views/",
            "/accounts/password/",
            "/accounts/tokens/",
            "/notifications/settings/",
            "/reports/",
        ],
        "reviewer": [
            "/review/",
            f"/cases/{submitted.reference}/review/",
            f"/cases/{submitted.reference}/history/",
        ],
    }


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_page_with_a_form_is_the_same_as_with_the_templates(
    client, settings, pages, hr, reviewer, language
):
    users = {"hr": hr, "reviewer": reviewer}
    client.cookies["django_language"] = language
    for who, urls in pages.items():
        client.force_login(users[who])
        for url in urls:
            settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
            expected = page_html(client, url)
            settings.FORM_RENDERER = "common.forms.WidgetRenderer"
            assert page_html(client, url) == expected, url
