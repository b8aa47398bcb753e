"""Recording assessments from the measure's admin page and from the measure list's bulk action."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.models import Assessment, AssessmentCitation, Citation
from tests import factories

Level = Assessment.Level


@pytest.fixture
def case(db):
    return factories.pakistan_iran_parties_case(datetime.date(2024, 1, 16))


@pytest.fixture
def citation(case):
    return factories.CitationFactory(case=case, quote="agreed to de-escalate")


def assess_url(measure):
    return reverse("admin:measures_measure_assess", args=[measure.pk])


PARTY_FIELDS = ("level", "confidence", "corrects")


def form_data(party, cited, **overrides):
    """The assess form's data recording one judgement for `party`; `level`, `confidence` and
    `corrects` overrides go to that party's row."""
    data = {
        f"level_{party.pk}": Level.MINIMAL,
        f"confidence_{party.pk}": Assessment.Confidence.HIGH,
        "effective_date": "2024-01-20",
        "rationale": "The ministers spoke and agreed to de-escalate.",
        "citations": [c.pk for c in cited],
        "evidence_stance": "progress",
        "seen": 0,
    }
    for key, value in overrides.items():
        data[f"{key}_{party.pk}" if key in PARTY_FIELDS else key] = value
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


def test_the_form_offers_the_case_parties_and_searches_its_citations_as_one_types(
    analyst_client, measure, parties, citation
):
    other_case_citation = factories.CitationFactory(quote="Ambassadors will return to their posts")
    page = analyst_client.get(assess_url(measure)).content.decode()
    select = page[page.index('<select name="citations"') : page.index("</select>", page.index('name="citations"'))]

    # A large case has thousands of citations: none is listed, the picker searches them as one types.
    assert "<option" not in select
    assert other_case_citation.quote not in page
    assert citation.quote not in page
    assert f'name="level_{parties["PAK"].pk}"' in page and f'name="level_{parties["IRN"].pk}"' in page
    assert f'data-ajax--url="/admin/measures/citation/pick/?case={measure.case_id}"' in page


def test_a_refused_form_shows_the_chosen_citations_again(analyst_client, measure, parties, citation):
    response = analyst_client.post(assess_url(measure), form_data(parties["PAK"], [citation], rationale=" "))
    page = response.content.decode()
    select = page[page.index('<select name="citations"') : page.index("</select>", page.index('name="citations"'))]
    assert f'<option value="{citation.pk}" selected>' in select


def test_a_party_can_be_chosen_in_advance(analyst_client, measure, parties):
    page = analyst_client.get(assess_url(measure), {"party": parties["IRN"].pk}).content.decode()
    assert f'<select name="level_{parties["IRN"].pk}" autofocus' in page
    assert f'<select name="level_{parties["PAK"].pk}" autofocus' not in page
    assert f'<tr id="party-row-{parties["IRN"].pk}" class="chosen">' in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rationale": "   "}, "rationale", "a rationale is required"),
        ({"citations": []}, "citations", "Cite at least one passage"),
        ({"effective_date": "2024-01-15"}, "effective_date", "before the case began (16 Jan 2024)"),
        ({"level": "excellent"}, "level", "Select a valid choice"),
        ({"level": ""}, "__all__", "Choose a level for at least one party"),
        ({"confidence": "total"}, "confidence", "Select a valid choice"),
        ({"effective_date": "2024-02-31"}, "effective_date", "Enter a valid date"),
        ({"evidence_stance": ""}, "evidence_stance", "Say what the newly cited passages show"),
        ({"evidence_stance": "maybe"}, "evidence_stance", "“maybe” is not a stance"),
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
    field = f"{field}_{parties['PAK'].pk}" if field in PARTY_FIELDS else field
    assert message in " ".join(errors[field]), errors
    assert "Nothing was saved" in response.content.decode()
    assert saved_state() == before


def test_an_effective_date_in_the_future_is_refused(analyst_client, measure, parties, citation):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = analyst_client.post(
        assess_url(measure), form_data(parties["PAK"], [citation], effective_date=tomorrow.isoformat())
    )
    assert "is in the future" in " ".join(response.context["form"].errors["effective_date"])
    assert not Assessment.objects.exists()


def test_citations_of_another_case_are_refused(analyst_client, measure, parties, citation):
    foreign = factories.CitationFactory(quote="Border forces increased patrols")
    response = analyst_client.post(assess_url(measure), form_data(parties["PAK"], [citation, foreign]))
    assert "Choose citations of this case only" in " ".join(response.context["form"].errors["citations"])
    assert not Assessment.objects.exists()


def test_a_party_outside_the_case_is_not_offered_and_its_level_ignored(analyst_client, measure, citation):
    outsider = factories.PartyFactory(name="India", code="IND")
    assert f'name="level_{outsider.pk}"' not in analyst_client.get(assess_url(measure)).content.decode()
    response = analyst_client.post(assess_url(measure), form_data(outsider, [citation]))
    assert response.context["form"].errors["__all__"] == [
        "Choose a level for at least one party: nothing to record otherwise."
    ]
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
    errors = response.context["form"].errors[f"corrects_{parties['PAK'].pk}"]
    assert errors == ["Choose an earlier assessment of Pakistan on this measure."]
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
        evidence_stance="progress",
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
    data = {
        "action": "record_assessment",
        "_selected_action": [m.pk for m in measures],
        "apply": "Record",
        "party": party.pk,
        "level": Level.MINIMAL,
        "confidence": Assessment.Confidence.HIGH,
        "effective_date": "2024-01-20",
        "citations": [c.pk for c in citations],
        "evidence_stance": "progress",
        "seen": 0,
        **{f"rationale_{m.pk}": f"Why measure {m.number} is at this level." for m in measures},
    }
    data.update(overrides)
    return data


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
    assert [a.rationale for a in recorded] == [
        f"Why measure {measure.number} is at this level.",
        f"Why measure {second.number} is at this level.",
    ]
    # The cited passage became evidence of each measure, with the stance chosen in the form.
    assert {(e.measure, e.stance) for e in citation.evidence.all()} == {(measure, "progress"), (second, "progress")}


def test_bulk_action_refuses_a_broken_rule_for_all_measures(analyst_client, measure, case, parties, citation):
    second = factories.MeasureFactory(case=case)
    response = analyst_client.post(
        reverse("admin:measures_measure_changelist"),
        bulk_data([measure, second], parties["IRN"], [], **{f"rationale_{second.pk}": " "}),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "a rationale is required" in " ".join(errors[f"rationale_{second.pk}"])
    assert f"rationale_{measure.pk}" not in errors
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


def pick(client, case, term):
    response = client.get(
        reverse("admin:measures_citation_pick"),
        {"app_label": "measures", "model_name": "assessment", "field_name": "citations", "case": case, "term": term},
    )
    assert response.status_code == 200
    return response.json()["results"]


def test_citation_picker_shows_the_quote_around_the_words_searched_the_source_and_the_date(analyst_client, case):
    source = factories.SourceFactory(
        title="Joint statement of the foreign ministers",
        label="FM communiqué",
        published_on=datetime.date(2024, 1, 29),
        full_text="x",
    )
    long_quote = (
        "The two foreign ministers, meeting in Islamabad after a week of exchanges through intermediaries, "
        "reviewed the state of bilateral relations at length and, among several other arrangements, "
        "agreed that liaison officers would be posted in each other's capitals to handle border incidents."
    )
    citation = Citation.objects.create(case=case, source=source, quote=long_quote, locator="para. 2")

    (result,) = pick(analyst_client, case.pk, "liaison")

    assert result["id"] == str(citation.pk)
    text = result["text"]
    assert "liaison officers" in text
    assert text.startswith("“…") and "The two foreign ministers" not in text
    # The source by its label, as on the pages and in the report; found by its label too.
    assert text.endswith("— FM communiqué, 29 Jan 2024 (para. 2)")
    assert [r["id"] for r in pick(analyst_client, case.pk, "communiqué")] == [str(citation.pk)]


def test_citation_picker_offers_only_the_case_and_needs_a_login(client, analyst_client, case):
    factories.CitationFactory(quote="Ambassadors will return to their posts")
    mine = factories.CitationFactory(case=case, quote="Ambassadors will return to their posts")
    assert [r["id"] for r in pick(analyst_client, case.pk, "ambassadors")] == [str(mine.pk)]
    assert pick(analyst_client, "nope", "ambassadors") == []
    client.logout()
    assert client.get(reverse("admin:measures_citation_pick"), {"term": "a"}).status_code == 302


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("", "one two three four…"),
        ("nothing", "one two three four…"),
        ("nine", "…eight nine ten eleven…"),
        ("seven", "…six seven eight nine…"),
        ("TWELVE", "…nine ten eleven twelve"),
    ],
)
def test_quote_excerpt_centres_on_the_first_word_found(term, expected):
    from workspace.picker import quote_excerpt

    quote = "one two three four five six seven eight nine ten eleven twelve"
    assert quote_excerpt(quote, term, limit=22) == expected
