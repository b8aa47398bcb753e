"""Recording assessments from the measure's admin page and from the measure list's bulk action."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.models import Assessment, AssessmentCitation
from tests import factories

Level = Assessment.Level


@pytest.fixture
def case(db):
    pak = factories.PartyFactory(name="Pakistan", code="PAK")
    irn = factories.PartyFactory(name="Iran", code="IRN")
    return factories.CaseFactory(assessed_parties=[pak, irn], start_date=datetime.date(2024, 1, 16))


@pytest.fixture
def parties(case):
    return {party.code: party for party in case.assessed_parties.all()}


@pytest.fixture
def measure(case):
    return factories.MeasureFactory(case=case, title="Restore diplomatic contact")


@pytest.fixture
def citation(case):
    return factories.CitationFactory(case=case, quote="agreed to de-escalate")


def assess_url(measure):
    return reverse("admin:measures_measure_assess", args=[measure.pk])


def form_data(party, cited, **overrides):
    data = {
        "party": party.pk,
        "level": Level.MINIMAL,
        "confidence": Assessment.Confidence.HIGH,
        "effective_date": "20/01/2024",
        "rationale": "The ministers spoke and agreed to de-escalate.",
        "citations": [c.pk for c in cited],
        "seen": 0,
    }
    data.update(overrides)
    return data


def saved_state():
    return list(Assessment.objects.order_by("pk").values()), list(AssessmentCitation.objects.order_by("pk").values())


def test_analyst_records_an_assessment_from_the_measure_page(analyst_client, analyst_user, measure, parties, citation):
    response = analyst_client.post(assess_url(measure), form_data(parties["PAK"], [citation]))

    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:measures_measure_change", args=[measure.pk]) + f"#party-{parties['PAK'].pk}"
    assert (assessment.measure, assessment.party, assessment.level) == (measure, parties["PAK"], Level.MINIMAL)
    assert assessment.confidence == Assessment.Confidence.HIGH
    assert assessment.effective_date == datetime.date(2024, 1, 20)
    assert assessment.recorded_by == analyst_user
    assert list(assessment.citations.all()) == [citation]


def test_the_form_offers_the_case_parties_and_all_its_citations_without_javascript(
    analyst_client, measure, parties, citation
):
    other_case_citation = factories.CitationFactory(quote="Ambassadors will return to their posts")
    page = analyst_client.get(assess_url(measure)).content.decode()
    select = page[page.index('<select name="citations"') : page.index("</select>", page.index('name="citations"'))]

    assert f'<option value="{citation.pk}">' in select
    assert f'value="{other_case_citation.pk}"' not in select
    assert f'<option value="{parties["PAK"].pk}">Pakistan</option>' in page
    # The plain multi-select also carries select2's search, limited to the case.
    assert f'data-ajax--url="/admin/autocomplete/?case={measure.case_id}"' in page


def test_a_party_can_be_chosen_in_advance(analyst_client, measure, parties):
    page = analyst_client.get(assess_url(measure), {"party": parties["IRN"].pk}).content.decode()
    assert f'<option value="{parties["IRN"].pk}" selected>Iran</option>' in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rationale": "   "}, "rationale", "a rationale is required"),
        ({"citations": []}, "citations", "Cite at least one passage"),
        ({"effective_date": "15/01/2024"}, "effective_date", "before the case began (16 January 2024)"),
        ({"effective_date": ""}, "effective_date", "Give the date on which this situation held"),
        ({"level": "excellent"}, "level", "Select a valid choice"),
        ({"level": ""}, "level", "This field is required"),
        ({"confidence": "total"}, "confidence", "Select a valid choice"),
        ({"effective_date": "31/02/2024"}, "effective_date", "Enter a valid date"),
        ({"seen": "many"}, "seen", "Enter a whole number"),
    ],
)
def test_broken_rules_are_refused_with_a_message_and_nothing_saved(
    analyst_client, measure, parties, citation, overrides, field, message
):
    before = saved_state()
    response = analyst_client.post(assess_url(measure), form_data(parties["PAK"], [citation], **overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert "Nothing was saved" in response.content.decode()
    assert saved_state() == before


def test_an_effective_date_in_the_future_is_refused(analyst_client, measure, parties, citation):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = analyst_client.post(
        assess_url(measure), form_data(parties["PAK"], [citation], effective_date=tomorrow.strftime("%d/%m/%Y"))
    )
    assert "is in the future" in " ".join(response.context["form"].errors["effective_date"])
    assert not Assessment.objects.exists()


def test_citations_of_another_case_are_refused(analyst_client, measure, parties, citation):
    foreign = factories.CitationFactory(quote="Border forces increased patrols")
    response = analyst_client.post(assess_url(measure), form_data(parties["PAK"], [citation, foreign]))
    assert "Choose citations of this case only" in " ".join(response.context["form"].errors["citations"])
    assert not Assessment.objects.exists()


def test_a_party_outside_the_case_is_refused(analyst_client, measure, citation):
    outsider = factories.PartyFactory(name="India", code="IND")
    response = analyst_client.post(assess_url(measure), form_data(outsider, [citation]))
    assert response.context["form"].errors["party"] == ["Choose one of the parties assessed in this case."]
    assert not Assessment.objects.exists()


def test_not_assessed_needs_no_citation(analyst_client, measure, parties):
    response = analyst_client.post(
        assess_url(measure), form_data(parties["IRN"], [], level=Level.NOT_ASSESSED, rationale="No reporting yet.")
    )
    assert response.status_code == 302
    assert Assessment.objects.get().level == Level.NOT_ASSESSED


def test_a_correction_points_at_the_assessment_it_corrects(analyst_client, measure, parties, citation):
    earlier = factories.AssessmentFactory(measure=measure, party=parties["PAK"], citations=[citation])
    data = form_data(parties["PAK"], [citation], level=Level.INTERMEDIATE, corrects=earlier.pk, seen=earlier.pk)

    analyst_client.post(assess_url(measure), data)

    correction = Assessment.objects.exclude(pk=earlier.pk).get()
    assert correction.corrects == earlier
    earlier.refresh_from_db()
    assert earlier.level == Level.MINIMAL  # the corrected one is untouched


def test_a_correction_of_another_partys_assessment_is_refused(analyst_client, measure, parties, citation):
    irans = factories.AssessmentFactory(measure=measure, party=parties["IRN"], citations=[citation])
    before = saved_state()
    response = analyst_client.post(
        assess_url(measure), form_data(parties["PAK"], [citation], corrects=irans.pk, seen=irans.pk)
    )
    assert "same measure and party" in " ".join(response.context["form"].errors["corrects"])
    assert saved_state() == before


def test_someone_elses_assessment_recorded_meanwhile_is_shown_and_nothing_saved(
    client, analyst_client, measure, parties, citation
):
    opened = analyst_client.get(assess_url(measure))
    seen = opened.context["form"].initial["seen"]
    colleague = factories.analyst(username="colleague")
    services.record_assessment(
        measure=measure,
        party=parties["PAK"],
        level=Level.FULL,
        rationale="Ambassadors are back.",
        citations=[citation],
        recorded_by=colleague,
        effective_date=datetime.date(2024, 1, 27),
    )
    before = saved_state()

    data = form_data(parties["PAK"], [citation], seen=seen)
    response = analyst_client.post(assess_url(measure), data)

    assert saved_state() == before
    page = response.content.decode()
    assert "Recorded by someone else while you were editing" in page
    assert "Ambassadors are back." in page
    assert "colleague recorded “Full (3)” for Pakistan" in page
    form = response.context["form"]
    assert form["rationale"].value() == data["rationale"]  # the analyst's text is kept
    assert int(form["seen"].value()) == Assessment.objects.get().pk

    # Having read it, the analyst submits again: now it is recorded.
    again = analyst_client.post(assess_url(measure), {**data, "seen": form["seen"].value()})
    assert again.status_code == 302
    assert Assessment.objects.count() == 2


def test_an_assessment_for_the_other_party_meanwhile_is_no_conflict(analyst_client, measure, parties, citation):
    factories.AssessmentFactory(measure=measure, party=parties["IRN"], citations=[citation])
    response = analyst_client.post(assess_url(measure), form_data(parties["PAK"], [citation], seen=0))
    assert response.status_code == 302
    assert Assessment.objects.filter(party=parties["PAK"]).count() == 1


def test_assessment_admin_is_read_only_even_for_administrators(client, admin_user, measure, parties, citation):
    assessment = factories.AssessmentFactory(measure=measure, party=parties["PAK"], citations=[citation])
    client.force_login(admin_user)
    before = saved_state()
    change = client.get(reverse("admin:measures_assessment_change", args=[assessment.pk])).content.decode()
    assert 'name="_save"' not in change
    assert citation.quote in change  # the citations are listed, linked
    assert client.post(reverse("admin:measures_assessment_change", args=[assessment.pk]), {}).status_code == 403
    assert (
        client.post(reverse("admin:measures_assessment_delete", args=[assessment.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert saved_state() == before


def test_change_page_shows_each_partys_level_history_and_evidence_by_stance(analyst_client, measure, parties, citation):
    first = factories.AssessmentFactory(
        measure=measure,
        party=parties["PAK"],
        level=Level.MINIMAL,
        rationale="First judgement.",
        effective_date=datetime.date(2024, 1, 19),
        citations=[citation],
    )
    factories.AssessmentFactory(
        measure=measure,
        party=parties["PAK"],
        level=Level.FULL,
        rationale="Second judgement.",
        effective_date=datetime.date(2024, 1, 27),
        citations=[citation],
        corrects=first,
    )
    setback = factories.CitationFactory(case=measure.case, quote="Border forces increased patrols")
    factories.EvidenceFactory(measure=measure, citation=citation, stance="progress")
    factories.EvidenceFactory(measure=measure, citation=setback, stance="setback", note="More patrols.")

    response = analyst_client.get(reverse("admin:measures_measure_change", args=[measure.pk]))
    page = response.content.decode()

    pakistan = [item for item in response.context["party_histories"] if item["cell"].party == parties["PAK"]][0]
    assert pakistan["cell"].level == Level.FULL
    assert [a.rationale for a in pakistan["assessments"]] == ["Second judgement.", "First judgement."]
    assert page.index("Second judgement.") < page.index("First judgement.")
    assert "Corrects the assessment “Minimal (1)” as of 19 Jan 2024." in page
    iran = [item for item in response.context["party_histories"] if item["cell"].party == parties["IRN"]][0]
    assert iran["assessments"] == [] and iran["cell"].level == Level.NOT_ASSESSED
    groups = {stance: [e.citation for e in items] for stance, _, items in response.context["evidence_by_stance"]}
    assert groups == {"progress": [citation], "setback": [setback], "context": []}
    assert "More patrols." in page
    assert f"{assess_url(measure)}?party={parties['IRN'].pk}" in page


# The bulk action on the measure list.


def bulk_data(measures, party, citations, **overrides):
    return {
        "action": "record_assessment",
        "_selected_action": [m.pk for m in measures],
        "apply": "Record",
        **form_data(party, citations),
        **overrides,
    }


def test_bulk_action_shows_a_form_for_the_selected_measures(analyst_client, measure, case):
    second = factories.MeasureFactory(case=case, title="Return ambassadors")
    response = analyst_client.post(
        reverse("admin:measures_measure_changelist"),
        {"action": "record_assessment", "_selected_action": [measure.pk, second.pk]},
    )
    assert response.status_code == 200
    assert response.context["measures"] == [measure, second]
    assert "Record for 2 measures" in response.content.decode()


def test_bulk_action_records_the_same_assessment_for_each_measure(analyst_client, analyst_user, measure, case, parties):
    second = factories.MeasureFactory(case=case, title="Return ambassadors")
    citation = factories.CitationFactory(case=case)
    response = analyst_client.post(
        reverse("admin:measures_measure_changelist"), bulk_data([measure, second], parties["IRN"], [citation])
    )
    assert response.status_code == 302
    recorded = Assessment.objects.order_by("measure__number")
    assert [(a.measure, a.party, a.level, a.recorded_by) for a in recorded] == [
        (measure, parties["IRN"], Level.MINIMAL, analyst_user),
        (second, parties["IRN"], Level.MINIMAL, analyst_user),
    ]
    assert all(list(a.citations.all()) == [citation] for a in recorded)


def test_bulk_action_refuses_a_broken_rule_for_all_measures(analyst_client, measure, case, parties, citation):
    second = factories.MeasureFactory(case=case)
    response = analyst_client.post(
        reverse("admin:measures_measure_changelist"),
        bulk_data([measure, second], parties["IRN"], [], rationale=""),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "a rationale is required" in " ".join(errors["rationale"])
    assert "Cite at least one passage" in " ".join(errors["citations"])
    assert not Assessment.objects.exists()


def test_bulk_action_is_all_or_nothing_when_one_measure_changed_meanwhile(
    analyst_client, measure, case, parties, citation
):
    second = factories.MeasureFactory(case=case, title="Return ambassadors")
    factories.AssessmentFactory(measure=second, party=parties["IRN"], citations=[citation], rationale="Meanwhile.")
    before = saved_state()
    response = analyst_client.post(
        reverse("admin:measures_measure_changelist"), bulk_data([measure, second], parties["IRN"], [citation], seen=0)
    )
    assert saved_state() == before
    assert "Meanwhile." in response.content.decode()
    assert f"Measure {second}" in response.content.decode()


def test_bulk_action_refuses_measures_of_several_cases(analyst_client, measure, parties, citation):
    elsewhere = factories.MeasureFactory()
    response = analyst_client.post(
        reverse("admin:measures_measure_changelist"),
        bulk_data([measure, elsewhere], parties["IRN"], [citation]),
        follow=True,
    )
    assert "Select measures of one case only" in response.content.decode()
    assert not Assessment.objects.exists()


# The measure list


def test_measure_list_shows_each_partys_current_level_and_evidence_figures(analyst_client, measure, parties, citation):
    factories.AssessmentFactory(
        measure=measure, party=parties["PAK"], level=Level.FULL, effective_date=datetime.date(2024, 1, 19)
    )
    factories.AssessmentFactory(
        measure=measure, party=parties["PAK"], level=Level.MINIMAL, effective_date=datetime.date(2024, 1, 25)
    )
    event = factories.EventFactory(case=measure.case, date=datetime.date(2024, 1, 28))
    factories.EvidenceFactory(measure=measure, citation=citation)
    factories.EvidenceFactory(measure=measure, citation=factories.CitationFactory(case=measure.case, event=event))

    response = analyst_client.get(reverse("admin:measures_measure_changelist"))
    page = response.content.decode()
    row = response.context["cl"].result_list[0]

    assert row.citation_count == 2
    assert row.latest_evidence == datetime.date(2024, 1, 28)
    assert '<span class="level level-minimal" title="Pakistan: Minimal (1)"><b>PAK</b> Minimal (1)</span>' in page
    assert '<span class="level level-not_assessed" title="Iran: Not yet assessed">' in page


@pytest.mark.parametrize(
    ("level", "expected"),
    [("minimal", {"judged"}), ("full", set()), ("not_assessed", {"judged", "untouched"}), ("reversed", set())],
)
def test_level_filter_uses_the_level_in_force(analyst_client, case, parties, level, expected):
    judged = factories.MeasureFactory(case=case, title="judged")
    factories.MeasureFactory(case=case, title="untouched")
    factories.AssessmentFactory(
        measure=judged, party=parties["PAK"], level=Level.FULL, effective_date=datetime.date(2024, 1, 19)
    )
    factories.AssessmentFactory(
        measure=judged, party=parties["PAK"], level=Level.MINIMAL, effective_date=datetime.date(2024, 1, 25)
    )
    response = analyst_client.get(reverse("admin:measures_measure_changelist"), {"level": level})
    assert {m.title for m in response.context["cl"].result_list} == expected


def test_an_unknown_level_in_the_filter_is_refused(analyst_client, measure):
    response = analyst_client.get(reverse("admin:measures_measure_changelist"), {"level": "excellent"})
    assert response.status_code == 302
    assert "e=1" in response.url


# Citation search for the assessment form


def autocomplete(client, case, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "measures", "model_name": "assessment", "field_name": "citations", "case": case, "term": term},
    )
    assert response.status_code == 200
    return {int(result["id"]) for result in response.json()["results"]}


def test_citation_search_covers_quote_source_and_event_within_the_case(analyst_client, case):
    event = factories.EventFactory(case=case, title="Ministers' telephone call")
    by_quote = factories.CitationFactory(case=case, quote="Ambassadors will return to their posts")
    by_source = factories.CitationFactory(case=case, source=factories.SourceFactory(title="Dawn editorial"))
    by_event = factories.CitationFactory(case=case, event=event)
    elsewhere = factories.CitationFactory(quote="Ambassadors will return to their posts")

    assert autocomplete(analyst_client, case.pk, "ambassadors") == {by_quote.pk}
    assert autocomplete(analyst_client, case.pk, "dawn") == {by_source.pk}
    assert autocomplete(analyst_client, case.pk, "telephone") == {by_event.pk}
    assert elsewhere.pk not in autocomplete(analyst_client, case.pk, "")
    assert autocomplete(analyst_client, "not-a-case", "ambassadors") == set()
