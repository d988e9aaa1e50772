"""The scale benchmark (`make bench`, measure `scale`): do pages stay fast as cases pile up?

For each of two sizes, 1,000 cases and N (100,000, or VETTING_BENCH_CASES), a database is
populated once (`benchmarks/population.py`: statuses, owners and reviewers, answers with their
history, audit events, findings, sign-offs, a case in ten thousand with 1,000 answer changes)
and reused by later runs, which only add what is missing. Each size runs in its own process:

1. `migrate` (a populated database gets the migrations added since) and the catalogue;
2. gunicorn with production settings (DJANGO_DEBUG unset, secrets from the environment, two
   workers) on a free port of 127.0.0.1, behind which the benchmark plays the TLS proxy
   (X-Forwarded-Proto: https);
3. an HR user and a reviewer sign in through the sign-in page, the reviewer with a code from
   their authenticator app;
4. every list, search, dashboard, detail and save page is requested REQUESTS times (after a
   warm-up) one after the other: median and p95, their ratio to `/healthz` measured the same
   way in the same run, and the SQL queries the page runs (the same request once more, in this
   process, with Django's test client on the same session and database);
5. 8 clients ask for the case list side by side for THROUGHPUT_SECONDS: requests per second.

Pages are found as a user finds them: page 2 of the case list is the page 1 "next" link,
whatever it looks like (?page=2 or a keyset cursor). The process of the larger size then
compares the two, prints the table, writes the JSON result and says which target was missed.

Databases: PostgreSQL when VETTING_BENCH_SCALE_SERVER names a server (e.g.
postgres://postgres@127.0.0.1:5432): databases `vetting_bench_1k` and `vetting_bench_100k`
(`vetting_bench_<size>`), created when missing. Otherwise SQLite files in the benchmark
directory. Secrets and field keys are kept beside each database, in
VETTING_BENCH_DIR (default var/bench)/<database name>/, so a reused database stays readable.
"""

import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from html import escape, unescape
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

REPO = Path(__file__).resolve().parent.parent

# Targets at TARGET_CASES cases (the issue "Scale", item 2).
TARGET_CASES = 100_000
SMALL_CASES = 1_000
LIST_P95_MS = 200  # every list, search and dashboard page
LIST_MEDIAN_MS = 50
CASE_LIST_MEDIAN_MS = 40  # case list page 1, median
CASE_LIST_REQUESTS_PER_SECOND = 40  # case list page 1 with THROUGHPUT_CLIENTS clients
HISTORY_MEDIAN_MS = 150  # history tab of a case with 1,000 history rows, median
MAX_GROWTH = 1.5  # no page's median more than this many times its median at SMALL_CASES
REQUESTS = 30  # timed requests per page (at least)
WARM_UP = 3
THROUGHPUT_CLIENTS = 8
THROUGHPUT_SECONDS = 20
GUNICORN_WORKERS = 2
# Pages whose growth is not judged: the floor itself, and pages faster than this at both sizes
# (a ratio of two 3 ms medians is mostly noise).
GROWTH_NOISE_MS = 5
LISTS = ("list", "search", "dashboard")


def size_label(cases: int) -> str:
    return f"{cases // 1000}k" if cases >= 1000 and cases % 1000 == 0 else str(cases)


def state_dir() -> Path:
    return Path(os.environ.get("VETTING_BENCH_DIR") or REPO / "var" / "bench").resolve()


def database_for(cases: int) -> tuple[str, str]:
    """(name, URL) of the database of this size."""
    server = os.environ.get("VETTING_BENCH_SCALE_SERVER", "").rstrip("/")
    if server:
        name = f"vetting_bench_{size_label(cases)}"
        return name, f"{server}/{name}"
    name = f"scale-{size_label(cases)}"
    return name, f"sqlite:///{state_dir() / name / 'db.sqlite3'}"


def create_database(url: str) -> None:
    """Create the PostgreSQL database of `url` when it does not exist yet."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


# ---------------------------------------------------------------- HTTP clients


class Browser:
    """A user's browser against the server: keeps its cookies (including Secure ones: the
    benchmark is the TLS proxy) and one keep-alive connection."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.host = f"127.0.0.1:{port}"
        self.cookies = dict(cookies or {})
        self.connection = None

    def request(self, method: str, url: str, body: dict | None = None, headers=None):
        """(status, headers, body text) of one request; redirects are not followed."""
        head = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "Accept-Language": "en",
            **(headers or {}),
        }
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
            head["Origin"] = f"https://{self.host}"
            head["Referer"] = f"https://{self.host}{url}"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.connection.request(method, url, body=data, headers=head)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), text

    def get(self, url: str, headers=None):
        return self.request("GET", url, headers=headers)

    def post(self, url: str, body: dict, headers=None):
        return self.request("POST", url, body, headers)

    def csrf_token(self) -> str:
        return self.cookies.get("csrftoken", "")

    def session_cookies(self) -> dict:
        return dict(self.cookies)

    def close(self):
        if self.connection is not None:
            self.connection.close()


class InProcessBrowser:
    """Without a server (the harness's own test): Django's test client in this process, signed
    in as `user` with the second factor passed when the user has a device."""

    def __init__(self, user, device=None):
        from django.test import Client
        from django_otp import DEVICE_ID_SESSION_KEY

        self.client = Client(HTTP_HOST="127.0.0.1")
        self.client.force_login(user)
        if device is not None:
            session = self.client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    def get(self, url: str, headers=None):
        response = self.client.get(url, secure=True, headers=headers)
        return response.status_code, dict(response.headers), _text(response)

    def post(self, url: str, body: dict, headers=None):
        response = self.client.post(url, body, secure=True, headers=headers)
        return response.status_code, dict(response.headers), _text(response)

    def csrf_token(self) -> str:
        return ""  # the test client does not check it

    def session_cookies(self) -> dict:
        return {key: morsel.value for key, morsel in self.client.cookies.items()}

    def close(self):
        pass


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def form_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the sign-in page")
    return match.group(1)


def sign_in(browser: Browser, username: str, password: str, device=None) -> None:
    """Through the sign-in page, then the second-factor page when the user has a device."""
    status, _headers, html = browser.get("/accounts/login/")
    if status != 200:
        raise RuntimeError(f"the sign-in page answered {status}")
    status, headers, _html = browser.post(
        "/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": form_token(html)},
    )
    if status != 302:
        raise RuntimeError(f"signing in as {username} failed ({status})")
    status, headers, html = browser.get("/")
    if status == 302 and "two-factor/verify" in headers.get("Location", ""):
        if device is None:
            raise RuntimeError(f"{username} must enter a second factor")
        verify = urlsplit(headers["Location"]).path
        status, _headers, html = browser.get(verify)
        status, headers, html = browser.post(
            verify, {"code": totp_now(device), "csrfmiddlewaretoken": form_token(html)}
        )
        if status != 302:
            raise RuntimeError(f"the second factor of {username} was refused ({status})")
        status, headers, html = browser.get("/")
    if status != 200:
        raise RuntimeError(f"{username} cannot see the dashboard after signing in ({status})")


def totp_now(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def next_link(html: str, page: str) -> str | None:
    """The address of the "next" link of the page at `page`, whatever its form (a query string
    alone, a path, a full address), as a path and query on this site."""
    for tag in re.findall(r"<a\b[^>]*>", html):
        if re.search(r'\brel="next"', tag):
            href = re.search(r'\bhref="([^"]*)"', tag)
            if href:
                target = urlsplit(urljoin(page, unescape(href.group(1))))
                return target.path + (f"?{target.query}" if target.query else "")
    return None


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "REDIS_URL"}}
    command = [sys.executable, "-m", "gunicorn", "vetting.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(GUNICORN_WORKERS)]
    command += ["--log-level", "warning", "--timeout", "300"]
    server = subprocess.Popen(command, cwd=REPO, env=env)  # noqa: S603 - our own server
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            status, _headers, _body = Browser(port).get("/healthz")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 2 minutes")


# ---------------------------------------------------------------- timing


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def time_requests(send, count: int, warm_up: int = WARM_UP) -> dict:
    """`send()` makes one request and returns its status; `warm_up` first, then `count` timed."""
    for _ in range(warm_up):
        send()
    timings, statuses = [], set()
    for _ in range(count):
        started = time.perf_counter()
        statuses.add(send())
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "requests": count,
        "statuses": sorted(statuses),
    }


def throughput(port: int, cookies: dict, url: str, clients: int, seconds: float) -> dict:
    """Requests per second of `clients` browsers asking for `url` side by side."""
    stop = time.monotonic() + seconds
    done, errors = [0] * clients, [0] * clients

    def run(i):
        browser = Browser(port, cookies)
        while time.monotonic() < stop:
            status, _headers, _body = browser.get(url)
            if status == 200:
                done[i] += 1
            else:
                errors[i] += 1
        browser.close()

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "url": url,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": sum(done),
        "errors": sum(errors),
        "requests_per_second": round(sum(done) / elapsed, 1),
    }


# ---------------------------------------------------------------- one size, in its own process


def prepare_users(password: str):
    """The HR user and reviewer the benchmark signs in as, with this run's password; the
    reviewer's authenticator app (made once, reused)."""
    from django.contrib.auth.models import User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks.population import BENCH_HR, BENCH_REVIEWER, scale_users

    scale_users()
    users = {}
    for name in (BENCH_HR, BENCH_REVIEWER):
        user = User.objects.get(username=name)
        user.set_password(password)
        user.save(update_fields=["password"])
        users[name] = user
    reviewer = users[BENCH_REVIEWER]
    device = TOTPDevice.objects.filter(user=reviewer, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=reviewer, name="bench", confirmed=True)
    # A code is taken once per 30 s: forget the last one so this run may sign in again.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username__in=list(users)).delete()
    return users, device


def search_terms(case) -> dict:
    """What a user types to find this case: its candidate's identifiers, as stored, some typed
    differently."""
    candidate = case.candidate
    contacts = list(candidate.contacts.filter(belongs_to="candidate"))
    email = next(c.value for c in contacts if c.kind == "email")
    ip = next(c.value for c in contacts if c.kind == "ip")
    phone = next(c.value for c in contacts if c.kind == "phone")
    digits = re.sub(r"\D", "", phone)
    if phone.startswith("+1 ") and len(digits) == 11:  # as a US user types it
        typed = f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"
    else:  # international prefix instead of +, no spaces
        typed = "00" + digits
    return {
        "name": candidate.legal_name,
        "e-mail": email,
        "phone in another format": typed,
        "account number": candidate.account_number,
        "IP address": ip,
        "reference": case.reference,
    }


def pages(targets: dict) -> list[dict]:
    """The pages measured: name, group, who asks, and how (url, or `next` of another page)."""
    review, work, heavy = targets["review"], targets["work"], targets["heavy"]
    rows = [
        {"name": "dashboard (HR)", "group": "dashboard", "as": "hr", "url": "/"},
        {"name": "dashboard (reviewer)", "group": "dashboard", "as": "reviewer", "url": "/"},
        {"name": "case list, page 1", "group": "list", "as": "hr", "url": "/cases/"},
        {"name": "case list, page 2 (next link)", "group": "list", "as": "hr",
         "next_of": "case list, page 1"},
        {"name": "case list, page 3 (next link)", "group": "list", "as": "hr",
         "next_of": "case list, page 2 (next link)"},
        {"name": "case list, status filter", "group": "list", "as": "hr",
         "url": "/cases/?status=submitted"},
        {"name": "case list, owner filter", "group": "list", "as": "hr",
         "url": "/cases/?owner=bench-hr-02"},
        {"name": "review queue", "group": "list", "as": "reviewer", "url": "/review/"},
        {"name": "review queue, page 2 (next link)", "group": "list", "as": "reviewer",
         "next_of": "review queue"},
        {"name": "review queue, mine", "group": "list", "as": "reviewer",
         "url": "/review/?show=mine"},
        {"name": "report list", "group": "list", "as": "hr", "url": "/reports/"},
        {"name": "API case list", "group": "list", "as": "hr", "url": "/api/v1/cases/"},
    ]  # fmt: skip
    # Each search must list the case; a name many candidates share, at least that name.
    found = targets["search_case"]
    for what, term in targets["search"].items():
        expect = term if what == "name" else found
        rows.append({"name": f"search by {what}", "group": "search", "as": "hr",
                     "url": "/cases/?" + urlencode({"q": term}), "expect": expect})  # fmt: skip
    rows.append(
        {
            "name": "API search by e-mail",
            "group": "search",
            "as": "hr",
            "expect": found,
            "url": "/api/v1/cases/?" + urlencode({"search": targets["search"]["e-mail"]}),
        }
    )
    rows += [
        {"name": "case overview", "group": "detail", "as": "hr", "url": f"/cases/{review}/"},
        {"name": "candidate page", "group": "detail", "as": "hr",
         "url": f"/cases/{review}/candidate/"},
        {"name": "checklist", "group": "detail", "as": "hr", "url": f"/cases/{work}/checklist/"},
        {"name": "history tab", "group": "history", "as": "hr", "url": f"/cases/{heavy}/history/"},
        {"name": "review page", "group": "detail", "as": "reviewer",
         "url": f"/cases/{review}/review/"},
        {"name": "API case detail", "group": "detail", "as": "hr",
         "url": f"/api/v1/cases/{review}/"},
        {"name": "checklist answer save", "group": "save", "as": "hr",
         "url": f"/cases/{work}/checklist/{targets['item']}/", "save": True},
    ]  # fmt: skip
    return rows


def choose_targets(cases: int) -> dict:
    """The cases the detail pages show: the same case numbers at every size (when it has them)."""
    from benchmarks import population
    from cases.models import Case, ChecklistAnswer

    def ref(status: str, **kwargs) -> str:
        return population.scale_reference(population.first_scale_case(status, **kwargs))

    heavy = population.HEAVY_AT if cases > population.HEAVY_AT else None
    if heavy is None:  # a small database: the case with the most audit events
        from django.db.models import Count

        from audit.models import AuditEvent

        busiest = (
            AuditEvent.objects.filter(case_reference__startswith=population.SCALE_PREFIX)
            .values("case_reference")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        heavy_ref = busiest["case_reference"]
    else:
        heavy_ref = population.scale_reference(heavy)
    work = ref("assessing", owner=population.BENCH_HR)
    item = (
        ChecklistAnswer.objects.filter(case__reference=work, item__kind="red_flag")
        .order_by("item__position")
        .values_list("item__code", flat=True)
        .first()
    )
    found = Case.objects.select_related("candidate").get(reference=ref("assessing", start=7))
    return {
        "review": ref("in_review"),
        "work": work,
        "item": item,
        "heavy": heavy_ref,
        "heavy_history_rows": _history_rows(heavy_ref),
        "search": search_terms(found),
        "search_case": found.reference,
    }


def _history_rows(reference: str) -> int:
    from cases.models import Case, ChecklistAnswer

    case = Case.objects.get(reference=reference)
    return (
        ChecklistAnswer.history.filter(case_id=case.pk).count()
        + Case.history.filter(id=case.pk).count()
    )


def save_sender(browser, path: str, code: str):
    """A function that saves the answer to item `code` as the checklist page's form does (an
    htmx POST with the answer's version from the form), each time changing it."""
    checklist = path.rsplit("/", 2)[0] + "/"
    _status, _headers, html = browser.get(checklist)
    state = {"html": html.split(f'id="item-{code}"', 1)[-1]}

    def send():
        html = state["html"]
        observed = re.search(r'value="observed"[^>]*\bchecked', html.split("</form>", 1)[0])
        value = "not_observed" if observed else "observed"
        version = re.search(r'name="version" value="(\d+)"', html)
        status, _headers, state["html"] = browser.post(
            path,
            {
                "value": value,
                "note": "Seen in the video interview." if value == "observed" else "",
                "version": version.group(1) if version else "",
            },
            headers={"HX-Request": "true", "X-CSRFToken": browser.csrf_token()},
        )
        return status

    return send


def run_size(cases: int, options: dict, *, prepare: bool = True) -> dict:
    """Populate (or reuse) the database of this size and measure it. Runs after setup_django;
    `prepare`: migrate, load the catalogue and collect the static files first."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks import population
    from benchmarks.run import prepare_database

    started = time.perf_counter()
    if prepare:
        prepare_database()  # migrations added since the database was populated, the catalogue
    migrated = time.perf_counter() - started

    def progress(done, total):
        print(f"  {done:,} of {total:,} cases written", flush=True)

    started = time.perf_counter()
    added = population.populate_scale(cases, progress, workers=options["workers"])
    if added and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # As autovacuum leaves a table: statistics for the planner, and the visibility map
            # that lets index-only scans skip the table (VACUUM refuses to run in a transaction,
            # as in the benchmark's own test).
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    populated = time.perf_counter() - started
    if prepare:
        collect_static()
    password = secrets.token_urlsafe(24)
    users, device = prepare_users(password)
    targets = choose_targets(cases)
    counts = database_counts()

    server = None
    port = None
    if options["server"]:
        port = free_port()
        server = start_gunicorn(port)
    try:
        results = measure(cases, options, port, users, device, password, targets)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
    # SQL queries per page: the same request once more, in this process, on the same session.
    for row in results["pages"]:
        if row.get("path") is None:
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        for key, value in results["_sessions"][row["as"]].items():
            client.cookies[key] = value
        with CaptureQueriesContext(connection) as queries:
            if row.get("save"):
                response = client.post(
                    row["path"], {"value": "unknown"}, secure=True, headers={"HX-Request": "true"}
                )
            else:
                response = client.get(row["path"], secure=True)
        row["queries"] = len(queries)
        row["query_status"] = response.status_code
    del results["_sessions"]
    return {
        "cases": cases,
        "database": connection.settings_dict["NAME"],
        "vendor": connection.vendor,
        "population": {"added": added, "seconds": round(populated, 1), "rows": counts},
        "migrate_seconds": round(migrated, 1),
        "server": f"gunicorn, {GUNICORN_WORKERS} workers" if options["server"] else "in-process",
        "targets": {k: v for k, v in targets.items() if not k.startswith("_")},
        **results,
    }


def collect_static() -> None:
    """collectstatic into the benchmark's static directory (shared by both sizes), unless it
    holds every file already: compressing them takes minutes on a busy machine."""
    from django.conf import settings
    from django.core.management import call_command

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    sources = [path for path in (REPO / "static").rglob("*") if path.is_file()]
    if manifest.exists() and all(p.stat().st_mtime < manifest.stat().st_mtime for p in sources):
        return
    call_command("collectstatic", interactive=False, verbosity=0)


def database_counts() -> dict:
    from audit.models import AuditEvent
    from cases.models import Case, ChecklistAnswer

    return {
        "cases": Case.objects.count(),
        "answers": ChecklistAnswer.objects.count(),
        "answer_history": ChecklistAnswer.history.count(),
        "case_history": Case.history.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def measure(cases, options, port, users, device, password, targets) -> dict:
    """Time every page (over HTTP against gunicorn, or in this process without a server)."""
    from benchmarks.population import BENCH_HR, BENCH_REVIEWER

    count = options["requests"]
    if port is not None:
        browsers = {"hr": Browser(port), "reviewer": Browser(port)}
        sign_in(browsers["hr"], BENCH_HR, password)
        sign_in(browsers["reviewer"], BENCH_REVIEWER, password, device)
    else:
        browsers = {
            "hr": InProcessBrowser(users[BENCH_HR]),
            "reviewer": InProcessBrowser(users[BENCH_REVIEWER], device),
        }
    warm_up = options.get("warm_up", WARM_UP)
    floor = time_requests(lambda: browsers["hr"].get("/healthz")[0], count, warm_up)
    rows, html_of, paths = [], {}, {}
    for page in pages(targets):
        browser = browsers[page["as"]]
        path = page.get("url")
        if page.get("next_of"):
            before = paths.get(page["next_of"])
            path = next_link(html_of.get(page["next_of"], ""), before) if before else None
        paths[page["name"]] = path
        row = {k: v for k, v in page.items() if k in ("name", "group", "as", "save")}
        row["path"] = path
        if path is None:
            row["missing"] = "no next link"
            rows.append(row)
            continue
        if page.get("save"):
            send = save_sender(browser, path, targets["item"])
            row.update(time_requests(send, count, warm_up))
        else:

            def send(path=path, browser=browser, name=page["name"]):
                status, _headers, html = browser.get(path)
                html_of[name] = html
                return status

            row.update(time_requests(send, count, warm_up))
            if page.get("expect"):
                row["found"] = escape(page["expect"]) in html_of[page["name"]]
        row["x_floor"] = round(row["median_ms"] / floor["median_ms"], 1)
        rows.append(row)
        print(
            f"  {row['name']}: median {row['median_ms']:g} ms, p95 {row['p95_ms']:g} ms", flush=True
        )
    result = {"floor": floor, "pages": rows}
    if port is not None and options["seconds"] > 0:
        cookies = browsers["hr"].cookies
        result["throughput"] = throughput(
            port, cookies, "/cases/", THROUGHPUT_CLIENTS, options["seconds"]
        )
        result["throughput_floor"] = throughput(
            port, cookies, "/healthz", THROUGHPUT_CLIENTS, max(2, options["seconds"] / 4)
        )
    result["_sessions"] = {who: b.session_cookies() for who, b in browsers.items()}
    for browser in browsers.values():
        browser.close()
    return result


# ---------------------------------------------------------------- both sizes, and the verdict


def child(cases: int, options: dict) -> int:
    """`python -m benchmarks.scale --child N`: measure one size; the result as JSON on the last
    line of standard output."""
    from benchmarks.run import setup_django

    name, url = database_for(cases)
    create_database(url)
    var_dir = state_dir() / name
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["VETTING_BENCH_DATABASE_URL"] = url
    os.environ["VETTING_STATIC_ROOT"] = str(state_dir() / "static")
    os.environ.pop("DJANGO_DEBUG", None)  # production settings
    setup_django(var_dir)
    result = run_size(cases, options)
    print(json.dumps(result, default=str))
    return 0


def measure_size(cases: int, options: dict) -> dict:
    """One size in its own process (settings are read once per process)."""
    command = [sys.executable, "-m", "benchmarks.scale", "--child", str(cases)]
    command += ["--options", json.dumps(options)]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_DEBUG"}}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    process = subprocess.Popen(  # noqa: S603 - this very module
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if not line.startswith("{"):
            print(line, end="", flush=True)
    if process.wait():
        raise RuntimeError(f"the scale benchmark of {cases:,} cases failed")
    return json.loads(lines[-1])


def compare(small: dict | None, large: dict) -> list[dict]:
    """Each page at the large size, with its growth from the small one and its verdicts."""
    before = {row["name"]: row for row in (small or {}).get("pages", [])}
    rows = []
    for row in large["pages"]:
        row = dict(row)
        misses, targets = [], []
        if "median_ms" not in row:
            rows.append({**row, "targets": [], "misses": ["not measured"]})
            continue
        if row["group"] in LISTS:
            targets.append(f"p95 ≤ {LIST_P95_MS}, median ≤ {LIST_MEDIAN_MS} ms")
            if row["p95_ms"] > LIST_P95_MS:
                misses.append(f"p95 > {LIST_P95_MS} ms")
            if row["median_ms"] > LIST_MEDIAN_MS:
                misses.append(f"median > {LIST_MEDIAN_MS} ms")
        if row["name"] == "case list, page 1":
            targets.append(f"median ≤ {CASE_LIST_MEDIAN_MS} ms")
            if row["median_ms"] > CASE_LIST_MEDIAN_MS:
                misses.append(f"median > {CASE_LIST_MEDIAN_MS} ms")
        if row["group"] == "history":
            targets.append(f"median ≤ {HISTORY_MEDIAN_MS} ms")
            if row["median_ms"] > HISTORY_MEDIAN_MS:
                misses.append(f"median > {HISTORY_MEDIAN_MS} ms")
        if row.get("found") is False:
            misses.append("the case searched for is not listed")
        if any(status >= 400 for status in row["statuses"]):
            misses.append(f"HTTP {', '.join(map(str, row['statuses']))}")
        old = before.get(row["name"])
        if old and "median_ms" in old:
            row["small_median_ms"] = old["median_ms"]
            row["growth"] = round(row["median_ms"] / old["median_ms"], 2)
            targets.append(f"≤ {MAX_GROWTH}× at {small['cases']:,}")
            noisy = max(row["median_ms"], old["median_ms"]) < GROWTH_NOISE_MS
            if row["growth"] > MAX_GROWTH and not noisy:
                misses.append(f"{row['growth']}× slower than at {small['cases']:,}")
        rows.append({**row, "targets": targets, "misses": misses})
    return rows


def verdict(small: dict | None, large: dict) -> dict:
    rows = compare(small, large)
    misses = [f"{row['name']}: {miss}" for row in rows for miss in row["misses"]]
    through = large.get("throughput")
    if through:
        if through["requests_per_second"] < CASE_LIST_REQUESTS_PER_SECOND:
            misses.append(
                f"case list with {through['clients']} clients: "
                f"{through['requests_per_second']} req/s < {CASE_LIST_REQUESTS_PER_SECOND}"
            )
        if through["errors"]:
            misses.append(
                f"case list with {through['clients']} clients: {through['errors']} errors"
            )
    return {"pages": rows, "misses": misses}


def _cell(value, unit="") -> str:
    return (
        "—"
        if value is None
        else f"{value:g}{unit}"
        if isinstance(value, float)
        else f"{value}{unit}"
    )


def table(small: dict | None, large: dict, judged: dict) -> str:
    floor = large["floor"]["median_ms"]
    size = f"{large['cases']:,}"
    small_size = f"{small['cases']:,}" if small else "—"
    population = large["population"]
    lines = [
        f"Scale: {size} cases ({large['vendor']}, database {large['database']}; "
        f"{population['rows']['answer_history']:,} answer history rows, "
        f"{population['rows']['audit_events']:,} audit events), "
        f"{large.get('server', 'gunicorn')}, production settings; /healthz floor {floor} ms "
        f"median. Medians and p95 of {large['floor']['requests']} requests each.",
        "",
        f"| page | median at {small_size} | median at {size} | p95 at {size} | "
        f"queries | × /healthz | growth | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in judged["pages"]:
        if "median_ms" not in row:
            lines.append(f"| {row['name']} | — | — | — | — | — | — | not measured ✗ |")
            continue
        target = "; ".join(row["targets"]) or "—"
        mark = "" if not row["targets"] else " ✗" if row["misses"] else " ✓"
        lines.append(
            f"| {row['name']} | {_cell(row.get('small_median_ms'), ' ms')} | "
            f"{row['median_ms']:g} ms | {row['p95_ms']:g} ms | {_cell(row.get('queries'))} | "
            f"{row['x_floor']:g} | {_cell(row.get('growth'), '×')} | {target}{mark} |"
        )
    through = large.get("throughput")
    if through:
        ok = through["requests_per_second"] >= CASE_LIST_REQUESTS_PER_SECOND
        healthz = large.get("throughput_floor", {}).get("requests_per_second")
        share = f" ({through['requests_per_second'] / healthz:.0%} of /healthz's {healthz})"
        small_through = (small or {}).get("throughput", {}).get("requests_per_second")
        lines.append(
            f"| case list, {through['clients']} clients for {through['seconds']:g} s | "
            f"{_cell(small_through, ' req/s')} | {through['requests_per_second']:g} req/s"
            f"{share if healthz else ''} | — | — | — | — | ≥ {CASE_LIST_REQUESTS_PER_SECOND} "
            f"req/s{' ✓' if ok else ' ✗'} |"
        )
    lines.append("")
    lines.append(
        f"Population: {population['added']:,} cases added in {population['seconds']:g} s "
        f"(0 when the database was reused); history tab case {large['targets']['heavy']} has "
        f"{large['targets']['heavy_history_rows']:,} history rows."
    )
    return "\n".join(lines)


def bench(options: dict) -> tuple[dict, str, bool]:
    """Both sizes; (the JSON result, the table, whether every target was met)."""
    large_cases, small_cases = options["cases"], options["small"]
    small = None
    if small_cases and small_cases < large_cases:
        print(f"Measuring pages at {small_cases:,} cases…", flush=True)
        small = measure_size(small_cases, options)
    print(f"Measuring pages at {large_cases:,} cases…", flush=True)
    large = measure_size(large_cases, options)
    judged = verdict(small, large)
    result = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "targets": {
            "list_p95_ms": LIST_P95_MS,
            "list_median_ms": LIST_MEDIAN_MS,
            "case_list_median_ms": CASE_LIST_MEDIAN_MS,
            "case_list_requests_per_second": CASE_LIST_REQUESTS_PER_SECOND,
            "history_median_ms": HISTORY_MEDIAN_MS,
            "max_growth": MAX_GROWTH,
        },
        "small": small,
        "large": large,
        "pages": judged["pages"],
        "misses": judged["misses"],
        "met": not judged["misses"],
    }
    text = table(small, large, judged)
    if judged["misses"]:
        text += "\n\nMissed:\n" + "\n".join(f"- {miss}" for miss in judged["misses"])
    output = Path(options["json"])
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, default=str))
    return result, text, not judged["misses"]


def default_options(**overrides) -> dict:
    options = {
        "cases": int(os.environ.get("VETTING_BENCH_CASES") or TARGET_CASES),
        "small": SMALL_CASES,
        "requests": REQUESTS,
        "seconds": THROUGHPUT_SECONDS,
        "server": True,
        "workers": max(1, min(4, os.cpu_count() or 1)),
        "json": str(state_dir() / "scale.json"),
    }
    options.update({k: v for k, v in overrides.items() if v is not None})
    return options


def add_arguments(parser) -> None:
    """The scale options, for this module and `benchmarks.run`."""
    parser.add_argument(
        "--scale-cases", type=int, help="cases of the large size (VETTING_BENCH_CASES, 100,000)"
    )
    parser.add_argument("--scale-small", type=int, help=f"cases of the small size ({SMALL_CASES})")
    parser.add_argument("--scale-requests", type=int, help=f"timed requests per page ({REQUESTS})")
    parser.add_argument(
        "--scale-seconds", type=float, help=f"case-list throughput run ({THROUGHPUT_SECONDS} s)"
    )
    parser.add_argument("--scale-workers", type=int, help="processes populating the database")
    parser.add_argument("--scale-json", help="where the JSON result goes (var/bench/scale.json)")
    parser.add_argument(
        "--scale-no-server",
        action="store_true",
        help="time pages in-process with Django's test client instead of gunicorn (tests)",
    )


def options_from(args) -> dict:
    return default_options(
        cases=args.scale_cases,
        small=args.scale_small,
        requests=args.scale_requests,
        seconds=args.scale_seconds,
        workers=args.scale_workers,
        json=args.scale_json,
        server=False if args.scale_no_server else None,
    )


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--options", help=argparse.SUPPRESS)
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, json.loads(args.options))
    _result, text, met = bench(options_from(args))
    print()
    print(text)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
