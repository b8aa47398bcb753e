"""A passage cited by an assessment is evidence of its measure: the evidence list and the latest
evidence date always include what a judgement rests on (services, admin form, loader, migration)."""

import datetime
import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from measures import services
from measures.importing import CaseFileError, import_case
from measures.models import Assessment, AssessmentCitation, Evidence
from tests import factories
from tests.helpers import small_case

Level = Assessment.Level
D = datetime.date


@pytest.fixture
def measure(db):
    return factories.MeasureFactory(case__start_date=D(2024, 1, 16))


@pytest.fixture
def parties(measure):
    return list(measure.case.assessed_parties.order_by("pk"))


@pytest.fixture
def user(db):
    return factories.analyst()


def record(measure, party, user, citations, **overrides):
    arguments = {
        "measure": measure,
        "party": party,
        "level": Level.MINIMAL,
        "rationale": "Talks were held.",
        "citations": citations,
        "recorded_by": user,
        "effective_date": D(2024, 1, 20),
    }
    return services.record_assessment(**{**arguments, **overrides})


def test_a_cited_passage_becomes_evidence_with_the_stance_chosen(measure, parties, user):
    citation = factories.CitationFactory(case=measure.case)

    record(measure, parties[0], user, [citation], evidence_stance="setback")

    evidence = Evidence.objects.get(citation=citation, measure=measure)
    assert evidence.stance == "setback"
    assert evidence.note == f"Cited by an assessment of {parties[0].code}."
    created = evidence.history.get()
    assert (created.history_type, created.history_change_reason) == (
        "+",
        f"Attached by an assessment of {parties[0].code}",
    )


def test_a_passage_already_evidence_keeps_its_stance(measure, parties, user):
    citation = factories.CitationFactory(case=measure.case)
    factories.EvidenceFactory(citation=citation, measure=measure, stance="progress", note="Read first.")

    record(measure, parties[0], user, [citation], evidence_stance="setback")

    evidence = Evidence.objects.get(citation=citation, measure=measure)
    assert (evidence.stance, evidence.note, evidence.version) == ("progress", "Read first.", 1)


def test_without_a_stance_a_new_passage_is_refused_and_nothing_saved(measure, parties, user):
    attached = factories.CitationFactory(case=measure.case)
    factories.EvidenceFactory(citation=attached, measure=measure)
    new = factories.CitationFactory(case=measure.case, quote="Ambassadors will return to their posts")

    with pytest.raises(services.ServiceError) as raised:
        record(measure, parties[0], user, [attached, new])

    message = " ".join(raised.value.message_dict["evidence_stance"])
    assert f"Say what the cited passages show about measure {measure.number}" in message
    assert "Ambassadors will return" in message and "agreed to de-escalate" not in message
    assert not Assessment.objects.exists()
    assert Evidence.objects.count() == 1


def test_an_unknown_stance_is_refused(measure, parties, user):
    citation = factories.CitationFactory(case=measure.case)
    with pytest.raises(services.ServiceError):
        record(measure, parties[0], user, [citation], evidence_stance="maybe")
    assert not Evidence.objects.exists() and not Assessment.objects.exists()


def test_the_measure_page_lists_the_cited_passage_and_its_date(client, measure, parties, user):
    event = factories.EventFactory(case=measure.case, date=D(2024, 1, 23))
    citation = factories.CitationFactory(case=measure.case, event=event, quote="Ambassadors will return to their posts")
    record(measure, parties[0], user, [citation], evidence_stance="progress", effective_date=D(2024, 1, 23))
    client.force_login(factories.reader())

    response = client.get(reverse("measures:measure_detail", args=[measure.case.slug, measure.number]))

    assert response.context["status"].latest_evidence_date == D(2024, 1, 23)
    groups = dict(
        (stance, [item.citation for item, _ in items]) for stance, items in response.context["evidence_groups"]
    )
    assert groups["progress"] == [citation]


def test_the_effective_date_defaults_to_the_newest_cited_passage(measure, parties, user):
    older = factories.CitationFactory(case=measure.case, source__published_on=D(2024, 1, 18))
    event = factories.EventFactory(case=measure.case, date=D(2024, 1, 22))
    newer = factories.CitationFactory(case=measure.case, source__published_on=D(2024, 1, 25), event=event)
    undated = factories.CitationFactory(case=measure.case, source__published_on=None)

    assessment = record(
        measure, parties[0], user, [older, newer, undated], effective_date=None, evidence_stance="progress"
    )

    # The event a passage reports dates it, before its source's publication.
    assert assessment.effective_date == D(2024, 1, 22)


def test_without_a_dated_passage_the_effective_date_must_be_given(measure, parties, user):
    undated = factories.CitationFactory(case=measure.case, source__published_on=None)
    with pytest.raises(services.ServiceError) as raised:
        record(measure, parties[0], user, [undated], effective_date=None, evidence_stance="progress")
    assert "Give the date" in " ".join(raised.value.message_dict["effective_date"])


def test_one_judgement_for_two_parties_is_recorded_for_both_or_neither(measure, parties, user):
    citation = factories.CitationFactory(case=measure.case)
    pak, irn = parties
    shared = {
        "rationale": "Both recalled their ambassadors.",
        "citations": [citation],
        "recorded_by": user,
        "effective_date": D(2024, 1, 20),
        "evidence_stance": "setback",
    }
    earlier = factories.AssessmentFactory(measure=measure, party=irn)

    with pytest.raises(services.ServiceError) as raised:
        services.record_assessments(
            measure=measure,
            entries=[
                {"party": pak, "level": Level.REVERSED},
                {"party": irn, "level": Level.REVERSED, "confidence": "certain"},
            ],
            **shared,
        )
    assert raised.value.message_dict["confidence"] == [f"{irn}: “certain” is not a confidence (low, medium or high)."]
    assert list(Assessment.objects.all()) == [earlier]
    assert not Evidence.objects.exists()

    recorded = services.record_assessments(
        measure=measure,
        entries=[
            {"party": pak, "level": Level.REVERSED, "confidence": "high"},
            {"party": irn, "level": Level.MINIMAL, "confidence": "low", "corrects": earlier},
        ],
        **shared,
    )
    assert [(a.party, a.level, a.confidence, a.corrects) for a in recorded] == [
        (pak, Level.REVERSED, "high", None),
        (irn, Level.MINIMAL, "low", earlier),
    ]
    assert Evidence.objects.get().stance == "setback"


def test_record_assessments_needs_at_least_one_party(measure, user):
    with pytest.raises(services.ServiceError):
        services.record_assessments(measure=measure, entries=[], rationale="x", citations=[], recorded_by=user)


# The admin form: the analyst's day in one path.


def test_analyst_records_one_judgement_for_both_parties_with_the_passage_as_evidence(client, measure, parties):
    analyst = factories.analyst(username="ana")
    client.force_login(analyst)
    citation = factories.CitationFactory(case=measure.case)
    pak, irn = parties
    data = {
        f"level_{pak.pk}": Level.INTERMEDIATE,
        f"confidence_{pak.pk}": "high",
        f"level_{irn.pk}": Level.MINIMAL,
        f"confidence_{irn.pk}": "low",
        "effective_date": "",
        "rationale": "Both foreign ministers agreed to de-escalate.",
        "citations": [citation.pk],
        "evidence_stance": "progress",
        "seen": 0,
    }

    response = client.post(reverse("admin:measures_measure_assess", args=[measure.pk]), data)

    assert response.status_code == 302
    recorded = {a.party: a for a in Assessment.objects.all()}
    assert (recorded[pak].level, recorded[pak].confidence) == (Level.INTERMEDIATE, "high")
    assert (recorded[irn].level, recorded[irn].confidence) == (Level.MINIMAL, "low")
    # Left empty, the date is the cited passage's (its source's publication date).
    assert {a.effective_date for a in recorded.values()} == {citation.source.published_on}
    assert Evidence.objects.get(citation=citation, measure=measure).stance == "progress"

    # Once a second person approved them, the levels count on the dashboard.
    services.approve_batch(assessments=recorded.values(), reviewer=factories.reviewer(username="rev"))
    dashboard = client.get(reverse("measures:dashboard", args=[measure.case.slug]) + "?as_of=2024-01-31")
    row = dashboard.context["state"].rows[0]
    assert [cell.level for cell in row.cells] == [Level.INTERMEDIATE, Level.MINIMAL]
    assert row.latest_evidence_date == citation.source.published_on


def test_one_bad_party_row_saves_nothing_and_names_the_party(client, measure, parties):
    client.force_login(factories.analyst())
    citation = factories.CitationFactory(case=measure.case)
    pak, irn = parties
    other = factories.AssessmentFactory(measure=measure, party=pak)
    before = list(Assessment.objects.values_list("pk", flat=True))
    data = {
        f"level_{pak.pk}": Level.FULL,
        f"level_{irn.pk}": Level.FULL,
        f"corrects_{irn.pk}": other.pk,  # Pakistan's, offered only in Pakistan's row
        "rationale": "Done.",
        "citations": [citation.pk],
        "evidence_stance": "progress",
        "seen": other.pk,
    }

    response = client.post(reverse("admin:measures_measure_assess", args=[measure.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors[f"corrects_{irn.pk}"] == [
        f"Choose an earlier assessment of {irn} on this measure."
    ]
    assert list(Assessment.objects.values_list("pk", flat=True)) == before
    assert not Evidence.objects.exists()


def test_corrects_offers_only_that_partys_assessments_of_the_measure(client, measure, parties):
    client.force_login(factories.analyst())
    pak, irn = parties
    paks = factories.AssessmentFactory(measure=measure, party=pak)
    irns = factories.AssessmentFactory(measure=measure, party=irn)
    elsewhere = factories.AssessmentFactory(measure=factories.MeasureFactory(case=measure.case), party=pak)

    form = client.get(reverse("admin:measures_measure_assess", args=[measure.pk])).context["form"]

    def offered(party):
        return [value for value, _ in form.fields[f"corrects_{party.pk}"].choices if value]

    assert offered(pak) == [paks.pk]
    assert offered(irn) == [irns.pk]
    assert elsewhere.pk not in offered(pak)


# A stance for each newly cited passage.


def test_each_new_passage_takes_its_own_stance_else_the_one_for_all(measure, parties, user):
    talks = factories.CitationFactory(case=measure.case, quote="Foreign ministers spoke by phone")
    strike = factories.CitationFactory(case=measure.case, quote="Missiles struck a village")
    statement = factories.CitationFactory(case=measure.case, quote="The ministry issued a statement")
    known = factories.CitationFactory(case=measure.case, quote="Ambassadors will return to their posts")
    factories.EvidenceFactory(citation=known, measure=measure, stance="progress", note="Read first.")

    record(
        measure,
        parties[0],
        user,
        [talks, strike, statement, known],
        evidence_stance="context",
        evidence_stances={talks.pk: "progress", strike.pk: "setback", known.pk: "setback"},
    )

    stances = dict(Evidence.objects.filter(measure=measure).values_list("citation", "stance"))
    assert stances == {talks.pk: "progress", strike.pk: "setback", statement.pk: "context", known.pk: "progress"}
    assert Evidence.objects.get(citation=known).version == 1  # never overwritten


def test_per_passage_stances_need_no_stance_for_all(measure, parties, user):
    talks = factories.CitationFactory(case=measure.case)
    strike = factories.CitationFactory(case=measure.case)

    record(measure, parties[0], user, [talks, strike], evidence_stances={talks.pk: "progress", strike.pk: "setback"})

    assert dict(Evidence.objects.values_list("citation", "stance")) == {talks.pk: "progress", strike.pk: "setback"}


def test_a_new_passage_without_any_stance_is_named_and_nothing_saved(measure, parties, user):
    talks = factories.CitationFactory(case=measure.case, quote="Foreign ministers spoke by phone")
    strike = factories.CitationFactory(case=measure.case, quote="Missiles struck a village")

    with pytest.raises(services.ServiceError) as raised:
        record(measure, parties[0], user, [talks, strike], evidence_stances={talks.pk: "progress"})

    message = " ".join(raised.value.message_dict["evidence_stance"])
    assert "Missiles struck" in message and "Foreign ministers" not in message
    assert not Assessment.objects.exists() and not Evidence.objects.exists()


def test_an_unknown_per_passage_stance_is_refused(measure, parties, user):
    talks = factories.CitationFactory(case=measure.case)
    with pytest.raises(services.ServiceError) as raised:
        record(measure, parties[0], user, [talks], evidence_stance="progress", evidence_stances={talks.pk: "maybe"})
    assert raised.value.message_dict["evidence_stance"] == ["“maybe” is not a stance (progress, setback or context)."]
    assert not Assessment.objects.exists() and not Evidence.objects.exists()


def assess_data(parties, citations, **overrides):
    pak, irn = parties
    return {
        f"level_{pak.pk}": Level.INTERMEDIATE,
        f"confidence_{pak.pk}": "high",
        f"level_{irn.pk}": Level.MINIMAL,
        f"confidence_{irn.pk}": "low",
        "effective_date": "2024-01-20",
        "rationale": "Talks, then a strike.",
        "citations": [c.pk for c in citations],
        "evidence_stance": "",
        "seen": 0,
        **overrides,
    }


def test_choose_a_stance_for_each_passage_shows_a_row_per_new_passage_and_saves_nothing(client, measure, parties):
    client.force_login(factories.analyst())
    talks = factories.CitationFactory(case=measure.case, quote="Foreign ministers spoke by phone")
    known = factories.CitationFactory(case=measure.case, quote="Ambassadors will return to their posts")
    factories.EvidenceFactory(citation=known, measure=measure, stance="progress")
    elsewhere = factories.CitationFactory(quote="A passage of another case")
    data = assess_data(parties, [talks, known], _stances="1")
    data["citations"] += [elsewhere.pk, "x"]

    response = client.post(reverse("admin:measures_measure_assess", args=[measure.pk]), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound and not form.errors  # nothing checked yet, nothing said
    assert [citation for citation, _ in form.passage_stance_rows()] == [talks]
    html = response.content.decode()
    assert "What each newly cited passage shows" in html
    assert f'name="stance_{talks.pk}"' in html and f'name="stance_{known.pk}"' not in html
    # What was typed and chosen comes back.
    assert "Talks, then a strike." in html
    assert f'<option value="{talks.pk}" selected>' in html and f'<option value="{known.pk}" selected>' in html
    assert "Nothing was saved" not in html
    assert not Assessment.objects.exists() and Evidence.objects.count() == 1


def test_analyst_gives_each_new_passage_its_own_stance_in_the_form(client, measure, parties):
    client.force_login(factories.analyst())
    talks = factories.CitationFactory(case=measure.case, quote="Foreign ministers spoke by phone")
    strike = factories.CitationFactory(case=measure.case, quote="Missiles struck a village")
    data = assess_data(parties, [talks, strike], **{f"stance_{talks.pk}": "progress", f"stance_{strike.pk}": "setback"})

    response = client.post(reverse("admin:measures_measure_assess", args=[measure.pk]), data)

    assert response.status_code == 302
    assert Assessment.objects.count() == 2
    assert dict(Evidence.objects.values_list("citation", "stance")) == {talks.pk: "progress", strike.pk: "setback"}


def test_a_new_passage_left_without_a_stance_is_marked_and_nothing_saved(client, measure, parties):
    client.force_login(factories.analyst())
    talks = factories.CitationFactory(case=measure.case)
    strike = factories.CitationFactory(case=measure.case)
    data = assess_data(parties, [talks, strike], **{f"stance_{talks.pk}": "progress"})

    response = client.post(reverse("admin:measures_measure_assess", args=[measure.pk]), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[f"stance_{strike.pk}"] == [
        "Choose what this passage shows (or one stance for all newly cited passages above)."
    ]
    assert f"stance_{talks.pk}" not in errors
    assert 'class="errors"' in response.content.decode()
    assert not Assessment.objects.exists() and not Evidence.objects.exists()


def test_a_forged_passage_stance_is_refused(client, measure, parties):
    client.force_login(factories.analyst())
    talks = factories.CitationFactory(case=measure.case)
    data = assess_data(parties, [talks], evidence_stance="progress", **{f"stance_{talks.pk}": "maybe"})

    response = client.post(reverse("admin:measures_measure_assess", args=[measure.pk]), data)

    assert response.context["form"].errors[f"stance_{talks.pk}"] == [
        "“maybe” is not a stance: choose progress, setback or context."
    ]
    assert not Assessment.objects.exists() and not Evidence.objects.exists()


def test_a_forged_citation_id_is_refused_with_a_message(client, measure, parties):
    client.force_login(factories.analyst())
    talks = factories.CitationFactory(case=measure.case)
    data = assess_data(parties, [talks], evidence_stance="progress")
    data["citations"] += ["x"]

    response = client.post(reverse("admin:measures_measure_assess", args=[measure.pk]), data)

    assert response.status_code == 200
    assert "citations" in response.context["form"].errors
    assert not Assessment.objects.exists() and not Evidence.objects.exists()


def test_find_offers_the_cases_citations_with_every_word_and_keeps_the_chosen(client, measure, parties):
    client.force_login(factories.analyst())
    chosen = factories.CitationFactory(case=measure.case, quote="Ambassadors will return to their posts")
    liaison = factories.CitationFactory(case=measure.case, quote="A liaison office will open at the border")
    factories.CitationFactory(case=measure.case, quote="A liaison officer was named")  # not "border"
    factories.CitationFactory(quote="A liaison office at the border of another case")
    data = assess_data(parties, [chosen], _find="1", citation_search="  liaison   BORDER ")

    response = client.post(reverse("admin:measures_measure_assess", args=[measure.pk]), data)

    form = response.context["form"]
    assert form.found == [liaison] and not form.errors
    html = response.content.decode()
    assert f'<option value="{chosen.pk}" selected>' in html
    assert f'<option value="{liaison.pk}">' in html
    assert "1 citation found for" in html and "select it in the list above" in html
    assert not Assessment.objects.exists()


def test_bulk_assessment_takes_a_stance_per_passage_for_each_measure_it_is_new_to(client, measure, parties):
    client.force_login(factories.analyst())
    second = factories.MeasureFactory(case=measure.case)
    talks = factories.CitationFactory(case=measure.case, quote="Foreign ministers spoke by phone")
    strike = factories.CitationFactory(case=measure.case, quote="Missiles struck a village")
    factories.EvidenceFactory(citation=strike, measure=measure, stance="context")
    data = {
        "action": "record_assessment",
        "_selected_action": [measure.pk, second.pk],
        "party": parties[1].pk,
        "level": Level.MINIMAL,
        "confidence": "medium",
        "effective_date": "2024-01-20",
        "citations": [talks.pk, strike.pk],
        "evidence_stance": "",
        "seen": 0,
        f"rationale_{measure.pk}": "One.",
        f"rationale_{second.pk}": "Two.",
    }
    url = reverse("admin:measures_measure_changelist")

    shown = client.post(url, {**data, "_stances": "1"})
    # strike is evidence of the first measure already, not of the second: it needs a stance too.
    assert [c for c, _ in shown.context["form"].passage_stance_rows()] == [talks, strike]
    assert not Assessment.objects.exists()

    response = client.post(
        url, {**data, "apply": "1", f"stance_{talks.pk}": "progress", f"stance_{strike.pk}": "setback"}
    )

    assert response.status_code == 302
    assert Assessment.objects.count() == 2
    assert set(Evidence.objects.values_list("measure", "citation", "stance")) == {
        (measure.pk, talks.pk, "progress"),
        (measure.pk, strike.pk, "context"),  # kept
        (second.pk, talks.pk, "progress"),
        (second.pk, strike.pk, "setback"),
    }


# The case file loader and the migration of existing data.


# The loader's rule holds whatever the size of the file: small_case() (one assessment citing one passage).
def test_loader_attaches_a_cited_passage_with_the_stance_of_the_file(db):
    case_data = small_case()
    item = case_data["assessments"][0]
    key = item["citations"][0]
    citation_item = next(c for c in case_data["citations"] if c["key"] == key)
    citation_item["evidence"] = [e for e in citation_item["evidence"] if e["measure"] != item["measure"]]
    item["evidence_stance"] = "setback"

    case = import_case(case_data).case

    evidence = Evidence.objects.get(
        measure__case=case, measure__number=item["measure"], citation__quote=citation_item["quote"]
    )
    assert evidence.stance == "setback"


def test_loader_refuses_a_cited_passage_without_a_stance(db):
    case_data = small_case()
    item = case_data["assessments"][0]
    citation_item = next(c for c in case_data["citations"] if c["key"] == item["citations"][0])
    citation_item["evidence"] = [e for e in citation_item["evidence"] if e["measure"] != item["measure"]]

    with pytest.raises(CaseFileError, match="Say what the cited passages show"):
        import_case(case_data)
    assert not Assessment.objects.exists()


def test_migration_makes_every_cited_passage_evidence_of_its_measure(measure, parties):
    attached = factories.CitationFactory(case=measure.case)
    factories.EvidenceFactory(citation=attached, measure=measure, stance="progress")
    loose = factories.CitationFactory(case=measure.case, quote="Border forces increased patrols")
    # Recorded as the old bulk action did: citing a passage that is not evidence of the measure.
    factories.AssessmentFactory(measure=measure, party=parties[0], citations=[attached, loose])
    factories.AssessmentFactory(measure=measure, party=parties[1], citations=[loose])
    assert AssessmentCitation.objects.count() == 3

    migration = importlib.import_module("measures.migrations.0005_cited_passages_are_evidence")
    # The models as the migration sees them (no simple-history signals on those).
    historical = MigrationLoader(connection).project_state(("measures", "0004_citation_passage_place")).apps
    migration.attach_cited_passages(historical, None)
    migration.attach_cited_passages(historical, None)  # running again adds nothing

    assert {(e.citation, e.stance) for e in Evidence.objects.filter(measure=measure)} == {
        (attached, "progress"),
        (loose, "context"),
    }
    added = Evidence.objects.get(citation=loose)
    assert "review" in added.note
    assert added.history.get().history_change_reason == "Cited by an assessment (migration 0005)"
