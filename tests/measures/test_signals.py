"""One test per defect of issue 8 ("Truthful signals"), each asserting the right value."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from measures import services
from measures.models import Assessment, Case, Source
from measures.state import Direction, EvidenceDate, assessment_history, case_state, history_entries, progress
from reports.build import build_report
from reports.render import render_report_pdf
from tests import factories
from tests.helpers import approve
from tests.scenarios import build_case

Level = Assessment.Level
D = datetime.date


def dashboard_url(case, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("measures:dashboard", args=[case.slug]) + (f"?{query}" if query else "")


# Case lifecycle and default date -----------------------------------------------------------------


def test_closed_case_opens_as_of_its_end_date_and_says_so_with_no_stale_flag(reader_client, pakistan_iran):
    assert pakistan_iran.status == Case.Status.CLOSED and pakistan_iran.end_date == D(2024, 1, 29)
    response = reader_client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(pakistan_iran.get_absolute_url())
    period = response.context["period"]
    assert (period.as_of, period.as_of_given) == (D(2024, 1, 29), False)
    content = response.content.decode()
    assert "by default: the end of the case (29 Jan 2024), since it is closed" in content
    assert response.context["state"].stale_rows == []


def test_active_case_opens_as_of_today(reader_client, case):
    today = datetime.date.today()
    response = reader_client.get(dashboard_url(case))
    assert response.context["period"].as_of == today
    assert "by default: today, since the case is active" in response.content.decode()


def test_a_closed_case_needs_an_end_date_after_its_start(db):
    from django.core.exceptions import ValidationError

    case = Case(name="X", slug="x", start_date=D(2024, 1, 10), status=Case.Status.CLOSED)
    with pytest.raises(ValidationError, match="closed case needs"):
        case.full_clean(exclude=["assessed_parties"])
    case.end_date = D(2024, 1, 1)
    with pytest.raises(ValidationError, match="cannot be before the start date"):
        case.full_clean(exclude=["assessed_parties"])


def test_no_stale_flag_after_a_case_closed(case):
    case.status, case.end_date = Case.Status.CLOSED, D(2024, 1, 31)
    case.save()
    state = case_state(case, as_of=D(2024, 6, 1))
    assert not state.active and state.stale_rows == []
    case.status, case.end_date = Case.Status.ACTIVE, None
    case.save()
    assert len(case_state(case, as_of=D(2024, 6, 1)).stale_rows) == 3


# One period ---------------------------------------------------------------------------------------


def test_report_period_includes_its_first_day_in_the_chronology(reader_client, pakistan_iran):
    url = reverse("measures:report", args=[pakistan_iran.slug]) + "?as_of=2024-01-31&since=2024-01-18"
    content = reader_client.get(url).content.decode()
    assert "Pakistan’s retaliatory strikes" in content or "Pakistan's retaliatory strikes" in content
    assert "18–31 Jan 2024, both days included" in content


def test_the_16_january_strike_is_in_a_report_from_16_january(pakistan_iran):
    report = build_report(pakistan_iran, as_of=D(2024, 1, 31), since=D(2024, 1, 16))
    assert report.chronology[0].event.date == D(2024, 1, 16)
    assert "Panjgur" in report.chronology[0].event.title


def test_an_assessment_effective_on_since_is_a_change_of_the_period(case):
    # Both parties were first assessed on 17 January: a period starting that day shows them.
    changes = case_state(case, as_of=D(2024, 1, 20), since=D(2024, 1, 17)).changes
    assert len(changes) == 6 and {c.old_level for c in changes} == {Level.NOT_ASSESSED}
    assert case_state(case, as_of=D(2024, 1, 20), since=D(2024, 1, 18)).changes == []


# Flags --------------------------------------------------------------------------------------------


def test_on_day_two_no_measure_is_stale_and_measures_without_evidence_say_so(pakistan_iran):
    state = case_state(pakistan_iran, as_of=D(2024, 1, 17))
    assert state.stale_rows == []
    assert {row.measure.number for row in state.no_evidence_rows} <= {
        row.measure.number for row in state.rows if not row.evidence
    }


def test_a_measure_at_reversed_is_not_contested_by_the_setback_that_justified_it(pakistan_iran):
    state = case_state(pakistan_iran, as_of=D(2024, 1, 18))
    row = next(row for row in state.rows if row.measure.number == 1)
    assert row.joint_level == Level.REVERSED
    assert [item for item in row.evidence if item.stance == "setback"]
    assert not row.contested


def test_contested_when_setback_is_newer_than_the_cited_evidence_at_a_level_that_does_not_reflect_it(case):
    measure = case.measures.get(number=1)
    event = factories.EventFactory(case=case, date=D(2024, 1, 28))
    factories.EvidenceFactory(measure=measure, citation__case=case, citation__event=event, stance="setback")
    row = case_state(case, as_of=D(2024, 1, 31)).rows[0]
    assert row.contested and [p.code for p in row.contested_parties] == ["IRN", "PAK"]


def test_no_confidence_for_a_measure_not_yet_assessed(pakistan_iran, reader_client):
    state = case_state(pakistan_iran, as_of=D(2024, 1, 29))
    unassessed = [row for row in state.rows if row.joint_level == Level.NOT_ASSESSED]
    assert unassessed and all(row.confidence is None for row in unassessed)


def test_latest_evidence_is_the_newest_dated_citation_marked_approximate(pakistan_iran, reader_client):
    state = case_state(pakistan_iran, as_of=D(2024, 1, 17))
    row = next(row for row in state.rows if row.measure.number == 1)
    assert row.latest_evidence == EvidenceDate(D(2024, 1, 17), "approx")
    assert str(row.latest_evidence) == "c. 17 Jan 2024"
    response = reader_client.get(reverse("measures:measure_detail", args=[pakistan_iran.slug, 1]) + "?as_of=2024-01-17")
    assert "c. 17 Jan 2024" in response.content.decode()


# Movement per party -------------------------------------------------------------------------------


def test_a_party_moving_shows_in_direction_and_moved_although_the_joint_level_stays(case):
    measure = case.measures.get(number=1)
    pak = case.assessed_parties.get(code="PAK")
    factories.AssessmentFactory(
        measure=measure, party=pak, level=Level.FULL, effective_date=D(2024, 1, 28), citations=[]
    )
    row = case_state(case, as_of=D(2024, 1, 31), since=D(2024, 1, 27)).rows[0]
    assert row.direction == Direction.SAME
    assert row.moved and [(c.party.code, c.direction) for c in row.moved_cells] == [("PAK", "up")]


def test_newly_assessed_at_reversed_is_a_worsening(case):
    measure = factories.MeasureFactory(case=case, number=9)
    for party in case.assessed_parties.all():
        factories.AssessmentFactory(measure=measure, party=party, level=Level.REVERSED, effective_date=D(2024, 1, 20))
    state = case_state(case, as_of=D(2024, 1, 31), since=D(2024, 1, 18))
    row = next(row for row in state.rows if row.measure.number == 9)
    assert row.direction == Direction.DOWN and row.direction_label == "Worsened"


# Corrections and history --------------------------------------------------------------------------


def test_a_correction_replaces_what_it_corrects_in_what_changed_without_x_to_x(case):
    measure = case.measures.get(number=1)
    pak = case.assessed_parties.get(code="PAK")
    wrong = factories.AssessmentFactory(measure=measure, party=pak, level=Level.FULL, effective_date=D(2024, 1, 27))
    fixed = factories.AssessmentFactory(
        measure=measure, party=pak, level=Level.FULL, effective_date=D(2024, 1, 27), corrects=wrong
    )
    # A "not yet assessed" record in the period changes nothing either.
    irn = case.assessed_parties.get(code="IRN")
    factories.AssessmentFactory(measure=measure, party=irn, level=Level.MINIMAL, effective_date=D(2024, 1, 28))
    changes = case_state(case, as_of=D(2024, 1, 31), since=D(2024, 1, 26)).changes
    assert [(c.party.code, c.old_level, c.new_level, c.is_correction) for c in changes] == [
        ("PAK", Level.INTERMEDIATE, Level.FULL, True)
    ]
    assert changes[0].assessment == fixed
    history = assessment_history(case, measure=measure)
    assert next(c for c in history if c.assessment == wrong).superseded_by == fixed


def test_a_correction_dated_earlier_than_what_it_corrects_still_withdraws_it(case):
    measure = case.measures.get(number=1)
    pak = case.assessed_parties.get(code="PAK")
    wrong = factories.AssessmentFactory(measure=measure, party=pak, level=Level.FULL, effective_date=D(2024, 1, 28))
    factories.AssessmentFactory(
        measure=measure, party=pak, level=Level.MINIMAL, effective_date=D(2024, 1, 27), corrects=wrong
    )
    assert case_state(case, as_of=D(2024, 1, 31)).rows[0].cell_for(pak).level == Level.MINIMAL


def test_an_export_flags_a_level_in_force_that_is_a_correction(reader_client, case):
    measure = case.measures.get(number=1)
    pak = case.assessed_parties.get(code="PAK")
    wrong = factories.AssessmentFactory(measure=measure, party=pak, level=Level.FULL, effective_date=D(2024, 1, 27))
    factories.AssessmentFactory(
        measure=measure, party=pak, level=Level.MINIMAL, effective_date=D(2024, 1, 27), corrects=wrong
    )
    content = reader_client.get(dashboard_url(case, as_of="2024-01-31", _export="csv")).content.decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(content))}
    assert rows["1"][-1] == "PAK: correction"
    assert "correction" not in rows["2"][-1]


def test_history_groups_parties_recorded_together_and_numbers_entries(case):
    history = assessment_history(case, measure=case.measures.get(number=1))
    entries = history_entries(history)
    assert [(e.number, e.party_names) for e in entries] == [(1, "Pakistan and Iran"), (2, "Pakistan"), (3, "Iran")]


# As known on --------------------------------------------------------------------------------------


def test_known_on_is_offered_on_reading_pages_and_hides_what_was_recorded_later(reader_client, case):
    measure = case.measures.get(number=1)
    late = factories.AssessmentFactory(
        measure=measure,
        party=case.assessed_parties.get(code="PAK"),
        level=Level.FULL,
        effective_date=D(2024, 1, 28),
        recorded_at=datetime.datetime(2024, 2, 10, tzinfo=datetime.UTC),
    )
    for name, args in [
        ("measures:dashboard", [case.slug]),
        ("measures:measure_detail", [case.slug, 1]),
        ("measures:event_list", [case.slug]),
        ("measures:source_list", [case.slug]),
    ]:
        content = reader_client.get(reverse(name, args=args) + "?as_of=2024-01-31").content.decode()
        assert 'name="known_on"' in content, name
    response = reader_client.get(dashboard_url(case, as_of="2024-01-31", known_on="2024-02-01"))
    row = response.context["state"].rows[0]
    assert row.cell_for(late.party).assessment != late
    assert "as known on 1 Feb 2024" in response.content.decode()
    report = reader_client.get(
        reverse("measures:report", args=[case.slug]) + "?as_of=2024-01-31&known_on=2024-02-01"
    ).content.decode()
    assert "As known on</dt><dd>1 Feb 2024" in report


def test_bad_known_on_is_a_message_not_an_error(reader_client, case):
    response = reader_client.get(dashboard_url(case, known_on="soon"))
    assert response.status_code == 200
    assert "“As known on” must be a date written YYYY-MM-DD" in response.content.decode()


# Progress -----------------------------------------------------------------------------------------


def test_progress_states_its_coverage_and_counts_reversals_apart():
    result = progress([Level.FULL, Level.REVERSED, Level.NOT_ASSESSED, Level.MINIMAL])
    assert result.coverage == "44% over 3 of 4 measures; 1 not yet assessed; 1 reversed"
    assert (result.reversed, result.total) == (1, 4)


# Parties a measure applies to ---------------------------------------------------------------------


def test_a_mediator_assessed_on_one_measure_leaves_the_others_and_progress_alone(db):
    case = build_case(1)
    usa = factories.PartyFactory(code="USA", name="United States")
    before = case_state(case, as_of=D(2024, 1, 31))
    case.assessed_parties.add(usa)
    for measure in case.measures.exclude(number=3):
        measure.applicable_parties.set(case.assessed_parties.exclude(pk=usa.pk))
    mediation = case.measures.get(number=3)
    mediator = services.record_assessment(
        measure=mediation,
        party=usa,
        level=Level.MINIMAL,
        rationale="The United States called both sides.",
        citations=[mediation.evidence.first().citation],
        recorded_by=factories.analyst(username="mediator-analyst"),
        effective_date=D(2024, 1, 24),
    )
    approve(mediator)
    after = case_state(case, as_of=D(2024, 1, 31))
    assert [row.joint_level for row in after.rows] == [row.joint_level for row in before.rows]
    assert after.progress.value == before.progress.value
    # A party the measure does not apply to cannot be assessed on it.
    with pytest.raises(services.ServiceError, match="applies to"):
        services.record_assessment(
            measure=case.measures.get(number=1),
            party=usa,
            level=Level.MINIMAL,
            rationale="No.",
            citations=[mediation.evidence.first().citation],
            recorded_by=factories.analyst(username="other-analyst"),
            effective_date=D(2024, 1, 24),
        )


def test_not_applicable_needs_a_rationale_but_no_citation(case):
    measure = case.measures.get(number=1)
    assessment = services.record_assessment(
        measure=measure,
        party=case.assessed_parties.get(code="PAK"),
        level=Level.NOT_APPLICABLE,
        rationale="Pakistan has no navy on that border.",
        citations=[],
        recorded_by=factories.analyst(username="na-analyst"),
        effective_date=D(2024, 1, 30),
    )
    assert assessment.level == Level.NOT_APPLICABLE
    with pytest.raises(services.ServiceError, match="rationale"):
        services.record_assessment(
            measure=measure,
            party=case.assessed_parties.get(code="IRN"),
            level=Level.NOT_APPLICABLE,
            rationale=" ",
            citations=[],
            recorded_by=factories.analyst(username="na-analyst-2"),
            effective_date=D(2024, 1, 30),
        )


@pytest.fixture
def case(db):
    return build_case(1)


# Language of the data -----------------------------------------------------------------------------


def test_no_page_report_or_export_speaks_of_seeds_or_file_codes(reader_client, pakistan_iran):
    slug = pakistan_iran.slug
    urls = [
        reverse("measures:dashboard", args=[slug]) + "?as_of=2024-01-29&since=2024-01-16",
        reverse("measures:event_list", args=[slug]),
        reverse("measures:source_list", args=[slug]),
        reverse("measures:report", args=[slug]) + "?as_of=2024-01-29&since=2024-01-16",
        reverse("measures:dashboard", args=[slug]) + "?as_of=2024-01-29&_export=csv",
    ]
    urls += [reverse("measures:measure_detail", args=[slug, n]) for n in range(1, 11)]
    urls += [reverse("measures:source_detail", args=[slug, s.pk]) for s in Source.objects.all()]
    for url in urls:
        content = reader_client.get(url).content.decode("utf-8-sig")
        assert "seed" not in content.lower(), url
        assert not re.search(r"\(00\d", content), url


def test_a_source_has_the_same_label_in_rationales_pages_footnotes_and_bibliography(reader_client, pakistan_iran):
    tdi = Source.objects.get(label="TDI")
    assert Assessment.objects.filter(rationale__contains="(TDI)").exists()
    page = reader_client.get(reverse("measures:source_detail", args=[pakistan_iran.slug, tdi.pk])).content.decode()
    assert "[<bdi>TDI</bdi>]" in page
    report = build_report(pakistan_iran, as_of=D(2024, 1, 29), since=D(2024, 1, 16))
    assert "TDI" in [entry.source.short_label for entry in report.bibliography]
    html = reader_client.get(
        reverse("measures:report", args=[pakistan_iran.slug]) + "?as_of=2024-01-29&since=2024-01-16"
    ).content.decode()
    assert html.count("[<bdi>TDI</bdi>]") >= 2  # footnotes and the bibliography
    assert "[S1]" not in html


def test_source_texts_are_clean_of_page_clutter(pakistan_iran):
    texts = " ".join(Source.objects.values_list("full_text", flat=True))
    for clutter in ("July 14, 2024", "Latest Posts", "technology journalist", "top of page", "Spread the love"):
        assert clutter not in texts


def test_known_on_20_january_shows_what_was_on_record_that_day(reader_client, pakistan_iran):
    state = case_state(pakistan_iran, as_of=D(2024, 1, 20), known_on=D(2024, 1, 20))
    recorded = [cell.assessment for row in state.rows for cell in row.cells if cell.assessment]
    assert recorded and all(a.recorded_at.date() <= D(2024, 1, 20) for a in recorded)
    later = case_state(pakistan_iran, as_of=D(2024, 1, 20))
    assert state.progress != later.progress or [r.joint_level for r in state.rows] != [
        r.joint_level for r in later.rows
    ]
    assert all(
        item.citation.source.label in ("Hocker", "Morning Sun Time") for row in state.rows for item in row.evidence
    )


# "Done when", as a reader meets it through the pages -----------------------------------------------


def test_done_when_the_report_from_16_january_lists_the_strike_of_16_january(reader_client, pakistan_iran):
    url = reverse("measures:report", args=[pakistan_iran.slug]) + "?as_of=2024-01-31&since=2024-01-16"
    response = reader_client.get(url)
    content = response.content.decode()
    chronology = content[content.index('id="chronology"') :]
    strike = pakistan_iran.events.get(date=D(2024, 1, 16), direction="escalatory")
    assert strike.title in chronology.replace("&#x27;", "'")
    assert "16–31 Jan 2024, both days included" in content
    assert response.context["report"].chronology[0].event == strike


def test_done_when_known_on_20_january_pages_show_only_what_was_on_record(reader_client, pakistan_iran):
    on_record = {"Hocker", "Morning Sun Time"}  # the sources recorded by 20 January (reading notes)
    later = set(Source.objects.exclude(label__in=on_record).values_list("label", flat=True))
    assert later == {"TDI", "Infostani", "Regional mediation op-ed"}
    dashboard = reader_client.get(dashboard_url(pakistan_iran, known_on="2024-01-20"))
    assert dashboard.context["period"].known_on == D(2024, 1, 20)
    state = dashboard.context["state"]
    recorded = [cell.assessment.recorded_at.date() for row in state.rows for cell in row.cells if cell.assessment]
    assert recorded and max(recorded) <= D(2024, 1, 20)
    assert state.progress == case_state(pakistan_iran, as_of=D(2024, 1, 29), known_on=D(2024, 1, 20)).progress
    detailed = case_state(pakistan_iran, as_of=D(2024, 1, 29), known_on=D(2024, 1, 20))
    assert {item.citation.source.label for row in detailed.rows for item in row.evidence} <= on_record
    report = reader_client.get(
        reverse("measures:report", args=[pakistan_iran.slug]) + "?as_of=2024-01-29&since=2024-01-16&known_on=2024-01-20"
    )
    bibliography = {entry.source.label for entry in report.context["report"].bibliography}
    assert bibliography and bibliography <= on_record
    assert "As known on</dt><dd>20 Jan 2024" in report.content.decode()
    sources = reader_client.get(
        reverse("measures:source_list", args=[pakistan_iran.slug]) + "?known_on=2024-01-20"
    ).content.decode()
    assert "Hocker" in sources and not any(f"[<bdi>{label}</bdi>]" in sources for label in later)


@pytest.mark.pdf
def test_done_when_no_event_page_xlsx_export_or_pdf_speaks_of_seeds_or_file_codes(reader_client, pakistan_iran):
    import io

    import openpyxl
    from pypdf import PdfReader

    slug = pakistan_iran.slug
    texts = {}
    for event in pakistan_iran.events.all():
        url = reverse("measures:event_detail", args=[slug, event.pk])
        texts[url] = reader_client.get(url).content.decode()
    texts["/"] = reader_client.get("/", follow=True).content.decode()
    xlsx = reader_client.get(dashboard_url(pakistan_iran, as_of="2024-01-29", _export="xlsx")).content
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    texts["xlsx"] = " ".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
    pdf = render_report_pdf(build_report(pakistan_iran, as_of=D(2024, 1, 29), since=D(2024, 1, 16)))
    texts["pdf"] = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for where, text in texts.items():
        assert "seed" not in text.lower(), where
        assert not re.search(r"\(00\d", text), where


def test_what_changed_on_the_dashboard_names_parties_recorded_together_once(reader_client, pakistan_iran):
    response = reader_client.get(dashboard_url(pakistan_iran, as_of="2024-01-29", since="2024-01-23"))
    entries = [entry for entry, _ in response.context["changes"]]
    # Measure 10's rationales differ per party (reading notes); every other pair was recorded together.
    assert [(e.first.measure.number, e.party_names) for e in entries] == [
        (10, "Pakistan"),
        (10, "Iran"),
        *[(number, "Iran and Pakistan") for number in (9, 5, 4, 2, 1)],
        # Measure 11: each ambassador due back on his own day (27 January Iran's, 26 January Pakistan's).
        (11, "Iran"),
        (11, "Pakistan"),
    ]
    content = response.content.decode()
    rationale = entries[2].assessment.rationale
    assert content.count(rationale.replace("'", "&#x27;").replace('"', "&quot;")) == 1
