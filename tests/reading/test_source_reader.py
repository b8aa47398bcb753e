"""The source reader (numbered paragraphs, cited passages marked in place) and select-to-cite."""

import re

import pytest
from django.urls import reverse

from measures import services
from measures.models import Citation, Evidence
from tests import factories
from tests.helpers import change_form_data

TEXT = "\n".join(
    [
        "Border talks",
        "",
        "The foreign ministers spoke by telephone and agreed to de-escalate.",
        "Ambassadors will return to their posts.",
        "وزیر خارجہ نے کہا کہ امن و آشتی ضروری ہے۔",
        "Later, talks resumed.",
        "On Friday talks resumed again.",
    ]
)


@pytest.fixture
def cited(db):
    case = factories.CaseFactory()
    measure = factories.MeasureFactory(case=case, number=4, title="Diplomatic engagement")
    source = factories.SourceFactory(title="Dawn", full_text=TEXT)
    first = services.create_citation(case=case, source=source, quote="agreed to de-escalate")
    urdu = services.create_citation(case=case, source=source, quote="امن و آشتی ضروری")
    services.attach_evidence(citation=first, measure=measure, stance="progress")
    services.attach_evidence(citation=urdu, measure=measure, stance="context")
    return {"case": case, "measure": measure, "source": source, "first": first, "urdu": urdu}


def source_url(cited):
    return reverse("measures:source_detail", args=[cited["case"].slug, cited["source"].pk])


def test_the_reader_numbers_paragraphs_and_marks_each_passage_with_its_number(reader_client, cited):
    content = reader_client.get(source_url(cited)).content.decode()
    # Non-blank lines are paragraphs, numbered as locators count them.
    assert cited["first"].paragraph == 2 and cited["urdu"].paragraph == 4
    for number in range(1, 7):
        assert f'id="para-{number}"' in content
    assert 'id="para-7"' not in content
    first = re.search(
        rf'<a class="cite-no" href="#passage-1"[^>]*>\[1\]</a>'
        rf'<mark id="citation-{cited["first"].pk}"[^>]*>agreed to de-escalate</mark>',
        content,
    )
    urdu = re.search(rf'\[2\]</a><mark id="citation-{cited["urdu"].pk}"[^>]*>امن و آشتی ضروری</mark>', content)
    assert first and urdu
    # The list says what each passage evidences, with its stance, under the same number.
    item = content[content.index('id="passage-2"') :]
    assert "4. Diplomatic engagement</a> (context only)" in item[: item.index("</li>")]
    assert '<p dir="auto" class="para-text"' in content


def test_every_link_to_a_citation_lands_on_its_passage(reader_client, cited):
    case, measure = cited["case"], cited["measure"]
    anchor = f"{source_url(cited)}#citation-{cited['first'].pk}"
    measure_page = reader_client.get(reverse("measures:measure_detail", args=[case.slug, measure.number]))
    assert anchor in measure_page.content.decode()
    report = reader_client.get(reverse("measures:report", args=[case.slug]) + "?as_of=2024-01-31")
    assert anchor in report.content.decode()


def test_right_to_left_text_is_isolated_on_the_pages(reader_client, cited):
    case, measure = cited["case"], cited["measure"]
    content = reader_client.get(reverse("measures:measure_detail", args=[case.slug, measure.number])).content.decode()
    # The passage's own block, in its language and direction (detected in the quote: Urdu).
    assert '<blockquote class="passage" lang="ur" dir="rtl"><p>امن و آشتی ضروری</p></blockquote>' in content


def test_only_analysts_get_the_cite_controls(client, reader_user, analyst_user, cited):
    client.force_login(reader_user)
    assert "Cite this passage" not in client.get(source_url(cited)).content.decode()
    client.force_login(analyst_user)
    content = client.get(source_url(cited)).content.decode()
    assert "Cite this passage" in content and "js/cite.js" in content
    start = TEXT.index("Ambassadors")
    assert f"source={cited['source'].pk}&amp;start={start}&amp;end={start + 39}" in content


def add_url(cited, **params):
    params = {"case": cited["case"].pk, "source": cited["source"].pk, **params}
    return reverse("admin:measures_citation_add") + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_select_to_cite_opens_the_form_with_the_passage(analyst_client, cited):
    start = TEXT.index("talks resumed again")
    response = analyst_client.get(add_url(cited, start=start, end=start + len("talks resumed")))
    form = response.context["adminform"].form
    assert form["quote"].value() == "talks resumed"
    assert form["occurrence"].value() == start


@pytest.mark.parametrize(
    "params",
    [
        {"start": "abc", "end": "5"},
        {"start": "9", "end": "3"},
        {"start": "0", "end": "99999"},
        {"start": "²", "end": "4"},
        {"start": "0", "end": "10", "source": "999999"},
        {"start": "-1", "end": "4"},
    ],
)
def test_select_to_cite_ignores_offsets_that_do_not_fit(analyst_client, cited, params):
    response = analyst_client.get(add_url(cited, **params))
    assert response.status_code == 200
    assert not response.context["adminform"].form["quote"].value()


def test_a_cited_selection_is_saved_with_its_place_and_the_proposed_evidence(analyst_client, cited):
    start = TEXT.index("talks resumed again")
    url = add_url(cited, start=start, end=start + len("talks resumed"), measure=cited["measure"].pk, stance="setback")
    page = analyst_client.get(url)
    response = analyst_client.post(url, change_form_data(page))
    assert response.status_code == 302, response.context["adminform"].form.errors
    citation = Citation.objects.latest("pk")
    assert (citation.quote, citation.place) == ("talks resumed", "para. 6")
    assert TEXT[citation.spans[0][0] : citation.spans[0][1]] == "talks resumed"
    assert Evidence.objects.get(citation=citation).stance == "setback"


def test_a_quote_found_twice_in_the_admin_asks_which(analyst_client, cited):
    url = reverse("admin:measures_citation_add")
    page = analyst_client.get(add_url(cited))
    data = change_form_data(page, quote="talks resumed")
    response = analyst_client.post(url, data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "occurs 2 times" in " ".join(form.errors["quote"])
    choices = [value for value, _ in form.fields["occurrence"].widget.choices if value != ""]
    assert len(choices) == 2 and Citation.objects.count() == 2

    response = analyst_client.post(url, {**data, "occurrence": choices[1]})
    assert response.status_code == 302
    assert Citation.objects.latest("pk").place == "para. 6"


def test_a_cited_sources_text_stays_as_quoted_with_its_stored_places(analyst_client, cited):
    # Issue 11: a source's text is editable until the first citation quotes it
    # (Source.text_lock_reason), so the places stored for its citations stay true.
    source = cited["source"]
    page = analyst_client.get(reverse("admin:measures_source_change", args=[source.pk]))
    assert "full_text" in page.context["adminform"].readonly_fields
    analyst_client.post(
        reverse("admin:measures_source_change", args=[source.pk]),
        change_form_data(page, full_text="A new first paragraph.\n" + TEXT),
    )
    source.refresh_from_db()
    assert source.full_text == TEXT
    first = Citation.objects.get(pk=cited["first"].pk)
    assert TEXT[first.spans[0][0] : first.spans[0][1]] == "agreed to de-escalate"
    assert first.version == cited["first"].version


def test_the_change_page_shows_which_occurrence_a_citation_cites(analyst_client, cited):
    start = TEXT.index("talks resumed again")
    citation = services.create_citation(
        case=cited["case"], source=cited["source"], quote="talks resumed", occurrence=start
    )
    page = analyst_client.get(reverse("admin:measures_citation_change", args=[citation.pk]))
    field = page.context["adminform"].form["occurrence"]
    assert field.value() == start
    assert "para. 6: …" in str(field)


def test_removing_the_cited_occurrence_is_refused_though_the_words_remain_elsewhere(analyst_client, cited):
    source = cited["source"]
    start = TEXT.index("talks resumed again")
    pinned = services.create_citation(case=cited["case"], source=source, quote="talks resumed", occurrence=start)
    page = analyst_client.get(reverse("admin:measures_source_change", args=[source.pk]))
    response = analyst_client.post(
        reverse("admin:measures_source_change", args=[source.pk]),
        change_form_data(page, full_text=TEXT.replace("On Friday talks resumed again.", "On Friday, nothing.")),
    )
    # Issue 11: the text of a quoted source is read-only (Source.text_lock_reason).
    assert "full_text" in page.context["adminform"].readonly_fields
    # A text sent for the read-only field is refused with a message, nothing saved (no silent loss).
    assert response.status_code == 200 and response.context["errors"]
    source.refresh_from_db()
    assert source.full_text == TEXT
    pinned.refresh_from_db()
    assert TEXT[pinned.spans[0][0] : pinned.spans[0][1]] == "talks resumed"


def test_every_citation_of_the_same_passage_has_its_anchor(reader_client, cited):
    again = services.create_citation(case=cited["case"], source=cited["source"], quote="agreed to de-escalate")
    content = reader_client.get(source_url(cited)).content.decode()
    assert f'id="citation-{cited["first"].pk}"' in content
    assert f'<span class="passage-anchor" id="citation-{again.pk}"></span>' in content


@pytest.mark.parametrize(
    "params",
    [
        {"measure": "1" * 23, "stance": "progress"},
        {"case": "abc"},
        {"source": "abc"},
        {"event": "abc"},
        {"case": "9" * 24},
        {"event": "9" * 24},
        {"source": "²"},
    ],
)
def test_the_citation_form_answers_malformed_ids_without_an_error(analyst_client, cited, params):
    url = reverse("admin:measures_citation_add") + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    assert analyst_client.get(url).status_code == 200
