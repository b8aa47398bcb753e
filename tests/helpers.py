"""Helpers shared by test modules: plain functions and constants (fixtures live in tests/conftest.py).

A test module imports from here, from tests.factories, tests.scenarios or tests.documents, and never
from another test module.
"""

import contextlib
import csv
import datetime
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from measures import services
from measures.models import (
    Assessment,
    Case,
    Citation,
    Event,
    Evidence,
    Measure,
    MeasureType,
    Party,
    Review,
    ShareLink,
    Source,
    Theme,
)
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


# Rows kept for several tests -----------------------------------------------------------------------


@contextlib.contextmanager
def kept_until_the_end(django_db_blocker, build):
    """Yield what `build()` returns, its rows written in a transaction that stays open until the block
    ends and is then rolled back: for a session- or module-scoped fixture whose tests only read those
    rows (each test runs in a savepoint inside it, pytest-django's `db`, so what it writes is undone).
    Its tests must not be transactional (tests/conftest.py: name the fixture in KEPT_ROWS, and
    pytest_collection_modifyitems refuses them)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Marked as Django's TestCase marks its own, so that durable blocks in the code may nest in it.
        outer._from_testcase = True
        outer.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# manage.py in a fresh process ---------------------------------------------------------------------


def run_manage(*args, env=None):
    """`python manage.py *args` at the project root, without this process's Django settings."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **(env or {})}, capture_output=True, text=True
    )


# Admin forms as a browser sends them --------------------------------------------------------------


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, (list, tuple)):
        return [str(getattr(item, "pk", item)) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def change_form_data(response, **changes):
    """What a browser sends back from an admin change page, with `changes` (name → value) typed in."""
    data = {}

    def add(form):
        for name in form.fields:
            value = _plain(form[name].value())
            if value is not None:
                data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    data.update({key: _plain(value) for key, value in changes.items()})
    return {key: value for key, value in data.items() if value is not None}


def change_url(obj):
    return reverse(f"admin:measures_{obj._meta.model_name}_change", args=[obj.pk])


def management(prefix, total=1, initial=0):
    """The management form of an inline formset called `prefix`."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# Admin pages in the browser -----------------------------------------------------------------------


def admin_login(page, live_server, username):
    """Log a Playwright page in through the admin's login form (password: the factories' default)."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Cases, measures and evidence")).to_be_visible()


# Nothing in the main content is wider than the screen, and nothing in it scrolls sideways (tables
# become stacked rows on narrow screens), except the events timeline's own frame (.chart-scroll).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const main = document.querySelector('main');
  const edge = Math.min(width, main.getBoundingClientRect().right);
  const name = el => el.tagName.toLowerCase() + '.' + (el.className.baseVal ?? el.className);
  const sticking = [...main.querySelectorAll('*')]
    .filter(el => el.closest('.chart-scroll') === null)
    .filter(el => el.getBoundingClientRect().right > edge + 1)
    .map(el => name(el) + ' ' + Math.round(el.getBoundingClientRect().right));
  const scrolling = [...main.querySelectorAll('*')]
    .filter(el => el.closest('.chart-scroll') === null && el.scrollWidth > el.clientWidth + 1)
    .filter(el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
    .map(el => name(el) + ' ' + el.scrollWidth + '>' + el.clientWidth);
  return {page: document.documentElement.scrollWidth, width, sticking, scrolling};
}"""


def watch_csp(page):
    """The Content Security Policy violations the page's console reports (a list, filled as they come)."""
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


# Conflict-event CSV files -------------------------------------------------------------------------

HEADER = [
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "actor1",
    "actor2",
    "location",
    "fatalities",
    "source",
    "notes",
]


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


ROWS = [
    [
        "PAK1",
        "16 January 2024",
        "1",
        "Explosions/Remote violence",
        "Military Forces of Iran (1979-)",
        "Jaish al-Adl",
        "Panjgur",
        "2",
        "Dawn",
        "Missile and drone strike.",
    ],
    ["PAK2", "2024-01-18", "1", "Battles", "Military Forces of Pakistan (2018-)", "", "Saravan", "9", "Reuters", ""],
    ["PAK3", "22/01/2024", "2", "Strategic developments", "Government of Pakistan", "Government of Iran"]
    + ["", "", "", ""],
    ["PAK4", "1 February 2024", "3", "Protests", "Government of Pakistan", "", "Quetta", "0", "", ""],
]


# Case files ---------------------------------------------------------------------------------------


def small_case():
    """A valid case file with one of everything."""
    return {
        "format": "deescalation-tracker/case@1",
        "case": {"slug": "small", "name": "Small crisis", "start_date": "2024-01-01", "assessed_parties": ["AA", "BB"]},
        "parties": [{"code": "AA", "name": "Alpha", "kind": "state"}, {"code": "BB", "name": "Beta", "kind": "state"}],
        "measures": [{"number": 1, "title": "Talk", "slug": "talk", "description": "Open a channel."}],
        "sources": [{"key": "s1", "title": "Report", "kind": "news", "full_text": "The ministers agreed to talk."}],
        "events": [
            {
                "key": "e1",
                "date": "2024-01-02",
                "title": "Call",
                "kind": "diplomatic",
                "direction": "deescalatory",
                "actors": ["AA"],
            }
        ],
        "citations": [
            {
                "key": "c1",
                "source": "s1",
                "event": "e1",
                "quote": "agreed to talk",
                "evidence": [{"measure": 1, "stance": "progress"}],
            }
        ],
        "assessments": [
            {
                "measure": 1,
                "party": "AA",
                "level": "minimal",
                "effective_date": "2024-01-03",
                "rationale": "A call.",
                "citations": ["c1"],
                "recorded_at": "2024-01-03T10:00:00+00:00",
            }
        ],
    }


def without_judgements(data):
    """The case file `data` (a dict, changed in place and returned) keeping its case, parties, measures,
    sources and events, without its citations, assessments and commitments (nor the measures' cited
    requirements): for tests of what those items carry, since quoting and judging make most of a load."""
    for key in ("citations", "assessments", "commitments"):
        data.pop(key, None)
    for measure in data.get("measures", []):
        measure.pop("requirement", None)
    return data


# What the database holds, for fuzzing and stress ---------------------------------------------------

TRACKED = [Party, Case, Measure, Source, Event, Citation, Evidence, Assessment, Theme, MeasureType, Review, ShareLink]


def snapshot():
    """Rows of every table a form can write, history included."""
    counts = [model.objects.count() for model in TRACKED]
    counts += [model.history.model.objects.count() for model in TRACKED if hasattr(model, "history")]
    return counts


def broken_invariants():
    """Rows breaking a cross-case rule of docs/invariants.md (expected: none, whatever was sent)."""
    checks = {
        "evidence across cases": """SELECT COUNT(*) FROM measures_evidence e
            JOIN measures_citation c ON c.id = e.citation_id JOIN measures_measure m ON m.id = e.measure_id
            WHERE c.case_id <> m.case_id""",
        "citation event of another case": """SELECT COUNT(*) FROM measures_citation c
            JOIN measures_event ev ON ev.id = c.event_id WHERE ev.case_id <> c.case_id""",
        "assessment citing another case": """SELECT COUNT(*) FROM measures_assessmentcitation ac
            JOIN measures_assessment a ON a.id = ac.assessment_id JOIN measures_measure m ON m.id = a.measure_id
            JOIN measures_citation c ON c.id = ac.citation_id WHERE c.case_id <> m.case_id""",
        "assessment of a party the case does not assess": """SELECT COUNT(*) FROM measures_assessment a
            JOIN measures_measure m ON m.id = a.measure_id WHERE NOT EXISTS (
            SELECT 1 FROM measures_case_assessed_parties cp
            WHERE cp.case_id = m.case_id AND cp.party_id = a.party_id)""",
    }
    with connection.cursor() as cursor:
        found = {}
        for name, sql in checks.items():
            cursor.execute(sql)
            found[name] = cursor.fetchone()[0]
    quotes = [c for c in Citation.objects.select_related("source") if c.source.find_quote(c.quote) == -1]
    found["quote missing from its source"] = len(quotes)
    return {name: n for name, n in found.items() if n}


# Random histories of assessments (Hypothesis), on the `history_world` fixture ----------------------

START = datetime.date(2024, 1, 1)
UTC = ZoneInfo("UTC")

# How many examples a Hypothesis test runs: the number it names in `make test`; a fifth of it (at least 3)
# under the profile `check`, which `make check` loads (HYPOTHESIS_PROFILE=check, see tests/conftest.py):
# the quick loop tries fewer inputs, make test all of them. Derandomized, so both are repeatable.
CHECK_PROFILE = "check"
QUICK_EXAMPLES = os.environ.get("HYPOTHESIS_PROFILE") == CHECK_PROFILE


def examples(full):
    """The number of examples for a test that names `full`: `full`, or a fifth of it (at least 3) when
    make check runs the quick loop."""
    return max(3, full // 5) if QUICK_EXAMPLES else full


PROPERTIES = settings(
    max_examples=examples(25),
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# One assessment: measure (0–1), party (0–1), level, effective day, days between effect and record,
# and whether it corrects the previous assessment of the same measure and party.
assessment_specs = st.tuples(
    st.integers(0, 1),
    st.integers(0, 1),
    st.sampled_from([level for level, _ in Assessment.Level.choices]),
    st.integers(0, 20),
    st.integers(0, 6),
    st.booleans(),
)
histories = st.lists(assessment_specs, min_size=1, max_size=10)
days = st.integers(0, 28)


def build(world, history):
    """Create the assessments of `history` in `world` (the history_world fixture); returns them with
    their specs, in creation order."""
    case, parties, measures, citation, user = world
    made = []
    last = {}
    for i, (m, p, level, effective, delay, corrects) in enumerate(history):
        effective_date = START + datetime.timedelta(days=effective)
        recorded = datetime.datetime.combine(
            effective_date + datetime.timedelta(days=delay), datetime.time(12, i), tzinfo=UTC
        )
        assessment = factories.AssessmentFactory(
            measure=measures[m],
            party=parties[p],
            level=level,
            effective_date=effective_date,
            recorded_at=recorded,
            recorded_by=user,
            citations=[citation],
            corrects=last.get((m, p)) if corrects else None,
        )
        last[(m, p)] = assessment
        made.append(assessment)
    return made


def in_savepoint(check):
    """Run `check` and roll back what it wrote: one database serves every Hypothesis example."""
    sid = transaction.savepoint_create()
    try:
        check()
    finally:
        transaction.savepoint_rollback(sid)


def approve(*assessments, reviewer=None):
    """Approve each assessment (four eyes) through the service, as a reviewer does; `reviewer` None
    records an approval that names no reviewer. Returns the last assessment, for chaining."""
    for assessment in assessments:
        services.record_review(assessment=assessment, decision="approved", reviewer=reviewer)
    return assessments[-1] if assessments else None


def files_opened_by_the_file_cache(monkeypatch):
    """A list that every path tracker.filecache opens from now on is appended to (the test's
    monkeypatch undoes it): to show that a hit read nothing from disk."""
    from tracker import filecache

    opened = []
    real_open = open
    monkeypatch.setattr(
        filecache, "open", lambda path, *a, **k: opened.append(path) or real_open(path, *a, **k), raising=False
    )
    return opened


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]*)"')


def csrf_tokens(content):
    """The CSRF tokens of a page's forms (each masked afresh for every response by Django)."""
    return [token.decode() for token in CSRF_FIELD.findall(content)]


def without_csrf_tokens(content):
    """A page's bytes with its forms' CSRF tokens blanked: what two answers of one page have in common."""
    return CSRF_FIELD.sub(b'name="csrfmiddlewaretoken" value=""', content)


def commit_in(world, what, **due):
    """A commitment recorded through the services in `world` (the `commitment_world` fixture's (case,
    measure, citation, analyst)), stated by its citation, announced on 2 January 2024, by every
    assessed party; `due`: record_commitment's due fields."""
    from measures import services

    case, measure, citation, analyst = world
    return services.record_commitment(
        case=case,
        measure=measure,
        parties=list(case.assessed_parties.all()),
        what=what,
        citations=[citation],
        announced_on=datetime.date(2024, 1, 2),
        recorded_by=analyst,
        **due,
    )


def type_page_entries(response):
    """The cases' sections a type's page rendered in this answer (templates/measures/partials/type_case.html's
    `entry`: item, case, parties, passages, more, total); a section kept from an earlier answer is not."""
    return [
        context["entry"]
        for template, context in zip(response.templates, response.context, strict=True)
        if template.name == "measures/partials/type_case.html"
    ]


# Passages in Urdu and Hindi (the report's scripts, the PDF's fonts and isolates: tests/reports/conftest.py).
URDU = "وزیر خارجہ نے کہا کہ امن و آشتی ضروری ہے"
HINDI = "विदेश मंत्री ने ज़ोर देकर कहा कि शांति आवश्यक है"
