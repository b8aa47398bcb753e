"""load_case --update: adds what is new by key, idempotent, never changes what analysts edited, all or nothing."""

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from measures.importing import CaseFileError, import_case
from measures.models import Assessment, Case, Citation, Event, Evidence, Measure, Party, Source
from tests.helpers import small_case

MODELS = (Party, Case, Measure, Source, Event, Citation, Evidence, Assessment)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def with_new_items(case_data):
    """The case file with one new party, source, event, citation (with evidence) and assessment."""
    data = copy.deepcopy(case_data)
    data["parties"].append({"code": "QAT", "name": "Qatar", "kind": "state"})
    data["sources"].append(
        {
            "key": "s-new",
            "title": "Border talks resume",
            "publisher": "Daily Record",
            "published_on": "2024-02-01",
            "kind": "news",
            "full_text": "Officials of both countries met at the border crossing on Tuesday and agreed joint patrols.",
        }
    )
    data["events"].append(
        {
            "key": "e-border-talks",
            "date": "2024-01-30",
            "end_date": "2024-01-31",
            "title": "Border officials meet",
            "kind": "diplomatic",
            "direction": "deescalatory",
            "actors": ["PAK", "IRN", "QAT"],
            "fatalities": 0,
        }
    )
    data["citations"].append(
        {
            "key": "c-new",
            "source": "s-new",
            "event": "e-border-talks",
            "quote": "agreed joint patrols",
            "evidence": [{"measure": 5, "stance": "progress"}],
        }
    )
    data["assessments"].append(
        {
            "measure": 5,
            "party": "PAK",
            "level": "minimal",
            "effective_date": "2024-01-31",
            "recorded_at": "2024-02-02T09:00:00Z",
            "rationale": "Joint patrols agreed at the border.",
            "citations": ["c-new"],
        }
    )
    return data


def test_update_adds_what_is_new_and_reports_it(pakistan_iran, case_data):
    before = counts()
    result = import_case(with_new_items(case_data), update=True)
    assert result.updated and not result.created
    assert result.added == {
        "parties": 1,
        "measures": 0,
        "sources": 1,
        "events": 1,
        "citations": 1,
        "evidence": 1,
        "assessments": 1,
        "commitments": 0,
        "commitment outcomes": 0,
        "reviews": 0,
    }
    assert result.existing["events"] == len(case_data["events"])
    assert result.existing["assessments"] == len(case_data["assessments"])
    assert result.conflicts == []
    after = counts()
    assert {name: after[name] - before[name] for name in after} == {
        "Party": 1,
        "Case": 0,
        "Measure": 0,
        "Source": 1,
        "Event": 1,
        "Citation": 1,
        "Evidence": 1,
        "Assessment": 1,
    }
    event = pakistan_iran.events.get(key="e-border-talks")
    assert event.date_text == "30–31 Jan 2024"
    assert sorted(event.actors.values_list("code", flat=True)) == ["IRN", "PAK", "QAT"]


def test_update_is_idempotent(pakistan_iran, case_data):
    data = with_new_items(case_data)
    import_case(copy.deepcopy(data), update=True)
    before = counts()
    result = import_case(data, update=True)
    assert counts() == before
    assert sum(result.added.values()) == 0
    assert result.conflicts == []


def test_update_never_changes_what_analysts_edited(pakistan_iran, case_data):
    measure = pakistan_iran.measures.get(number=1)
    measure.title = "Renamed by an analyst"
    measure.save()
    event = pakistan_iran.events.get(key=case_data["events"][0]["key"])
    event.title = "Edited by an analyst"
    event.save()
    before = counts()
    result = import_case(copy.deepcopy(case_data), update=True)
    assert counts() == before  # the edited event is found by its key, not added again
    measure.refresh_from_db()
    event.refresh_from_db()
    assert measure.title == "Renamed by an analyst"
    assert event.title == "Edited by an analyst"
    assert len(result.conflicts) == 2
    assert result.conflicts[0].startswith("measures[0]: already stored with other content, kept as stored (title:")
    assert result.conflicts[1].startswith("events[0]: already stored with other content, kept as stored (title:")


def test_update_is_all_or_nothing(pakistan_iran, case_data):
    data = with_new_items(case_data)
    data["citations"][-1]["quote"] = "A sentence the new source does not contain."
    before = counts()
    with pytest.raises(CaseFileError, match=r"citations\[\d+\]\.quote: .*does not occur"):
        import_case(data, update=True)
    assert counts() == before
    assert not Party.objects.filter(code="QAT").exists()


def test_update_of_an_unknown_slug_creates_the_case(db):
    data = small_case()  # whatever the size of the file
    result = import_case(data, update=True)
    assert result.created
    assert result.counts["events"] == len(data["events"])
    assert Case.objects.get(slug=data["case"]["slug"]).measures.count() == len(data["measures"])


def test_load_case_without_update_leaves_the_case_and_says_how_to_add(pakistan_iran, case_data, tmp_path):
    path = tmp_path / "new.json"
    path.write_text(json.dumps(with_new_items(case_data)), encoding="utf-8")
    before = counts()
    out = io.StringIO()
    call_command("load_case", str(path), stdout=out)
    assert "left unchanged (use --update to add what is new)" in out.getvalue()
    assert counts() == before


def test_load_case_update_reports_added_existing_and_conflicts(pakistan_iran, case_data, tmp_path):
    data = with_new_items(case_data)
    data["measures"][2]["title"] = "Another title"
    path = tmp_path / "new.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = io.StringIO()
    call_command("load_case", "--update", str(path), stdout=out)
    text = out.getvalue()
    assert "Updated “Pakistan–Iran crisis, January 2024” (pakistan-iran-2024)." in text
    assert "added: 1 parties, 0 measures, 1 sources, 1 events, 1 citations, 1 evidence, 1 assessments" in text
    assert f"already there: 11 parties, 11 measures, 5 sources, {len(case_data['events'])} events" in text
    assert "conflicts (kept as stored): 1" in text
    assert "measures[2]: already stored with other content, kept as stored (title:" in text


def test_load_case_update_refuses_a_bad_file_naming_the_item(pakistan_iran, case_data, tmp_path):
    data = with_new_items(case_data)
    data["events"][-1]["date_precison"] = "day"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match=r"nothing was loaded:\n  events\[\d+\]\.date_precison: unknown key"):
        call_command("load_case", "--update", str(path))
    assert counts() == before


def test_load_case_of_a_new_case_names_a_reused_sources_other_label(pakistan_iran, case_data, tmp_path):
    """A new case whose file names a source already stored (same title, publisher and date) uses the
    stored one: the output says so, with both labels, since the footnotes will show the stored label."""
    data = copy.deepcopy(case_data)
    data["case"]["slug"] = "copy-01"
    tdi = next(i for i, source in enumerate(data["sources"]) if source["label"] == "TDI")
    data["sources"][tdi]["label"] = "TDI c1"
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = io.StringIO()
    call_command("load_case", str(path), stdout=out)
    text = out.getvalue()
    assert "Loaded “Pakistan–Iran crisis, January 2024” (copy-01): 11 measures, 0 sources" in text
    assert "5 sources of the file already stored (same title, publisher and date): used as stored" in text
    kept = "already stored with other content, kept as stored (label: stored “TDI”, file “TDI c1”)"
    assert f"sources[{tdi}]: {kept}" in text
    assert Source.objects.filter(label="TDI c1").count() == 0
