"""The Pakistan–Iran case as data: fixtures/pakistan-iran-2024.json and its loader."""

import copy
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from measures.importing import CaseFileError, import_case
from measures.models import Assessment, Case, Citation, Event, Evidence, Measure, Party, Source, normalise_text
from measures.state import case_state
from tests import factories
from tests.helpers import without_judgements

Level = Assessment.Level
D = datetime.date
MODELS = (Party, Case, Measure, Source, Event, Citation, Evidence, Assessment)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_case_loads_with_everything_it_describes(pakistan_iran, case_data):
    case = pakistan_iran
    assert case.slug == "pakistan-iran-2024"
    assert sorted(case.assessed_parties.values_list("code", flat=True)) == ["IRN", "PAK"]
    assert case.measures.count() == 11
    assert Source.objects.count() == len(case_data["sources"]) == 5
    assert case.events.count() == len(case_data["events"])
    assert case.citations.count() == len(case_data["citations"])
    assert Assessment.objects.filter(measure__case=case).count() == len(case_data["assessments"])


def test_each_citation_is_loaded_with_its_key_in_one_write(pakistan_iran, case_data):
    history = list(Citation.history.filter(case=pakistan_iran).values_list("id", "history_type", "key"))
    assert sorted(key for _, _, key in history) == sorted(item["key"] for item in case_data["citations"])
    assert {kind for _, kind, _ in history} == {"+"}  # created through the service with its key, not saved again


def test_loading_twice_creates_no_duplicates(pakistan_iran, case_data):
    before = counts()
    result = import_case(copy.deepcopy(case_data))
    assert result.created is False
    assert counts() == before


def test_loading_again_never_overwrites_analysts_changes(pakistan_iran, case_data):
    measure = pakistan_iran.measures.get(number=1)
    measure.title = "Renamed by an analyst"
    measure.save()
    import_case(case_data)
    measure.refresh_from_db()
    assert measure.title == "Renamed by an analyst"


def test_the_ten_recommended_measures_carry_the_recommendations_text(pakistan_iran, case_data):
    recommendations = next(s for s in case_data["sources"] if s["kind"] == "policy")["full_text"]
    titles = [m.title.lower() for m in pakistan_iran.measures.order_by("number")]
    assert titles[0].startswith("diplomatic engagement")
    assert titles[7].startswith("track-ii diplomacy")
    # Measure 11, the return of envoys, is no recommendation (reading notes): its text is the analysts'.
    for measure in pakistan_iran.measures.exclude(number=11):
        assert normalise_text(measure.description) in normalise_text(recommendations)


def test_every_quote_occurs_in_its_source(pakistan_iran):
    citations = Citation.objects.filter(case=pakistan_iran).select_related("source")
    assert citations
    for citation in citations:
        assert citation.source.full_text, citation
        assert citation.source.find_quote(citation.quote) >= 0, citation.quote


def test_every_judged_assessment_cites_evidence_of_its_case(pakistan_iran):
    assessments = Assessment.objects.filter(measure__case=pakistan_iran).prefetch_related("citations")
    for assessment in assessments:
        assert assessment.rationale.strip()
        if assessment.level != Level.NOT_ASSESSED:
            assert assessment.citations.all(), assessment
        assert all(c.case_id == pakistan_iran.pk for c in assessment.citations.all())


def test_every_measure_is_assessed_for_both_parties(pakistan_iran):
    pairs = set(Assessment.objects.filter(measure__case=pakistan_iran).values_list("measure__number", "party__code"))
    assert pairs == {(n, code) for n in range(1, 12) for code in ("PAK", "IRN")}


def test_the_story_the_seeds_tell(pakistan_iran):
    """Escalation and almost nothing in place on 17 January; most diplomacy advanced by 31 January."""
    on_17 = case_state(pakistan_iran, as_of=D(2024, 1, 17))
    on_31 = case_state(pakistan_iran, as_of=D(2024, 1, 31))
    advanced = (Level.MINIMAL, Level.INTERMEDIATE, Level.FULL)

    assert sum(row.joint_level in advanced for row in on_17.rows) <= 1
    assert (on_17.progress.value or 0) < 0.1
    assert sum(row.joint_level in advanced for row in on_31.rows) >= 5
    assert on_31.progress.value > on_17.progress.value
    by_number = {row.measure.number: row for row in on_31.rows}
    assert by_number[1].joint_level in advanced  # diplomatic engagement
    assert by_number[8].joint_level == Level.NOT_ASSESSED  # track-II diplomacy: no evidence
    assert {item.stance for item in by_number[8].evidence} <= {Evidence.Stance.CONTEXT}


def test_events_cover_the_crisis(pakistan_iran):
    events = {(e.date, e.direction) for e in pakistan_iran.events.all()}
    assert (D(2024, 1, 16), "escalatory") in events
    assert (D(2024, 1, 18), "escalatory") in events
    assert any(date == D(2024, 1, 29) and direction == "deescalatory" for date, direction in events)
    assert pakistan_iran.events.filter(date=D(2024, 1, 22)).exists()


def test_sources_keep_the_seed_text(pakistan_iran):
    for source in Source.objects.all():
        assert len(source.full_text) > 1000
        assert source.kind in Source.Kind.values


def test_assessments_are_recorded_by_the_inactive_import_account(pakistan_iran):
    users = {a.recorded_by for a in Assessment.objects.select_related("recorded_by")}
    assert [(u.username, u.is_active, u.has_usable_password()) for u in users] == [("case-import", False, False)]


def test_load_case_command_is_idempotent(db, tmp_path):
    out = io.StringIO()
    call_command("load_case", "fixtures/pakistan-iran-2024.json", stdout=out)
    assert "Loaded" in out.getvalue()
    before = counts()
    call_command("load_case", "fixtures/pakistan-iran-2024.json", stdout=out)
    assert "already there: left unchanged" in out.getvalue()
    assert counts() == before


def test_bad_case_file_is_refused_and_loads_nothing(db, case_data, tmp_path):
    broken = copy.deepcopy(case_data)
    broken["citations"][-1]["quote"] = "A sentence that no source contains."
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")

    with pytest.raises(
        CommandError, match=r"nothing was loaded:\n  citations\[\d+\]\.quote: .*does not occur in the full text"
    ):
        call_command("load_case", str(path))
    assert counts() == {model.__name__: 0 for model in MODELS}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("format"), "not a case file"),
        (lambda d: d["case"].pop("start_date"), "case: missing “start_date”"),
        (lambda d: d["events"][0].update(date="16/01/2024"), r"events\[0\]\.date: “16/01/2024” is not a date"),
        (lambda d: d["assessments"][0].update(party="XXX"), r"assessments\[0\]\.party: unknown party “XXX”"),
        (
            lambda d: d["assessments"][-1].update(citations=["nope"]),
            r"assessments\[\d+\]\.citations\[0\]: unknown citation",
        ),
        (lambda d: d["citations"][0].update(source="nope"), r"citations\[0\]\.source: unknown source"),
        (lambda d: d["case"].update(assessed_parties=["PAK"]), r"case\.assessed_parties: needs at least 2 items"),
    ],
)
def test_case_file_errors_name_the_item(db, case_data, mutate, message):
    broken = copy.deepcopy(case_data)
    mutate(broken)
    with pytest.raises(CaseFileError, match=message):
        import_case(broken)
    assert Case.objects.count() == 0


def test_unreadable_files_give_a_clear_message(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_case", str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_case", str(bad))


def test_existing_parties_and_sources_are_reused(db, case_data):
    factories.PartyFactory(code="PAK", name="Pakistan", kind="state")
    case = import_case(without_judgements(case_data)).case
    assert case.assessed_parties.get(code="PAK").name == "Pakistan"
    assert Party.objects.filter(code="PAK").count() == 1
