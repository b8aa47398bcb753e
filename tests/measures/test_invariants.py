"""The invariants of docs/invariants.md, each tried on every path that can write it: the admin's forms
(including inline formsets sent empty by a crafted POST), bulk actions, the services, the importer and
raw SQL (the database triggers of migration 0010)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.importing import CaseFileError, import_case
from measures.models import Assessment, Citation, Event, Measure, Source
from tests import factories
from tests.helpers import change_form_data, change_url, management, small_case


def raw(sql, *params):
    """Run one statement as a maintenance script would, in its own savepoint."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def relied_on(db):
    """A case whose measure, citation and event are relied on: an assessment cites the citation, which
    evidences the measure and reports the event. And a second case to move them to."""
    case = factories.CaseFactory()
    event = factories.EventFactory(case=case)
    citation = factories.CitationFactory(case=case, event=event)
    measure = factories.MeasureFactory(case=case)
    factories.EvidenceFactory(measure=measure, citation=citation)
    assessment = factories.AssessmentFactory(measure=measure, citations=[citation])
    other = factories.CaseFactory()
    return {
        "case": case,
        "event": event,
        "citation": citation,
        "measure": measure,
        "assessment": assessment,
        "other": other,
    }


def _post_change(client, obj, **changes):
    page = client.get(change_url(obj))
    return client.post(change_url(obj), change_form_data(page, **changes))


def _errors(response):
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# 1. A measure, citation or event keeps its case once anything relies on it.


def test_admin_refuses_to_move_a_measure_with_assessments(analyst_client, relied_on):
    measure = relied_on["measure"]
    response = _post_change(analyst_client, measure, case=relied_on["other"].pk)
    assert response.status_code == 200
    assert "cannot move to another case" in _errors(response)
    assert "1 assessment and 1 evidence link" in _errors(response)
    measure.refresh_from_db()
    assert measure.case == relied_on["case"]


def test_a_measure_nothing_relies_on_can_move(analyst_client, relied_on):
    measure = factories.MeasureFactory(case=relied_on["case"])
    response = _post_change(analyst_client, measure, case=relied_on["other"].pk)
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.case == relied_on["other"]


def test_admin_refuses_to_move_a_citation_even_with_its_inline_sent_empty(analyst_client, relied_on):
    citation = relied_on["citation"]
    page = analyst_client.get(change_url(citation))
    data = change_form_data(page, case=relied_on["other"].pk, event="")
    # A crafted POST: the evidence inline says it has no rows at all.
    data = {key: value for key, value in data.items() if not key.startswith("evidence-")}
    data.update(management("evidence", total=0, initial=0))
    response = analyst_client.post(change_url(citation), data)
    assert response.status_code == 200
    assert "cannot move to another case" in _errors(response)
    citation.refresh_from_db()
    assert citation.case == relied_on["case"]


def test_a_citation_cited_only_by_an_assessment_keeps_its_case(relied_on):
    citation = factories.CitationFactory(case=relied_on["case"])
    factories.AssessmentFactory(measure=relied_on["measure"], citations=[citation])
    citation.case = relied_on["other"]
    with pytest.raises(ValidationError, match="1 assessment citing it"):
        citation.full_clean()


def test_admin_refuses_to_move_an_event_even_with_its_inline_sent_empty(analyst_client, relied_on):
    event = relied_on["event"]
    page = analyst_client.get(change_url(event))
    data = change_form_data(page, case=relied_on["other"].pk)
    data = {key: value for key, value in data.items() if not key.startswith("citations-")}
    data.update(management("citations", total=0, initial=0))
    response = analyst_client.post(change_url(event), data)
    assert response.status_code == 200
    assert "1 citation reporting it" in _errors(response)
    event.refresh_from_db()
    assert event.case == relied_on["case"]


@pytest.mark.parametrize("table", ["measure", "citation", "event"])
def test_the_database_refuses_to_move_what_is_relied_on(relied_on, table):
    obj = relied_on[table]
    with pytest.raises(IntegrityError, match="cannot move to another case"):
        also = ", event_id = NULL" if table == "citation" else ""  # its event would stop it otherwise
        raw(f"UPDATE measures_{table} SET case_id = %s{also} WHERE id = %s", relied_on["other"].pk, obj.pk)
    assert type(obj).objects.get(pk=obj.pk).case_id == relied_on["case"].pk


def test_the_database_lets_an_unused_measure_move(relied_on):
    measure = factories.MeasureFactory(case=relied_on["case"])
    raw("UPDATE measures_measure SET case_id = %s WHERE id = %s", relied_on["other"].pk, measure.pk)
    assert Measure.objects.get(pk=measure.pk).case == relied_on["other"]


# 2. Links stay within one case: evidence, a citation's event, an assessment's citations.


def test_the_database_refuses_evidence_across_cases(relied_on):
    foreign = factories.MeasureFactory(case=relied_on["other"])
    citation = relied_on["citation"]
    with pytest.raises(IntegrityError, match="same case"):
        raw(
            "INSERT INTO measures_evidence (citation_id, measure_id, stance, note, version) "
            "VALUES (%s, %s, 'progress', '', 1)",
            citation.pk,
            foreign.pk,
        )
    evidence = citation.evidence.get()
    with pytest.raises(IntegrityError, match="same case"):
        raw("UPDATE measures_evidence SET measure_id = %s WHERE id = %s", foreign.pk, evidence.pk)


def test_admin_refuses_evidence_moved_to_a_measure_of_another_case(analyst_client, relied_on):
    evidence = relied_on["citation"].evidence.get()
    foreign = factories.MeasureFactory(case=relied_on["other"])
    response = _post_change(analyst_client, evidence, measure=foreign.pk)
    assert response.status_code == 200
    assert "another case" in _errors(response)
    evidence.refresh_from_db()
    assert evidence.measure == relied_on["measure"]


def test_the_database_refuses_a_citation_of_an_event_of_another_case(relied_on):
    foreign_event = factories.EventFactory(case=relied_on["other"])
    citation = factories.CitationFactory(case=relied_on["case"])
    with pytest.raises(IntegrityError, match="event must belong"):
        raw("UPDATE measures_citation SET event_id = %s WHERE id = %s", foreign_event.pk, citation.pk)
    with pytest.raises(IntegrityError, match="event must belong"):
        raw(
            "INSERT INTO measures_citation (case_id, source_id, quote, locator, event_id, version) "
            "VALUES (%s, %s, 'agreed to de-escalate', '', %s, 1)",
            relied_on["case"].pk,
            citation.source_id,
            foreign_event.pk,
        )


def test_the_database_refuses_an_assessment_citing_another_case(relied_on):
    foreign = factories.CitationFactory(case=relied_on["other"])
    with pytest.raises(IntegrityError, match="only citations of its measure's case"):
        raw(
            "INSERT INTO measures_assessmentcitation (assessment_id, citation_id) VALUES (%s, %s)",
            relied_on["assessment"].pk,
            foreign.pk,
        )


def test_the_database_keeps_a_party_with_assessments_assessed(relied_on):
    case, party = relied_on["case"], relied_on["assessment"].party
    other_party = factories.PartyFactory()
    with pytest.raises(IntegrityError, match="must stay one of its assessed parties"):
        raw(
            "UPDATE measures_case_assessed_parties SET party_id = %s WHERE case_id = %s AND party_id = %s",
            other_party.pk,
            case.pk,
            party.pk,
        )
    assert party in case.assessed_parties.all()


def test_admin_keeps_a_party_with_assessments_assessed(analyst_client, admin_user, client, relied_on):
    case, party = relied_on["case"], relied_on["assessment"].party
    client.force_login(admin_user)
    remaining = [p.pk for p in case.assessed_parties.exclude(pk=party.pk)] + [factories.PartyFactory().pk]
    response = _post_change(client, case, assessed_parties=remaining)
    assert response.status_code == 200
    assert "already has assessments in this case" in _errors(response)
    assert party in case.assessed_parties.all()


# 3. A source's text keeps every passage its citations quote: it is locked once quoted.

OLD_TEXT = factories.SourceFactory.full_text
NEW_TEXT = "The foreign ministers spoke by telephone. Border forces increased patrols."


def test_admin_refuses_a_source_text_without_a_cited_passage(analyst_client, relied_on):
    source = relied_on["citation"].source
    response = _post_change(analyst_client, source, full_text=NEW_TEXT)
    # A quoted text is read-only in the admin (Source.text_lock_reason): the new text is not taken.
    assert response.status_code in (200, 302)
    source.refresh_from_db()
    assert source.full_text == OLD_TEXT


def test_admin_refuses_it_with_the_citation_rows_left_out_of_the_post(analyst_client, relied_on):
    source = relied_on["citation"].source
    page = analyst_client.get(change_url(source))
    data = change_form_data(page, full_text=NEW_TEXT)
    data = {key: value for key, value in data.items() if not key.startswith("citations-")}
    data.update(management("citations", total=0, initial=0))
    response = analyst_client.post(change_url(source), data)
    assert response.status_code in (200, 302)
    assert Source.objects.get(pk=source.pk).full_text == OLD_TEXT


def test_a_citation_added_after_the_source_was_opened_stops_the_save(analyst_client, client, relied_on):
    """Analyst A opens a source; B adds a citation to it; A saves a text without B's passage."""
    source = factories.SourceFactory()
    page = analyst_client.get(change_url(source))
    services.create_citation(case=relied_on["case"], source=source, quote="Ambassadors will return")
    text_without_it = "The foreign ministers spoke by telephone and agreed to de-escalate."
    response = analyst_client.post(change_url(source), change_form_data(page, full_text=text_without_it))
    assert response.status_code in (200, 302)
    assert Source.objects.get(pk=source.pk).full_text == OLD_TEXT


def test_a_quoted_text_is_locked_even_when_the_new_text_keeps_every_passage(relied_on):
    source = relied_on["citation"].source
    source.full_text = "Preamble. " + OLD_TEXT
    with pytest.raises(ValidationError, match="can no longer change: 1 citation quote it"):
        source.full_clean()


def test_the_model_check_refuses_a_quoted_text_and_takes_an_unquoted_one(relied_on):
    source = relied_on["citation"].source
    source.full_text = NEW_TEXT
    with pytest.raises(ValidationError, match="can no longer change"):
        source.full_clean()
    unquoted = factories.SourceFactory()
    unquoted.full_text = NEW_TEXT
    unquoted.full_clean()


# 4. Adding, removing or moving a citation bumps its source's version.


def _version(source):
    return Source.objects.get(pk=source.pk).version


def test_the_service_bumps_the_source_version(relied_on):
    source = factories.SourceFactory()
    before = _version(source)
    citation = services.create_citation(case=relied_on["case"], source=source, quote="Ambassadors will return")
    assert _version(source) == before + 1
    assert citation.source.version == before + 1  # the object given follows the stored row


def test_an_inline_citation_bumps_the_source_version(analyst_client, relied_on):
    source = relied_on["citation"].source
    before = _version(source)
    page = analyst_client.get(change_url(source))
    data = change_form_data(page)
    data.update(
        {
            "citations-TOTAL_FORMS": "2",
            "citations-1-case": relied_on["case"].pk,
            "citations-1-quote": "Border forces increased patrols",
        }
    )
    response = analyst_client.post(change_url(source), data)
    assert response.status_code == 302
    assert _version(source) == before + 1


def test_bulk_delete_of_a_citation_bumps_the_source_version(analyst_client, admin_user, client, relied_on):
    citation = factories.CitationFactory(case=relied_on["case"], source=relied_on["citation"].source)
    before = _version(citation.source)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:measures_citation_changelist"),
        {"action": "delete_selected", "_selected_action": [citation.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Citation.objects.filter(pk=citation.pk).exists()
    assert _version(citation.source) == before + 1


def test_raw_sql_on_citations_bumps_the_source_version(relied_on):
    citation = relied_on["citation"]
    other_source = factories.SourceFactory()
    before, other_before = _version(citation.source), _version(other_source)
    raw("UPDATE measures_citation SET source_id = %s WHERE id = %s", other_source.pk, citation.pk)
    assert (_version(citation.source), _version(other_source)) == (before + 1, other_before + 1)
    raw("UPDATE measures_citation SET locator = 'para. 9' WHERE id = %s", citation.pk)
    assert _version(other_source) == other_before + 1


# 5. An assessment's recording time is not in the future.


def test_the_service_refuses_a_recording_time_in_the_future(relied_on, analyst_user):
    measure, citation = relied_on["measure"], relied_on["citation"]
    with pytest.raises(services.ServiceError, match="recording time .* is in the future"):
        services.record_assessment(
            measure=measure,
            party=relied_on["assessment"].party,
            level=Assessment.Level.FULL,
            rationale="Done.",
            citations=[citation],
            recorded_by=analyst_user,
            effective_date=datetime.date(2024, 1, 21),
            recorded_at=timezone.now() + datetime.timedelta(days=1),
        )


def test_the_importer_refuses_a_recording_time_in_2999(db):
    data = small_case()
    data["assessments"][0]["recorded_at"] = "2999-01-01T00:00:00+00:00"
    with pytest.raises(CaseFileError, match=r"assessments\[0\].recorded_at: The recording time 01 January 2999"):
        import_case(data)
    assert not Assessment.objects.exists()


def test_the_database_refuses_a_recording_time_in_the_future(relied_on):
    assessment = relied_on["assessment"]
    with pytest.raises(IntegrityError, match="recorded in the future"):
        raw(
            "INSERT INTO measures_assessment (measure_id, party_id, level, confidence, effective_date, recorded_at,"
            " recorded_by_id, rationale, corrects_id) VALUES (%s, %s, 'full', 'high', %s, %s, %s, 'x', NULL)",
            assessment.measure_id,
            assessment.party_id,
            "2024-01-21",
            (timezone.now() + datetime.timedelta(days=365)).strftime("%Y-%m-%d %H:%M:%S"),
            assessment.recorded_by_id,
        )
    assert Assessment.objects.count() == 1


def test_an_event_nothing_reports_can_move(relied_on):
    event = factories.EventFactory(case=relied_on["case"])
    event.case = relied_on["other"]
    event.full_clean()
    event.save()
    assert Event.objects.get(pk=event.pk).case == relied_on["other"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's strftime('now') is the statement's time")
def test_the_future_is_told_by_the_clock_not_by_the_transactions_start(db):
    # now() is the time the transaction began: an assessment recorded at the end of a transaction longer
    # than a minute (a large staged load) was refused as recorded in the future.
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'measures_assessment_recorded_past'")
        (source,) = cursor.fetchone()
    assert "clock_timestamp()" in source and "now()" not in source
