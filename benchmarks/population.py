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
import random

REFERENCE_PREFIX = "BENCH-"
CLOSED_SHARE = 10  # one closed case per this many open ones: re-screening skips them
SHARED_SHARE = 0.05  # candidates that share an identifier with others
CHUNK = 2000

FIRST = ["Alex", "Jin", "Maria", "Chen", "Olga", "Sam", "Min-jun", "Priya", "Tom", "Ana", "Ivan"]
LAST = ["Park", "Smith", "Kim", "Nowak", "Garcia", "Lee", "Brown", "Ivanova", "Muller", "Chen"]
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
        "legal_name": f"{FIRST[n % len(FIRST)]} {rng.choice(LAST)}",
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
