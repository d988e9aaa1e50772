"""The form renderer (settings.FORM_RENDERER): Django's own widget templates, with the widgets
every page repeats (inputs, text areas, selects, radio buttons and check boxes) written out in
Python instead.

Why: a widget rendered through the template engine costs about 0.4 ms per option on this
project's machines, so a filter form with a few dozen options took 18 ms of a 40 ms case list,
and the checklist page (four radio buttons per item) far more. The writers below produce
exactly the markup of Django's templates (`django/forms/templates/django/forms/widgets/`), byte
for byte, which `tests/common/test_forms.py` checks against the templates for every form of
the project. A widget with any other template (a file input, a date split in three, a
project's own widget template) goes through the templates as before.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import escape
from django.utils.safestring import SafeData

_WIDGETS = "django/forms/widgets/"
_CONTEXT = Context()  # the defaults a template's {{ value }} is rendered with (time zone, l10n)


def _value(value) -> str:
    """`{{ value }}`"""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: str() without localisation, escaped unless safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    html = []
    for name, value in attrs.items():
        if value is False:
            continue
        html.append(f" {_value(name)}")
        if value is not True:
            html.append(f'="{_formatted(value)}"')
    return "".join(html)


def _input(widget: dict) -> str:
    """input.html"""
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value != None else ""  # noqa: E711 - as the template
    return (
        f'<input type="{_value(widget["type"])}" name="{_value(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>\n"
    )


def _input_widget(widget: dict) -> str:
    """text.html, email.html, checkbox.html...: input.html and a new line."""
    return _input(widget) + "\n"


def _textarea(widget: dict) -> str:
    value = _value(widget["value"]) if widget["value"] else ""
    opening = f'<textarea name="{_value(widget["name"])}"{_attrs(widget["attrs"])}>'
    return f"{opening}\n{value}</textarea>\n"


def _select_option(option: dict) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_value(option['label'])}</option>\n"
    )


def _input_option(option: dict) -> str:
    """radio_option.html and checkbox_option.html, which include input_option.html."""
    html = _input(option)
    if option["wrap_label"]:
        label_for = option["attrs"].get("id")
        opening = f' for="{_value(label_for)}"' if label_for else ""
        html = f"<label{opening}>{html} {_value(option['label'])}</label>"
    return html + "\n\n"


_OPTIONS = {
    f"{_WIDGETS}select_option.html": _select_option,
    f"{_WIDGETS}radio_option.html": _input_option,
    f"{_WIDGETS}checkbox_option.html": _input_option,
}


def _written_groups(widget: dict) -> list[tuple[str, list[str]]] | None:
    """Each option group's label and its options written, or None when an option has a
    template written nowhere here."""
    groups = []
    for group, options, _index in widget["optgroups"]:
        written = []
        for option in options:
            writer = _OPTIONS.get(option["template_name"])
            if writer is None:
                return None
            written.append(writer(option))
        groups.append((group, written))
    return groups


def _laid_out(groups, group_opening: str, before: str, after: str, group_closing: str) -> str:
    """The groups as a template lays them out: a named group between its opening (where
    `{group}` is its label) and closing, each option between `before` and `after`."""
    html = []
    for group, written in groups:
        if group:
            html.append(group_opening.format(group=_value(group)))
        html.extend(before + option + after for option in written)
        if group:
            html.append(group_closing)
    return "".join(html)


def _select(widget: dict) -> str | None:
    groups = _written_groups(widget)
    if groups is None:
        return None
    options = _laid_out(groups, '\n  <optgroup label="{group}">', "\n  ", "", "\n  </optgroup>")
    return (
        f'<select name="{_value(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>\n'
    )


def _multiple_input(widget: dict) -> str | None:
    """radio.html and checkbox_select.html, which include multiple_input.html."""
    groups = _written_groups(widget)
    if groups is None:
        return None
    attrs = widget["attrs"]
    opening = "<div"
    if attrs.get("id"):
        opening += f' id="{_value(attrs["id"])}"'
    if attrs.get("class"):
        opening += f' class="{_value(attrs["class"])}"'
    options = _laid_out(
        groups, "\n  <div><label>{group}</label>", "<div>\n    ", "</div>", "\n  </div>"
    )
    return f"{opening}>{options}\n</div>\n\n"


_INPUTS = ("text", "email", "url", "number", "password", "hidden", "search", "tel", "color")
_WRITERS = {
    **{f"{_WIDGETS}{kind}.html": _input_widget for kind in _INPUTS},
    **{f"{_WIDGETS}{kind}.html": _input_widget for kind in ("date", "datetime", "time")},
    f"{_WIDGETS}checkbox.html": _input_widget,
    f"{_WIDGETS}textarea.html": _textarea,
    f"{_WIDGETS}select.html": _select,
    f"{_WIDGETS}radio.html": _multiple_input,
    f"{_WIDGETS}checkbox_select.html": _multiple_input,
}


class WidgetRenderer(DjangoTemplates):
    """Django's template renderer, writing the common widgets without the template engine."""

    def render(self, template_name, context, request=None):
        writer = _WRITERS.get(template_name)
        html = writer(context["widget"]) if writer is not None else None
        if html is None:
            return super().render(template_name, context, request)
        return html.strip()
