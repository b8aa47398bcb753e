"""load_case on SQLite holds the write lock only for a short final copy (measures/importing/staging.py):
an analyst's save while a case loads goes through, and the load stays all or nothing, whether the
file is refused while it loads or a row it changes was changed meanwhile.

The staged load takes the same steps whatever the size of the file: the tests of what happens while it
loads use tests.helpers.small_case (one item of every kind); the comparison with a load in one
transaction uses the Pakistan–Iran case."""

import copy
import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from measures import services
from measures.importing import casefile, staging
from measures.models import Assessment, AssessmentCitation, Case, Citation, Event, Evidence, Measure, Party
from tests import factories
from tests.helpers import small_case

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's one writer at a time")

RESERVED_IDS = "sqlite_sequence"  # ids reserved for a refused load stay skipped: not data


def every_row():
    """Every row of every table (but SQLite's id sequences), to prove a refused load changed nothing."""
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if t != RESERVED_IDS]
        found = {}
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            found[table] = cursor.fetchall()
    return found


def in_another_thread(work):
    """Run `work` as another request would: in its own thread, on its own connection to the database."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def write_file(tmp_path, data, name="case.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def load(path, *args):
    call_command("load_case", str(path), *args, stdout=open("/dev/null", "w"))


@pytest.fixture
def other_case(transactional_db):
    """A case an analyst works on while the file loads."""
    measure = factories.MeasureFactory()
    party = measure.case.assessed_parties.first()
    citation = factories.CitationFactory(case=measure.case)
    return {"measure": measure, "party": party, "citation": citation, "analyst": factories.analyst(username="nadia")}


@pytest.fixture
def small_data():
    return small_case()


@pytest.fixture
def small_committed(transactional_db, small_data):
    """small_case() loaded (in one transaction) and committed, for loads that update it."""
    return casefile.import_case(small_data).case


def record(other_case, rationale):
    return services.record_assessment(
        measure=other_case["measure"],
        party=other_case["party"],
        level="minimal",
        rationale=rationale,
        citations=[other_case["citation"]],
        evidence_stance="progress",
        recorded_by=other_case["analyst"],
        effective_date=None,
    )


def test_an_analyst_saves_while_a_case_loads(other_case, small_data, tmp_path, monkeypatch):
    saved = []
    original = casefile._Loader._assessments

    def assessments_while_an_analyst_saves(loader):
        # Halfway through the load, inside its transaction: in one transaction on the database this
        # save would wait for the busy timeout and fail with "database is locked".
        saved.append(in_another_thread(lambda: record(other_case, "Saved while a case loaded.")))
        original(loader)

    monkeypatch.setattr(casefile._Loader, "_assessments", assessments_while_an_analyst_saves)
    load(write_file(tmp_path, small_data))

    assert Assessment.objects.filter(pk=saved[0].pk, rationale="Saved while a case loaded.").exists()
    case = Case.objects.get(slug=small_data["case"]["slug"])
    loaded = Assessment.objects.filter(measure__case=case)
    assert loaded.count() == len(small_data["assessments"])
    assert saved[0].pk not in set(loaded.values_list("pk", flat=True))
    assert Citation.objects.filter(case=case).count() == len(small_data["citations"])
    cited = sum(len(item.get("citations", [])) for item in small_data["assessments"])
    assert AssessmentCitation.objects.filter(assessment__in=loaded).count() == cited


def test_a_staged_load_holds_the_same_rows_as_one_in_a_transaction(transactional_db, case_data):
    staged = staging.import_case_staged(case_data)
    direct_data = copy.deepcopy(case_data)
    direct_data["case"]["slug"] = "direct-load"
    direct = casefile.import_case(direct_data)

    def content(case):
        return {
            "assessments": list(
                Assessment.objects.filter(measure__case=case)
                .order_by("measure__number", "party__code", "recorded_at")
                .values_list("measure__number", "party__code", "level", "rationale", "recorded_at", "effective_date")
            ),
            "citations": sorted(Citation.objects.filter(case=case).values_list("key", "quote", "source__title")),
            "evidence": sorted(
                Citation.objects.filter(case=case).values_list("key", "evidence__measure__number", "evidence__stance")
            ),
            "history": [
                Citation.history.filter(case_id=case.pk).count(),
                Measure.history.filter(case_id=case.pk).count(),
                Event.history.filter(case_id=case.pk).count(),
                Evidence.history.filter(measure_id__in=case.measures.values("pk")).count(),
            ],
        }

    assert staged.created
    # The second load finds the sources the first one stored (sources are shared by cases).
    assert {**staged.counts, "sources": 0} == direct.counts
    assert content(staged.case) == content(direct.case)


def test_a_file_refused_halfway_leaves_every_row_as_it_was(transactional_db, small_data, tmp_path):
    casefile.import_user()  # the inactive account loads are recorded by is made before any load
    data = copy.deepcopy(small_data)
    data["assessments"][-1]["recorded_at"] = "2999-01-01T00:00:00Z"  # refused by record_assessment
    before = every_row()
    # The file's last item: every other row was written into the copy before it was refused.
    with pytest.raises(CommandError, match=r"nothing was loaded:\n  assessments\[0\]"):
        load(write_file(tmp_path, data))
    assert every_row() == before


def test_a_row_changed_while_the_file_loads_refuses_the_whole_load(small_committed, small_data, tmp_path, monkeypatch):
    data = copy.deepcopy(small_data)
    data["parties"][0].update(name="Republic of Alpha", rename=True)
    data["citations"].append({"key": "c-added", "source": data["sources"][0]["key"], "quote": "The ministers"})
    original = staging.import_case

    def load_while_an_analyst_renames(*args, **kwargs):
        result = original(*args, **kwargs)

        def rename():
            party = Party.objects.get(code="AA")
            party.name = "Alpha (edited)"
            party.save()

        in_another_thread(rename)
        return result

    monkeypatch.setattr(staging, "import_case", load_while_an_analyst_renames)
    before = every_row()
    with pytest.raises(CommandError, match="the party [0-9]+ was changed by someone else while the file was loading"):
        load(write_file(tmp_path, data), "--update")
    after = every_row()
    changed = {table for table in before if before[table] != after[table]}
    # the analyst's rename alone, with its history row and its audit log entry
    assert changed == {"measures_party", "measures_historicalparty", "measures_auditentry"}
    assert Party.objects.get(code="AA").name == "Alpha (edited)"
    assert not Citation.objects.filter(key="c-added").exists()


def test_a_refusal_during_the_final_copy_writes_nothing(transactional_db, small_data, tmp_path, monkeypatch):
    original = staging.import_case

    def load_while_an_analyst_creates_the_same_case(*args, **kwargs):
        result = original(*args, **kwargs)
        in_another_thread(lambda: factories.CaseFactory(slug=small_data["case"]["slug"]))
        return result

    monkeypatch.setattr(staging, "import_case", load_while_an_analyst_creates_the_same_case)
    with pytest.raises(CommandError, match="nothing was loaded: the database refused it"):
        load(write_file(tmp_path, small_data))
    (case,) = Case.objects.all()
    assert not case.measures.exists()
    assert not Party.objects.filter(code="AA").exists()  # the file's parties were copied first, then undone


def test_an_update_loads_what_is_new_and_bumps_the_cases_version(small_committed, small_data, tmp_path):
    case = Case.objects.get(slug=small_data["case"]["slug"])
    data = copy.deepcopy(small_data)
    data["parties"][0].update(name="Republic of Alpha", rename=True)
    load(write_file(tmp_path, data), "--update")
    party = Party.objects.get(code="AA")
    assert party.name == "Republic of Alpha"
    assert party.history.count() == 2
    assert Case.objects.get(pk=case.pk).data_version > case.data_version


def test_what_analysts_save_right_after_the_copy_keeps_its_ids(other_case, small_data, tmp_path, monkeypatch):
    """Rows saved between the copy and the id reservation are not in the copy: the load's rows must
    still take other ids."""
    saved = []
    original = staging.snapshot

    def snapshot_then_an_analyst_saves(copy):
        original(copy)
        saved.append(in_another_thread(lambda: record(other_case, "Saved right after the copy.")))

    monkeypatch.setattr(staging, "snapshot", snapshot_then_an_analyst_saves)
    load(write_file(tmp_path, small_data))
    assert Assessment.objects.get(pk=saved[0].pk).rationale == "Saved right after the copy."
    case = Case.objects.get(slug=small_data["case"]["slug"])
    assert Assessment.objects.filter(measure__case=case).count() == len(small_data["assessments"])


def test_a_staged_load_queues_the_pages_warming_once_on_the_real_database(transactional_db, small_data, tmp_path):
    # The case-change hooks ran inside the staging copy too: the warming hook's queued task was a row the
    # load never writes, and every load_case was refused where tasks are queued in the database.
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=tasks, WARM_PAGES_AFTER_WRITES=True):
        load(write_file(tmp_path, small_data))
    case = Case.objects.get(slug=small_data["case"]["slug"])
    queued = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    assert queued == [("reading.views.warming.warm_case", {"args": [case.pk, case.data_version], "kwargs": {}})]


def test_while_the_file_loads_on_the_copy_nothing_writes_to_the_database(transactional_db, small_data, tmp_path):
    """The stress run's "busy" answers during a load were looked for here first: the staged load opens
    write transactions on the database for its account, to reserve ids, to apply the copy and to index
    what it loaded, and nothing (no hook, cache, task or history row) writes to it while the file loads
    on the copy."""
    writes, phase = [], ["before"]

    def watch(execute, sql, params, many, context):
        if sql.lstrip().split(" ", 1)[0].upper() in ("BEGIN", "INSERT", "UPDATE", "DELETE", "REPLACE"):
            writes.append((phase[0], sql.split(" ", 2)[:2] if sql.startswith("BEGIN") else sql.split(" ", 1)[0]))
        return execute(sql, params, many, context)

    original = casefile.import_case

    def on_the_copy(*args, **kwargs):
        phase[0] = "loading on the copy"
        try:
            return original(*args, **kwargs)
        finally:
            phase[0] = "after"

    real = connections["default"]
    with pytest.MonkeyPatch.context() as patch, real.execute_wrapper(watch):
        patch.setattr(staging, "import_case", on_the_copy)
        load(write_file(tmp_path, small_data))
    assert [kind for when, kind in writes if when == "loading on the copy"] == []
    transactions = [when for when, kind in writes if kind == ["BEGIN", "IMMEDIATE"]]
    # Before: the case-import account (created on the first load) and the id reservation; after: the
    # final copy and the search index.
    assert transactions == ["before", "before", "after", "after"]
