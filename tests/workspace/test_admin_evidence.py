"""Attaching evidence in the admin: sources with their citations, citations with the measures they evidence,
events with their citations, and deletions refused while anything depends on a record."""

import datetime

import pytest
from django.urls import reverse

from measures.lib.quoting import mismatch_hint
from measures.models import Assessment, Citation, Event, Evidence, Source
from tests import factories
from tests.helpers import change_form_data, management

TEXT = (
    "The foreign ministers spoke by telephone and agreed to de-escalate. "
    "Ambassadors will return to their posts. Border forces increased patrols."
)


def new_source_data(case, quote, full_text=TEXT):
    return {
        "title": "Ministers' call",
        "kind": Source.Kind.NEWS_REPORT,
        "publisher": "Dawn",
        "full_text": full_text,
        **management("citations"),
        "citations-0-case": case.pk,
        "citations-0-quote": quote,
        "citations-0-locator": "para. 1",
    }


def citations_errors(response):
    return response.context["inline_admin_formsets"][0].formset.errors


def test_a_source_is_added_with_its_citations(analyst_client):
    case = factories.CaseFactory()
    response = analyst_client.post(
        reverse("admin:measures_source_add"),
        new_source_data(case, "agreed  to  de-escalate"),  # spaces differ: still the same words
    )
    assert response.status_code == 302
    citation = Citation.objects.get()
    assert (citation.source.title, citation.case, citation.quote) == (
        "Ministers' call",
        case,
        "agreed  to  de-escalate",
    )


def test_typographic_quote_marks_match_straight_ones(analyst_client):
    case = factories.CaseFactory()
    text = 'He said "we will talk" and left.'
    response = analyst_client.post(
        reverse("admin:measures_source_add"), new_source_data(case, "said \u201cwe will talk\u201d", full_text=text)
    )
    assert response.status_code == 302


def test_a_quote_missing_from_a_new_sources_text_is_refused_with_where_it_departs(analyst_client):
    case = factories.CaseFactory()
    response = analyst_client.post(
        reverse("admin:measures_source_add"), new_source_data(case, "agreed to restore full ties")
    )
    assert response.status_code == 200
    messages = " ".join(citations_errors(response)[0]["quote"])
    assert "This quote does not occur in the full text of “Ministers' call”" in messages
    assert "matches the quote up to “agreed to”" in messages
    assert "the quote reads “restore full ties” but the source reads “de-escalate. Ambassadors will…”" in messages
    assert not Source.objects.exists() and not Citation.objects.exists()


def test_a_quote_missing_from_an_existing_sources_text_is_refused(analyst_client):
    source = factories.SourceFactory(full_text=TEXT)
    case = factories.CaseFactory()
    page = analyst_client.get(reverse("admin:measures_source_change", args=[source.pk]))
    data = change_form_data(page)
    data.update({**management("citations"), "citations-0-case": case.pk, "citations-0-quote": "Ambassadors left"})
    response = analyst_client.post(reverse("admin:measures_source_change", args=[source.pk]), data)
    messages = " ".join(citations_errors(response)[0]["quote"])
    assert f"does not occur in the full text of “{source}”" in messages
    assert "matches the quote up to “Ambassadors”" in messages
    assert not Citation.objects.exists()


def test_a_cited_sources_text_cannot_be_changed_in_the_admin(analyst_client):
    # The text is editable until the first citation quotes it (Source.text_lock_reason).
    source = factories.SourceFactory(full_text=TEXT)
    factories.CitationFactory(source=source, quote="agreed to de-escalate")
    page = analyst_client.get(reverse("admin:measures_source_change", args=[source.pk]))
    assert "full_text" in page.context["adminform"].readonly_fields
    analyst_client.post(
        reverse("admin:measures_source_change", args=[source.pk]),
        change_form_data(page, full_text="Nothing was agreed."),
    )
    source.refresh_from_db()
    assert source.full_text == TEXT


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        (
            "agreed to restore ties",
            "matches the quote up to “agreed to”; it stops matching at “restore”: the quote reads “restore ties”",
        ),
        (
            "Nothing of the sort",
            "Not even its first character, “N” (U+004E LATIN CAPITAL LETTER N), occurs in the source text.",
        ),
        ("increased patrols. And more", "then the text ends; the quote goes on with “And more”"),
    ],
)
def test_the_mismatch_hint_says_where_the_quote_departs(quote, expected):
    assert expected in mismatch_hint(TEXT, quote)


def test_a_citation_is_attached_to_measures_with_a_stance(analyst_client):
    measure = factories.MeasureFactory()
    citation = factories.CitationFactory(case=measure.case)
    page = analyst_client.get(reverse("admin:measures_citation_change", args=[citation.pk]))
    data = change_form_data(page)
    data.update({**management("evidence"), "evidence-0-measure": measure.pk, "evidence-0-stance": "setback"})
    response = analyst_client.post(reverse("admin:measures_citation_change", args=[citation.pk]), data)
    assert response.status_code == 302
    assert Evidence.objects.get().stance == Evidence.Stance.SETBACK


def test_evidence_across_cases_is_refused(analyst_client):
    citation = factories.CitationFactory()
    elsewhere = factories.MeasureFactory()
    page = analyst_client.get(reverse("admin:measures_citation_change", args=[citation.pk]))
    data = change_form_data(page)
    data.update({**management("evidence"), "evidence-0-measure": elsewhere.pk, "evidence-0-stance": "progress"})
    response = analyst_client.post(reverse("admin:measures_citation_change", args=[citation.pk]), data)
    row = response.context["inline_admin_formsets"][0].formset.forms[0]
    # Shown on the row: the inline has no "citation" column to show it under.
    assert row.non_field_errors() == ["The citation belongs to another case than the measure."]
    assert "The citation belongs to another case than the measure." in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_citation_added_on_an_event_belongs_to_the_events_case(analyst_client):
    event = factories.EventFactory()
    source = factories.SourceFactory(full_text=TEXT)
    page = analyst_client.get(reverse("admin:measures_event_change", args=[event.pk]))
    data = change_form_data(page)
    data.update(
        {
            **management("citations"),
            "citations-0-source": source.pk,
            "citations-0-quote": "Ambassadors will return",
        }
    )
    response = analyst_client.post(reverse("admin:measures_event_change", args=[event.pk]), data)
    assert response.status_code == 302
    citation = Citation.objects.get()
    assert (citation.event, citation.case, citation.source) == (event, event.case, source)


def test_citation_list_filters_by_source_event_measure_and_stance_and_searches_quotes(analyst_client):
    measure = factories.MeasureFactory()
    event = factories.EventFactory(case=measure.case)
    progress = factories.CitationFactory(case=measure.case, quote="agreed to de-escalate", event=event)
    setback = factories.CitationFactory(case=measure.case, quote="Border forces increased patrols")
    factories.EvidenceFactory(measure=measure, citation=progress, stance="progress")
    factories.EvidenceFactory(measure=measure, citation=setback, stance="setback")
    url = reverse("admin:measures_citation_changelist")

    def listed(**params):
        response = analyst_client.get(url, params)
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert listed(source__id__exact=progress.source_id) == {progress}
    assert listed(event__id__exact=event.pk) == {progress}
    assert listed(evidence__measure__id__exact=measure.pk) == {progress, setback}
    assert listed(evidence__stance__exact="setback") == {setback}
    assert listed(q="patrols") == {setback}


def test_event_list_filters_by_kind_direction_actor_and_case(analyst_client):
    case = factories.CaseFactory()
    pakistan, iran = case.assessed_parties.order_by("pk")
    strike = factories.EventFactory(
        case=case, kind="military", direction="escalatory", actors=[iran], date=datetime.date(2024, 1, 16)
    )
    call = factories.EventFactory(case=case, kind="diplomatic", direction="deescalatory", actors=[pakistan, iran])
    factories.EventFactory(kind="statement", direction="neutral")
    url = reverse("admin:measures_event_changelist")

    def listed(**params):
        return set(analyst_client.get(url, params).context["cl"].result_list)

    assert listed(kind__exact="military") == {strike}
    assert listed(direction__exact="deescalatory") == {call}
    assert listed(actors__id__exact=pakistan.pk) == {call}
    assert listed(case__id__exact=case.pk) == {strike, call}
    assert listed(date__year="2024", date__month="1", date__day="16") == {strike}


# Deleting what evidence or assessments rely on


def test_deleting_a_source_that_citations_rely_on_is_refused_naming_them(analyst_client):
    citation = factories.CitationFactory(quote="agreed to de-escalate")
    url = reverse("admin:measures_source_delete", args=[citation.source_id])

    page = analyst_client.get(url)
    posted = analyst_client.post(url, {"post": "yes"})

    for response in (page, posted):
        assert response.status_code == 200
        text = response.content.decode()
        assert f"“{citation.source}” cannot be deleted: other records depend on it" in text
        assert "agreed to de-escalate" in text
    assert Source.objects.filter(pk=citation.source_id).exists()


def test_deleting_a_citation_an_assessment_relies_on_is_refused(analyst_client):
    assessment = factories.AssessmentFactory()
    citation = assessment.citations.get()
    response = analyst_client.post(reverse("admin:measures_citation_delete", args=[citation.pk]), {"post": "yes"})
    assert "cannot be deleted: other records depend on it" in response.content.decode()
    assert Citation.objects.filter(pk=citation.pk).exists()
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_bulk_deleting_events_with_citations_is_refused_cleanly(analyst_client):
    cited = factories.EventFactory(title="Strike")
    factories.CitationFactory(case=cited.case, event=cited)
    free = factories.EventFactory(case=cited.case, title="Call")
    response = analyst_client.post(
        reverse("admin:measures_event_changelist"),
        {"action": "delete_selected", "_selected_action": [cited.pk, free.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "The selected events cannot be deleted: other records depend on it" in text
    assert "Nothing was deleted" in text
    assert Event.objects.count() == 2


def test_analyst_may_delete_what_nothing_depends_on(analyst_client):
    free = factories.EventFactory()
    response = analyst_client.post(
        reverse("admin:measures_event_changelist"),
        {"action": "delete_selected", "_selected_action": [free.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Event.objects.exists()
    citation = factories.CitationFactory()
    analyst_client.post(reverse("admin:measures_citation_delete", args=[citation.pk]), {"post": "yes"})
    assert not Citation.objects.exists()
