"""Many realistic cases, written fast (bulk_create), for the re-screening benchmark.

Case number n (0, 1, 2…) always gets the same facts (`spec(n)`), so a database populated once
can be reused and the benchmark can name facts of existing cases without reading them. Each
candidate has e-mail addresses, phones, IP addresses, a bank, a shipping address, online
profiles and an education and employment history, drawn so that the share of findings is
plausible: most cases have none or one, a few have a DPRK address, a forwarder, a fintech
routing number, a disposable e-mail... About one candidate in twenty shares an identifier
(phone, e-mail, IP address, bank account or shipping address) with a few others, as linked
cases do. The findings the checks give are stored, as the last screening left them, with some
accepted or dismissed and some stale ones that the next screening removes.

The rows are written without history rows and without audit events: re-screening reads
neither. Checklist answers are left out for the same reason.
"""

import datetime
import io
import random

REFERENCE_PREFIX = "BENCH-"
CLOSED_SHARE = 10  # one closed case per this many open ones: re-screening skips them
SHARED_SHARE = 0.05  # candidates that share an identifier with others
CHUNK = 2000

# About 30,000 full names (first, an initial or none, last): a name is shared by a few of
# 100,000 candidates, as in life, not by one in a hundred.
FIRST = ["Alex", "Jin", "Maria", "Chen", "Olga", "Sam", "Min-jun", "Priya", "Tom", "Ana", "Ivan",
         "Fatima", "Lucas", "Yuki", "Omar", "Sofia", "Dmitri", "Grace", "Hyun-woo", "Elena",
         "Kwame", "Lena", "Mateo", "Nadia"]  # fmt: skip
MIDDLE = ["", *"ABCDEFGHIJKLMNOPRSTVW"]
LAST = ["Park", "Smith", "Kim", "Nowak", "Garcia", "Lee", "Brown", "Ivanova", "Muller", "Chen",
        "Novak", "Rossi", "Silva", "Tanaka", "Jensen", "Kowalski", "Haddad", "Okafor", "Moreau",
        "Santos", "Petrov", "Nguyen", "Wang", "Choi", "Jung", "Schmidt", "Fischer", "Dubois",
        "Costa", "Lopez", "Martin", "Walker", "Young", "Hall", "Allen", "Wright", "King", "Scott",
        "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter",
        "Phillips", "Evans", "Turner", "Torres", "Parker", "Collins", "Edwards", "Stewart",
        "Morris", "Murphy", "Cook", "Rogers"]  # fmt: skip
ROLES = ["Backend engineer", "Mobile developer", "Data engineer", "Frontend developer", "DevOps"]
MAIL = ["gmail.com", "outlook.com", "proton.me", "yahoo.com", "example-corp.com"]
COUNTRIES = {  # claimed country: (weight, phone prefix and digits, residential IP prefixes)
    "US": (50, ("+1 646", 7), ("73.", "24.", "98.")),
    "CA": (10, ("+1 416", 7), ("142.112.", "99.230.")),
    "KR": (10, ("+82 10", 8), ("211.234.", "121.130.")),
    "GB": (10, ("+44 7911", 6), ("86.", "81.100.")),
    "DE": (10, ("+49 151", 8), ("84.56.", "91.64.")),
    "PL": (10, ("+48 512", 6), ("83.20.",)),
}
CITY_LINES = {
    "US": "Springfield, IL 62701\nUSA",
    "CA": "Toronto, ON M5V 2T6\nCanada",
    "KR": "Seoul 04524\nSouth Korea",
    "GB": "London SW1A 1AA\nUnited Kingdom",
    "DE": "10115 Berlin\nGermany",
    "PL": "00-001 Warszawa\nPoland",
}
ROUTING = ["021000021", "026009593", "121000248", "011000138"]
FINTECH_ROUTING = "026073150"  # listed in signals/data/fintech_routing.json
BAD_ROUTING = "026073151"  # fails the ABA checksum
IBANS = {"DE": "DE89370400440532013000", "GB": "GB29NWBK60161331926819"}
FORWARDER = "Jane Doe\n4283 Express Lane\nSuite 512-118\nSarasota, FL 34238\nUSA"
DPRK_IP = "175.45.176."
HOSTING_IP = "52.1."


def _initial(letter: str) -> str:
    return f"{letter}." if letter else ""


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def own_email(n: int) -> str:
    """The first e-mail address of case number n (the benchmark's data update lists some)."""
    return f"{FIRST[n % len(FIRST)].lower()}.dev{n}@{MAIL[n % len(MAIL)]}"


def _shared(pool: int) -> dict:
    """Identifiers of shared pool entry `pool`: the few candidates drawn to it share one."""
    rng = random.Random(f"shared-{pool}")
    return {
        "phone": f"+1 415 {rng.randint(200, 999)} {_digits(rng, 4)}",
        "email": f"shared{pool}@gmail.com",
        "ip": f"73.200.{pool % 250}.{1 + pool // 250 % 250}",
        "account": _digits(rng, 12),
        "address": f"{pool} Shared Court\n{CITY_LINES['US']}",
    }


def spec(n: int, count: int) -> dict:
    """The facts of case number n among `count` (deterministic)."""
    rng = random.Random(n)
    country = rng.choices(list(COUNTRIES), weights=[c[0] for c in COUNTRIES.values()])[0]
    _weight, (phone_prefix, phone_digits), ip_prefixes = COUNTRIES[country]

    def phone():
        return f"{phone_prefix} {rng.randint(2, 9)}{_digits(rng, phone_digits - 1)}"

    def home_ip():
        prefix = rng.choice(ip_prefixes)
        parts = 4 - prefix.count(".")
        return prefix + ".".join(str(rng.randint(1, 254)) for _ in range(parts))

    emails = [own_email(n)] + ([f"{n}@mailinator.com"] if rng.random() < 0.02 else [])
    phones = [phone() for _ in range(rng.choice((1, 1, 2)))]
    ips = [home_ip() for _ in range(rng.choice((1, 2, 3)))]
    if rng.random() < 0.05:
        ips.append(f"{HOSTING_IP}{rng.randint(0, 255)}.{rng.randint(1, 254)}")
    if rng.random() < 0.001:
        ips.append(f"{DPRK_IP}{rng.randint(1, 254)}")
    roll = rng.random()
    if country in IBANS:
        routing, bank_country = IBANS[country], country
    else:
        routing = (
            BAD_ROUTING if roll < 0.01 else FINTECH_ROUTING if roll < 0.04 else rng.choice(ROUTING)
        )
        bank_country = "US"
    account = _digits(rng, rng.randint(10, 12))
    address = f"{rng.randint(1, 999)} Main Street, flat {n}\n{CITY_LINES[country]}"
    if rng.random() < 0.01:
        address = FORWARDER
    references = [phone()] if rng.random() < 0.3 else []
    if rng.random() < SHARED_SHARE:  # share one identifier with a few other candidates
        shared = _shared(rng.randrange(max(1, count // 100)))
        kind = rng.choice(list(shared))
        if kind == "phone":
            phones.append(shared["phone"])
        elif kind == "email":
            emails.append(shared["email"])
        elif kind == "ip":
            ips.append(shared["ip"])
        elif kind == "account":
            account = shared["account"]
        else:
            address = shared["address"]
    studied = "CN" if rng.random() < 0.03 else country
    start = rng.randint(2000, 2014)
    history = [
        {"kind": "education", "organisation": "University", "country": studied,
         "start_year": start, "end_year": start + 4},
        *(
            {"kind": "employment", "organisation": f"Employer {i}", "country": country,
             "start_year": start + 4 + 3 * i, "end_year": start + 7 + 3 * i}
            for i in range(rng.randint(1, 2))
        ),
    ]  # fmt: skip
    return {
        "legal_name": " ".join(
            filter(None, (FIRST[n % len(FIRST)], _initial(rng.choice(MIDDLE)), rng.choice(LAST)))
        ),
        "date_of_birth": datetime.date(1970 + rng.randint(0, 35), rng.randint(1, 12), 1 + n % 28),
        "claimed_country": country,
        "role_applied_for": rng.choice(ROLES),
        "routing_number": routing,
        "bank_name": "Example Bank",
        "bank_country": bank_country,
        "account_number": account,
        "shipping_address": address,
        "emails": emails,
        "phones": phones,
        "references": references,
        "ip_addresses": ips,
        "profiles": [("github", f"https://github.com/dev{n}"), ("linkedin", f"dev-{n}")],
        "history": history,
    }


OPEN_STATUSES = ["draft", "assessing", "assessing", "submitted", "in_review"]
CLOSED_STATUSES = ["approved", "rejected", "referred", "closed_cleared"]


def bench_cases():
    from cases.models import Case

    return Case.objects.filter(reference__startswith=REFERENCE_PREFIX)


def is_closed(n: int) -> bool:
    return n % (CLOSED_SHARE + 1) == CLOSED_SHARE


def populate(count: int, progress=None) -> int:
    """Make sure at least `count` open benchmark cases exist (plus a tenth as many closed
    ones); returns how many cases were added. An already populated database is reused."""
    from django.contrib.auth.models import User

    from cases.models import FINAL_STATUSES

    open_cases = bench_cases().exclude(status__in=FINAL_STATUSES).count()
    if open_cases >= count:
        return 0
    owner, _ = User.objects.get_or_create(username="bench-hr")
    start = n = bench_cases().count()
    while open_cases < count:
        numbers = []
        while open_cases < count and len(numbers) < CHUNK:
            numbers.append(n)
            open_cases += not is_closed(n)
            n += 1
        _write_chunk(numbers, count, owner)
        if progress:
            progress(open_cases, count)
    return n - start


def _write_chunk(numbers, count: int, owner) -> None:
    from django.db import transaction

    from cases.models import Candidate, CandidateContact, Case, HistoryEntry, OnlineProfile
    from cases.models import Finding as StoredFinding
    from cases.services.facts import CONTACT_LISTS, set_identity_keys
    from common import normalize
    from indicators.selectors import default_catalog_version

    version = default_catalog_version()
    specs = {n: spec(n, count) for n in numbers}
    candidates = {}
    for n, facts in specs.items():
        candidate = Candidate(
            **{
                name: facts[name]
                for name in (
                    "legal_name", "date_of_birth", "claimed_country", "role_applied_for",
                    "routing_number", "bank_name", "bank_country", "account_number",
                    "shipping_address",
                )
            }
        )  # fmt: skip
        set_identity_keys(candidate)
        candidates[n] = candidate
    by_kind = {spec.kind: spec for spec in CONTACT_LISTS.values()}
    with transaction.atomic():
        Candidate.objects.bulk_create(candidates.values())
        cases = []
        for n, candidate in candidates.items():
            statuses = CLOSED_STATUSES if is_closed(n) else OPEN_STATUSES
            cases.append(
                Case(
                    reference=f"{REFERENCE_PREFIX}{n:07d}",
                    candidate=candidate,
                    owner=owner,
                    catalog_version=version,
                    status=statuses[n % len(statuses)],
                )
            )
        Case.objects.bulk_create(cases)
        contacts, profiles, entries = [], [], []
        for n, candidate in candidates.items():
            facts = specs[n]
            rows = [("email", v, "candidate") for v in facts["emails"]]
            rows += [("phone", v, "candidate") for v in facts["phones"]]
            rows += [("phone", v, "reference") for v in facts["references"]]
            rows += [("ip", v, "candidate") for v in facts["ip_addresses"]]
            contacts += [
                CandidateContact(
                    candidate=candidate,
                    kind=kind,
                    value=value,
                    belongs_to=owner_of,
                    normalized=by_kind[kind].key(value, candidate),
                )
                for kind, value, owner_of in rows
            ]
            profiles += [
                OnlineProfile(
                    candidate=candidate,
                    kind=kind,
                    url_or_handle=value,
                    normalized_handle=normalize.normalize_profile(kind, value),
                )
                for kind, value in facts["profiles"]
            ]
            entries += [HistoryEntry(candidate=candidate, **row) for row in facts["history"]]
        CandidateContact.objects.bulk_create(contacts)
        OnlineProfile.objects.bulk_create(profiles)
        HistoryEntry.objects.bulk_create(entries)
        StoredFinding.objects.bulk_create(_findings_as_last_screened(cases, owner))


def _findings_as_last_screened(cases, owner) -> list:
    """The findings of these cases as the last screening stored them: what the checks find now,
    one in forty decided, plus a stale open finding on one case in two hundred (its fact is no
    longer listed: the next screening removes it)."""
    from django.utils import timezone

    from cases.models import Case
    from cases.models import Finding as StoredFinding
    from cases.screening import CANDIDATE_PREFETCH
    from cases.services.findings import fingerprint, screened_findings

    rows = []
    batch = Case.objects.filter(pk__in=[case.pk for case in cases]).select_related("candidate")
    for case in batch.prefetch_related(*(f"candidate__{name}" for name in CANDIDATE_PREFETCH)):
        n = int(case.reference.removeprefix(REFERENCE_PREFIX))
        for i, (key, fields) in enumerate(screened_findings(case.candidate).items()):
            row = StoredFinding(case=case, fingerprint=key, **fields)
            if i == 0 and n % 40 == 3:
                row.status = "accepted" if n % 80 == 3 else "dismissed"
                row.decided_by, row.decided_at, row.note = owner, timezone.now(), "Checked."
            rows.append(row)
        if n % 200 == 7:
            subject = f"stale.{n}@example.org"
            rows.append(
                StoredFinding(
                    case=case,
                    fingerprint=fingerprint("persona.public_identifier", subject),
                    check_code="persona.public_identifier",
                    subject=subject,
                    severity="high",
                    summary="Identifier tied to a DPRK IT-worker persona in public research",
                    detail=f"{subject} was listed by an earlier version of the data.",
                    source_title="An earlier public report",
                    source_url="https://example.org/report",
                )
            )
    return rows


# ---------------------------------------------------------------- the scale benchmark
#
# Cases as people leave them after months of use, for the page timings of `benchmarks.scale`:
# a mix of statuses, owners and reviewers, every checklist answer with the history rows the app
# writes for it, the audit events of every step, the findings of the checks, sign-offs, and a
# case in ten thousand whose answers were changed a thousand times (the history tab). The rows
# are the ones the services write, with the history and audit rows they write beside them,
# written with bulk_create and simple-history's bulk_history_create (the app's own bulk path,
# `bulk_create_with_history`), one transaction per chunk of cases: a database whose population
# was interrupted holds whole cases only, and the next run adds what is missing.

SCALE_PREFIX = "SCALE-"
SCALE_START = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
SCALE_STEP = datetime.timedelta(minutes=1)  # between the opening of case n and of case n + 1
SCALE_CHUNK = 500
HEAVY_EVERY = 10_000  # one case in this many has HEAVY_CHANGES answer changes…
HEAVY_AT = 500  # …case number 500, 10,500, 20,500…
HEAVY_CHANGES = 1000
SCALE_HR_USERS = 20  # owners; the first, BENCH_HR, is the one the benchmark signs in as
SCALE_REVIEWERS = 6
BENCH_HR = "bench-hr"
BENCH_REVIEWER = "bench-reviewer"
SCALE_STATUSES = {  # status: share in percent
    "draft": 8,
    "assessing": 30,
    "submitted": 10,
    "in_review": 7,
    "closed_cleared": 10,
    "approved": 25,
    "rejected": 5,
    "referred": 5,
}
SIGNED_OFF = {"approved": "approve", "rejected": "reject", "referred": "refer"}
DECISIONS = {"approved": "cleared", "rejected": "rejected", "referred": "referred"}
CLOSING_NOTES = {
    "closed_cleared": "",
    "approve": "",
    "reject": "Identity could not be confirmed.",
    "refer": "Indicators of a DPRK IT worker; referred to the authorities.",
}


def scale_cases():
    from cases.models import Case

    return Case.objects.filter(reference__startswith=SCALE_PREFIX)


def scale_reference(n: int) -> str:
    return f"{SCALE_PREFIX}{n:07d}"


def scale_status(n: int) -> str:
    """The status of scale case n (deterministic). The heavy cases are being assessed."""
    if is_heavy(n):
        return "assessing"
    roll = random.Random(f"status-{n}").randrange(100)
    for status, share in SCALE_STATUSES.items():
        if roll < share:
            return status
        roll -= share
    return "assessing"


def is_heavy(n: int) -> bool:
    return n % HEAVY_EVERY == HEAVY_AT


def first_scale_case(status: str, start: int = 0, owner: str | None = None) -> int:
    """The number of the first scale case from `start` on with this status (and owner)."""
    n = start
    while scale_status(n) != status or is_heavy(n) or (owner and scale_owner(n) != owner):
        n += 1
    return n


def scale_owner(n: int) -> str:
    return scale_user_names()[0][n % SCALE_HR_USERS]


def scale_user_names() -> tuple[list[str], list[str]]:
    hr = [BENCH_HR] + [f"bench-hr-{i:02d}" for i in range(2, SCALE_HR_USERS + 1)]
    reviewers = [BENCH_REVIEWER]
    reviewers += [f"bench-reviewer-{i:02d}" for i in range(2, SCALE_REVIEWERS + 1)]
    return hr, reviewers


def scale_users() -> tuple[dict, dict]:
    """The HR users and reviewers of the scale cases (made when missing), by username."""
    from django.contrib.auth.models import Group, User

    from accounts import roles
    from accounts.services import sync_roles

    sync_roles()
    made = {}
    hr_names, reviewer_names = scale_user_names()
    for names, role in ((hr_names, roles.HR), (reviewer_names, roles.REVIEWER)):
        group = Group.objects.get(name=role)
        for name in names:
            user, created = User.objects.get_or_create(
                username=name,
                defaults={"first_name": name.replace("-", " ").title(), "email": f"{name}@x.test"},
            )
            if created or not user.groups.filter(pk=group.pk).exists():
                user.groups.add(group)
            made[name] = user
    return {n: made[n] for n in hr_names}, {n: made[n] for n in reviewer_names}


def populate_scale(count: int, progress=None, workers: int = 1) -> int:
    """Make sure scale cases 0 to `count` - 1 exist; returns how many were added. Cases already
    there (whole chunks, each written in one transaction) are kept: only missing ones are added,
    by `workers` processes side by side (each writes whole chunks)."""
    numbers = {int(ref.removeprefix(SCALE_PREFIX)) for ref in scale_cases().values_list(
        "reference", flat=True)}  # fmt: skip
    missing = [n for n in range(count) if n not in numbers]
    if not missing:
        return 0
    scale_users()
    chunks, chunk = [], []
    for n in missing:
        if chunk and (n != chunk[-1] + 1 or len(chunk) == SCALE_CHUNK):
            chunks.append(chunk)
            chunk = []
        chunk.append(n)
    chunks.append(chunk)
    done = len(numbers & set(range(count)))
    if workers > 1 and len(chunks) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from django.db import connections

        connections.close_all()  # each process opens its own
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for written in pool.map(_write_scale_numbers, chunks, [count] * len(chunks)):
                done += written
                if progress:
                    progress(done, count)
        connections.close_all()
    else:
        for chunk in chunks:
            done += _write_scale_numbers(chunk, count)
            if progress:
                progress(done, count)
    return len(missing)


_CHUNK_CONTEXT: dict = {}


def _write_scale_numbers(numbers: list[int], count: int) -> int:
    if not _CHUNK_CONTEXT:  # once per process
        from indicators.selectors import default_catalog_version, version_items

        version = default_catalog_version()
        hr, reviewers = scale_users()
        _CHUNK_CONTEXT.update(
            version=version, items=list(version_items(version)), hr=hr, reviewers=reviewers
        )
    c = _CHUNK_CONTEXT
    _write_scale_chunk(numbers, count, c["version"], c["items"], c["hr"], c["reviewers"])
    return len(numbers)


class _Timestamps:
    """Lets the population set auto_now / auto_now_add fields to the times it chooses."""

    FIELDS = (("cases", "Case", "created_at"), ("cases", "Case", "updated_at"),
              ("cases", "Candidate", "created_at"), ("cases", "Candidate", "updated_at"),
              ("cases", "Finding", "created_at"), ("cases", "Finding", "updated_at"),
              ("cases", "SignOff", "signed_at"))  # fmt: skip

    def __enter__(self):
        from django.apps import apps

        self.saved = []
        for app, model, name in self.FIELDS:
            field = apps.get_model(app, model)._meta.get_field(name)
            self.saved.append((field, field.auto_now, field.auto_now_add))
            field.auto_now = field.auto_now_add = False
        return self

    def __exit__(self, *exc):
        for field, auto_now, auto_now_add in self.saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _history(instance, at, user, kind="+", reason="", **changed):
    """One historical record of `instance` as simple-history writes it (its fields as a dict,
    see `_Rows.write`), with `changed` fields as they were at that time."""
    model, names = _HISTORY_MODELS.get(type(instance)) or _history_model(type(instance))
    values = {name: getattr(instance, name) for name in names}
    values.update(changed)
    values.update(
        history_date=at,
        history_user_id=user.pk if user else None,
        history_change_reason=reason,
        history_type=kind,
    )
    return model, values


_HISTORY_MODELS: dict = {}


def _history_model(model) -> tuple:
    history = model.history.model
    _HISTORY_MODELS[model] = history, [field.attname for field in history.tracked_fields]
    return _HISTORY_MODELS[model]


def _audit(at, actor, action, obj_type, obj_id, reference, summary, **data):
    """An audit event as audit.services.record_event writes it (as a dict, see `_Rows.write`)."""
    return dict(
        at=at,
        actor_id=actor.pk if actor else None,
        actor_username=actor.username if actor else "system",
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        case_reference=reference,
        summary=summary[:500],
        data=data,
    )


ANSWER_NOTES = {
    "observed": "Seen in the video interview and the e-mails; see the evidence.",
    "adverse": "The reference did not confirm the employment dates.",
    "not_applicable": "The candidate applied directly; no staffing firm involved.",
}


def _answer_value(item, rng: random.Random) -> str:
    if item.kind == "red_flag":
        return rng.choices(["not_observed", "observed", "unknown"], weights=[88, 7, 5])[0]
    return rng.choices(["completed", "adverse", "not_completed", "not_applicable"],
                       weights=[85, 3, 7, 5])[0]  # fmt: skip


class _Rows:
    """Rows to insert, by model, written table by table in dependency order.

    On PostgreSQL the rows go in with COPY, their ids drawn from the tables' sequences first:
    several times faster than bulk_create, which spends most of its time building the SQL. The
    values are the ones bulk_create would send (each field's get_db_prep_save: encrypted numbers
    encrypted, JSON as JSON). Elsewhere (SQLite: the tests) it is bulk_create.
    """

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.copy = connection.vendor == "postgresql"

    def ids(self, model, objs) -> None:
        """Give unsaved rows their ids now (PostgreSQL), or insert them (elsewhere)."""
        if not objs:
            return
        if not self.copy:
            model.objects.bulk_create(objs, batch_size=2000)
            return
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk

    def write(self, model, objs, *, with_ids: bool = True) -> None:
        """Insert rows; `with_ids`: model instances whose ids `ids` gave (else dicts of field
        values, the table numbering them, as historical records and audit events)."""
        if not objs:
            return
        if not self.copy:
            if not with_ids:
                model.objects.bulk_create([model(**values) for values in objs], batch_size=2000)
            return  # `ids` inserted them
        fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
        convert = [_copy_converter(f, self.connection) for f in fields]
        pairs = list(zip([f.attname for f in fields], convert, strict=True))
        # Columns a dict leaves out take the field's default, as bulk_create would give them.
        defaults = {f.attname: f.get_default() for f in fields}
        buffer = io.StringIO()
        if with_ids:
            lines = ("\t".join(c(getattr(obj, name)) for name, c in pairs) for obj in objs)
        else:
            lines = (
                "\t".join(c(values.get(name, defaults[name])) for name, c in pairs)
                for values in objs
            )
        for line in lines:
            buffer.write(line)
            buffer.write("\n")
        buffer.seek(0)
        columns = ", ".join(self.connection.ops.quote_name(f.column) for f in fields)
        with self.connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {model._meta.db_table} ({columns}) FROM STDIN", buffer, size=1 << 20
            )


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r")
        )  # fmt: skip
    return text


def _copy_converter(field, connection):
    """How a field's Python value becomes COPY text, as bulk_create would send it."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.db import models

    from cases.crypto import EncryptedTextField

    if isinstance(field, models.JSONField):
        encoder = field.encoder or DjangoJSONEncoder
        return lambda v: "\\N" if v is None else _copy_text(json.dumps(v, cls=encoder))
    if isinstance(field, EncryptedTextField):
        return lambda v: _copy_text(field.get_db_prep_save(v, connection))
    if isinstance(field, models.DecimalField):
        return lambda v: "\\N" if v is None else _copy_text(field.to_python(v))
    return _copy_text


def _write_scale_chunk(numbers, count, version, items, hr, reviewers) -> None:
    from django.db import transaction

    from audit.models import AuditEvent
    from cases.models import (
        Candidate,
        CandidateContact,
        Case,
        ChecklistAnswer,
        HistoryEntry,
        OnlineProfile,
        SignOff,
    )
    from cases.models import Finding as StoredFinding
    from cases.selectors import PREFETCHED_ROWS
    from cases.services.facts import CONTACT_LISTS, set_identity_keys
    from cases.services.findings import screened_findings
    from common import normalize

    hr_users, reviewer_users = list(hr.values()), list(reviewers.values())
    by_kind = {spec.kind: spec for spec in CONTACT_LISTS.values()}
    day = datetime.timedelta(days=1)
    history_rows: dict[type, list] = {}
    events = []

    def remember(row):
        model, values = row
        history_rows.setdefault(model, []).append(values)

    plans = {}
    for n in numbers:  # everything in memory first, so each table is written once
        facts = spec(n, count)
        opened = SCALE_START + SCALE_STEP * n
        owner = hr_users[n % len(hr_users)]
        candidate = Candidate(
            created_at=opened,
            updated_at=opened,
            **{
                name: facts[name]
                for name in (
                    "legal_name", "date_of_birth", "claimed_country", "role_applied_for",
                    "routing_number", "bank_name", "bank_country", "account_number",
                    "shipping_address",
                )
            },
        )  # fmt: skip
        set_identity_keys(candidate)
        rows = [("email", v, "candidate") for v in facts["emails"]]
        rows += [("phone", v, "candidate") for v in facts["phones"]]
        rows += [("phone", v, "reference") for v in facts["references"]]
        rows += [("ip", v, "candidate") for v in facts["ip_addresses"]]
        contacts = [
            CandidateContact(candidate=candidate, kind=kind, value=value, belongs_to=whose,
                             normalized=by_kind[kind].key(value, candidate))
            for kind, value, whose in rows
        ]  # fmt: skip
        profiles = [
            OnlineProfile(candidate=candidate, kind=kind, url_or_handle=value,
                          normalized_handle=normalize.normalize_profile(kind, value))
            for kind, value in facts["profiles"]
        ]  # fmt: skip
        entries = [HistoryEntry(candidate=candidate, **row) for row in facts["history"]]
        # What screening reads, handed over so that it reads nothing (links are left out).
        setattr(candidate, PREFETCHED_ROWS + "contacts", contacts)
        setattr(candidate, PREFETCHED_ROWS + "profiles", profiles)
        setattr(candidate, PREFETCHED_ROWS + "history_entries", entries)
        case = Case(
            reference=scale_reference(n),
            candidate=candidate,
            owner=owner,
            catalog_version=version,
            status="draft",
            created_at=opened,
            updated_at=opened,
            screened_at=opened,
        )
        findings = []
        for i, (key, fields) in enumerate(screened_findings(candidate, ()).items()):
            row = StoredFinding(case=case, fingerprint=key, created_at=opened,
                                updated_at=opened, **fields)  # fmt: skip
            if i == 0 and n % 40 == 3:
                row.status = "accepted" if n % 80 == 3 else "dismissed"
                row.decided_by, row.decided_at, row.note = owner, opened + day, "Checked."
                row.updated_at = opened + day
            findings.append(row)
        plan = {"n": n, "opened": opened, "owner": owner, "candidate": candidate,
                "contacts": contacts, "profiles": profiles, "entries": entries, "case": case,
                "findings": findings, "rng": random.Random(f"scale-{n}")}  # fmt: skip
        plan["answers"] = [ChecklistAnswer(case=case, item=item) for item in items]
        _case_story(plan, items, version, reviewer_users)
        plans[n] = plan

    all_of = lambda name: [row for p in plans.values() for row in p[name]]  # noqa: E731
    rows = _Rows()
    with transaction.atomic(), _Timestamps():
        candidates = [p["candidate"] for p in plans.values()]
        rows.ids(Candidate, candidates)
        for plan in plans.values():
            for row in (plan["contacts"], plan["profiles"], plan["entries"]):
                for child in row:
                    child.candidate = plan["candidate"]  # the id it has now
        children = [(CandidateContact, all_of("contacts")), (OnlineProfile, all_of("profiles")),
                    (HistoryEntry, all_of("entries"))]  # fmt: skip
        for model, objs in children:
            rows.ids(model, objs)
        for plan in plans.values():
            plan["case"].candidate = plan["candidate"]
        cases = [p["case"] for p in plans.values()]
        rows.ids(Case, cases)
        for plan in plans.values():
            for row in plan["answers"] + plan["findings"] + plan["signoffs"]:
                row.case = plan["case"]
        later = [(ChecklistAnswer, all_of("answers")), (StoredFinding, all_of("findings")),
                 (SignOff, all_of("signoffs"))]  # fmt: skip
        for model, objs in later:
            rows.ids(model, objs)
        for model, objs in [(Candidate, candidates), *children, (Case, cases), *later]:
            rows.write(model, objs)
        for plan in plans.values():
            _story_rows(plan, remember, events)
        for model, objs in history_rows.items():
            rows.write(model, objs, with_ids=False)
        rows.write(AuditEvent, events, with_ids=False)


def _case_story(plan, items, version, reviewers) -> None:
    """Decide what happened to the case (in memory): its answers and their changes, its steps
    through the workflow, its risk at submission and its sign-off. Sets the final state on the
    case and answer instances; `_story_rows` writes the history and audit rows of it."""
    from cases import scoring

    n, rng, case, owner = plan["n"], plan["rng"], plan["case"], plan["owner"]
    status = scale_status(n)
    at = plan["opened"]
    minute = datetime.timedelta(minutes=1)
    steps = []  # (at, actor, action, status before, status after, note, changed case fields)
    changes = []  # (at, answer, value, previous, note, version)
    answered = (
        0 if status == "draft"
        else len(items) if status not in ("assessing",) or is_heavy(n)
        else rng.randint(1, len(items) - 1)
    )  # fmt: skip
    if answered:
        steps.append((at + minute, owner, "assessing", "draft", "assessing", "", {}))
    for i, answer in enumerate(plan["answers"][:answered]):
        value = _answer_value(answer.item, rng)
        changes.append((at + minute * (2 + i), answer, value, "", ANSWER_NOTES.get(value, "")))
    if is_heavy(n):  # a case worked on for months: its answers changed again and again
        for j in range(HEAVY_CHANGES - len(items)):
            answer = plan["answers"][j % len(items)]
            value = VALUES_FOR_KIND[answer.item.kind][(j // len(items)) % 2]
            when = at + datetime.timedelta(hours=1 + j)
            changes.append((when, answer, value, None, ANSWER_NOTES.get(value, "")))
    for when, answer, value, _previous, note in changes:
        answer.value, answer.note, answer.version = value, note, answer.version + 1
        answer.answered_by, answer.answered_at = owner, when
    plan["changes"] = changes
    if status == "draft" or status == "assessing":
        case.status = status
        plan["steps"], plan["signoffs"] = steps, []
        case.updated_at = changes[-1][0] if changes else at
        return

    submitted = at + datetime.timedelta(days=2, hours=rng.randint(0, 48))
    inputs = [
        scoring.ScoringInput(code=a.item.code, kind=a.item.kind, title=a.item.title,
                             weight=a.item.weight, critical=a.item.critical, value=a.value)
        for a in plan["answers"]
    ]  # fmt: skip
    found = [
        scoring.FindingInput(check=f.check_code, severity=f.severity, status=f.status,
                             summary=f.summary, subject=f.subject,
                             suggests_item_code=f.suggests_item_code,
                             suggests_value=f.suggests_value)
        for f in plan["findings"]
    ]  # fmt: skip
    result = scoring.compute_risk(
        inputs, version.code, scoring.CURRENT_POLICY_VERSION, findings=found, links=[]
    )
    snapshot = {**result.as_dict(), "inputs": [vars(i) for i in inputs]}
    if result.forced_by is not None:
        snapshot["findings"] = [vars(f) for f in found]
        snapshot["links"] = []
    snapshot["computed_at"] = submitted.isoformat()
    risk = {"risk_snapshot": snapshot, "risk_score": snapshot["score"],
            "risk_level": snapshot["level"], "submitted_at": submitted}  # fmt: skip
    steps.append((submitted, owner, "submit", "assessing", "submitted", "", risk))
    plan["signoffs"] = []
    reviewer = reviewers[rng.randrange(len(reviewers))]
    if status == "closed_cleared":
        closed = submitted + datetime.timedelta(days=1)
        fields = {"decision": "cleared", "closed_at": closed}
        steps.append((closed, owner, "close_cleared", "submitted", status, "", fields))
    elif status == "submitted":
        if rng.random() < 0.5:  # assigned, not yet started
            steps.append((submitted + minute * 30, owner, "reviewer_assigned", "submitted",
                          "submitted", "", {"reviewer": reviewer}))  # fmt: skip
    else:
        started = submitted + datetime.timedelta(days=1, hours=rng.randint(0, 24))
        steps.append((started, reviewer, "start_review", "submitted", "in_review", "",
                      {"reviewer": reviewer}))  # fmt: skip
        if status in SIGNED_OFF:
            action = SIGNED_OFF[status]
            decided = started + datetime.timedelta(hours=rng.randint(1, 72))
            note = CLOSING_NOTES[action]
            from cases.models import SignOff

            plan["signoffs"].append(
                SignOff(case=case, reviewer=reviewer, outcome=action, note=note,
                        risk_score=snapshot["score"], risk_level=snapshot["level"],
                        inputs_hash=snapshot.get("inputs_hash", ""), signed_at=decided)
            )  # fmt: skip
            fields = {"decision": DECISIONS[status], "decision_note": note, "closed_at": decided}
            steps.append((decided, reviewer, action, "in_review", status, note, fields))
    for _at, _actor, _action, _before, after, _note, fields in steps:
        case.status = after
        for name, value in fields.items():
            setattr(case, name, value)
    case.updated_at = steps[-1][0]
    plan["steps"] = steps


VALUES_FOR_KIND = {"red_flag": ("observed", "not_observed"),
                   "due_diligence": ("adverse", "completed")}  # fmt: skip


def _story_rows(plan, remember, events) -> None:
    """The history and audit rows of the case's story (`_case_story`), now that rows have ids."""
    case, owner, opened = plan["case"], plan["owner"], plan["opened"]
    ref = case.reference
    candidate = plan["candidate"]
    remember(_history(candidate, opened, owner))
    for row in plan["contacts"] + plan["profiles"] + plan["entries"]:
        remember(_history(row, opened, owner))
    # The case as opened, then each step.
    state = {"status": "draft", "reviewer_id": None, "risk_snapshot": None, "risk_score": None,
             "risk_level": "", "submitted_at": None, "decision": "", "decision_note": "",
             "closed_at": None, "updated_at": opened}  # fmt: skip
    remember(_history(case, opened, owner, "+", "opened", **state))
    events.append(_audit(opened, owner, "case.opened", "cases.case", case.pk, ref,
                         f"Opened case {ref} for {candidate.legal_name} "
                         f"(catalogue {case.catalog_version.code})",
                         candidate=candidate.legal_name,
                         catalog_version=case.catalog_version.code,
                         items=len(plan["answers"]), linked_cases={}))  # fmt: skip
    for answer in plan["answers"]:
        remember(_history(answer, opened, owner, "+", "", value="", note="", version=1,
                          answered_by_id=None, answered_at=None))  # fmt: skip
    for finding in plan["findings"]:
        remember(
            _history(
                finding,
                opened,
                owner,
                "+",
                "screened",
                status="open",
                decided_by_id=None,
                decided_at=None,
                note="",
                updated_at=opened,
            )
        )
        events.append(_audit(opened, owner, "finding.opened", "cases.finding", finding.pk, ref,
                             f"Finding {finding.check_code} ({finding.severity}) on {ref}: "
                             f"{finding.summary}",
                             check=finding.check_code, severity=finding.severity))  # fmt: skip
        if finding.status != "open":
            remember(_history(finding, finding.decided_at, owner, "~", finding.status))
            events.append(_audit(finding.decided_at, owner, f"finding.{finding.status}",
                                 "cases.finding", finding.pk, ref,
                                 f"Finding {finding.check_code} {finding.status} on {ref}",
                                 check=finding.check_code, severity=finding.severity,
                                 note=finding.note))  # fmt: skip
    answer_states = {}
    steps = list(plan["steps"])
    changes = list(plan["changes"])

    def do_step(step):
        at, actor, action, before, after, note, fields = step
        state.update(status=after, updated_at=at)
        for name, value in fields.items():
            state["reviewer_id" if name == "reviewer" else name] = (
                value.pk if name == "reviewer" else value
            )
        if action == "assessing":
            reason, summary, name = "assessment started", f"Assessment of {ref} started", action
            data = {}
        elif action == "reviewer_assigned":
            who = fields["reviewer"].username
            reason, summary, name = "reviewer assigned", f"{ref} assigned to {who}", action
            data = {"reviewer": who}
        else:
            reason = f"{action}: {note}" if note else action
            summary = f"{ref}: {before} → {after}" + (f" — {note}" if note else "")
            name = action
            data = {"previous": before, "status": after, "note": note,
                    "decision": state["decision"], "risk_level": state["risk_level"]}  # fmt: skip
        remember(_history(case, at, actor, "~", reason, **state))
        events.append(_audit(at, actor, f"case.{name}", "cases.case", case.pk, ref, summary,
                             **data))  # fmt: skip

    # Steps and answer changes in time order (assessment starts before the first answer).
    while steps or changes:
        if changes and (not steps or changes[0][0] < steps[0][0]):
            at, answer, value, _previous, note = changes.pop(0)
            previous, version = answer_states.get(answer.pk, ("", 1))
            version += 1
            answer_states[answer.pk] = (value, version)
            remember(
                _history(
                    answer,
                    at,
                    owner,
                    "~",
                    "",
                    value=value,
                    note=note,
                    version=version,
                    answered_by_id=owner.pk,
                    answered_at=at,
                )
            )
            events.append(_audit(at, owner, "answer.recorded", "cases.checklistanswer",
                                 answer.pk, ref,
                                 f"{answer.item.code} answered “{value}” on {ref}"
                                 + (f" (was “{previous}”)" if previous else ""),
                                 item=answer.item.code, value=value, previous=previous,
                                 note=note))  # fmt: skip
        else:
            do_step(steps.pop(0))
    for signoff in plan["signoffs"]:
        remember(_history(signoff, signoff.signed_at, signoff.reviewer))
