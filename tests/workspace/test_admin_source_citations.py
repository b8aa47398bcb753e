"""A source's admin form shows its newest citations as forms (SourceCitationFormSet.SHOWN), says how many
there are and links to all of them in the citation list; a submission saves the rows its page showed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Citation
from tests import factories
from tests.helpers import change_form_data
from workspace.admin.sources import SourceCitationFormSet

SHOWN = SourceCitationFormSet.SHOWN
SENTENCES = [f"Sentence {n} reports talks between the envoys." for n in range(SHOWN + 8)]
TEXT = " ".join(SENTENCES)


@pytest.fixture
def analyst(client, db):
    client.force_login(factories.analyst(username="analyst"))
    return client


def cite(source, case, count, **fields):
    return [
        factories.CitationFactory(source=source, case=case, quote=SENTENCES[n], locator=f"para. {n}", **fields)
        for n in range(count)
    ]


def change_url(source):
    return reverse("admin:measures_source_change", args=[source.pk])


def shown_ids(response):
    (inline,) = response.context["inline_admin_formsets"]
    return [form.instance.pk for form in inline.formset.forms]


def test_a_source_with_many_citations_shows_the_newest_and_links_to_all(analyst):
    source = factories.SourceFactory(full_text=TEXT)
    citations = cite(source, factories.CaseFactory(), SHOWN + 3)
    response = analyst.get(change_url(source))
    assert shown_ids(response) == [c.pk for c in reversed(citations)][:SHOWN]
    content = response.content.decode()
    total = SHOWN + 3
    assert f"The {SHOWN} newest of the {total} citations of this source are shown here" in content
    link = f"{reverse('admin:measures_citation_changelist')}?source__id={source.pk}"
    assert f'<a href="{link}">All {total} citations of this source</a>' in content
    listed = analyst.get(link)
    assert {c.pk for c in listed.context["cl"].result_list} == {c.pk for c in citations}


def test_a_source_with_few_citations_shows_them_all_without_a_link(analyst):
    source = factories.SourceFactory(full_text=TEXT)
    citations = cite(source, factories.CaseFactory(), SHOWN)
    response = analyst.get(change_url(source))
    assert sorted(shown_ids(response)) == [c.pk for c in citations]
    assert "citations of this source are shown here" not in response.content.decode()


def test_a_shown_citation_is_edited_and_deleted_from_the_source_form(analyst):
    source = factories.SourceFactory(full_text=TEXT)
    citations = cite(source, factories.CaseFactory(), SHOWN + 2)
    page = analyst.get(change_url(source))
    newest, second = citations[-1], citations[-2]
    index = {pk: i for i, pk in enumerate(shown_ids(page))}
    data = change_form_data(
        page,
        **{f"citations-{index[newest.pk]}-locator": "p. 4", f"citations-{index[second.pk]}-DELETE": "on"},
    )
    response = analyst.post(change_url(source), data)
    assert response.status_code == 302
    newest.refresh_from_db()
    assert newest.locator == "p. 4"
    assert not Citation.objects.filter(pk=second.pk).exists()
    # The citations the page did not show are untouched.
    for hidden in citations[:2]:
        assert Citation.objects.get(pk=hidden.pk).version == hidden.version


def test_a_citation_added_meanwhile_leaves_the_submitted_rows_as_shown(analyst):
    source = factories.SourceFactory(full_text=TEXT)
    case = factories.CaseFactory()
    citations = cite(source, case, SHOWN + 1)
    page = analyst.get(change_url(source))
    meanwhile = factories.CitationFactory(source=source, case=case, quote=SENTENCES[-1])
    oldest_shown = citations[1]
    row = shown_ids(page).index(oldest_shown.pk)
    data = change_form_data(page, **{f"citations-{row}-locator": "p. 9"})
    data.update(
        {
            "citations-TOTAL_FORMS": str(SHOWN + 1),
            f"citations-{SHOWN}-case": case.pk,
            f"citations-{SHOWN}-quote": SENTENCES[-2],
        }
    )
    response = analyst.post(change_url(source), data)
    assert response.status_code == 302
    oldest_shown.refresh_from_db()
    assert oldest_shown.locator == "p. 9"
    assert Citation.objects.filter(pk=meanwhile.pk).exists()
    assert Citation.objects.filter(source=source).count() == SHOWN + 3


@pytest.mark.parametrize("posted_id", [None, "99999999999999999999", "-5", "abc", "٣٥"])
def test_a_row_whose_citation_went_meanwhile_is_said_so_and_nothing_is_saved(analyst, posted_id):
    source = factories.SourceFactory(full_text=TEXT)
    citations = cite(source, factories.CaseFactory(), 3)
    page = analyst.get(change_url(source))
    rows = shown_ids(page)
    changes = {f"citations-{rows.index(citations[0].pk)}-locator": "p. 9", "title": "Renamed"}
    if posted_id is None:
        Citation.objects.filter(pk=citations[2].pk).delete()  # a colleague deletes a shown one
    else:
        changes[f"citations-{rows.index(citations[2].pk)}-id"] = posted_id
    response = analyst.post(change_url(source), change_form_data(page, **changes))
    assert response.status_code == 200
    assert "is no longer one of this source" in response.text
    assert "Nothing was saved" in response.text
    citations[0].refresh_from_db()
    source.refresh_from_db()
    assert citations[0].locator == "para. 0"
    assert source.title != "Renamed"


def test_a_citation_of_another_source_cannot_be_edited_through_this_one(analyst):
    source = factories.SourceFactory(full_text=TEXT)
    (own,) = cite(source, factories.CaseFactory(), 1)
    other = factories.CitationFactory(quote="agreed to de-escalate", locator="para. 1")
    page = analyst.get(change_url(source))
    data = change_form_data(page, **{"citations-0-id": other.pk, "citations-0-locator": "p. 7"})
    analyst.post(change_url(source), data)
    other.refresh_from_db()
    assert (other.locator, other.source_id) == ("para. 1", other.source.pk)


def test_the_source_form_queries_do_not_grow_with_its_citations(analyst):
    counts = []
    for number in (2, SHOWN + 6):
        source = factories.SourceFactory(full_text=TEXT)
        case = factories.CaseFactory()
        for n in range(number):
            factories.CitationFactory(
                source=source, case=case, quote=SENTENCES[n], event=factories.EventFactory(case=case)
            )
        with CaptureQueriesContext(connection) as queries:
            response = analyst.get(change_url(source))
        assert response.status_code == 200
        counts.append(len(queries))
    # One more query at most: the count of citations, when some are not shown.
    assert counts[1] <= counts[0] + 1


@pytest.mark.parametrize("total", ["100000", str(2**70)])
def test_a_tampered_number_of_rows_is_refused_without_building_them(analyst, total):
    source = factories.SourceFactory(full_text=TEXT)
    cite(source, factories.CaseFactory(), 2)
    page = analyst.get(change_url(source))
    before = Citation.objects.filter(source=source).count()
    data = change_form_data(page, title="Renamed")
    data["citations-TOTAL_FORMS"] = total
    response = analyst.post(change_url(source), data)
    assert response.status_code == 200
    assert "At most 52 rows can be saved here at once" in response.text
    (inline,) = response.context["inline_admin_formsets"]
    assert len(inline.formset.forms) == 2 + SourceCitationFormSet.new_rows_per_save
    assert Citation.objects.filter(source=source).count() == before
    source.refresh_from_db()
    assert source.title != "Renamed"


@pytest.mark.parametrize("total", ["abc", "", "²"])
def test_a_count_of_rows_that_is_not_a_number_gets_a_plain_message_and_changes_nothing(analyst, total):
    # It got Django's "ManagementForm data is missing or has been tampered with … file a bug report".
    source = factories.SourceFactory(full_text=TEXT)
    cite(source, factories.CaseFactory(), 2)
    page = analyst.get(change_url(source))
    data = change_form_data(page, title="Renamed")
    data["citations-TOTAL_FORMS"] = total
    response = analyst.post(change_url(source), data)
    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.formset.non_form_errors() == [
        "The count of rows sent with the page (citations-TOTAL_FORMS) is missing or not a number, so nothing "
        "was saved: reload the page and make your changes again."
    ]
    assert "The count of rows sent with the page" in response.text
    assert "ManagementForm" not in response.text and "bug report" not in response.text
    source.refresh_from_db()
    assert source.title != "Renamed"
