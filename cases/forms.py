"""Forms of the case pages. They shape input for the case services, which do the real validation:
errors the services raise are put back on these forms (see `add_service_errors`)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import (
    LIST_MAX_ITEMS,
    NOTE_MAX_LENGTH,
    Candidate,
    CandidateContact,
    CaseComment,
    Evidence,
    HistoryEntry,
    OnlineProfile,
    ProfileKind,
    RiskLevel,
    SavedView,
    SensitiveReveal,
    SignOffOutcome,
    SourcingChannel,
    Status,
    max_length,
    validate_claimed_year,
)
from .services import CONTACT_LISTS, AnswerInput

ONE_PER_LINE = _("One per line.")


def _lines(values) -> str:
    return "\n".join(values or [])


def _split_lines(text: str, max_items: int = LIST_MAX_ITEMS) -> list[str]:
    """The non-blank lines of a textarea (never split on commas: they belong to the values)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > max_items:
        raise ValidationError(_("At most %(n)d entries."), params={"n": max_items})
    return lines


def _too_long(value: str, limit: int) -> ValidationError:
    return ValidationError(
        _("%(v)s… is longer than %(n)d characters."), params={"v": value[:30], "n": limit}
    )


# ---------------------------------------------------------------- contacts, one per line

# "+1 415-555-0199 (reference, VoIP)": a comment in brackets at the end of a line is the
# contact's label; the word "reference" in it marks a reference's contact.
_COMMENTED = re.compile(r"^(?P<value>.*?)\s+\((?P<comment>[^()]*)\)$")
REFERENCE_MARKER = _("reference")


def _is_reference_marker(part: str) -> bool:
    return part.casefold() in {"reference", str(REFERENCE_MARKER).casefold()}


def parse_contact_line(line: str) -> dict:
    """{"value", "label", "belongs_to"} of one line of a contact textarea."""
    match = _COMMENTED.match(line.strip())
    if not match:
        return {"value": line.strip(), "label": "", "belongs_to": CandidateContact.Owner.CANDIDATE}
    parts = [part.strip() for part in match["comment"].split(",")]
    reference = any(_is_reference_marker(part) for part in parts)
    return {
        "value": match["value"].strip(),
        "label": ", ".join(p for p in parts if p and not _is_reference_marker(p)),
        "belongs_to": CandidateContact.Owner.REFERENCE
        if reference
        else CandidateContact.Owner.CANDIDATE,
    }


def contact_line(contact: CandidateContact) -> str:
    """The line parse_contact_line reads back as the same contact."""
    comment = [str(REFERENCE_MARKER)] if contact.is_reference else []
    comment += [contact.label] if contact.label else []
    return f"{contact.value} ({', '.join(comment)})" if comment else contact.value


CONTACT_HELP = format_lazy(
    "{} {}",
    ONE_PER_LINE,
    _(
        "Add a comment in brackets after a value, for example “(work)”; mark a reference’s "
        "contact with “(reference)” or “(reference, VoIP)”."
    ),
)


class ContactLinesField(forms.CharField):
    """A textarea of one contact per line, cleaned to the rows the case services take."""

    widget = forms.Textarea(attrs={"rows": 2})

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("help_text", CONTACT_HELP)
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        rows = [parse_contact_line(line) for line in _split_lines(super().clean(value))]
        problems = []
        limit = CandidateContact.VALUE_MAX_LENGTH[self.kind]
        for row in rows:
            if len(row["value"]) > limit:
                problems.append(_too_long(row["value"], limit))
            if len(row["label"]) > CandidateContact.LABEL_MAX_LENGTH:
                problems.append(_too_long(row["label"], CandidateContact.LABEL_MAX_LENGTH))
        if problems:
            raise ValidationError(problems)
        return rows


def _candidate_text(name: str, label, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length(Candidate, name), **kwargs)


def _country(model, name: str, label, **kwargs) -> forms.Field:
    """A select of the countries, named in the page's language; it submits the alpha-2 code."""
    return model._meta.get_field(name).formfield(label=label, required=False, **kwargs)


class CandidateFactsForm(forms.Form):
    """Who the applicant claims to be. Used to open a case and to edit its facts."""

    legal_name = _candidate_text("legal_name", _("Legal name"))
    aliases = forms.CharField(
        label=_("Other names used"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=ONE_PER_LINE,
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        # A native date picker shows the browser's own date format; only browsers without one
        # show a plain text box, which takes the ISO form.
        help_text=_("Pick the date in the calendar. If you see a plain text box, type YYYY-MM-DD."),
    )
    role_applied_for = _candidate_text("role_applied_for", _("Role applied for"))
    emails = ContactLinesField(kind=CONTACT_LISTS["emails"].kind, label=_("E-mail addresses"))
    phones = ContactLinesField(kind=CONTACT_LISTS["phones"].kind, label=_("Phone numbers"))
    ip_addresses = ContactLinesField(
        kind=CONTACT_LISTS["ip_addresses"].kind,
        label=_("IP addresses"),
        help_text=format_lazy(
            "{} {}",
            _(
                "Addresses the candidate connected from (interviews, application portal, "
                "company systems), one per line. They go into the IC3 complaint."
            ),
            _("A comment in brackets after an address is kept as its label."),
        ),
    )
    claimed_country = _country(Candidate, "claimed_country", _("Claimed country of residence"))
    claimed_city = _candidate_text("claimed_city", _("Claimed city"), required=False)
    claimed_nationality = _country(Candidate, "claimed_nationality", _("Claimed nationality"))
    sourcing_channel = forms.ChoiceField(
        label=_("Sourcing channel"),
        choices=SourcingChannel.choices,
        initial=SourcingChannel.DIRECT,
    )
    sourcing_name = _candidate_text(
        "sourcing_name",
        _("Staffing firm, platform or competition"),
        required=False,
        help_text=_("Name of the staffing firm, platform or competition."),
    )
    shipping_address = _candidate_text(
        "shipping_address",
        _("Equipment shipping address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the candidate asks for laptops or other equipment to be sent."),
    )
    shipping_country = _country(
        Candidate,
        "shipping_country",
        _("Equipment shipping country"),
        help_text=_("Leave blank to read it from the address's last line."),
    )
    bank_name = _candidate_text("bank_name", _("Bank name"), required=False)
    bank_country = _country(Candidate, "bank_country", _("Bank country"))
    routing_number = _candidate_text("routing_number", _("Routing number"), required=False)
    account_number = _candidate_text(
        "account_number",
        _("Account number"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted and shown masked."),
    )
    identity_document_type = _candidate_text(
        "identity_document_type",
        _("Identity document type"),
        required=False,
        help_text=_("For example passport or national ID card."),
    )
    identity_document_number = _candidate_text(
        "identity_document_number",
        _("Identity document number"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted and shown masked."),
    )

    SENSITIVE = ("account_number", "identity_document_number")
    FIELDSETS = (
        (_("Identity"), ("legal_name", "aliases", "date_of_birth", "role_applied_for")),
        (_("Contact"), ("emails", "phones", "ip_addresses")),
        (
            _("Residence and sourcing"),
            (
                "claimed_country",
                "claimed_city",
                "claimed_nationality",
                "sourcing_channel",
                "sourcing_name",
                "shipping_address",
                "shipping_country",
            ),
        ),
        (
            _("Payment and identity documents"),
            (
                "bank_name",
                "bank_country",
                "routing_number",
                "account_number",
                "identity_document_type",
                "identity_document_number",
            ),
        ),
    )

    def __init__(self, *args, candidate: Candidate | None = None, **kwargs):
        self.candidate = candidate
        if candidate is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(candidate)
        super().__init__(*args, **kwargs)
        if candidate is None:  # opening a case: start typing the name at once
            self.fields["legal_name"].widget.attrs["autofocus"] = True
        if candidate is not None:
            # The version of the facts this form was filled in from (optimistic concurrency).
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=1
            )
            # Numbers already stored are never sent back to the browser: blank keeps them.
            for name in self.SENSITIVE:
                masked = getattr(candidate, f"masked_{name}")
                if masked:
                    self.fields[name].help_text = _(
                        "Stored: %(masked)s. Leave blank to keep it; "
                        "type a new number to replace it."
                    ) % {"masked": masked}

    @staticmethod
    def initial_for(candidate: Candidate) -> dict:
        contacts = list(candidate.contacts.all())
        initial = {
            name: getattr(candidate, name)
            for name in (
                "legal_name",
                "date_of_birth",
                "role_applied_for",
                "claimed_country",
                "claimed_city",
                "claimed_nationality",
                "sourcing_channel",
                "sourcing_name",
                "shipping_address",
                "shipping_country",
                "bank_name",
                "bank_country",
                "routing_number",
                "identity_document_type",
            )
        }
        initial["aliases"] = _lines(candidate.aliases)
        for name, contact_list in CONTACT_LISTS.items():
            initial[name] = _lines(contact_line(c) for c in contacts if c.kind == contact_list.kind)
        initial["version"] = candidate.version
        return initial

    def clean_aliases(self):
        aliases = _split_lines(self.cleaned_data["aliases"])
        limit = Candidate.ALIAS_MAX_LENGTH
        problems = [_too_long(alias, limit) for alias in aliases if len(alias) > limit]
        if problems:
            raise ValidationError(problems)
        return aliases

    def fieldsets(self):
        for legend, names in self.FIELDSETS:
            yield legend, [self[name] for name in names]

    @property
    def expected_version(self) -> int | None:
        """The version of the facts the input is based on (None on the "Open a case" form)."""
        return self.cleaned_data.get("version")

    def show_stale(self, error, current: Candidate) -> None:
        """Someone saved the facts since this form was loaded (StaleVersion `error`): say so,
        keep everything typed, show the stored value beside each field it differs from, and
        carry the current version, so saving again (after checking) keeps the input."""
        self.add_error(None, error.message)
        now = self.initial_for(current)
        for name in self.fields:
            if name in self.SENSITIVE or name == "version":
                continue
            stored = "" if now.get(name) is None else str(now[name]).strip()
            typed = str(self.data.get(name, "")).strip().replace("\r\n", "\n")
            if stored != typed:
                self.add_error(name, _("Now saved: %(v)s") % {"v": stored or _("(empty)")})
        self.data = self.data.copy()
        self.data["version"] = current.version

    def service_data(self) -> dict:
        """The cleaned input in the shape the case services take."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if self.candidate is not None:
            for name in self.SENSITIVE:
                if not data.get(name):
                    data.pop(name, None)
        return data


class ProfileRowForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProfileKind.choices, required=False)
    url_or_handle = forms.CharField(
        label=_("URL or handle"), max_length=OnlineProfile.URL_OR_HANDLE_MAX, required=False
    )


class HistoryRowForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=HistoryEntry.Kind.choices, required=False)
    organisation = forms.CharField(
        label=_("Institution or employer"),
        max_length=max_length(HistoryEntry, "organisation"),
        required=False,
    )
    country = _country(HistoryEntry, "country", _("Country"))
    start_year = forms.IntegerField(
        label=_("From year"), required=False, validators=[validate_claimed_year]
    )
    end_year = forms.IntegerField(
        label=_("To year"), required=False, validators=[validate_claimed_year]
    )
    detail = forms.CharField(
        label=_("Degree or job title"),
        max_length=max_length(HistoryEntry, "detail"),
        required=False,
    )


def _row_formset(form):
    return forms.formset_factory(form, extra=2, max_num=LIST_MAX_ITEMS, validate_max=True)


ProfileFormSet = _row_formset(ProfileRowForm)
HistoryFormSet = _row_formset(HistoryRowForm)


def profile_rows(candidate: Candidate) -> list[dict]:
    return [{"kind": p.kind, "url_or_handle": p.url_or_handle} for p in candidate.profiles.all()]


def history_rows(candidate: Candidate) -> list[dict]:
    fields = ("kind", "organisation", "country", "start_year", "end_year", "detail")
    return [{f: getattr(row, f) for f in fields} for row in candidate.history_entries.all()]


def show_stale_rows(formset, current_rows: list[dict], required_field: str) -> None:
    """After a StaleVersion: when the stored rows differ from the typed ones, show the stored
    ones above the rows (which keep what was typed)."""
    fields = list(formset.form.base_fields)
    typed = [
        {f: row.get(f) or None for f in fields} for row in formset_rows(formset, required_field)
    ]
    stored = [{f: row.get(f) or None for f in fields} for row in current_rows]
    if [str(r) for r in typed] == [str(r) for r in stored]:
        return
    shown = "; ".join(
        ", ".join(str(row[f]) for f in fields if row[f] not in (None, "")) for row in stored
    )
    formset._non_form_errors = formset.non_form_errors() + [
        _("Now saved: %(v)s") % {"v": shown or _("(none)")}
    ]


def with_one_more_row(data, prefix: str):
    """A copy of the posted data whose formset `prefix` counts one more (empty) row."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    total = data.get(key, "")
    total = int(total) if total.isascii() and total.isdigit() and len(total) < 5 else 0
    data[key] = str(min(total + 1, LIST_MAX_ITEMS))
    return data


def shown_unchecked(form_or_formset) -> None:
    """Show a bound form (or formset) as typed, without checking it: no error is shown."""
    if isinstance(form_or_formset, forms.BaseFormSet):
        form_or_formset._errors = []
        form_or_formset._non_form_errors = form_or_formset.error_class()
        for form in form_or_formset.forms:
            shown_unchecked(form)
        return
    form_or_formset._errors = ErrorDict()


def formset_rows(formset, required_field: str) -> list[dict]:
    """The filled-in rows of a valid formset (rows left blank are dropped)."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data.get(required_field)]


def add_service_errors(form, errors: dict, fallback_fields=()) -> None:
    """Put a ServiceValidationError's messages on the form field they belong to."""
    for field, messages in errors.items():
        target = field if field in form.fields else None
        for message in messages:
            if target is None and field not in ("__all__", *fallback_fields):
                message = f"{field}: {message}"
            form.add_error(target, message)


def _version_label(version) -> str:
    return f"{version.code} — {version.title} ({version.get_kind_display()})"


class CatalogueChoiceForm(forms.Form):
    """Which catalogue versions a case asks: one base version and any other active versions
    besides it. The case services check the choice (`services.choose_versions`)."""

    catalog_version = forms.ChoiceField(
        label=_("Base catalogue"),
        required=False,
        help_text=_("The advisory the checklist is built on."),
    )
    supplements = forms.MultipleChoiceField(
        label=_("Also ask"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "check-list"}),
        help_text=_(
            "Supplements, or an older advisory whose own items should be asked too. An item "
            "whose code another chosen catalogue already asks is asked once."
        ),
    )

    def __init__(self, *args, versions=(), bases=None, **kwargs):
        """`versions`: the active versions; `bases`: those offered as the base (by default
        every base version of `versions`)."""
        super().__init__(*args, **kwargs)
        bases = [v for v in versions if v.kind == "base"] if bases is None else bases
        self.fields["catalog_version"].choices = [(v.code, _version_label(v)) for v in bases]
        self.fields["supplements"].choices = [(v.code, _version_label(v)) for v in versions]

    def clean(self):
        data = super().clean()
        base = data.get("catalog_version")
        if base and base in data.get("supplements", []):
            data["supplements"] = [code for code in data["supplements"] if code != base]
        return data

    # Posted by the form's template: without it (a form that does not show the catalogues),
    # the defaults apply; with it, the ticked boxes are the whole choice (none ticked: none).
    SHOWN = "catalogues_shown"

    def service_data(self) -> dict:
        shown = self.data.get(self.SHOWN) == "1"
        return {
            "catalog_version": self.cleaned_data["catalog_version"],
            "supplements": list(self.cleaned_data["supplements"]) if shown else None,
        }


# ---------------------------------------------------------------- checklist answers

# A section form holds several items: each item's fields carry its code (`value-RF-2023-01`),
# and `item` lists the codes the form showed. A single-item save reads the same fields, or the
# plain `value`, `note` and `version` (older pages and scripts).


def posted_version(text: str) -> int | None:
    """The answer's version the form was filled in from; anything not a number checks nothing."""
    text = text or ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def posted_answer(data, code: str) -> AnswerInput:
    """One item's answer as posted, by a section form or a single item's form."""

    def read(name: str) -> str:
        return data.get(f"{name}-{code}", data.get(name, ""))

    return AnswerInput(
        item_code=code,
        value=read("value"),
        note=read("note"),
        expected_version=posted_version(read("version")),
    )


def posted_section(data) -> list[AnswerInput]:
    """The answers a section form posted, in its order. An item left as it was shown blank
    (no answer chosen, no note) is not part of the save; anything typed is."""
    answers = []
    for code in dict.fromkeys(data.getlist("item")):
        entry = AnswerInput(
            item_code=code,
            value=data.get(f"value-{code}", ""),
            note=data.get(f"note-{code}", ""),
            expected_version=posted_version(data.get(f"version-{code}", "")),
        )
        if entry.value.strip() or entry.note.strip():
            answers.append(entry)
    return answers


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, images, text, CSV, e-mail, audio, video, DOCX or XLSX."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=max_length(Evidence, "description"),
        required=False,
        help_text=_("What the file shows, in a sentence."),
    )
    answers = forms.MultipleChoiceField(
        label=_("Checklist items it supports"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, item_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answers"].choices = list(item_choices)


class WithdrawEvidenceForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=Evidence.WITHDRAWN_REASON_MAX_LENGTH,
        widget=forms.TextInput(),
    )


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[
            ("account_number", _("Account number")),
            ("identity_document_number", _("Identity document number")),
        ],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Why do you need to see it?"),
        max_length=max_length(SensitiveReveal, "reason"),
        help_text=_("Recorded in the audit log with your name."),
    )


class SignOffForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=SignOffOutcome.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to reject, refer or return: say why."),
    )


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Name, e-mail, phone, account number, IP address, handle or reference"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), required=False, choices=[("", _("Any risk")), *RiskLevel.choices]
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    created_from = forms.DateField(
        label=_("Opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Opened until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owners = selectors.case_owners().only("username", "first_name", "last_name")
        self.fields["owner"].choices = [("", _("Anyone"))] + [
            (user.username, user.get_full_name() or user.username) for user in owners
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters; an invalid one is left out (and reported by the page)."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or "",
            "risk_level": data.get("risk_level") or "",
            "owner": data.get("owner") or "",
            "created_from": data.get("created_from"),
            "created_to": data.get("created_to"),
        }


class FindingAcceptForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. The answer's note cites the finding."),
    )


class FindingDismissForm(forms.Form):
    note = forms.CharField(
        label=_("Reason"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the finding is dismissed.")},
        help_text=_("Why the finding does not apply: recorded with your name."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=CaseComment.BODY_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write something to post.")},
        help_text=_(
            "Markdown: **bold**, *italic*, `code`, lists, > quotes and [links](https://…). "
            "HTML and images are shown as text. @username notifies HR, reviewer and compliance "
            "users; other names notify nobody."
        ),
    )
    # The comment's version the edit form was filled in from (optimistic concurrency).
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class SavedViewForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=SavedView.NAME_MAX_LENGTH,
        error_messages={"required": _("Give the view a name.")},
    )
    is_default = forms.BooleanField(label=_("Open the case list with this view"), required=False)
