"""The read API answers what the pages show: the dashboard's levels for the same dates, the measure
pages' history, the record lists; pages through cursors, pulls incrementally, answers 304 to a client
that has the answer already."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from measures import services
from measures.models import Assessment, Case, Citation, Event, Evidence, Source
from measures.state import assessment_history
from tests import factories
from tests.helpers import approve

D = datetime.date
BASE = "/api/v1/cases/pakistan-iran-2024"


def dashboard_levels(client, as_of, since=None):
    """{measure number: {column: level label}} of the dashboard's CSV export for `as_of`."""
    query = f"as_of={as_of}" + (f"&since={since}" if since else "")
    text = client.get(f"/cases/pakistan-iran-2024/?{query}&_export=csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    return {
        int(row["No."]): {column: row[column] for column in ("IRN level", "PAK level", "Joint level")} for row in rows
    }


def label(level, applies=True):
    return Assessment.Level(level).label if applies else "Does not apply"


@pytest.mark.parametrize("as_of", ["2024-01-17", "2024-01-20", "2024-01-29"])
def test_measures_give_the_levels_the_dashboard_shows_for_that_date(pakistan_iran, api, reader_token, client, as_of):
    answer = api.get(f"{BASE}/measures/", token=reader_token, as_of=as_of)
    assert answer.status_code == 200
    client.force_login(factories.reader(username="dashboard-reader"))
    shown = dashboard_levels(client, as_of)
    assert len(answer.data["results"]) == len(shown) == 11
    for measure in answer.data["results"]:
        cells = {cell["party"]: cell for cell in measure["parties"]}
        assert shown[measure["number"]] == {
            "IRN level": label(cells["IRN"]["level"], cells["IRN"]["applies"]),
            "PAK level": label(cells["PAK"]["level"], cells["PAK"]["applies"]),
            "Joint level": label(measure["joint_level"]),
        }
    assert answer.data["as_of"] == as_of and answer.data["as_of_rule"] == "given"


def test_without_a_date_a_closed_case_is_shown_as_of_its_end(pakistan_iran, api, reader_token):
    answer = api.get(f"{BASE}/measures/", token=reader_token)
    assert answer.data["as_of"] == "2024-01-29"
    assert answer.data["as_of_rule"] == "the end of the case, since it is closed"
    assert answer.data["progress"]["coverage"].startswith(f"{answer.data['progress']['percent']}% over")


def test_since_gives_each_level_at_the_start_of_the_period_and_the_direction(pakistan_iran, api, reader_token):
    answer = api.get(f"{BASE}/measures/", token=reader_token, as_of="2024-01-29", since="2024-01-20")
    first = answer.data["results"][0]
    assert first["previous_joint_level"] is not None and first["direction"] in ("up", "down", "same", "new", "unscored")
    assert all(cell["previous_level"] is not None for cell in first["parties"])
    plain = api.get(f"{BASE}/measures/", token=reader_token, as_of="2024-01-29")
    assert plain.data["results"][0]["direction"] is None


def test_one_measure_is_its_row_of_the_list(pakistan_iran, api, reader_token):
    listed = api.get(f"{BASE}/measures/", token=reader_token, as_of="2024-01-22", known_on="2024-01-25")
    one = api.get(f"{BASE}/measures/4/", token=reader_token, as_of="2024-01-22", known_on="2024-01-25")
    assert one.data == listed.data["results"][3]
    assert api.get(f"{BASE}/measures/99/", token=reader_token).status_code == 404


def test_the_assessment_history_is_the_measure_pages_with_corrections(pakistan_iran, api, reader_token, analyst_user):
    original = Assessment.objects.filter(measure__case=pakistan_iran, measure__number=3).earliest("pk")
    correction = services.record_assessment(
        measure=original.measure,
        party=original.party,
        level="not_initiated",
        effective_date=original.effective_date,
        rationale="Corrected after a second reading.",
        citations=list(original.citations.all()),
        recorded_by=analyst_user,
        corrects=original,
    )
    approve(correction)  # only an approved correction withdraws what it corrects
    rows = []
    url = f"{BASE}/assessments/?page_size=7"
    while url:
        answer = api.get(url, token=reader_token)
        rows += answer.data["results"]
        url = answer.data["next"]
    history = assessment_history(pakistan_iran)
    assert [row["id"] for row in rows] == [change.assessment.pk for change in history]
    by_id = {row["id"]: row for row in rows}
    assert by_id[original.pk]["superseded_by"] == correction.pk
    assert by_id[correction.pk]["corrects"] == original.pk
    assert by_id[correction.pk]["recorded_by"] == analyst_user.username
    assert by_id[correction.pk]["score"] == 0 and by_id[correction.pk]["updated_at"] is not None
    narrowed = api.get(f"{BASE}/assessments/", token=reader_token, measure=3, party=original.party.code)
    assert {row["measure"] for row in narrowed.data["results"]} == {3}
    assert {row["party"] for row in narrowed.data["results"]} == {original.party.code}


def test_lists_page_through_every_record_once_in_id_order(pakistan_iran, api, reader_token):
    for name, model, scope in (
        ("events", Event, {"case": pakistan_iran}),
        ("citations", Citation, {"case": pakistan_iran}),
        ("evidence", Evidence, {"measure__case": pakistan_iran}),
    ):
        ids, url = [], f"{BASE}/{name}/?page_size=4"
        while url:
            answer = api.get(url, token=reader_token)
            assert answer.status_code == 200
            ids += [row["id"] for row in answer.data["results"]]
            url = answer.data["next"]
        assert ids == list(model.objects.filter(**scope).order_by("pk").values_list("pk", flat=True)), name


def test_sources_give_their_full_text_on_the_detail_only(pakistan_iran, api, reader_token):
    listed = api.get(f"{BASE}/sources/", token=reader_token).data["results"]
    assert listed and all("full_text" not in source for source in listed)
    source = Source.objects.get(pk=listed[0]["id"])
    detail = api.get(f"{BASE}/sources/{source.pk}/", token=reader_token).data
    assert detail["full_text"] == source.full_text and detail["text_length"] == len(source.full_text)


def test_citations_give_their_offsets_in_the_source_text(pakistan_iran, api, reader_token):
    citation = Citation.objects.filter(case=pakistan_iran).exclude(spans=[]).select_related("source").first()
    row = next(r for r in api.get(f"{BASE}/citations/", token=reader_token).data["results"] if r["id"] == citation.pk)
    start, end = row["spans"][0]
    assert citation.source.full_text[start:end] == citation.source.full_text[start:end].strip()
    assert row["paragraph"] == citation.paragraph and row["source"] == citation.source_id
    assert row["page"].endswith(f"/sources/{citation.source_id}/#citation-{citation.pk}")


def test_records_as_of_and_as_known_on_follow_the_pages(pakistan_iran, api, reader_token):
    early = api.get(f"{BASE}/events/", token=reader_token, as_of="2024-01-17").data["results"]
    assert early and all(row["date"] <= "2024-01-17" for row in early)
    assert len(early) == pakistan_iran.events.filter(date__lte=D(2024, 1, 17)).count()
    counted = api.get(f"{BASE}/evidence/", token=reader_token, as_of="2024-01-20", page_size=1000).data["results"]
    dashboard = api.get(f"{BASE}/measures/", token=reader_token, as_of="2024-01-20").data["results"]
    assert len(counted) == sum(measure["citation_count"] for measure in dashboard)


def test_updated_since_keeps_what_changed_since(pakistan_iran, api, reader_token):
    mark = timezone.now()
    assert api.get(f"{BASE}/events/", token=reader_token, updated_since=mark.isoformat()).data["results"] == []
    event = pakistan_iran.events.order_by("pk")[3]
    event.summary += " Revised."
    event.save()
    changed = api.get(f"{BASE}/events/", token=reader_token, updated_since=mark.isoformat()).data["results"]
    assert [row["id"] for row in changed] == [event.pk]
    assert api.get("/api/v1/cases/", token=reader_token, updated_since=mark.isoformat()).data["results"] == []


def test_deleted_records_are_listed_for_copies_kept_in_sync(pakistan_iran, api, reader_token):
    mark = timezone.now()
    event = Event.objects.create(
        case=pakistan_iran, date=D(2024, 1, 27), title="A protest", kind="other", direction="neutral", external_id="X9"
    )
    pk = event.pk
    services.save_imported_events(case=pakistan_iran, removals=[event])
    deleted = api.get(f"{BASE}/deleted/", token=reader_token, updated_since=mark.isoformat()).data["results"]
    assert [(row["record"], row["id"], row["event_id_cnty"]) for row in deleted] == [("event", pk, "X9")]


def test_a_client_that_has_the_answer_gets_304_until_the_data_changes(pakistan_iran, api, reader_token, analyst_user):
    first = api.get(f"{BASE}/measures/", token=reader_token, as_of="2024-01-29")
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache" or "no-cache" in first["Cache-Control"]
    again = api.get(f"{BASE}/measures/", token=reader_token, as_of="2024-01-29", headers={"HTTP_IF_NONE_MATCH": etag})
    assert again.status_code == 304 and again.content == b""
    other = api.get(f"{BASE}/measures/", token=reader_token, as_of="2024-01-28", headers={"HTTP_IF_NONE_MATCH": etag})
    assert other.status_code == 200
    measure = pakistan_iran.measures.get(number=10)
    assessment = services.record_assessment(
        measure=measure,
        party=pakistan_iran.assessed_parties.get(code="PAK"),
        level="not_assessed",
        effective_date=D(2024, 1, 29),
        rationale="Still nothing to go on.",
        citations=[],
        recorded_by=analyst_user,
    )
    # Awaiting review it counts for nothing the API answers: the answer the client has still holds.
    pending = api.get(f"{BASE}/measures/", token=reader_token, as_of="2024-01-29", headers={"HTTP_IF_NONE_MATCH": etag})
    assert pending.status_code == 304
    services.approve_assessment(assessment=assessment, reviewer=factories.reviewer(username="api-reviewer"))
    changed = api.get(f"{BASE}/measures/", token=reader_token, as_of="2024-01-29", headers={"HTTP_IF_NONE_MATCH": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_head_answers_the_headers_without_the_body(pakistan_iran, api, reader_token):
    answer = api.request("head", f"{BASE}/events/", token=reader_token)
    assert answer.status_code == 200 and answer.content == b"" and answer["ETag"]
    assert int(answer["Content-Length"]) > 0


def test_the_case_list_names_what_each_case_holds(pakistan_iran, api, reader_token):
    (case,) = api.get("/api/v1/cases/", token=reader_token).data["results"]
    assert case["slug"] == "pakistan-iran-2024" and case["assessed_parties"] == ["IRN", "PAK"]
    assert case["default_as_of"] == "2024-01-29" and case["page"].endswith("/cases/pakistan-iran-2024/")
    updated_at = datetime.datetime.fromisoformat(case["updated_at"])  # to the millisecond, as JSON dates go
    assert abs(updated_at - Case.objects.get().data_changed_at) < datetime.timedelta(milliseconds=1)
    parties = api.get(f"{BASE}/parties/", token=reader_token).data["results"]
    assert {p["code"] for p in parties if p["assessed"]} == {"IRN", "PAK"} and len(parties) > 2
