"""Reads of cases: visibility, lists, checklist, linked cases, risk inputs."""

import contextlib
import datetime
import re
from collections import OrderedDict
from dataclasses import dataclass, field

import phonenumbers
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from common import normalize
from indicators.models import CatalogItem, CatalogVersion, Category, Kind, Section
from signals.facts import LinkFact
from signals.findings import Severity

from . import crypto, permissions, scoring
from .markdown import render_markdown
from .models import (
    FINAL_STATUSES,
    FLAGGED_STATUSES,
    VALUES_BY_KIND,
    VALUES_NEEDING_NOTE,
    AnswerValue,
    Candidate,
    CandidateContact,
    Case,
    CaseCatalog,
    CaseComment,
    CaseTally,
    ChecklistAnswer,
    ContactKind,
    Evidence,
    FindingStatus,
    OnlineProfile,
    ProfileKind,
    RiskLevel,
    SavedView,
    Status,
)
from .models import Finding as StoredFinding


def visible_cases(user) -> QuerySet[Case]:
    """The cases `user` may see (`permissions.can_view_case` for one case)."""
    if not permissions.can_read_cases(user):
        return Case.objects.none()
    return Case.objects.select_related("candidate", "owner", "reviewer", "catalog_version")


# The order of the case list (web and API): newest first, the id breaking ties, so that the
# list can be read page by page from a cursor (common.web.keyset_page, the API's cursors).
CASE_LIST_ORDER = ("-created_at", "-id")

# What a row of a case list shows (templates/cases/_case_table.html): a list reads only these,
# so it neither decodes the risk snapshot nor decrypts the candidate's numbers.
LIST_ROW_FIELDS = (
    "reference",
    "status",
    "risk_level",
    "created_at",
    "submitted_at",
    "review_due_at",
    "candidate__legal_name",
    "candidate__role_applied_for",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "reviewer__username",
    "reviewer__first_name",
    "reviewer__last_name",
)
# ... and a case of the API's lists (serializers.CaseSummarySerializer).
SUMMARY_FIELDS = (
    *LIST_ROW_FIELDS,
    "risk_score",
    "decision",
    "updated_at",
    "closed_at",
    "candidate__claimed_country",
    "catalog_version__code",
)


def list_rows(cases: QuerySet[Case], fields: tuple[str, ...] = LIST_ROW_FIELDS) -> QuerySet[Case]:
    """`cases` reading only `fields` (and the related rows they name, in the same query)."""
    related = sorted({name.split("__")[0] for name in fields if "__" in name})
    return cases.select_related(None).select_related(*related).only(*fields)


def _day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the current time zone (a date filter as a range, which an
    index on the time serves; `created_at__date` would convert every row's time)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def case_list(
    user,
    *,
    search: str = "",
    status: str = "",
    risk_level: str = "",
    owner: str = "",
    reviewer: str = "",
    created_from=None,
    created_to=None,
) -> QuerySet[Case]:
    """The cases `user` may see that match the filters, in CASE_LIST_ORDER."""
    cases = visible_cases(user)
    if search.strip():
        cases = cases.filter(candidate_id__in=searched_candidates(search))
    if status:
        cases = cases.filter(status=status)
    if risk_level:
        cases = cases.filter(risk_level=risk_level)
    # A user by their id, found first (no join), so the owner's index serves the list.
    if owner:
        cases = cases.filter(owner_id=_user_id(owner))
    if reviewer:
        cases = cases.filter(reviewer_id=_user_id(reviewer))
    if created_from:
        cases = cases.filter(created_at__gte=_day_start(created_from))
    if created_to:
        cases = cases.filter(created_at__lt=_day_start(created_to + datetime.timedelta(days=1)))
    return cases.order_by(*CASE_LIST_ORDER)


def _user_id(username: str) -> Subquery:
    users = get_user_model().objects.filter(username=username).values("id")[:1]
    return Subquery(users)


def case_owners() -> QuerySet:
    """The users who own at least one case (the case list's owner filter), by username: an
    EXISTS per user over the owner index, never a join of every case."""
    owns = Case.objects.filter(owner=OuterRef("pk"))
    return get_user_model().objects.filter(Exists(owns)).order_by("username")


# ---------------------------------------------------------------- search by any identifier

_PHONE_CHARS = re.compile(r"[\s().\-/+]")
_HANDLE = re.compile(r"^@?[\w.\-]+$")
_DOMAIN = re.compile(r"^@?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$", re.IGNORECASE)


def _phone_keys(text: str) -> set[str]:
    """Every stored form (`CandidateContact.normalized`) the typed phone can have: E.164 as
    written (+1 …, 00 1 …, or the digits with their country code), a national number read in
    any region (a stored national number was read in its candidate's claimed country), and
    the bare digits an unparsable number is kept as."""
    digits = re.sub(r"\D", "", text)
    keys = {digits, normalize.normalize_phone(text), normalize.normalize_phone(f"+{digits}")}
    if not text.lstrip().startswith(("+", "00")):
        for region in phonenumbers.SUPPORTED_REGIONS:
            try:
                number = phonenumbers.parse(text, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_possible_number(number):
                keys.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return {key for key in keys if len(re.sub(r"\D", "", key)) >= 6}


def _is_email(text: str) -> bool:
    try:
        EmailValidator()(text)
    except ValidationError:
        return False
    return True


# A search finding at most this many candidates filters the cases by their ids, read first.
SEARCH_IDS_READ_FIRST = 1000


def searched_candidates(query: str) -> list[int] | QuerySet:
    """The candidates `query` finds (`identifier_search`), as a filter of the cases: their ids
    when there are at most SEARCH_IDS_READ_FIRST, else the subquery.

    Why: given the subquery, the database estimates its matches and, for a name a candidate in
    a hundred shares, walks the newest cases checking each one's candidate: thousands of probes
    at 100,000 cases. Given the ids, it reads just those cases. A search finding more matches
    than that finds them densely enough for the walk to fill a page soon."""
    subquery = identifier_search(query)
    rows = list(subquery[: SEARCH_IDS_READ_FIRST + 1])
    if len(rows) > SEARCH_IDS_READ_FIRST:
        return subquery
    return sorted({value for row in rows for value in row.values()})


def identifier_search(query: str) -> QuerySet:
    """The ids of the candidates `query` finds (for `candidate_id__in=` or `id__in=`).

    The query is read as every identifier it can be, each looked up by equality (or a
    prefix) on an indexed column, never by decrypting:

    - an e-mail address: the normalised e-mail contacts (`Jane.Doe+x@GMail.com` finds
      `janedoe@gmail.com`); the beginning of one (`p13@example`): a prefix of them; a domain
      (`example.com`, `@example.com`): every address there (a suffix, which scans the e-mails);
    - an IP address: the IP contacts in canonical form;
    - a phone number in any format (`646.555.0142`, `+1 (646) 555-0142`, `16465550142`):
      the phone contacts in E.164 (see `_phone_keys`);
    - an account or identity document number (an IBAN with spaces, digits with dashes):
      their blind indexes;
    - a profile URL or handle (`https://github.com/alice`, `@alice`): the profiles;
    - a reference (`VET-2026-000012`, or its beginning);
    - a name: the name key's beginning, so token order, hyphens, Hangul and the usual
      spellings of Korean family names do not matter (`Lee Minho` finds `Yi Min-ho`), with a
      substring match on the legal name and aliases as a fallback (a scan);
    - a shipping address: the beginning of the normalised address.

    Each kind is its own indexed subquery of candidate ids and they are combined with
    `UNION ALL`, so the caller filters by one `candidate_id IN (…)`: no join, no DISTINCT,
    and (an identifier being no name) no scan of the cases, whose list, count and pages stay
    cheap. Only the name's substring fallback scans (on SQLite; PostgreSQL has trigram
    indexes for it, migration 0014).
    """
    text = query.strip()
    has_digit = any(c.isdigit() for c in text)
    has_letter = any(c.isalpha() for c in text)
    contacts, candidates, found = Q(), Q(), []

    if _DOMAIN.match(text):  # every address at a domain (a suffix: scans the e-mails)
        domain = text.lstrip("@").lower()
        contacts |= Q(kind=ContactKind.EMAIL, normalized__endswith=f"@{domain}")
    elif "@" in text and not text.startswith("@"):
        if _is_email(text):
            contacts |= Q(kind=ContactKind.EMAIL, normalized=normalize.normalize_email(text))
        else:
            contacts |= Q(kind=ContactKind.EMAIL, normalized__startswith=text.lower())
    with contextlib.suppress(ValueError):
        contacts |= Q(kind=ContactKind.IP_ADDRESS, normalized=normalize.normalize_ip(text))
    bare = _PHONE_CHARS.sub("", text)
    if bare.isdigit() and 6 <= len(bare) <= 17:
        contacts |= Q(kind=ContactKind.PHONE, normalized__in=sorted(_phone_keys(text)))
    if contacts:
        found.append(CandidateContact.objects.filter(contacts).values("candidate_id"))

    if has_digit:
        for field_name, index in (
            ("account_number_index", crypto.account_number_index(text)),
            ("identity_document_index", crypto.blind_index(text)),
        ):
            if index:  # an empty index is "no number", which must match nothing
                candidates |= Q(**{field_name: index})

    handles = set()
    if "://" in text or re.match(r"^(www\.)?[\w-]+\.[a-z]{2,}/", text, re.IGNORECASE):
        handles.add(normalize.normalize_profile(ProfileKind.WEBSITE, text))
    elif _HANDLE.match(text) and has_letter:
        handles |= {normalize.normalize_profile(kind, text) for kind in ProfileKind.values}
    handles.discard("")
    if handles:
        found.append(
            OnlineProfile.objects.filter(normalized_handle__in=sorted(handles)).values(
                "candidate_id"
            )
        )

    if text.upper().startswith("VET"):
        found.append(Case.objects.filter(reference__startswith=text.upper()).values("candidate_id"))

    # A valid IBAN (it keeps its letters when normalised) is an account number, nothing else.
    is_iban = any(c.isalpha() for c in normalize.normalize_account_number(text))
    if has_letter and "@" not in text and "://" not in text and not is_iban:
        if not has_digit:  # a name has no digits (an IBAN or an address may)
            key = normalize.name_key(text)
            if key:
                candidates |= Q(name_key__startswith=key)
            candidates |= Q(legal_name__icontains=text) | Q(aliases__icontains=text)
        address = normalize.normalize_address(text)
        if len(address) >= 3:
            candidates |= Q(normalized_shipping_address__startswith=address)
    if candidates:
        found.append(Candidate.objects.filter(candidates).values("id"))

    if not found:
        return Candidate.objects.none().values("id")
    found = [subquery.order_by() for subquery in found]  # no ORDER BY inside a UNION
    return found[0].union(*found[1:], all=True) if len(found) > 1 else found[0]


QUEUE_TABS = ("all", "unassigned", "mine", "overdue")
# The review queue's order: the longest waiting first (a submitted case has a submission time).
QUEUE_ORDER = ("submitted_at", "id")


def _queue_tabs(user) -> dict[str, Q]:
    """What each tab of the review queue narrows it to (`all`: nothing). Overdue: past the
    review deadline (cases/deadlines.py)."""
    return {
        "unassigned": Q(reviewer__isnull=True),
        "mine": Q(reviewer=user),
        "overdue": Q(review_due_at__lte=timezone.now()),
    }


def review_queue(user, show: str = "all") -> QuerySet[Case]:
    """Cases submitted or in review, oldest submission first; `show` is one of QUEUE_TABS."""
    cases = (
        visible_cases(user)
        .filter(status__in=[Status.SUBMITTED, Status.IN_REVIEW])
        .order_by(*QUEUE_ORDER)
    )
    tab = _queue_tabs(user).get(show)
    return cases if tab is None else cases.filter(tab)


# ---------------------------------------------------------------- pinned catalogues


PINNED_VERSIONS = "_pinned_versions"  # where pinned_versions keeps its answer on the case


def pinned_versions(case: Case) -> list[CatalogVersion]:
    """Every catalogue version the case asks: its base version first, then the others in the
    order they were pinned. Read once per case object (one query)."""
    pinned = getattr(case, PINNED_VERSIONS, None)
    if pinned is None:
        extra = CaseCatalog.objects.filter(case=case).select_related("version")
        pinned = [case.catalog_version, *(pin.version for pin in extra.order_by("position"))]
        setattr(case, PINNED_VERSIONS, pinned)
    return list(pinned)


def pinned_version_codes(case: Case) -> list[str]:
    return [version.code for version in pinned_versions(case)]


def active_versions() -> list[CatalogVersion]:
    """The versions a case may pin (newest first): base versions, then supplements."""
    versions = CatalogVersion.objects.filter(is_active=True).order_by("-published_on", "code")
    return sorted(versions, key=lambda v: v.kind != "base")


def pinned_items(versions: list[CatalogVersion]) -> list[CatalogItem]:
    """The items a case pinning `versions` asks, in checklist order: each version's items in
    their order, an item whose code an earlier version already asks left out (asked once)."""
    items = CatalogItem.objects.filter(version__in=versions).select_related("version")
    by_version: dict[int, list[CatalogItem]] = {}
    for item in items.order_by("position"):
        by_version.setdefault(item.version_id, []).append(item)
    asked, result = set(), []
    for version in versions:
        for item in by_version.get(version.pk, []):
            if item.code not in asked:
                asked.add(item.code)
                result.append(item)
    return result


def _pin_position(case: Case):
    """0 for the items of the base version, else the position of the item's version among the
    case's other pinned versions (one subquery, no extra query)."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    pin = CaseCatalog.objects.filter(case=case.pk, version=OuterRef("item__version")).values(
        "position"
    )[:1]
    return Coalesce(Subquery(pin, output_field=IntegerField()), 0)


def answers_for(case: Case) -> QuerySet[ChecklistAnswer]:
    """The answers to the items the case asks now (not those an upgrade retired), catalogue by
    catalogue in pinning order, each in its items' order."""
    return (
        ChecklistAnswer.objects.filter(case=case, retired_at__isnull=True)
        .select_related("item", "item__version", "answered_by")
        .prefetch_related("evidence")
        .annotate(pin_position=_pin_position(case))
        .order_by("pin_position", "item__position")
    )


def earlier_answers(case: Case) -> QuerySet[ChecklistAnswer]:
    """Answers to items an upgrade took off the case that carried over to no successor: shown
    "from an earlier version", read-only; not asked, not counted for completeness, not scored."""
    return (
        ChecklistAnswer.objects.filter(case=case, retired_at__isnull=False)
        .exclude(value="")
        .filter(carried_into__isnull=True)
        .select_related("item", "item__version", "answered_by")
        .order_by("item__version__published_on", "item__position")
    )


def checklist_by_category(case: Case) -> "OrderedDict[str, list[ChecklistAnswer]]":
    grouped: OrderedDict[str, list[ChecklistAnswer]] = OrderedDict(
        (value, []) for value in Category.values
    )
    for answer in answers_for(case):
        grouped[answer.item.category].append(answer)
    return OrderedDict((k, v) for k, v in grouped.items() if v)


@dataclass
class ChecklistSection:
    """One section of the checklist (red flags, due diligence, post-hire checks): its answers
    grouped by category, each group in catalogue order. A section is what one form answers."""

    key: str  # indicators.models.Section
    groups: "OrderedDict[str, list[ChecklistAnswer]]"
    version_code: str = ""  # the catalogue version the section belongs to

    @property
    def form_key(self) -> str:
        """What the section form posts as `section`: unique across the case's catalogues."""
        return f"{self.version_code}:{self.key}" if self.version_code else self.key

    @property
    def label(self) -> str:
        return Section(self.key).label

    @property
    def answers(self) -> list[ChecklistAnswer]:
        return [answer for answers in self.groups.values() for answer in answers]


@dataclass
class ChecklistCatalogue:
    """One pinned catalogue version on the checklist, its answers grouped by section."""

    version: CatalogVersion
    sections: list[ChecklistSection]

    @property
    def answers(self) -> list[ChecklistAnswer]:
        return [a for section in self.sections for a in section.answers]

    @property
    def answered(self) -> int:
        return sum(1 for a in self.answers if a.value)


def _sections(answers) -> list[ChecklistSection]:
    """Answers by section, in the order of `Section`, then by category."""
    sections = OrderedDict(
        (key, OrderedDict((category, []) for category in Category.values)) for key in Section.values
    )
    for answer in answers:
        sections[answer.item.checklist_section][answer.item.category].append(answer)
    return [
        ChecklistSection(key, OrderedDict((c, answers) for c, answers in groups.items() if answers))
        for key, groups in sections.items()
        if any(groups.values())
    ]


def checklist_by_catalogue(case: Case, answers=None) -> list[ChecklistCatalogue]:
    """The checklist as its page shows it: each pinned catalogue version (base first) with its
    asked answers by section (red flags, due diligence, post-hire checks), then by category. A
    version whose items are all asked through an earlier one is listed with no sections.
    `answers`: `answers_for(case)` when already read."""
    answers = list(answers_for(case) if answers is None else answers)
    by_version: dict[int, list[ChecklistAnswer]] = {}
    for answer in answers:
        by_version.setdefault(answer.item.version_id, []).append(answer)
    result = []
    for version in pinned_versions(case):
        sections = _sections(by_version.get(version.pk, []))
        for section in sections:
            section.version_code = version.code
        result.append(ChecklistCatalogue(version, sections))
    return result


def checklist_sections(case: Case) -> list[ChecklistSection]:
    """Every section of every pinned catalogue, in the page's order. A section's `form_key`
    (version code and section) names it uniquely: what one section form answers."""
    return [section for catalogue in checklist_by_catalogue(case) for section in catalogue.sections]


@dataclass(frozen=True)
class CarryOver:
    """An answer an upgrade carries over to a successor item: through the successor's
    `supersedes` codes, or because the new version has an item with the same code."""

    source: ChecklistAnswer
    item: CatalogItem
    through: str  # "same_code" or "supersedes"


@dataclass
class UpgradePlan:
    """What moving a case to other catalogue versions does to its answers (a preview until an
    upgrade applies it). Nothing answered is lost: an answer either stays asked (`kept`,
    `restored`), carries over to a successor (`carried`), or stays visible as "from an earlier
    version" (`orphaned`)."""

    case: Case
    current: list[CatalogVersion]
    target: list[CatalogVersion]
    kept: list[ChecklistAnswer] = field(default_factory=list)  # the same item, still asked
    restored: list[ChecklistAnswer] = field(default_factory=list)  # retired, asked again
    carried: list[CarryOver] = field(default_factory=list)
    orphaned: list[ChecklistAnswer] = field(default_factory=list)  # answered, no successor
    dropped: list[ChecklistAnswer] = field(default_factory=list)  # unanswered, no successor
    added: list[CatalogItem] = field(default_factory=list)  # new items, nothing to carry

    @property
    def current_codes(self) -> list[str]:
        return [v.code for v in self.current]

    @property
    def target_codes(self) -> list[str]:
        return [v.code for v in self.target]

    @property
    def changes(self) -> bool:
        return [v.pk for v in self.current] != [v.pk for v in self.target]

    @property
    def leaving(self) -> list[ChecklistAnswer]:
        """The asked answers the upgrade retires (carried, orphaned or unanswered)."""
        targets = {a.pk for a in (*self.kept, *self.restored)}
        carried = [c.source for c in self.carried if c.source.retired_at is None]
        rows = {a.pk: a for a in (*carried, *self.orphaned, *self.dropped)}
        return [a for pk, a in rows.items() if pk not in targets]

    def as_dict(self) -> dict:
        """As the audit log, the API and the preview state it (codes, not rows)."""

        def code(answer):
            return {"code": answer.item.code, "version": answer.item.version.code}

        return {
            "from_versions": [v.code for v in self.current],
            "to_versions": [v.code for v in self.target],
            "carried": [
                {
                    "from_code": c.source.item.code,
                    "from_version": c.source.item.version.code,
                    "to_code": c.item.code,
                    "to_version": c.item.version.code,
                    "value": c.source.value,
                    "through": c.through,
                }
                for c in self.carried
            ],
            "orphaned": [{**code(a), "value": a.value} for a in self.orphaned],
            "added": [{"code": i.code, "version": i.version.code} for i in self.added],
            "restored": [code(a) for a in self.restored],
            "kept": len(self.kept),
            "retired_unanswered": [code(a) for a in self.dropped],
        }


def upgrade_plan(case: Case, target: list[CatalogVersion]) -> UpgradePlan:
    """What pinning `target` (base first) instead of the case's versions would do.

    Each item of the new pinning keeps its own answer when the case has one (an answer an
    earlier upgrade retired is asked again). Otherwise it takes the value, note and evidence of
    an answered item leaving the case (or answered "from an earlier version") with the same
    code, else of the first of its `supersedes` codes that has one, when that value fits the
    item's kind. An answered item that carries over nowhere is orphaned: kept, shown read-only
    as from an earlier version, not scored."""
    plan = UpgradePlan(case, pinned_versions(case), list(target))
    items = pinned_items(plan.target)
    wanted = {item.pk for item in items}
    rows = list(
        ChecklistAnswer.objects.filter(case=case)
        .select_related("item", "item__version")
        .prefetch_related("evidence")
        .annotate(carried_count=Count("carried_into"))
        .order_by("item__position", "id")
    )
    by_item = {row.item_id: row for row in rows}
    leaving = [r for r in rows if r.retired_at is None and r.item_id not in wanted]
    earlier = [r for r in rows if r.retired_at is not None and r.value and not r.carried_count]
    sources: dict[str, list[ChecklistAnswer]] = {}
    for row in [r for r in leaving if r.value] + earlier:  # asked answers first
        sources.setdefault(row.item.code, []).append(row)
    used = set()
    for item in items:
        row = by_item.get(item.pk)
        if row is not None:
            (plan.kept if row.retired_at is None else plan.restored).append(row)
            continue
        codes = [("same_code", item.code), *(("supersedes", c) for c in item.supersedes)]
        found = next(
            (
                (source, through)
                for through, code in codes
                for source in sources.get(code, [])
                if source.value in VALUES_BY_KIND[item.kind] and source.item_id not in wanted
            ),
            None,
        )
        if found is None:
            plan.added.append(item)
            continue
        plan.carried.append(CarryOver(found[0], item, found[1]))
        used.add(found[0].pk)
    plan.orphaned = [r for r in leaving if r.value and r.pk not in used]
    plan.dropped = [r for r in leaving if not r.value]
    return plan


@dataclass
class Progress:
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def unanswered(self) -> int:
        return self.total - self.answered

    @property
    def complete(self) -> bool:
        """Every item is answered: the case may be scored and submitted."""
        return bool(self.total) and self.answered == self.total


def progress(case: Case) -> Progress:
    """How many of the items the case asks now are answered (retired answers do not count)."""
    counts = ChecklistAnswer.objects.filter(case=case, retired_at__isnull=True).aggregate(
        total=Count("id"), answered=Count("id", filter=~Q(value=""))
    )
    return Progress(counts["answered"], counts["total"])


def unanswered_items(case: Case) -> list[ChecklistAnswer]:
    return list(answers_for(case).filter(value=""))


def evidence_for(case: Case) -> QuerySet[Evidence]:
    return (
        Evidence.objects.filter(case=case)
        .select_related("uploaded_by", "withdrawn_by")
        .prefetch_related("answers__item")
    )


def scoring_inputs(case: Case) -> list[scoring.ScoringInput]:
    return _scoring_inputs(answers_for(case))


def _scoring_inputs(answers) -> list[scoring.ScoringInput]:
    return [
        scoring.ScoringInput(
            code=a.item.code,
            kind=a.item.kind,
            title=a.item.title,
            weight=a.item.weight,
            critical=a.item.critical,
            value=a.value,
        )
        for a in answers
    ]


def finding_inputs(case: Case) -> list[scoring.FindingInput]:
    """The stored findings of a case as the score reads them (policy 2026.2 on), all statuses:
    the policy decides which count."""
    rows = StoredFinding.objects.filter(case=case).order_by("id")
    return [
        scoring.FindingInput(
            check=row.check_code,
            severity=row.severity,
            status=row.status,
            summary=row.summary,
            subject=row.subject,
            suggests_item_code=row.suggests_item_code,
            suggests_value=row.suggests_value,
        )
        for row in rows
    ]


def link_inputs(case: Case, facts: tuple[LinkFact, ...] | None = None) -> list[scoring.LinkInput]:
    """The links of a case as the score reads them (policy 2026.2 on): `link_facts`."""
    facts = link_facts(case) if facts is None else facts
    return [scoring.LinkInput(f.reference, f.outcome, f.matched) for f in facts]


@dataclass(frozen=True)
class RiskInputs:
    """Everything a score is computed from, read once."""

    answers: list[scoring.ScoringInput]
    findings: list[scoring.FindingInput]
    links: list[scoring.LinkInput]
    catalogs: list[str] = field(default_factory=list)  # pinned version codes, base first


def risk_inputs(case: Case, answers=None, links: "list[LinkedCase] | None" = None) -> RiskInputs:
    """`answers` (`answers_for`) and `links` (`linked_cases`) when already read. The answers
    are those of every item the case asks now, whichever pinned catalogue it comes from;
    retired answers (from an earlier version, no successor) do not score."""
    answers = answers_for(case) if answers is None else answers
    return RiskInputs(
        _scoring_inputs(answers),
        finding_inputs(case),
        link_inputs(case, link_facts(case, links)),
        pinned_version_codes(case),
    )


def risk_from(
    inputs: RiskInputs, case: Case, policy_version: str | None = None
) -> scoring.RiskResult:
    """The risk of these inputs under `policy_version` (the current policy by default)."""
    return scoring.compute_risk(
        inputs.answers,
        case.catalog_version.code,
        policy_version or scoring.CURRENT_POLICY_VERSION,
        findings=inputs.findings,
        links=inputs.links,
        catalog_versions=inputs.catalogs or None,
    )


def current_risk(case: Case, policy_version: str | None = None) -> scoring.RiskResult:
    """The risk of the answers, findings and links as they are now (the snapshot is taken at
    submission), under the current policy unless another is named."""
    return risk_from(risk_inputs(case), case, policy_version)


def changed_since_snapshot(case: Case, current: scoring.RiskResult | None = None) -> bool:
    """Whether the inputs no longer give the snapshot's hash (under the snapshot's policy)."""
    snapshot = case.risk_snapshot
    if not snapshot:
        return False
    if current is None or current.policy_version != snapshot["policy_version"]:
        current = current_risk(case, snapshot["policy_version"])
    return current.inputs_hash != snapshot["inputs_hash"]


def live_risk(
    case: Case, answered: Progress | None = None, links: "list[LinkedCase] | None" = None
) -> scoring.RiskResult | None:
    """The risk of the answers as they are now, once every item is answered; None before that.
    `links`: `linked_cases(case)` when already read.

    Scoring counts an unanswered item as half a finding, so a score of a partly answered case
    would read like a verdict on things nobody has looked at yet.
    """
    answered = answered or progress(case)
    if not answered.complete:
        return None
    return risk_from(risk_inputs(case, links=links), case)


@dataclass
class Finding:
    """An answer a reviewer should weigh: it adds points to the risk, or it carries a note."""

    answer: ChecklistAnswer
    contribution: scoring.Contribution | None


def findings(case: Case, links: "list[LinkedCase] | None" = None) -> list[Finding]:
    """Every answered item that adds to the risk (highest first), then the other noted answers.

    Points follow the policy of the case's snapshot once its answers are frozen. (Findings of the
    automated checks and links add to the risk too; they are listed with the risk explanation.)
    `links`: `linked_cases(case)` when already read.
    """
    answers = [a for a in answers_for(case) if a.value]
    by_code = {a.item.code: a for a in answers}
    frozen = case.risk_snapshot if not case.is_editable else None
    policy = frozen["policy_version"] if frozen else scoring.CURRENT_POLICY_VERSION
    contributions = risk_from(risk_inputs(case, answers, links), case, policy).contributions
    scored = [Finding(by_code[c.code], c) for c in contributions if c.code in by_code]
    counted = {c.code for c in contributions}
    noted = [
        Finding(a, None)
        for a in answers
        if a.item.code not in counted and a.value in VALUES_NEEDING_NOTE
    ]
    return scored + noted


def why_not_closable_by_hr(case: Case) -> list[str]:
    """Reasons HR may not close a submitted case itself; empty when it may."""
    reasons = []
    if case.risk_level != "low":
        level = RiskLevel(case.risk_level).label.lower() if case.risk_level else _("not computed")
        reasons.append(_("risk level is %(level)s") % {"level": level})
    answers = answers_for(case)
    observed = [a.item.code for a in answers if a.value == AnswerValue.OBSERVED]
    if observed:
        reasons.append(_("red flags observed (%(codes)s)") % {"codes": ", ".join(observed)})
    gaps = [
        a.item.code
        for a in answers
        if a.item.kind == Kind.DUE_DILIGENCE
        and a.value not in (AnswerValue.COMPLETED, AnswerValue.NOT_APPLICABLE)
    ]
    if gaps:
        reasons.append(
            _("due diligence incomplete or adverse (%(codes)s)") % {"codes": ", ".join(gaps)}
        )
    reasons += permissions.why_reviewer_must_decide(case)
    return reasons


def legacy_country_texts(candidate: Candidate) -> list[tuple[str, str]]:
    """(what, text) for each country kept as typed because it named no single country."""
    rows = [
        (capfirst(Candidate._meta.get_field(name).verbose_name), getattr(candidate, name))
        for name in ("claimed_country_text", "claimed_nationality_text")
    ]
    rows += [(str(entry), entry.country_text) for entry in candidate.history_entries.all()]
    return [(what, text) for what, text in rows if text]


def user_named(username: str):
    return get_user_model().objects.filter(username=username).first()


def active_reviewers() -> list[tuple[str, str]]:
    """(username, name) of every active reviewer (the four-eyes rule is each case's business:
    see `reviewer_choices`)."""
    reviewers = (
        get_user_model()
        .objects.filter(groups__name__in=permissions.REVIEWERS, is_active=True)
        .order_by("username")
        .distinct()
    )
    return [(user.username, user.get_full_name() or user.username) for user in reviewers]


def reviewer_choices(case: Case) -> list[tuple[str, str]]:
    """(username, name) of the active reviewers who may take the case: not its assessors."""
    reviewers = (
        get_user_model()
        .objects.filter(groups__name__in=permissions.REVIEWERS, is_active=True)
        .exclude(pk__in=assessor_ids(case))
        .order_by("username")
        .distinct()
    )
    return [(user.username, user.get_full_name() or user.username) for user in reviewers]


def assessor_ids(case: Case) -> set[int]:
    """Who assessed the case (`permissions.is_assessor` is the rule; this is its data).

    Its owner (who opened it) and whoever, by the history of its rows: answered a checklist
    item, edited the candidate's facts, uploaded, withdrew or re-linked evidence (linking saves
    the evidence, so the link change has a history row too), or accepted a finding (which may
    fill in an answer). One query: the histories are read as one UNION.
    """
    answers = (
        ChecklistAnswer.history.filter(case_id=case.pk, history_user__isnull=False)
        .exclude(history_type="+")  # the unanswered rows created with the case
        .values_list("history_user_id")
    )
    facts = Candidate.history.filter(id=case.candidate_id, history_user__isnull=False).values_list(
        "history_user_id"
    )
    evidence = Evidence.history.filter(case_id=case.pk, history_user__isnull=False).values_list(
        "history_user_id"
    )
    accepted = StoredFinding.history.filter(
        case_id=case.pk, status=FindingStatus.ACCEPTED, history_user__isnull=False
    ).values_list("history_user_id")
    parts = [rows.order_by() for rows in (answers, facts, evidence, accepted)]
    rows = parts[0].union(*parts[1:])
    return {case.owner_id} | {user_id for (user_id,) in rows}


# ---------------------------------------------------------------- linked cases


@dataclass
class LinkedCase:
    case: Case
    matches: list[tuple[str, str]] = field(default_factory=list)  # (what, shown value)


REFERENCE_MATCH_PREFIX = "reference's "


def contact_match(kind: str, *, reference: bool = False) -> str:
    """What a shared contact is called in a link: "phone", or "reference's phone" when the
    number is a reference's on either side."""
    return f"{REFERENCE_MATCH_PREFIX}{kind}" if reference else kind


def is_reference_match(what: str) -> bool:
    return what.startswith(REFERENCE_MATCH_PREFIX)


# How alike two name keys (normalize.name_key) must be, by rapidfuzz's token_sort_ratio
# (0-100), to be taken for one name. 90 accepts one romanisation of a given name for another
# (Cheolsu / Cholsu: 95) and rejects a different given name (Minho / Minsu: 78).
NAME_SIMILARITY_THRESHOLD = 90


def same_name(key: str, other: str) -> bool:
    return bool(key and other) and fuzz.token_sort_ratio(key, other) >= NAME_SIMILARITY_THRESHOLD


def _own_last(contact: CandidateContact) -> bool:
    return not contact.is_reference


# Where a batch read (`cases.screening.screening_prefetches`) puts a candidate's related rows.
PREFETCHED_ROWS = "_screening_"


def related_rows(candidate, name: str) -> list:
    """The candidate's related rows `name`: as prefetched for screening, else read now."""
    rows = getattr(candidate, PREFETCHED_ROWS + name, None)
    return rows if rows is not None else list(getattr(candidate, name).all())


# Case pages list this many linked cases, those with the most identifiers in common first, and
# count the rest (a forwarder's address can link hundreds).
LINKED_CASES_SHOWN = 50

# The columns `linked_cases` reads of each linked case: what link panels, reports and scores show.
LINKED_CASE_FIELDS = (
    "id",
    "reference",
    "status",
    "decision",
    "candidate_id",
    "candidate__legal_name",
    "owner_id",
    "owner__username",
)


def _link_matches(case: Case) -> dict[int, list[tuple[str, str]]]:
    """The other candidates sharing an identifier with the case's, each with what matched:
    indexed equality lookups, one per kind of identifier."""
    candidate = case.candidate
    found: dict[int, list[tuple[str, str]]] = {}

    def add(candidate_ids_with_value, what: str):
        for other_id, shown in candidate_ids_with_value:
            if other_id == candidate.pk:
                continue
            matches = found.setdefault(other_id, [])
            if (what, shown) not in matches:
                matches.append((what, shown))

    contacts = related_rows(candidate, "contacts")
    for kind in ContactKind.values:
        # A value the candidate gives as its own and as a reference's counts as its own.
        mine = sorted((c for c in contacts if c.kind == kind and c.normalized), key=_own_last)
        normalized = {c.normalized: c for c in mine}
        if not normalized:
            continue
        rows = CandidateContact.objects.filter(kind=kind, normalized__in=normalized).values_list(
            "candidate_id", "normalized", "belongs_to"
        )
        for other_id, value, belongs_to in rows:
            contact = normalized[value]
            references = contact.is_reference or belongs_to == CandidateContact.Owner.REFERENCE
            add([(other_id, contact.value)], contact_match(kind, reference=references))
    handles = {p.normalized_handle: p.url_or_handle for p in related_rows(candidate, "profiles")}
    if handles:
        rows = OnlineProfile.objects.filter(normalized_handle__in=handles).values_list(
            "candidate_id", "normalized_handle"
        )
        add(((cid, handles[h]) for cid, h in rows), "online profile")
    if candidate.normalized_shipping_address:
        rows = Candidate.objects.filter(
            normalized_shipping_address=candidate.normalized_shipping_address
        ).values_list("id", flat=True)
        add(((cid, candidate.shipping_address) for cid in rows), "shipping address")
    if candidate.account_number_index:
        rows = Candidate.objects.filter(
            account_number_index=candidate.account_number_index
        ).values_list("id", flat=True)
        add(((cid, candidate.masked_account_number) for cid in rows), "bank account")
    if candidate.identity_document_index:
        rows = Candidate.objects.filter(
            identity_document_index=candidate.identity_document_index
        ).values_list("id", flat=True)
        add(((cid, candidate.masked_identity_document_number) for cid in rows), "identity document")
    # A name alone never links: many people share a name, and linking on it would flag people
    # for their name (a Korean name above all). Only the same date of birth as well narrows it
    # to the same person; that indexed lookup also keeps the fuzzy comparison to a few rows.
    if candidate.date_of_birth and candidate.name_key:
        rows = Candidate.objects.filter(date_of_birth=candidate.date_of_birth).values_list(
            "id", "name_key"
        )
        shown = f"{candidate.legal_name}, {candidate.date_of_birth.isoformat()}"
        add(
            ((cid, shown) for cid, key in rows if same_name(key, candidate.name_key)),
            "name and date of birth",
        )
    return found


def linked_cases(case: Case) -> list[LinkedCase]:
    """Other cases whose candidate shares an identifier with this one, and what matched."""
    found = _link_matches(case)
    if not found:
        return []
    # What a link shows and scores, nothing more: a forwarding address can be shared by a
    # thousand candidates, whose numbers would otherwise all be decrypted on every case page.
    cases = (
        Case.objects.filter(candidate_id__in=found)
        .select_related("candidate", "owner")
        .only(*LINKED_CASE_FIELDS)
    )
    result = [LinkedCase(other, found[other.candidate_id]) for other in cases]
    result.sort(key=lambda link: (-len(link.matches), link.case.reference))
    return result


def link_facts(case: Case, links: list[LinkedCase] | None = None) -> tuple[LinkFact, ...]:
    """The links the signals checks and the risk score see, by reference: other cases sharing
    identifiers of the candidate's own, with the kind of each (a name counts only with the same
    date of birth, as one identifier) and the other case's outcome when it was referred or
    rejected. A link made only through references' contacts is left out: a reference's number
    says nothing about the candidate. `links`: `linked_cases(case)` when already read."""
    if links is None:  # three columns of each linked case (the risk header of every case page)
        found = _link_matches(case)
        rows = Case.objects.filter(candidate_id__in=found).values_list(
            "reference", "status", "candidate_id"
        )
        linked = [(reference, status, found[other]) for reference, status, other in rows]
    else:
        linked = [(link.case.reference, link.case.status, link.matches) for link in links]
    facts = []
    for reference, status, matches in linked:
        own = tuple(sorted(what for what, _shown in matches if not is_reference_match(what)))
        if not own:
            continue
        outcome = status if status in FLAGGED_STATUSES else ""
        facts.append(LinkFact(reference=reference, outcome=str(outcome), matched=own))
    return tuple(sorted(facts, key=lambda fact: fact.reference))


# ---------------------------------------------------------------- dashboard


def _tallies(user) -> QuerySet[CaseTally]:
    """The tallies of the cases `user` may see (`visible_cases`: every case, for a reader).
    Counting from them reads a few rows whatever the number of cases (cases/tallies.py)."""
    if not permissions.can_read_cases(user):
        return CaseTally.objects.none()
    return CaseTally.objects.order_by()


def status_counts(user) -> dict[str, int]:
    rows = _tallies(user).values("status").annotate(n=Sum("cases"))
    counts = dict.fromkeys(Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def risk_distribution(user) -> dict[str, int]:
    rows = _tallies(user).exclude(risk_level="").values("risk_level").annotate(n=Sum("cases"))
    counts = dict.fromkeys(scoring.LEVEL_ORDER, 0)
    counts.update({row["risk_level"]: row["n"] for row in rows})
    return counts


def my_open_cases(user, limit: int = 10) -> list[Case]:
    """The user's newest open cases, each with its `checklist_progress` (counted in the same
    query, for these rows only): read down the owner's index (case_owner_newest_idx)."""
    open_cases = (
        visible_cases(user)
        .filter(owner=user)
        .exclude(status__in=FINAL_STATUSES)
        .order_by(*CASE_LIST_ORDER)
    )
    cases = list(with_progress(list_rows(open_cases))[:limit])
    for case in cases:
        case.checklist_progress = Progress(case.answered_items, case.total_items)
    return cases


def queue_counts(user) -> dict[str, int]:
    """How many cases each tab of the review queue shows, and how many are in review: one
    query, over the tallies (the same rules as `_queue_tabs`)."""
    tabs = {"unassigned": Q(reviewer_key=0), "mine": Q(reviewer_key=user.pk)}
    counts = (
        _tallies(user)
        .filter(status__in=[Status.SUBMITTED, Status.IN_REVIEW])
        .aggregate(
            all=Sum("cases"),
            in_review=Sum("cases", filter=Q(status=Status.IN_REVIEW)),
            **{name: Sum("cases", filter=tab) for name, tab in tabs.items()},
        )
    )
    counts = {name: count or 0 for name, count in counts.items()}
    # Past the deadline is a matter of time, not of a tally: counted down review_due_at's index.
    counts["overdue"] = review_queue(user, "overdue").count()
    return counts


def waiting_longest(user, limit: int = 5) -> list[Case]:
    """The first cases of the review queue: its partial index (case_review_queue_idx) read
    from the start, whatever the number of cases."""
    return list(list_rows(review_queue(user))[:limit])


def dashboard(user) -> dict:
    """What the dashboard shows `user`: one aggregate (or one indexed top-N) query per panel,
    and only the panels of the user's roles."""
    distribution = risk_distribution(user)
    panels = {
        "status_counts": status_counts(user),
        "risk_distribution": distribution,
        "risk_max": max(distribution.values(), default=0),
        "risk_total": sum(distribution.values()),
        "waiting_longest": waiting_longest(user),
    }
    if permissions.can_open_cases(user):
        panels["my_open_cases"] = my_open_cases(user)
    if permissions.can_work_reviews(user):
        panels["queue_counts"] = queue_counts(user)
    return panels


# ---------------------------------------------------------------- API lists


def with_progress(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate answered_items and total_items in the same query (no query per case)."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    def count(answers):
        counted = answers.order_by().values("case").annotate(n=Count("id")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    per_case = ChecklistAnswer.objects.filter(case=OuterRef("pk"), retired_at__isnull=True)
    return cases.annotate(
        answered_items=count(per_case.exclude(value="")), total_items=count(per_case)
    )


def candidate_list(user, *, search: str = "") -> QuerySet[Candidate]:
    """Candidates of the cases `user` may see, with what their list rows show."""
    candidates = (
        Candidate.objects.filter(case__in=visible_cases(user).values("pk"))
        .select_related("case")
        .prefetch_related("contacts", "profiles", "history_entries")
    )
    if search.strip():
        candidates = candidates.filter(id__in=searched_candidates(search))
    return candidates


# ---------------------------------------------------------------- findings

RESCREEN_PROGRESS_KEY = "cases:rescreen-progress"


def findings_for(case: Case) -> QuerySet[StoredFinding]:
    """The stored findings of a case, most severe first, then oldest first."""
    rank = models.Case(
        *(
            models.When(severity=severity.code, then=models.Value(int(severity)))
            for severity in Severity
        ),
        output_field=models.IntegerField(),
    )
    return (
        StoredFinding.objects.filter(case=case)
        .select_related("case", "decided_by")
        .annotate(severity_rank=rank)
        .order_by("-severity_rank", "id")
    )


@dataclass
class FindingRow:
    """A stored finding as a page shows it, with what the reader may do about it."""

    finding: StoredFinding
    may_accept: bool = False
    may_dismiss: bool = False
    why_not_dismiss: str = ""  # the refusal, told to users who dismiss findings but not this one


def finding_rows(
    case: Case, user, *, suggestions_only: bool = False, assessors: set[int] | None = None
) -> list[FindingRow]:
    """The findings of a case for a page, open ones first, then most severe first, each with
    the reader's permissions (cases.permissions). One query, plus those of `assessor_ids` once
    when an open finding needs the four-eyes rule and the reader dismisses findings.

    `suggestions_only`: the open findings that suggest a checklist answer (the checklist page).
    """
    open_first = models.Case(
        models.When(status=FindingStatus.OPEN, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )
    findings = findings_for(case).annotate(open_first=open_first)
    if suggestions_only:
        findings = findings.filter(status=FindingStatus.OPEN).exclude(suggests_item_code="")
    findings = list(findings.order_by("open_first", "-severity_rank", "id"))
    undecided = [f for f in findings if f.status == FindingStatus.OPEN]
    if (
        assessors is None
        and permissions.can_dismiss_findings(user)
        and any(f.needs_four_eyes for f in undecided)
    ):
        assessors = assessor_ids(case)
    # Only reviewers' four-eyes refusals read the assessors; nobody else needs them read.
    assessors = assessors if assessors is not None else set()
    rows = []
    for finding in findings:
        finding.case = case  # the page's case: its status as the page shows it
        row = FindingRow(finding)
        if finding.status == FindingStatus.OPEN:
            row.may_accept = permissions.can_accept_finding(user, finding)
            row.may_dismiss = permissions.can_dismiss_finding(user, finding, assessors)
            if not row.may_dismiss and not case.is_final and permissions.can_dismiss_findings(user):
                refusal = permissions.why_not_dismissable(user, finding, assessors)
                row.why_not_dismiss = refusal.message if refusal is not None else ""
        rows.append(row)
    return rows


def suggestions_by_item(case: Case, user) -> dict[str, list[FindingRow]]:
    """The open findings that suggest a checklist answer, by the item code they suggest it for."""
    result: dict[str, list[FindingRow]] = {}
    for row in finding_rows(case, user, suggestions_only=True):
        result.setdefault(row.finding.suggests_item_code, []).append(row)
    return result


def rescreen_progress() -> dict | None:
    """How far the last re-screening of open cases got: {done, total, finished, at}, or None.

    Kept in the cache, so shared between processes only with a shared cache (Redis)."""
    return cache.get(RESCREEN_PROGRESS_KEY)


# ---------------------------------------------------------------- comments


# A mention: `@` and a username (letters, digits and @ . + - _), not inside a word or an address.
MENTION = re.compile(r"(?<![\w.@+-])@([\w.@+-]{1,150})")


@dataclass
class Mentions:
    users: list = field(default_factory=list)  # who may see the case: they are notified
    ignored: list[str] = field(default_factory=list)  # names of nobody who may see the case


def mentions_in(case: Case, body: str) -> Mentions:
    """The `@username`s of `body`: the active users who may see the case, and the other names
    (no such user, deactivated, or a role that may not see cases), which notify nobody."""
    names = []
    for match in MENTION.finditer(body or ""):
        name = match.group(1)
        trimmed = name.rstrip(".,:;!?-")  # "thanks @riley." mentions riley
        if trimmed and trimmed not in names:
            names.append(trimmed)
    if not names:
        return Mentions()
    found = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=names).prefetch_related("groups")
    }
    result = Mentions()
    for name in names:
        user = found.get(name)
        if user is not None and permissions.may_be_mentioned(user, case):
            result.users.append(user)
        else:
            result.ignored.append(name)
    return result


@dataclass
class EarlierText:
    until: datetime.datetime  # when it was replaced
    html: str


@dataclass
class CommentRow:
    comment: CaseComment
    html: str
    can_edit: bool
    editable_until: datetime.datetime
    earlier: list[EarlierText] = field(default_factory=list)  # newest first

    @property
    def edited(self) -> bool:
        return self.comment.edited_at is not None


def comments_for(case: Case) -> QuerySet[CaseComment]:
    """The case's comments, oldest first, with their authors and the people they mention."""
    return (
        CaseComment.objects.filter(case=case)
        .select_related("author", "case")
        .prefetch_related("mentioned")
        .order_by("created_at", "id")
    )


def comment_thread(case: Case, user) -> list[CommentRow]:
    """The discussion of `case` as its page shows it: each comment rendered (sanitised), whether
    `user` may still edit it, and every earlier text of an edited one. Three queries."""
    comments = list(comments_for(case))
    earlier: dict[int, list] = {}
    edited = [c.pk for c in comments if c.edited_at is not None]
    if edited:
        records = CaseComment.history.filter(id__in=edited).order_by("-history_date", "-history_id")
        for record in records:
            earlier.setdefault(record.id, []).append(record)
    now = timezone.now()
    rows = []
    for comment in comments:
        versions = earlier.get(comment.pk, [])
        # The newest record is the current text; each older one was replaced by the next.
        replaced = [
            EarlierText(until=newer.history_date, html=render_markdown(older.body))
            for newer, older in zip(versions, versions[1:], strict=False)
            if older.body != newer.body
        ]
        rows.append(
            CommentRow(
                comment=comment,
                html=render_markdown(comment.body),
                can_edit=permissions.can_edit_comment(user, comment, now),
                editable_until=permissions.comment_edit_deadline(comment),
                earlier=replaced,
            )
        )
    return rows


# ---------------------------------------------------------------- saved views of the case list

# The case list's query parameters a saved view keeps: its filters (cases.forms.CaseFilterForm)
# and its sort. Anything else in a query string (the page, a cursor, unknown names) is dropped.
CASE_LIST_PARAMETERS = ("q", "status", "risk_level", "owner", "created_from", "created_to", "sort")
LIST_VALUE_MAX_LENGTH = 200


def clean_list_query(params) -> str:
    """The known, non-empty parameters of a case list query (a QueryDict or a dict), in a fixed
    order, as a query string."""
    pairs = []
    for name in CASE_LIST_PARAMETERS:
        value = str(params.get(name) or "").strip()
        if value:
            pairs.append((name, value[:LIST_VALUE_MAX_LENGTH]))
    return urlencode(pairs)


def saved_views(user) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user).order_by("name", "id")


def default_view(user) -> SavedView | None:
    return SavedView.objects.filter(user=user, is_default=True).first()
