"""Never a 500 from input: every form and every list page's query, fed hostile values.

What is fuzzed. The URLs are the access matrix's rows (tests/access_matrix.py, which
tests/test_access_matrix.py keeps complete against the URL resolver) pointed at the matrix
world (tests/matrix_world.py). Each row is requested as up to two people the table lets in —
the first of the residents and volunteers, the first of the staff — so both sides of a page
are covered:

- GET: the query parameters the page offers (its GET forms' fields, the keys of its own
  links: filters, sorting, pages) plus those views read without offering them (page, q,
  status, sort, period, from/to, community, pick, next; the admin's o, p, e, _to_field …);
- POST: the fields of every form on the site that posts to that URL, found by reading the
  pages as that person (every <input>, <select>, <textarea> and named button), sent with the
  CSRF token the site gave them; and once more without it, or with a forged one (403);
- the path: numbers in it made huge or zero, names made a superscript or a tag.
File inputs are left empty: uploads have their own tests (tests/test_uploads.py).

First come the traps, every parameter or field at once: "²" where a number is expected
(str.isdigit() says yes, int() says no), 30 February where a date is, a script tag anywhere
else; then 5,000 nines, the year 0 and SQL-looking text. Then hypothesis draws examples on
every page with filters and every form with fields: each field kept as the page offers it (a
plausible value where it is empty, so submissions get past validation), replaced by something
hostile, left out or sent twice. Hostile: random unicode and emoji, 10,000-character strings,
NUL and other control characters, HTML and script tags, SQL-looking text, template syntax,
negative, huge, non-ASCII and non-numbers, malformed dates, unknown choices.

What must hold, after every request:
- no 500, on the page or where it redirects (a NUL byte gets 400 from
  config.middleware.RefuseNulBytesMiddleware); on-commit consequences (notices, their
  delivery) run and must not raise either;
- an injected tag never comes back unescaped in an HTML page;
- a form sent back with its errors still holds what was typed;
- nothing already saved changes: every row of every table is compared with the world as
  built. A GET, a refused POST (4xx, or the form again with its errors) and a POST without
  its CSRF token leave every row as it was — only append-only records (audit/) may grow,
  and what a page does by design (BY_DESIGN: opening a notice marks it read); a POST that
  succeeds may change what it acts on, never 新兴社区's records (BYSTANDERS).
Each example runs in a savepoint that is rolled back: every one meets the world as built,
which is built once for the module. test_the_checks_… shows each check catching its fault.

Reproducible in CI. The "fuzz-ci" profile is derandomized (examples derive from the test,
not the clock; Faker is seeded too) with no example database (database=None): every run
sends the same requests, a failure reproduces anywhere with the same command, and a red
build is never a fresh random draw unrelated to the change under test. It skips shrinking,
which can cost minutes of requests; the failure names the URL, the person and what was sent.
To look further, run `FUZZ_PROFILE=fuzz-explore` (random, ten times the examples, shrinking;
FUZZ_SCALE=n for n times) — e.g. before a release — and pin what it finds as a plain test in
tests/test_bad_input.py.

The count: each run writes "fuzz: N examples, R requests over U URLs" to
test-artifacts/fuzz.txt and the terminal summary. Budget (FUZZ_EXAMPLES): 75–90 s for this
file alone on PostgreSQL on two cores, of which about 6 s creates the test database that a
whole run shares.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import sys
import time
import traceback
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urljoin, urlsplit
from uuid import UUID

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.factories import PASSWORD
from tests.matrix_world import ROLES, World, build_world
from tests.test_access_matrix import all_rows, path_for, routes
from wishes.models import Wish

pytestmark = pytest.mark.django_db

# ----- budget and profiles -------------------------------------------------------------------

settings.register_profile(
    "fuzz-ci",
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz-explore",
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROFILE = os.environ.get("FUZZ_PROFILE", "fuzz-ci")
# FUZZ_SCALE multiplies every count below (fuzz-explore: ten times as many by default).
SCALE = float(os.environ.get("FUZZ_SCALE", 1 if PROFILE == "fuzz-ci" else 10))

# Hypothesis examples per (URL, person), on every page with filters and every form with
# fields; the admin, Django's own, gets fewer. Every URL first gets rounds of traps (below),
# every parameter or field at once — pages without filters and buttons without fields
# (approve, withdraw, delete) get only those.
FUZZ_EXAMPLES = {
    kind: round(count * SCALE)
    for kind, count in {
        "list": 7,
        "form": 5,
        "admin list": 3,
        "admin form": 2,
        "page": 0,
        "button": 0,
        "admin page": 0,
        "admin button": 0,
    }.items()
}
# Rounds of traps (TRAPS below) per kind, before the examples.
TRAP_ROUNDS = {"list": 2, "form": 2, "admin list": 2, "admin form": 2}  # else one


# ----- who requests what -----------------------------------------------------------------------

# The first of each list the table lets in: one person outside the staff, one on it.
OUTSIDERS = (
    "anon",
    "resident",
    "claimer",
    "member",
    "volunteer",
    "fresh",
    "pending",
    "unconfirmed",
    "other_resident",
    "volunteer_b",
)
INSIDERS = (
    "staff",
    "grid_worker",
    "street_admin",
    "superuser",
    "other_staff",
    "other_grid_worker",
)
assert set(OUTSIDERS + INSIDERS) == set(ROLES)

# What the table says when a person gets in: for a POST, the form (200), its errors (200, 400),
# a conflict (409) or the move done ("302").
GETS_IN = {"GET": (200,), "POST": (200, 400, 409, "302")}


@dataclass(frozen=True)
class Target:
    method: str
    name: str  # the URL's name, as in the matrix
    record: str  # the matrix world's record it points at
    role: str

    def __str__(self) -> str:
        at = f"[{self.record}]" if self.record else ""
        return f"{self.method} {self.name}{at} as {self.role}"


def targets(method: str) -> list[Target]:
    found = []
    for (name, record), row in sorted(all_rows().items()):
        outcomes = row[method]
        for people in (OUTSIDERS, INSIDERS):
            role = next((r for r in people if outcomes[r] in GETS_IN[method]), None)
            if role is not None:
                found.append(Target(method, name, record, role))
    return found


GET_TARGETS = targets("GET")
POST_TARGETS = targets("POST")

# ----- hostile values --------------------------------------------------------------------------

XSS = (
    '<script>alert("fz")</script>',
    '"><img src=x onerror=alert("fz")>',
    "'></textarea><svg/onload=alert('fz')>",
)
# What would run if it came back as is.
XSS_MARKERS = ("<script>alert(", "<img src=x onerror=", "<svg/onload=")
TEXTS = (
    *XSS,
    "' OR '1'='1",
    "1; DROP TABLE wishes_wish; --",
    "1' UNION SELECT password FROM accounts_user --",
    "%",
    "_",
    "\\",
    "%_%",
    '"',
    "';--",
    "NULL",
    "None",
    "true",
    "[]",
    "{}",
    "../../etc/passwd",
    "{{ 7|add:7 }}",
    "{% debug %}",
    "%s%s%s",
    "%(name)s",
    "{0}",
    "$(id)",
    "a\x00b",
    "\r\n",
    "\x1b[31m",
    "\u2028",
    "\ufffe",
    "\u202e",
    "\x7f",
    " ",
    "",
)
NUMBERS = (
    "-1",
    "0",
    "-0",
    "00",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "1" * 40,
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "inf",
    "-Infinity",
    "0x1F",
    "1_000",
    "1,000",
    "1.5",
    " 7 ",
    "+1",
    "٣",  # an Arabic-Indic digit: str.isdigit() and int() both accept it
    "²",  # a superscript: str.isdigit() says yes, int() says no
    "①",  # the same
    "１２",  # full-width digits
    "½",
    "999999999999999999999999999999.99",
)
DATES = (
    "2024-02-30",
    "2023-02-29",
    "2024-13-01",
    "2024-00-10",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-2024-01-01",
    "2024-1-1",
    "2024/01/01",
    "01/02/2024",
    "2024年1月1日",
    "yesterday",
    "2024-01-01T25:61",
    "2024-01-01T00:00:00+99:00",
    "2024-W01",
    "2024-01",
    "1e10",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
)


def ten_thousand_characters(unit: str) -> str:
    return unit * (10_000 // len(unit))


def minutes(moment: datetime.datetime) -> str:
    return moment.isoformat(timespec="minutes")


# (Named functions, not lambdas: hypothesis reads a lambda's source to describe each draw.)
LONG = st.sampled_from(("a", "字", "😀", "9", XSS[0], "<b>")).map(ten_thousand_characters)
EMOJI = st.lists(
    st.sampled_from(
        ("😀", "👍🏻", "🇨🇳", "❤️", "👨‍👩‍👧‍👦", "\u200d", "\u200b", "\ufeff", "\u202e", "\u0301")
    ),
    min_size=1,
    max_size=30,
).map("".join)
# Any code point but lone surrogates, which cannot be encoded into a request at all.
UNICODE = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
INTEGERS = st.integers(min_value=-(10**40), max_value=10**40).map(str)
ANY_DATE = st.one_of(st.dates().map(str), st.datetimes().map(minutes))
ATOM = st.one_of(st.sampled_from(TEXTS + NUMBERS + DATES), UNICODE, EMOJI, LONG, INTEGERS, ANY_DATE)
HOSTILE = st.one_of(ATOM, st.tuples(ATOM, ATOM).map("".join))
# Where a page expects a number or a date, most hostile values look almost like one.
HOSTILE_NUMBER = st.one_of(st.sampled_from(NUMBERS), INTEGERS, HOSTILE)
HOSTILE_DATE = st.one_of(st.sampled_from(DATES), ANY_DATE, HOSTILE)
NUMERIC_NAMES = re.compile(r"(^|_)(page|p|pk|id|community|grid|category|year|order|value|rating)$")
DATE_NAMES = re.compile(r"date|(^|_)(from|to|start|end|on|at|since|until)(_\d)?$")


def hostile_for(spec: Field) -> st.SearchStrategy[str]:
    offered = [v for v in spec.values if v]
    if spec.kind == "number" or NUMERIC_NAMES.search(spec.name):
        return HOSTILE_NUMBER
    if offered and all(v.isascii() and v.isdigit() for v in offered):
        return HOSTILE_NUMBER
    if spec.kind in ("date", "datetime-local", "time") or DATE_NAMES.search(spec.name):
        return HOSTILE_DATE
    return HOSTILE


# Before hypothesis draws, every URL gets rounds of known traps: (where a number is expected,
# where a date is, anywhere else). "²" passes str.isdigit() and fails int(); 30 February
# passes a pattern and fails a calendar; 5,000 nines pass str.isdecimal() and are more digits
# than int() reads (4,300). Numbers past an integer column come from hypothesis. On a page with
# filters and in a form with fields, the choices that are not numbers (an action, a status, a
# hidden field) keep a valid value, so the traps get past the first check to the code behind
# it; hypothesis sends unknown choices. A page without filters, a button without fields gets
# one round with a trap everywhere (its `next`, its hidden fields).
TRAPS = (
    ("²", "2024-02-30", XSS[0]),
    ("9" * 5000, "0000-00-00", "%' OR 1=1 --"),
)
CHOICES = {"select", "radio", "checkbox", "button", "submit", "hidden", "link"}
# A formset's counts: a huge one makes Django build its cap of 2,000 empty forms (about a
# second a request), so the traps leave them alone; hypothesis's draws still reach them.
FORMSET_COUNTS = re.compile(r"-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$")


def trap(spec: Field, traps: tuple[str, str, str], *, everywhere: bool) -> str:
    number, date, text = traps
    strategy = hostile_for(spec)
    valid = [v for v in spec.values if v]
    chosen = spec.kind == "hidden" or (spec.kind in CHOICES and strategy is HOSTILE)
    if valid and (FORMSET_COUNTS.search(spec.name) or (chosen and not everywhere)):
        return valid[0]
    return number if strategy is HOSTILE_NUMBER else date if strategy is HOSTILE_DATE else text


def plausible(kind: str, name: str) -> str:
    """What a person would type into an empty field: lets a submission get past validation."""
    today = timezone.localdate()
    if kind == "password" or "password" in name:
        return PASSWORD
    if kind == "email":
        return "fz@example.cn"
    if kind == "tel" or "phone" in name:
        return "13812345678"
    if kind == "number":
        return "2"
    if kind == "date":
        return (today + datetime.timedelta(days=7)).isoformat()
    if kind == "datetime-local":
        return f"{today + datetime.timedelta(days=1)}T10:00"
    if kind == "time":
        return "10:00"
    if kind == "url":
        return "https://example.cn/"
    return "米面油各一份"


# ----- reading forms out of pages --------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea", "button"
    values: list[str] = field(default_factory=list)  # the value, or every option's
    multiple: bool = False

    def merge(self, other: Field) -> None:
        for value in other.values:
            if value not in self.values:
                self.values.append(value)
        self.multiple = self.multiple or other.multiple or self.kind == "checkbox"


@dataclass
class Form:
    action: str  # a path
    method: str
    fields: dict[str, Field] = field(default_factory=dict)

    def add(self, new: Field) -> None:
        if new.name in ("csrfmiddlewaretoken", ""):
            return
        if new.name in self.fields:
            self.fields[new.name].merge(new)
        else:
            self.fields[new.name] = new


class FormReader(HTMLParser):
    """Every <form> of a page with its fields, and the query keys of the page's own links."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.current: Form | None = None
        self.select: Field | None = None
        self.option: str | None = None  # text of an <option> without a value attribute
        self.option_value: str | None = None
        self.textarea: Field | None = None
        self.link_params: dict[str, list[str]] = {}
        self.pending: list[tuple[str, Field]] = []  # fields outside their form (form="id")

    def _place(self, attrs: dict, new: Field) -> None:
        if attrs.get("form"):
            self.pending.append((attrs["form"], new))
        elif self.current is not None:
            self.current.add(new)

    def handle_starttag(self, tag, attrs):
        attrs = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            action = urlsplit(urljoin(self.page, attrs.get("action") or self.page)).path
            self.current = Form(action, (attrs.get("method") or "get").lower())
            self.forms.append(self.current)
            if attrs.get("id"):
                self.by_id[attrs["id"]] = self.current
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("reset", "image"):
                return
            # A checkbox without a value sends "on", as a browser does.
            default = "on" if kind in ("checkbox", "radio") else ""
            if "hidden" in attrs.get("class", "").split():
                kind = "hidden"  # e.g. the admin's username for password managers
            self._place(attrs, Field(attrs["name"], kind, [attrs.get("value", default)]))
        elif tag == "button" and attrs.get("name"):
            self._place(attrs, Field(attrs["name"], "button", [attrs.get("value", "")]))
        elif tag == "select" and attrs.get("name"):
            self.select = Field(attrs["name"], "select", [], "multiple" in attrs)
            self._place(attrs, self.select)
        elif tag == "option" and self.select is not None:
            self.option_value = attrs.get("value")
            self.option = ""
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = Field(attrs["name"], "textarea", [""])
            self._place(attrs, self.textarea)
        elif tag == "a" and attrs.get("href"):
            parts = urlsplit(urljoin(self.page, attrs["href"]))
            if parts.path == urlsplit(self.page).path and parts.query:
                for key, value in parse_qsl(parts.query, keep_blank_values=True):
                    values = self.link_params.setdefault(key, [])
                    if value not in values:
                        values.append(value)

    def handle_data(self, data):
        if self.option is not None:
            self.option += data
        elif self.textarea is not None:
            # A browser drops the newline right after <textarea>.
            if not self.textarea.values[0]:
                data = data.removeprefix("\n")
            self.textarea.values[0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "option" and self.select is not None and self.option is not None:
            value = self.option_value if self.option_value is not None else self.option.strip()
            if value not in self.select.values:
                self.select.values.append(value)
            self.option = self.option_value = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def close(self):
        super().close()
        for form_id, new in self.pending:
            if form_id in self.by_id:
                self.by_id[form_id].add(new)


def read_forms(page: str, html: str) -> FormReader:
    reader = FormReader(page)
    reader.feed(html)
    reader.close()
    return reader


# ----- the world, once for the module ---------------------------------------------------------

# Rows nobody fuzzed here may touch: 新兴社区's (community_b's) records. No request acts on
# them, so a change means a form reached further than its own record.
BYSTANDERS = ("community_b", "wish_b")
BYSTANDER_PEOPLE = ("volunteer_b", "other_staff")

# Append-only records: a view may add to them (who looked at a resident's contact details).
APPEND_ONLY_APPS = ("audit",)
# Changed by every request, by design: the session (its clocks, messages, language). And the
# statistics' rollup, derived from wishes and claims by triggers as they change
# (outcomes/rollup.py; tests/test_rollup.py checks it against the wishes).
IGNORED_TABLES = {
    "django_session",
    "outcomes_wishmonth",
    "outcomes_fulfilledmonth",
    "outcomes_claimmonth",
    "outcomes_wishtotal",
    "outcomes_claimtotal",
}
IGNORED_COLUMNS = {("accounts_user", "last_login")}


@dataclass
class Fuzz:
    world: World
    clients: dict[str, Client]
    paths: dict[tuple[str, str], str]
    snapshot_sql: str
    before: dict[tuple[str, str], str]
    bystanders: set[tuple[str, str]]
    # Per (path, role): the query keys its page offers, with the values it offers.
    query_params: dict[tuple[str, str], dict[str, Field]] = field(default_factory=dict)
    # Per action path: the fields of every form posting there.
    post_forms: dict[str, dict[str, Field]] = field(default_factory=dict)


@dataclass
class Tally:
    examples: int = 0
    requests: int = 0
    urls: set[str] = field(default_factory=set)
    started: float = 0.0

    pages_read: int = 0

    def line(self) -> str:
        took = time.monotonic() - self.started
        return (
            f"fuzz: {self.examples} examples, {self.requests} requests over {len(self.urls)} URLs "
            f"(and {self.pages_read} pages read for their forms) in {took:.0f} s, "
            f"profile {PROFILE}"
        )


TALLY = Tally()


def snapshot_sql() -> str:
    """One query for every row of every table: (table, primary key, the row as text)."""
    quote = connection.ops.quote_name
    parts = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table in IGNORED_TABLES:
            continue
        columns = [
            f.column
            for f in meta.local_concrete_fields
            if (meta.db_table, f.column) not in IGNORED_COLUMNS
        ]
        row = " || '|' || ".join(f"COALESCE(CAST({quote(c)} AS TEXT), '~')" for c in columns)
        parts.append(
            f"SELECT '{meta.db_table}', CAST({quote(meta.pk.column)} AS TEXT), {row} "
            f"FROM {quote(meta.db_table)}"
        )
    return " UNION ALL ".join(parts)


def snapshot(sql: str) -> dict[tuple[str, str], str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {(table, pk): row for table, pk, row in cursor.fetchall()}


PREPARED = "EXECUTE fuzz_snapshot"


def prepare_snapshot(sql: str) -> str:
    """On PostgreSQL the query is planned once (sixty tables: planning is most of its cost)."""
    if connection.vendor != "postgresql":
        return sql
    forget_snapshot()
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE fuzz_snapshot AS {sql}")
    return PREPARED


def forget_snapshot() -> None:
    """Only our own statement: the app keeps one prepared per session (accounts/identity.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = 'fuzz_snapshot'")
        if cursor.fetchone():
            cursor.execute("DEALLOCATE fuzz_snapshot")


def row_key(obj) -> tuple[str, str]:
    return (obj._meta.db_table, str(obj.pk))


def bystander_rows(world: World) -> set[tuple[str, str]]:
    rows = {row_key(world[name]) for name in BYSTANDERS}
    rows.add(row_key(world["wish_b"].resident))
    for role in BYSTANDER_PEOPLE:
        user = world.users[role]
        rows.add(row_key(user))
        rows.update(row_key(staff_role) for staff_role in user.staff_roles.all())
        profile = getattr(user, "volunteer_profile", None)
        if profile is not None:
            rows.add(row_key(profile))
            rows.update(row_key(registration) for registration in profile.registrations.all())
    return rows


# Thousands of refusals (403, 404, 405, a missing CSRF token) are the point here, not news:
# only errors are logged while the fuzz runs.
QUIET_LOGGERS = ("django.request", "django.security", "microwish.security")


@pytest.fixture(scope="module")
def fuzz(django_db_setup, django_db_blocker):
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_fuzz()
            transaction.set_rollback(True)
    finally:
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
        if connection.vendor == "postgresql":
            with django_db_blocker.unblock():
                forget_snapshot()
    write_tally()


def build_fuzz() -> Fuzz:
    """The matrix world, a signed-in client per person, and what their pages offer."""
    TALLY.started = time.monotonic()
    world = build_world()  # the same names and addresses on every run, as the examples are
    clients = {}
    for role in ROLES:
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        if role != "anon":
            client.force_login(world.users[role])
        clients[role] = client
    found = {route.name: route for route in routes()}
    paths = {
        (name, record): path_for(name, record, found[name], world) for (name, record) in all_rows()
    }
    state = Fuzz(
        world=world,
        clients=clients,
        paths=paths,
        snapshot_sql=prepare_snapshot(snapshot_sql()),
        before={},
        bystanders=bystander_rows(world),
    )
    discover(state)
    for client in clients.values():  # every page hands out the CSRF cookie (the footer's form)
        with transaction.atomic():
            client.get(reverse("wishes:home"))
            transaction.set_rollback(True)
        assert django_settings.CSRF_COOKIE_NAME in client.cookies
    state.before = snapshot(state.snapshot_sql)
    return state


# Spreadsheets, pictures, calendars, JSON: no forms to read (an export's filters are those of
# its page, PARAMS_OF).
NOT_A_PAGE = re.compile(r"\.(xlsx|png|svg|ics|json)$|/photos/")


def discover(state: Fuzz) -> None:
    """Read every page the fuzz requests, as the person requesting it: its forms and links."""
    rows = all_rows()
    opens = {  # what the table says a GET of each of its URLs answers each person
        state.paths[key]: row["GET"] for key, row in rows.items() if key in state.paths
    }
    pages = {(state.paths[(t.name, t.record)], t.role) for t in GET_TARGETS + POST_TARGETS}
    for t in POST_TARGETS:
        # A move's form lives on a page above it (/notices/29/read/ on /notices/), and a
        # wish's moves on the wish's pages, shown to whoever may make the move.
        path = state.paths[(t.name, t.record)]
        while path.count("/") > 2:
            path = path[: path.rstrip("/").rindex("/") + 1]
            pages.add((path, t.role))
        record = state.world.objects.get(t.record)
        if isinstance(record, Wish):
            for page in ("wishes:detail", "staff:wish"):
                pages.add((reverse(page, args=[record.pk]), t.role))
    # Only pages that open for the person (a POST-only move answers a GET with 405).
    pages = {(path, role) for path, role in pages if opens.get(path, {}).get(role, 200) == 200}
    for path, role in sorted(pages):
        if NOT_A_PAGE.search(path):
            continue
        client = state.clients[role]
        cookies = client.cookies.__class__()
        cookies.update(client.cookies)
        with transaction.atomic():
            response = client.get(path)
            transaction.set_rollback(True)
        client.cookies = cookies
        TALLY.pages_read += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        reader = read_forms(path, response.content.decode())
        params = state.query_params.setdefault((path, role), {})
        for key, values in reader.link_params.items():
            params.setdefault(key, Field(key, "link")).merge(Field(key, "link", values))
        for form in reader.forms:
            if form.method == "get":
                if form.action == path:
                    for new in form.fields.values():
                        params.setdefault(new.name, Field(new.name, new.kind)).merge(new)
                continue
            fields = state.post_forms.setdefault(form.action, {})
            for new in form.fields.values():
                if new.name in fields:
                    fields[new.name].merge(new)
                else:
                    fields[new.name] = Field(new.name, new.kind, list(new.values), new.multiple)


# ----- drawing a request -------------------------------------------------------------------


def value_for(data, spec: Field, injected: list[str]) -> list[str] | None:
    """None to leave the field out, else the values to send under its name."""
    mode = data.draw(st.sampled_from(("keep", "keep", "hostile", "hostile", "omit", "twice")))
    if mode == "omit":
        return None
    offered = list(spec.values) or [""]
    if spec.kind not in ("checkbox", "radio", "select", "button", "hidden", "link", "submit"):
        offered = [v or plausible(spec.kind, spec.name) for v in offered]

    def one() -> str:
        if mode == "keep" or (mode == "twice" and data.draw(st.booleans())):
            return data.draw(st.sampled_from(offered))
        value = data.draw(hostile_for(spec))
        injected.append(value)
        return value

    if mode == "twice" or (mode == "keep" and spec.multiple and len(offered) > 1):
        return [one() for _ in range(data.draw(st.integers(min_value=2, max_value=3)))]
    return [one()]


KNOWN_PARAMS = (
    "page",
    "q",
    "status",
    "sort",
    "period",
    "from",
    "to",
    "start",
    "end",
    "community",
    "grid",
    "category",
    "scope",
    "kind",
    "pk",
    "pick",
    "next",
    "year",
    "code",
    "target_group",
)
PARAMS_OF = {
    "staff:export_wishes": "staff:wishes",
    "outcomes:stats_export": "outcomes:stats",
    "outcomes:staff_stats_export": "outcomes:staff_stats",
}
ADMIN_PARAMS = ("o", "p", "q", "e", "all", "_to_field", "_popup", "_changelist_filters")


def draw_query(data, offered: dict[str, Field], admin: bool, injected: list[str]) -> dict:
    query = {}
    for name, spec in sorted(offered.items()):
        values = value_for(data, spec, injected)
        if values is not None:
            query[name] = values
    known = KNOWN_PARAMS + (ADMIN_PARAMS if admin else ())
    extra = data.draw(st.lists(st.sampled_from(known), max_size=4, unique=True))
    for name in extra:
        if name not in offered:
            value = data.draw(hostile_for(Field(name, "link")))
            injected.append(value)
            query[name] = [value]
    return query


def draw_form(data, fields: dict[str, Field], injected: list[str]) -> dict:
    body = {}
    for name, spec in sorted(fields.items()):
        if spec.kind == "file":
            continue
        values = value_for(data, spec, injected)
        if values is not None:
            body[name] = values
    if data.draw(st.booleans()):  # a field nobody asked for
        value = data.draw(HOSTILE)
        injected.append(value)
        body[data.draw(st.sampled_from(("extra", "status", "resident", "pk", "id", "user")))] = [
            value
        ]
    return body


# ----- sending it, and what must hold --------------------------------------------------------

FORM_ERRORS = re.compile(r'is-invalid|class="errorlist|class="errornote|alert-danger')


@dataclass
class Sent:
    response: object
    chain: list[object]
    consequence_error: str = ""


def send(state: Fuzz, target: Target, method: str, path: str, payload: dict) -> Sent:
    """One request in a savepoint, with its on-commit consequences; cookies put back after."""
    client = state.clients[target.role]
    cookies = client.cookies.__class__()
    cookies.update(client.cookies)
    chain = []
    consequence_error = ""
    try:
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = getattr(client, method.lower())(path, payload)
                chain.append(response)
                # Where a successful move leads: the page that shows what was saved.
                hops = 0
                while response.status_code in (301, 302, 303) and hops < 2:
                    location = response["Location"]
                    if not location.startswith("/") or response.status_code >= 500:
                        break
                    response = client.get(location)
                    chain.append(response)
                    hops += 1
        except Exception:
            consequence_error = where(sys.exc_info())
    finally:
        client.cookies = cookies
    TALLY.requests += len(chain)
    TALLY.urls.add(target.name)
    return Sent(chain[0] if chain else None, chain, consequence_error)


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def where(exc_info) -> str:
    """The project's own frames of a traceback, then the innermost two, then the error."""
    if not exc_info:
        return ""
    frames = traceback.extract_tb(exc_info[2])
    ours = [f for f in frames if "site-packages" not in f.filename]
    shown = ours[-4:] + [f for f in frames[-2:] if f not in ours[-4:]]
    return "".join(traceback.format_list(shown) + traceback.format_exception_only(exc_info[1]))


def describe(target: Target, path: str, payload: dict) -> str:
    shown = {
        key: [value if len(value) < 80 else f"{value[:60]!r}…({len(value)} chars)" for value in vs]
        for key, vs in payload.items()
    }
    return f"{target} → {path} with {shown}"


# Fields a person types into; a form sent back with a mistake shows what was typed again.
TYPED = {"text", "textarea", "email", "tel", "number", "search", "url"}


def check(
    state: Fuzz,
    target: Target,
    path: str,
    payload: dict,
    sent: Sent,
    injected: list[str],
    *,
    fields: dict[str, Field] | None = None,
    must_not_save: bool | None = None,
) -> None:
    """Everything that must hold after one request; raises AssertionError with the story."""
    story = describe(target, path, payload)
    assert not sent.consequence_error, f"{story}\nraised:\n{sent.consequence_error}"
    for response in sent.chain:
        if response.status_code >= 500:
            pytest.fail(
                f"{story}\n{response.request['PATH_INFO']} answered {response.status_code}\n"
                + where(getattr(response, "exc_info", None))
            )
    pages = [
        body_of(response).decode("utf-8", "replace")
        for response in sent.chain
        if "text/html" in response.get("Content-Type", "")
    ]
    for html in pages:
        for marker in XSS_MARKERS:
            if any(marker in value for value in injected):
                assert marker not in html, f"{story}\n{marker!r} came back unescaped"
    first = sent.response
    page = pages[0] if pages and sent.chain[0] is first else ""
    refused = first.status_code >= 400
    if target.method == "POST" and first.status_code == 200:
        refused = bool(FORM_ERRORS.search(page))
        if refused:
            lost = [name for name in typed_values(payload, fields) if not kept(name, payload, page)]
            assert not lost, f"{story}\nthe form came back without what was typed in {lost}"
    if must_not_save is None:
        must_not_save = target.method == "GET" or refused
    after = snapshot(state.snapshot_sql)
    problems = compare(state, target, after, strict=must_not_save)
    assert not problems, f"{story} ({first.status_code})\n" + "\n".join(problems)


def typed_values(payload: dict, fields: dict[str, Field] | None) -> list[str]:
    return [
        name
        for name, spec in (fields or {}).items()
        if spec.kind in TYPED
        and "__prefix__" not in name  # an inline's template for one more row, never bound
        and payload.get(name)
        and payload[name][-1].strip()
    ]


def kept(name: str, payload: dict, page: str) -> bool:
    """The form on the page still holds what was sent (or it is a different form)."""
    if f'name="{name}"' not in page:
        return True
    return escape(payload[name][-1]) in page  # the last of several values is the one kept


# What a page changes by design, even when it refuses what it was sent.
BY_DESIGN = {
    "notices:open": {"notices_notice"},  # opening a notice marks it read
    # Setting up an authenticator shows a new, unconfirmed key, kept until confirmed
    # (accounts/two_factor.py: new_authenticator).
    "accounts:two_factor_setup": {"otp_totp_totpdevice"},
}


def compare(state: Fuzz, target: Target, after: dict, *, strict: bool) -> list[str]:
    before = state.before
    problems = []
    allowed = BY_DESIGN.get(target.name, set())
    for key, row in before.items():
        table = key[0]
        if after.get(key) == row or table in allowed:
            continue
        what = "deleted" if key not in after else "changed"
        if strict or key in state.bystanders:
            problems.append(f"{what}: {table} #{key[1]}")
    if strict:
        for key in after.keys() - before.keys():
            table = key[0]
            if table.split("_")[0] in APPEND_ONLY_APPS or table in allowed:
                continue
            problems.append(f"added: {table} #{key[1]}")
    return problems[:20]


def run_examples(count: int, example) -> None:
    """Hypothesis draws `count` examples for one target (the profile decides the rest)."""
    if not count:
        return

    @settings(settings.get_profile(PROFILE), max_examples=count)
    @given(data=st.data())
    def inner(data):
        with rolled_back():
            example(data)

    inner()


@contextmanager
def rolled_back():
    """One example: whatever it saves is undone, so the next meets the world as built."""
    TALLY.examples += 1
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


# ----- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("target", GET_TARGETS, ids=str)
def test_query_parameters_never_give_a_500(fuzz, target):
    path = fuzz.paths[(target.name, target.record)]
    page = PARAMS_OF.get(target.name)
    if page:  # a spreadsheet takes the filters of the page it exports
        offered = fuzz.query_params.get((fuzz.paths[(page, "")], target.role), {})
    else:
        offered = fuzz.query_params.get((path, target.role), {})
    admin = target.name.startswith("admin:")
    kind = ("admin " if admin else "") + ("list" if offered else "page")
    # The admin reads any other key as a filter and refuses the list (?e=1), and a bad
    # _to_field is a 400: on its lists the traps go only where the page offers.
    known = {"page": KNOWN_PARAMS, "list": KNOWN_PARAMS, "admin page": KNOWN_PARAMS + ADMIN_PARAMS}
    every = {**{name: Field(name, "link") for name in known.get(kind, ())}, **offered}

    everywhere = kind not in TRAP_ROUNDS
    for traps in TRAPS[: TRAP_ROUNDS.get(kind, 1)]:
        query = {name: [trap(s, traps, everywhere=everywhere)] for name, s in every.items()}
        with rolled_back():
            sent = send(fuzz, target, "GET", path, query)
            check(fuzz, target, path, query, sent, list(traps))

    def example(data):
        injected: list[str] = []
        query = draw_query(data, offered, admin, injected)
        sent = send(fuzz, target, "GET", path, query)
        check(fuzz, target, path, query, sent, injected)

    run_examples(FUZZ_EXAMPLES[kind], example)


@pytest.mark.parametrize("target", POST_TARGETS, ids=str)
def test_forms_never_give_a_500(fuzz, target):
    path = fuzz.paths[(target.name, target.record)]
    fields = fuzz.post_forms.get(path, {})
    admin = target.name.startswith("admin:")
    kind = ("admin " if admin else "") + (
        "form" if any(f.kind != "hidden" for f in fields.values()) else "button"
    )
    client = fuzz.clients[target.role]

    def token() -> list[str]:
        return [client.cookies[django_settings.CSRF_COOKIE_NAME].value]

    everywhere = kind not in TRAP_ROUNDS
    for traps in TRAPS[: TRAP_ROUNDS.get(kind, 1)]:
        body = {
            name: [trap(spec, traps, everywhere=everywhere)]
            for name, spec in fields.items()
            if spec.kind != "file"
        }
        body["csrfmiddlewaretoken"] = token()
        with rolled_back():
            sent = send(fuzz, target, "POST", path, body)
            check(fuzz, target, path, body, sent, list(traps), fields=fields)

    def example(data):
        injected: list[str] = []
        body = draw_form(data, fields, injected)
        body["csrfmiddlewaretoken"] = token()
        sent = send(fuzz, target, "POST", path, body)
        check(fuzz, target, path, body, sent, injected, fields=fields)

    run_examples(FUZZ_EXAMPLES[kind], example)


# One person per URL: the middleware, not the view, decides; every fourth also gets a forged token.
CSRF_TARGETS = list({(t.name, t.record): t for t in reversed(POST_TARGETS)}.values())[::-1]


@pytest.mark.parametrize(
    ("target", "token"),
    [(t, None if n % 4 else "x" * 64) for n, t in enumerate(CSRF_TARGETS)],
    ids=lambda value: str(value) if isinstance(value, Target) else ("forged" if value else "none"),
)
def test_a_form_without_its_csrf_token_is_refused_and_saves_nothing(fuzz, target, token):
    path = fuzz.paths[(target.name, target.record)]
    fields = fuzz.post_forms.get(path, {})
    payload = {name: spec.values[:1] for name, spec in fields.items() if spec.kind != "file"}
    if token:
        payload["csrfmiddlewaretoken"] = [token]
    with rolled_back():
        sent = send(fuzz, target, "POST", path, payload)
        assert sent.response.status_code == 403, describe(target, path, payload)
        check(fuzz, target, path, payload, sent, [], must_not_save=True)


def path_rows() -> list[Target]:
    """Every URL with a number or a name in its path, as the first person the table lets in."""
    with_params = {route.name for route in routes() if route.params}
    first = {}
    for t in GET_TARGETS + POST_TARGETS:
        if t.name in with_params:
            first.setdefault((t.name, t.record), t)
    return list(first.values())


# (a number, a name) in the path: huge or zero; a superscript or a tag.
PATH_TRAPS = (("9" * 30, "²"), ("0", XSS[1]))


@pytest.mark.parametrize("target", path_rows(), ids=str)
def test_numbers_and_names_in_the_path_never_give_a_500(fuzz, target):
    path = fuzz.paths[(target.name, target.record)]
    number, name = PATH_TRAPS[zlib.crc32(str(target).encode()) % len(PATH_TRAPS)]
    for value in resolve(path).captured_kwargs.values():
        if isinstance(value, UUID):
            continue
        new = number if isinstance(value, int) else quote(name, safe="")
        path = re.sub(rf"(?<=/){re.escape(str(value))}(?=[/.]|$)", new, path, count=1)
    payload = {}
    if target.method == "POST":
        client = fuzz.clients[target.role]
        payload["csrfmiddlewaretoken"] = [client.cookies[django_settings.CSRF_COOKIE_NAME].value]
    with rolled_back():
        sent = send(fuzz, target, target.method, path, payload)
        check(fuzz, target, path, payload, sent, [name], must_not_save=True)


def test_the_checks_see_a_500_a_raw_tag_a_lost_value_and_a_changed_row(fuzz):
    """The fuzz is only as good as what it looks for: each check catches its fault."""
    target = Target("POST", "wishes:edit", "submitted", "resident")

    def answer(status: int, html: str = "") -> Sent:
        response = HttpResponse(html, status=status)
        response.request = {"PATH_INFO": "/"}
        return Sent(response, [response])

    with transaction.atomic():
        with pytest.raises(pytest.fail.Exception, match="answered 500"):
            check(fuzz, target, "/", {}, answer(500), [])
        with pytest.raises(AssertionError, match="unescaped"):
            check(fuzz, target, "/", {}, answer(302, XSS[0]), [XSS[0]])
        form_again = '<p class="errorlist">!</p><input name="title" value="">'
        with pytest.raises(AssertionError, match="without what was typed"):
            check(
                fuzz,
                target,
                "/",
                {"title": ["一袋大米"]},
                answer(200, form_again),
                [],
                fields={"title": Field("title", "text")},
            )
        Wish.objects.filter(pk=fuzz.world["wish_b"].pk).update(title="一袋大米")
        with pytest.raises(AssertionError, match="changed: wishes_wish"):
            check(fuzz, target, "/", {}, answer(302), [])  # a move done, yet a bystander changed
        transaction.set_rollback(True)


def test_every_form_on_the_site_is_fuzzed(fuzz):
    """A form posting to a URL no POST target covers would escape the fuzz (forms shown on
    read-only admin pages post where the table lets nobody in)."""
    fuzzed = {t.name for t in POST_TARGETS}
    closed = {
        name
        for (name, _record), row in all_rows().items()
        if not any(outcome in GETS_IN["POST"] for outcome in row["POST"].values())
    }
    missed = []
    for action in fuzz.post_forms:
        try:
            match = resolve(action)
        except Resolver404:
            missed.append(f"{action} (no such URL)")
            continue
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        if name not in fuzzed | closed:
            missed.append(f"{action} ({name})")
    assert not missed, "forms nobody fuzzes:\n" + "\n".join(sorted(missed))


# ----- the count -----------------------------------------------------------------------------


def write_tally() -> None:
    line = TALLY.line()
    artifacts = Path(django_settings.BASE_DIR) / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "fuzz.txt").write_text(line + "\n", encoding="utf-8")


class _Summary:
    """Prints the count at the end of the run (CI does not run pytest with -s)."""

    def pytest_terminal_summary(self, terminalreporter):
        if TALLY.requests:
            terminalreporter.write_line(TALLY.line())


@pytest.fixture(scope="module", autouse=True)
def _summary(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("fuzz-summary"):
        manager.register(_Summary(), "fuzz-summary")
