"""Fuzzing (Hypothesis) of every admin form, the autocomplete, the lists' filters and the case importer:
whatever is sent, the answer is never a server error, and a refused input writes nothing.

Bounded for CI: FUZZ_EXAMPLES examples per target (default 8, derandomized, so a run is repeatable; `make check`
tries a fifth of them, at least 3: tests.helpers.examples).
`make stress` runs it with more, and FUZZ_REPORT=<file> appends one JSON line per target with the
number of inputs tried and of server errors.
"""

import json
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.helpers import broken_invariants, change_form_data, examples, management, small_case, snapshot

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or examples(8))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Values that broke something once, or that commonly do.
NASTY = [
    "",
    " ",
    "abc",
    "²",
    "١",
    "0",
    "-1",
    "1.5",
    "0x10",
    "1e3",
    "99999999999999999999",
    str(2**63),
    "null",
    "None",
    "[]",
    "{}",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    '=HYPERLINK("x")',
    "' OR 1=1 --",
    "2024-02-30",
    "2999-01-01",
    "0001-01-01",
    "9999-12-31",
    "true",
    "‮",
    "x" * 5000,
]
# HTTP form data is UTF-8: no lone surrogates there (the importer gets them below).
text_value = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
value = st.one_of(st.sampled_from(NASTY), text_value, st.integers(-(2**70), 2**70).map(str))


class Tally:
    """Inputs tried and server errors per target, for make stress (FUZZ_REPORT)."""

    def __init__(self, target):
        self.target, self.inputs, self.errors = target, 0, 0

    def add(self, status):
        self.inputs += 1
        self.errors += status >= 500

    def write(self):
        if report := os.environ.get("FUZZ_REPORT"):
            with open(report, "a", encoding="utf-8") as out:
                out.write(
                    json.dumps({"target": self.target, "inputs": self.inputs, "server_errors": self.errors}) + "\n"
                )


@pytest.fixture
def world(db):
    """A case with one of everything, relied on, and an analyst's client that reports 500s as responses."""
    case = factories.CaseFactory()
    event = factories.EventFactory(case=case, actors=list(case.assessed_parties.all()))
    citation = factories.CitationFactory(case=case, event=event)
    measure = factories.MeasureFactory(case=case)
    evidence = factories.EvidenceFactory(measure=measure, citation=citation)
    factories.AssessmentFactory(measure=measure, citations=[citation])
    client = Client(raise_request_exception=False)
    client.force_login(factories.analyst(username="fuzzer"))
    return {
        "case": case,
        "event": event,
        "citation": citation,
        "measure": measure,
        "evidence": evidence,
        "source": citation.source,
        "other": factories.CaseFactory(),
        "client": client,
    }


def _add_forms(w):
    """(target, URL, valid data) for every add form, with its inline rows."""
    case, measure, citation = w["case"], w["measure"], w["citation"]
    parties = list(case.assessed_parties.values_list("pk", flat=True))
    return {
        "party add": ("admin:measures_party_add", {"name": "Gamma", "code": "GG", "kind": "state"}),
        "case add": (
            "admin:measures_case_add",
            {"name": "New", "slug": "new", "start_date": "2024-01-01", "is_active": "on", "assessed_parties": parties},
        ),
        "measure add": (
            "admin:measures_measure_add",
            {"case": case.pk, "number": "7", "title": "T", "slug": "t", "description": "D"},
        ),
        "source add": (
            "admin:measures_source_add",
            {
                "title": "S",
                "kind": "news",
                "full_text": "alpha beta",
                **management("citations"),
                "citations-0-case": case.pk,
                "citations-0-quote": "alpha",
                "citations-0-event": "",
            },
        ),
        "event add": (
            "admin:measures_event_add",
            {
                "case": case.pk,
                "date": "2024-01-03",
                "date_precision": "day",
                "title": "E",
                "kind": "other",
                "direction": "neutral",
                "actors": parties[:1],
                **management("citations"),
                "citations-0-source": citation.source_id,
                "citations-0-quote": "Border forces",
            },
        ),
        "citation add": (
            "admin:measures_citation_add",
            {
                "case": case.pk,
                "source": citation.source_id,
                "quote": "Ambassadors will return",
                "event": "",
                **management("evidence"),
                "evidence-0-measure": measure.pk,
                "evidence-0-stance": "context",
            },
        ),
        "evidence add": (
            "admin:measures_evidence_add",
            {"measure": factories.MeasureFactory(case=case).pk, "citation": citation.pk, "stance": "setback"},
        ),
    }


def _fuzz_form(w, target, url, base, data):
    fields = sorted(base)
    overrides = data.draw(st.dictionaries(st.sampled_from(fields), st.one_of(value, st.lists(value, max_size=3))))
    posted = {**base, **overrides}
    before = snapshot()
    response = w["client"].post(url, posted)
    assert response.status_code < 500, f"{target}: {response.status_code} for {overrides!r}"
    if response.status_code != 302:
        assert snapshot() == before, f"{target}: a refused input wrote something: {overrides!r}"
    return response.status_code


ADD_TARGETS = ["party add", "case add", "measure add", "source add", "event add", "citation add", "evidence add"]


@pytest.mark.parametrize("target", ADD_TARGETS)
def test_fuzz_add_forms(world, target):
    name, base = _add_forms(world)[target]
    tally = Tally(target)

    @FUZZ
    @given(st.data())
    def run(data):
        tally.add(_fuzz_form(world, target, reverse(name), base, data))

    run()
    tally.write()
    assert not broken_invariants()


@pytest.mark.parametrize("model", ["measure", "citation", "event", "source", "evidence"])
def test_fuzz_change_forms(world, model):
    obj = world[model]
    url = reverse(f"admin:measures_{model}_change", args=[obj.pk])
    tally = Tally(f"{model} change")

    @FUZZ
    @given(st.data())
    def run(data):
        # A fresh page each time: a successful save moves the version on.
        base = change_form_data(world["client"].get(url))
        if data.draw(st.booleans()):  # sometimes a crafted POST that says the inlines have no rows
            base = {k: v for k, v in base.items() if "-" not in k}
            for prefix in ("citations", "evidence"):
                base.update(management(prefix, total=0, initial=0))
        if data.draw(st.booleans()):  # sometimes a move to the other case
            base["case"] = world["other"].pk
        tally.add(_fuzz_form(world, f"{model} change", url, base, data))

    run()
    tally.write()
    assert not broken_invariants()


@pytest.mark.parametrize("target", ["theme add", "measure type add", "measure type change"])
def test_fuzz_the_catalogues_forms(world, target):
    """As an administrator, the only role that edits the catalogue."""
    from measures.models import MeasureType, Theme

    client = Client(raise_request_exception=False)
    client.force_login(factories.administrator(username="catalogue-fuzzer"))
    theme = Theme.objects.get(slug="security")
    measure_type = MeasureType.objects.create(slug="fuzzed", name="Fuzzed", theme=theme, definition="A step.")
    urls = {
        "theme add": reverse("admin:measures_theme_add"),
        "measure type add": reverse("admin:measures_measuretype_add"),
        "measure type change": reverse("admin:measures_measuretype_change", args=[measure_type.pk]),
    }
    bases = {
        "theme add": {
            "name": "Fuzz theme",
            "slug": "fuzz-theme",
            "position": "9",
            "description": "",
            **management("types", 0),
        },
        "measure type add": {
            "name": "Fuzz type",
            "slug": "fuzz-type",
            "theme": theme.pk,
            "position": "1",
            "definition": "A step.",
            "pam_provision": "",
            "pax_category": "",
        },
    }
    tally = Tally(target)

    @FUZZ
    @given(st.data())
    def run(data):
        base = bases.get(target) or change_form_data(client.get(urls[target]))
        tally.add(_fuzz_form({**world, "client": client}, target, urls[target], base, data))

    run()
    tally.write()
    assert not broken_invariants()


def test_fuzz_assess_and_bulk_assess(world):
    measure = world["measure"]
    party = measure.case.assessed_parties.first()
    base = {
        "party": party.pk,
        "level": "full",
        "confidence": "high",
        "effective_date": "2024-01-05",
        "rationale": "Seen.",
        "citations": [world["citation"].pk],
        "seen": "0",
        "corrects": "",
    }
    tally = Tally("assess")

    @FUZZ
    @given(st.data())
    def run(data):
        if data.draw(st.booleans()):
            url = reverse("admin:measures_measure_assess", args=[measure.pk])
            tally.add(_fuzz_form(world, "assess", url, base, data))
        else:
            bulk = {**base, "action": "record_assessment", "apply": "1", "_selected_action": [measure.pk]}
            tally.add(_fuzz_form(world, "bulk assess", reverse("admin:measures_measure_changelist"), bulk, data))

    run()
    tally.write()
    assert not broken_invariants()


def test_fuzz_autocomplete_and_filters(world):
    client = world["client"]
    tally = Tally("autocomplete and filters")
    lists = ["measure", "citation", "event", "evidence", "source", "case", "party", "assessment"]

    @FUZZ
    @given(
        st.sampled_from(lists),
        st.dictionaries(
            st.sampled_from(
                [
                    "case__id__exact",
                    "measure__case__id__exact",
                    "level",
                    "kind",
                    "q",
                    "o",
                    "p",
                    "e",
                    "source__id__exact",
                    "evidence__measure__id__exact",
                    "published_on__year",
                    "actors__id__exact",
                ]
            ),
            value,
            max_size=3,
        ),
        value,
        value,
    )
    def run(model, params, case, term):
        response = client.get(reverse(f"admin:measures_{model}_changelist"), params)
        tally.add(response.status_code)
        assert response.status_code < 500, (model, params)
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "measures",
                "model_name": "assessment",
                "field_name": "citations",
                "case": case,
                "term": term,
            },
        )
        tally.add(response.status_code)
        assert response.status_code < 500, (case, term)

    run()
    tally.write()


# The importer: a valid small case file with one value replaced by anything JSON can hold.

json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False),
        st.text(max_size=20),
        st.sampled_from(["\x00", "\ud800", "2999-01-01T00:00:00+00:00", "", "AA"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node, prefix=()):
    """Every place in a JSON document where a value can be replaced."""
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _paths(child, (*prefix, i))


PATHS = [path for path in _paths(small_case()) if path]


def test_fuzz_load_case(db, tmp_path):
    tally = Tally("load_case")

    @FUZZ
    @given(st.sampled_from(PATHS), json_value, st.booleans())
    def run(path, replacement, as_bytes):
        data = small_case()
        item = data
        for step in path[:-1]:
            item = item[step]
        item[path[-1]] = replacement
        content = json.dumps(data).encode()
        if as_bytes:  # sometimes not UTF-8 at all
            content = content.replace(b'"', b'"\xff', 1)
        file = tmp_path / "case.json"
        file.write_bytes(content)
        before = snapshot()
        with transaction.atomic():  # each example starts from an empty database
            try:
                call_command("load_case", str(file), stdout=open(os.devnull, "w"))
            except CommandError as exc:
                assert "nothing was loaded" in str(exc), exc
                assert snapshot() == before, f"{path} = {replacement!r}: a refused file wrote something"
                tally.add(200)
            except Exception:
                tally.add(500)
                raise
            else:
                tally.add(200)
            assert not broken_invariants()
            transaction.set_rollback(True)

    try:
        run()
    finally:
        tally.write()
