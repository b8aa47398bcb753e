"""Search (measures.search, /search/): the same folding as quotes, words in every script, translations,
filters, permissions, the index kept current by every write, and a constant number of queries."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from measures import search, services
from measures.models import Case, Citation, Event
from measures.roles import readable_cases
from measures.search import backends
from tests import factories

# Real spelling variants, each pair the same text to a reader: found from either spelling.
VARIANTS = [
    ("Arabic kaf and yeh against Urdu keheh and farsi yeh", "وزير خارجه نے كها", "وزیر خارجہ نے کہا"),
    ("Arabic alef maksura against farsi yeh", "مصطفى", "مصطفی"),
    (
        "Devanagari nukta composed and decomposed",
        "\u095b\u094b\u0930 \u0926\u093f\u092f\u093e",
        "\u091c\u093c\u094b\u0930 दिया",
    ),
    ("Khmer subscripts in either order", "ស្ត្រី និង កុមារ", "ស្រ្តី និង កុមារ"),
    ("Latin decomposed letters", "talks in Tu\u0308rkiye", "talks in Türkiye"),
    ("ligatures", "the \ufb01rst ceasefire", "the first ceasefire"),
    ("soft hyphens", "a cease\u00adfire line", "a ceasefire line"),
    ("invisible characters", "a cease\u200bfire line", "a ceasefire line"),
    ("dashes", "the Pakistan\u2013Iran border", "the Pakistan-Iran border"),
]


@pytest.fixture
def world(db):
    case = factories.CaseFactory(name="Crisis A", slug="crisis-a", start_date=datetime.date(2024, 1, 1))
    return {"case": case, "measure": factories.MeasureFactory(case=case, number=1, title="Ceasefire")}


@pytest.fixture(params=["cases in the index query", "cases checked on each row"])
def case_narrowing(request, monkeypatch):
    """PostgreSQL narrows by the cases searched in two ways, by how many they are: each way gives the
    same rows (SQLite has one way: both parameters run it)."""
    if request.param == "cases checked on each row":
        monkeypatch.setattr(backends, "CASES_IN_TSQUERY", 0)
    return request.param


def cite(case, text, quote=None, **kwargs):
    source = factories.SourceFactory(full_text=text, **kwargs.pop("source", {}))
    search.index([source])
    return services.create_citation(case=case, source=source, quote=quote or text, **kwargs)


def found(text, cases=None, **filters):
    results = search.search(text, search.Filters(cases=cases if cases is not None else Case.objects.all(), **filters))
    return {(hit.kind, hit.obj.pk) for hit in results.hits}


@pytest.mark.parametrize(("kind", "one", "other"), VARIANTS, ids=[v[0] for v in VARIANTS])
@pytest.mark.parametrize("stored_first", [True, False], ids=["stored-one", "stored-other"])
def test_a_spelling_variant_finds_the_same_passages_in_both_directions(world, kind, one, other, stored_first):
    stored, typed = (one, other) if stored_first else (other, one)
    citation = cite(world["case"], f"{stored}.", quote=stored)
    expected = {(search.PASSAGE, citation.pk), (search.SOURCE, citation.source_id)}
    assert found(typed) == expected, kind
    assert found(stored) == expected, kind


def test_a_search_with_nothing_in_common_finds_nothing(world):
    cite(world["case"], "The ambassadors returned to their posts.")
    assert found("hotline") == set()
    assert found("ambassador") == set()  # whole words: a term is not a prefix


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("รัฐมนตรีว่าการกระทรวงการต่างประเทศแถลงว่าไทยและกัมพูชาตกลงหยุดยิงทันที", "กัมพูชา"),  # Cambodia
        ("នាយករដ្ឋមន្ត្រីបានថ្លែងថា", "រដ្ឋមន្ត្រី"),  # minister
        ("中国呼吁双方保持克制", "双方"),  # both sides
    ],
)
def test_a_word_of_a_script_without_spaces_is_found_inside_its_sentence(world, text, word):
    citation = cite(world["case"], text)
    assert (search.PASSAGE, citation.pk) in found(word)


def test_a_phrase_in_quotes_must_occur_as_written(world):
    citation = cite(world["case"], "The liaison officers met. Officers of liaison wrote.")
    other = cite(world["case"], "Officers met the liaison team.")
    assert {(search.PASSAGE, citation.pk), (search.PASSAGE, other.pk)} <= found("liaison officers")
    assert (search.PASSAGE, other.pk) not in found('"liaison officers"')
    assert (search.PASSAGE, citation.pk) in found('"liaison officers"')


def test_a_passage_is_found_by_its_translation_and_shows_where(world):
    citation = cite(
        world["case"],
        "وزیر خارجہ نے کہا کہ امن و آشتی ضروری ہے",
        translation="The foreign minister said that peace and harmony are essential.",
        translator="A. Translator",
        translated_on=datetime.date(2024, 2, 1),
    )
    results = search.search("harmony", search.Filters(cases=Case.objects.all()))
    (hit,) = results.hits
    assert hit.obj == citation
    labels = [text.label for text in hit.texts]
    assert labels == ["", "Translation"]
    translation = hit.texts[1]
    assert translation.language == "en" and any(marked for _, marked in translation.snippet.parts)
    assert hit.texts[0].language == "ur" and hit.texts[0].dir == "rtl"


def test_an_analysts_insertion_is_not_source_text_for_search(world):
    citation = cite(world["case"], "Speaking in Tehran, she thanked her counterpart.", quote="she [the envoy] thanked")
    assert (search.PASSAGE, citation.pk) in found("thanked")
    assert (search.PASSAGE, citation.pk) not in found("envoy")


def test_events_rationales_and_measures_are_found(world, analyst_user):
    case, measure = world["case"], world["measure"]
    event = factories.EventFactory(case=case, title="Liaison officers deployed", summary="Both armies agreed.")
    search.index([event, measure])
    citation = cite(case, "Both sides agreed to a ceasefire.")
    party = case.assessed_parties.first()
    assessment = services.record_assessment(
        measure=measure,
        party=party,
        level="minimal",
        rationale="The liaison channel works (Source).",
        citations=[citation],
        evidence_stance="progress",
        recorded_by=analyst_user,
        effective_date=datetime.date(2024, 1, 5),
    )
    assert found("liaison") == {(search.EVENT, event.pk), (search.RATIONALE, assessment.pk)}
    assert (search.MEASURE, measure.pk) in found("ceasefire")


def test_filters_narrow_by_case_kind_language_and_date(world, case_narrowing):
    other_case = factories.CaseFactory(name="Crisis B", slug="crisis-b")
    january, march = datetime.date(2024, 1, 10), datetime.date(2024, 3, 1)
    english = cite(world["case"], "The border crossing reopened.", source={"language": "en", "published_on": january})
    french = cite(other_case, "La frontière a rouvert: border.", source={"language": "fr", "published_on": march})
    everything = found("border")
    assert {(search.PASSAGE, english.pk), (search.PASSAGE, french.pk)} <= everything
    assert found("border", cases=Case.objects.filter(pk=other_case.pk)) == {
        (search.PASSAGE, french.pk),
        (search.SOURCE, french.source_id),
    }
    sources = {(search.SOURCE, english.source_id), (search.SOURCE, french.source_id)}
    assert found("border", kind=search.SOURCE) == sources
    assert found("border", language="fr") == {(search.PASSAGE, french.pk), (search.SOURCE, french.source_id)}
    assert found("border", language="en-GB") == {(search.PASSAGE, english.pk), (search.SOURCE, english.source_id)}
    in_january = found("border", date_from=datetime.date(2024, 1, 1), date_to=datetime.date(2024, 1, 31))
    assert in_january == {(search.PASSAGE, english.pk), (search.SOURCE, english.source_id)}


def test_an_event_in_another_script_than_the_cases_language_is_indexed_and_shown_in_its_own(world):
    """Events have no language of their own: an Urdu summary in an English case is found with the Urdu
    filter (not the English one) and its snippet is marked Urdu, right to left; an English event keeps
    the case's language."""
    case = world["case"]
    assert case.working_language == "en"
    urdu = factories.EventFactory(
        case=case,
        title="وزیر خارجہ کا بیان",
        summary="وزیر خارجہ نے کہا کہ سرحد پر کشیدگی کم کرنے کے لیے بات چیت جاری رہے گی۔",
    )
    english = factories.EventFactory(
        case=case, title="Foreign minister speaks", summary="The minister said talks go on."
    )
    search.index([urdu, english])
    assert found("کہا", language="ur") == {(search.EVENT, urdu.pk)}
    assert found("کہا", language="en") == set()
    assert found("minister", language="en") == {(search.EVENT, english.pk)}
    (hit,) = search.search("کہا", search.Filters(cases=Case.objects.all())).hits
    assert (hit.texts[0].language, hit.texts[0].dir) == ("ur", "rtl")


def test_a_source_is_found_only_in_the_cases_that_cite_it(world, case_narrowing):
    uncited = factories.SourceFactory(full_text="A hotline between commanders was set up.")
    search.index([uncited])
    assert found("hotline") == set()
    citation = cite(world["case"], "Another hotline report.")
    assert found("hotline") == {(search.PASSAGE, citation.pk), (search.SOURCE, citation.source_id)}
    assert found("hotline", cases=Case.objects.none()) == set()


def test_a_source_no_case_cites_is_found_in_the_library_and_then_in_the_case_that_cites_it(world, case_narrowing):
    uncited = factories.SourceFactory(full_text="A hotline between commanders was set up.")
    search.index([uncited])
    library = search.Filters(cases=Case.objects.all(), uncited_sources=True)
    assert [(hit.kind, hit.obj.pk, hit.case) for hit in search.search("hotline", library).hits] == [
        (search.SOURCE, uncited.pk, None)
    ]
    assert found("hotline", cases=Case.objects.none(), uncited_sources=True) == {(search.SOURCE, uncited.pk)}
    assert found("hotline") == set()  # a search of cases only (one case chosen, or no library to read)
    citation = services.create_citation(case=world["case"], source=uncited, quote="A hotline between commanders")
    hits = {(hit.kind, hit.obj.pk, hit.case) for hit in search.search("hotline", library).hits}
    assert hits == {(search.SOURCE, uncited.pk, world["case"]), (search.PASSAGE, citation.pk, world["case"])}
    other = factories.CaseFactory(name="Crisis B", slug="crisis-b")
    assert found("hotline", cases=Case.objects.filter(pk=other.pk), uncited_sources=True) == set()


def test_the_search_page_finds_a_source_no_case_cites_unless_one_case_is_chosen(world, reader_client):
    uncited = factories.SourceFactory(title="Memo", full_text="A hotline between commanders was set up.")
    search.index([uncited])
    page = reader_client.get(reverse("measures:search"), {"q": "hotline"}).content.decode()
    assert reverse("admin:measures_source_change", args=[uncited.pk]) in page
    assert "In the library: cited in no case yet" in page
    narrowed = reader_client.get(reverse("measures:search"), {"q": "hotline", "case": world["case"].slug})
    assert narrowed.context["results"].total == 0
    # A source added to the library moves no case's data version: the kept ranking is not reused.
    added = factories.SourceFactory(title="Memo 2", full_text="Another hotline, between the navies.")
    search.index([added])
    again = reader_client.get(reverse("measures:search"), {"q": "hotline"}).context["results"]
    assert {hit.obj.pk for hit in again.hits} == {uncited.pk, added.pk}


def test_a_reader_without_the_workspace_does_not_find_what_only_the_workspace_shows(world, client):
    """A library source's link is its workspace page: an account without staff status, which may not
    open the workspace, is not offered it."""
    uncited = factories.SourceFactory(title="Memo", full_text="A hotline between commanders was set up.")
    search.index([uncited])
    client.force_login(factories.reader(username="outside", is_staff=False))
    page = client.get(reverse("measures:search"), {"q": "hotline"})
    assert page.context["results"].total == 0


def test_a_visitor_never_finds_nor_counts_what_only_a_private_case_holds(world, case_narrowing):
    published = factories.CaseFactory(name="Crisis P", slug="crisis-p", visibility=Case.Visibility.PUBLISHED)
    private = world["case"]  # private
    public_passage = cite(published, "The hotline rang twice.")
    private_passage = cite(private, "The hotline was cut.")
    shared = services.create_citation(case=private, source=public_passage.source, quote="The hotline rang twice.")
    event = factories.EventFactory(case=private, title="Hotline set up", summary="", location="")
    search.index([event])
    visitor = readable_cases(factories.UserFactory(username="no-role"))
    results = search.search("hotline", search.Filters(cases=visitor))
    found_by_visitor = {(hit.kind, hit.obj.pk) for hit in results.hits}
    assert found_by_visitor == {(search.PASSAGE, public_passage.pk), (search.SOURCE, public_passage.source_id)}
    assert results.total == 2  # the private case's passages, event and source are not even counted
    everything = found("hotline")
    assert {(search.PASSAGE, private_passage.pk), (search.PASSAGE, shared.pk), (search.EVENT, event.pk)} <= everything
    assert (search.SOURCE, private_passage.source_id) in everything


def test_a_title_word_ranks_above_the_same_word_in_a_body_even_searched_alone(world, case_narrowing):
    case = world["case"]
    event = factories.EventFactory(case=case, title="Talks", summary="The liaison met both armies.", location="")
    measure = factories.MeasureFactory(case=case, number=2, title="Liaison office", description="Talks.")
    search.index([event, measure])
    hits = search.search("liaison", search.Filters(cases=Case.objects.all())).hits
    assert [(hit.kind, hit.obj.pk) for hit in hits] == [(search.MEASURE, measure.pk), (search.EVENT, event.pk)]


def test_equal_scores_are_ordered_by_kind_then_record_and_pages_follow_the_ranking(world, case_narrowing):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = world["case"]
    events = [factories.EventFactory(case=case, title="Hotline", summary="", location="") for _ in range(2)]
    measures = [factories.MeasureFactory(case=case, number=n, title="Hotline", description="") for n in (2, 3)]
    search.index([*events, *measures])
    expected = [(search.EVENT, e.pk) for e in events] + [(search.MEASURE, m.pk) for m in measures]
    everyone = search.Filters(cases=Case.objects.all())
    assert [(h.kind, h.obj.pk) for h in search.search("hotline", everyone).hits] == expected

    def page(number):
        with CaptureQueriesContext(connection) as queries:
            results = search.search("hotline", everyone, page=number, per_page=1)
        engine = [q for q in queries if "measures_searchindex" in q["sql"]]
        return results.total, [(h.kind, h.obj.pk) for h in results.hits], len(engine)

    assert [page(n) for n in (1, 2, 3, 4)] == [(4, [row], 1) for row in expected]  # the count comes with the page
    assert page(5) == (4, [], 2)  # past the last page: counted on its own


def test_every_write_keeps_the_index_current(world, analyst_client):
    case = world["case"]
    citation = cite(case, "The envoys met in Doha.")
    event = factories.EventFactory(case=case, title="Envoys meet")
    search.index([event])
    # An edit in the admin (a translation added to the citation) is indexed in the same save.
    page = analyst_client.get(reverse("admin:measures_citation_change", args=[citation.pk]))
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name not in ("translated_on",)}
    data.update(
        {
            "translation": "Les envoyés se sont rencontrés.",
            "translator": "A. Translator",
            "translated_on": "2024-02-01",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        }
    )
    response = analyst_client.post(reverse("admin:measures_citation_change", args=[citation.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert (search.PASSAGE, citation.pk) in found("envoyés")
    # A deletion in the admin removes the record from the index.
    response = analyst_client.post(reverse("admin:measures_event_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert found("envoys") == {(search.PASSAGE, citation.pk), (search.SOURCE, citation.source_id)}


def test_rebuilding_the_index_finds_the_same(world, capsys):
    citation = cite(world["case"], "The liaison officers met.")
    before = found("liaison")
    version = Case.objects.get(pk=world["case"].pk).data_version
    call_command("rebuild_search_index")
    assert "Indexed" in capsys.readouterr().out
    # Search pages kept for the old index are not served again: every case's data version moved.
    assert Case.objects.get(pk=world["case"].pk).data_version > version
    assert found("liaison") == before == {(search.PASSAGE, citation.pk), (search.SOURCE, citation.source_id)}


def test_a_record_removed_without_the_index_is_left_out_of_the_results(world):
    citation = cite(world["case"], "The liaison officers met. They met again.", quote="The liaison officers met.")
    kept = services.create_citation(case=world["case"], source=citation.source, quote="They met again.")
    Citation.objects.filter(pk=citation.pk).delete()  # around the services: its index row stays
    assert found("liaison") == {(search.SOURCE, citation.source_id)}
    assert (search.PASSAGE, kept.pk) in found("met")


def test_a_record_deleted_around_the_services_is_not_counted_once_a_search_meets_it(world, reader_client):
    """A passage deleted in a shell leaves its index row: the search that meets it removes every such
    row and counts again, and no ranking kept in the cache promises it afterwards."""
    case = world["case"]
    citations = [cite(case, f"Report {i}: the liaison officers met.") for i in range(3)]
    page = reader_client.get(reverse("measures:search"), {"q": "liaison", "kind": "passage"})
    assert page.context["results"].total == 3  # and the ranking is kept in the cache
    Citation.objects.filter(pk=citations[0].pk).delete()  # around the services: its index row stays
    # A reader's search page is kept per data version, which a shell's delete does not change: the kept
    # page stands until it expires (README: run rebuild_search_index after such a delete).
    cache.clear()
    page = reader_client.get(reverse("measures:search"), {"q": "liaison", "kind": "passage"})
    results = page.context["results"]
    assert results.total == len(results.hits) == 2
    assert "2 results for" in page.content.decode()
    # The row is gone from the index: other searches, ranked or cached, no longer count it.
    assert search.search("liaison officers", search.Filters(cases=Case.objects.all(), kind="passage")).total == 2
    assert search.prune() == 0


def test_rows_of_every_kind_whose_record_is_gone_are_pruned(world):
    case = world["case"]
    kept = cite(case, "The liaison officers met.")
    gone = cite(case, "The liaison officers met again.")
    event = factories.EventFactory(case=case, title="Liaison meeting")
    search.index([event])
    Citation.objects.filter(pk=gone.pk).delete()
    Event.objects.filter(pk=event.pk).delete()
    version = Case.objects.get(pk=case.pk).data_version
    assert search.prune() == 2
    assert Case.objects.get(pk=case.pk).data_version == version + 1  # its cached pages and rankings go
    assert found("liaison") == {(search.PASSAGE, kept.pk), (search.SOURCE, kept.source_id)}


# The page.


def test_liaison_officers_lists_the_pakistan_iran_passages_and_events_with_highlights(pakistan_iran, reader_client):
    page = reader_client.get(reverse("measures:search"), {"q": "liaison officers"})
    assert page.status_code == 200
    html = page.content.decode()
    results = page.context["results"]
    kinds = {hit.kind for hit in results.hits}
    assert {search.PASSAGE, search.EVENT} <= kinds
    assert "<mark>liaison officers</mark>" in html
    event = next(hit for hit in results.hits if hit.kind == search.EVENT)
    assert reverse("measures:event_detail", args=[pakistan_iran.slug, event.obj.pk]) in html
    passage = next(hit for hit in results.hits if hit.kind == search.PASSAGE)
    reader = reverse("measures:source_detail", args=[pakistan_iran.slug, passage.obj.source_id])
    assert f"{reader}#citation-{passage.obj.pk}" in html


def test_the_search_box_is_on_every_reading_page_and_searches_the_case(pakistan_iran, reader_client):
    page = reader_client.get(reverse("measures:dashboard", args=[pakistan_iran.slug])).content.decode()
    assert f'action="{reverse("measures:search")}"' in page
    assert f'name="case" value="{pakistan_iran.slug}"' in page


def test_bad_parameters_get_a_message_and_the_valid_ones_are_used(pakistan_iran, reader_client):
    page = reader_client.get(
        reverse("measures:search"),
        {"q": "liaison", "case": "no-such-case", "kind": "rumour", "date_from": "soon", "language": "123", "page": "x"},
    )
    assert page.status_code == 200
    notices = " ".join(page.context["notices"])
    for words in ("no-such-case", "rumour", "YYYY-MM-DD", "123", "whole number"):
        assert words in notices
    assert page.context["results"].total > 0


def test_a_page_past_the_last_shows_the_first(pakistan_iran, reader_client):
    page = reader_client.get(reverse("measures:search"), {"q": "Iran", "page": "999"})
    assert "There is no page 999" in " ".join(page.context["notices"])
    assert page.context["results"].page == 1


def test_a_query_without_words_says_so(pakistan_iran, reader_client):
    page = reader_client.get(reverse("measures:search"), {"q": "…, —"})
    assert "no words to search for" in " ".join(page.context["notices"])


def test_search_needs_a_login_and_a_reading_role(pakistan_iran, client):
    url = reverse("measures:search") + "?q=Iran"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(factories.UserFactory(username="no-role"))
    assert client.get(url).status_code == 403


def test_the_cases_a_request_may_read_come_from_one_place(db):
    case = factories.CaseFactory()
    assert list(readable_cases(factories.reader(username="r"))) == [case]
    assert list(readable_cases(factories.UserFactory(username="n"))) == []


def test_the_team_finds_rationales_no_reviewer_approved_marked_and_readers_never_find_them(world, analyst_user, client):
    """An analyst must not quote a judgement awaiting review (or returned) as if it counted: the team's
    search marks it; a reader's never shows it."""
    case, measure = world["case"], world["measure"]
    citation = cite(case, "Both sides agreed to a ceasefire.")
    party = case.assessed_parties.first()
    reviewer = factories.reviewer(username="reviewer")

    def record(rationale, day):
        return services.record_assessment(
            measure=measure,
            party=party,
            level="minimal",
            rationale=rationale,
            citations=[citation],
            evidence_stance="progress",
            recorded_by=analyst_user,
            effective_date=datetime.date(2024, 1, day),
        )

    approved = record("The liaison channel works, approved.", 5)
    services.approve_assessment(assessment=approved, reviewer=reviewer)
    returned = record("The liaison channel works, returned.", 6)
    services.return_assessment(assessment=returned, reviewer=reviewer, comment="Cite the second source.")
    pending = record("The liaison channel works, pending.", 7)

    client.force_login(analyst_user)
    html = client.get(reverse("measures:search"), {"q": "liaison channel"}).content.decode()
    items = {a.pk: html.split(f"#assessment-{a.pk}", 1)[1].split("</li>", 1)[0] for a in (approved, returned, pending)}
    assert "Awaiting review: does not count yet" in items[pending.pk]
    assert "Returned by its reviewer: does not count" in items[returned.pk]
    assert "does not count" not in items[approved.pk]

    client.force_login(factories.reader(username="reader"))
    page = client.get(reverse("measures:search"), {"q": "liaison channel"})
    assert {hit.obj.pk for hit in page.context["results"].hits} == {approved.pk}
    assert page.context["results"].total == 1
    assert "does not count" not in page.content.decode()


# The session and the reader (2), their permissions (2), the readable cases (1), the languages to offer
# (2), the ids of the cases searched (1), the page of rows with the count (1), one query per kind of
# record on the page (5), the cases citing the sources found with their names (2), and every case's
# data version for the page cache's stamp (1: reading.views.search._shared_search).
SEARCH_QUERIES = 17
# The same search again, a reader's from the page cache: the session and the reader, their permissions,
# every case's data version, and the library's newest change (the reader finds the library).
SEARCH_HIT_QUERIES = 6


def test_search_runs_a_fixed_number_of_queries_whatever_the_size(world, reader_client):
    case = world["case"]

    def grow(n):
        for i in range(n):
            cite(case, f"Report {i}: the liaison officers met again.")
            event = factories.EventFactory(case=case, title=f"Liaison meeting {i}")
            search.index([event])

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert reader_client.get(reverse("measures:search"), {"q": "liaison"}).status_code == 200
        return len(queries)

    grow(2)
    small = count()
    assert small <= SEARCH_QUERIES
    grow(40)  # 126 records found, over seven pages
    assert count() <= SEARCH_QUERIES
    assert count() <= SEARCH_HIT_QUERIES  # the same again: from the page cache
    assert search.search("liaison", search.Filters(cases=Case.objects.all())).total == 126


def test_a_sources_language_corrected_in_the_admin_carries_to_its_passages(world, analyst_client):
    citation = cite(world["case"], "Les deux armées ont accepté.", source={"language": "en"})
    assert found("armées", language="fr") == set()
    source = citation.source
    page = analyst_client.get(reverse("admin:measures_source_change", args=[source.pk]))
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"language": "fr", "citations-TOTAL_FORMS": "0", "citations-INITIAL_FORMS": "0"})
    data.update({"citations-MIN_NUM_FORMS": "0", "citations-MAX_NUM_FORMS": "1000"})
    response = analyst_client.post(reverse("admin:measures_source_change", args=[source.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert found("armées", language="fr") == {(search.PASSAGE, citation.pk), (search.SOURCE, source.pk)}


def test_the_same_search_again_reuses_its_ranking_until_the_data_changes(world, analyst_client):
    # Ranking every match is the engine's work (a common query matches 14,000 records at 100× the
    # demo data): the ranked page is kept per data version; the records and snippets are read afresh.
    # (The team's search: a reader's same search again is answered whole from the page cache.)
    reader_client = analyst_client
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = world["case"]
    first = cite(case, "The liaison officers met at the border.")

    def page():
        with CaptureQueriesContext(connection) as queries:
            answer = reader_client.get(reverse("measures:search"), {"q": "liaison officers"})
        ranked = [q["sql"] for q in queries if "measures_searchindex" in q["sql"]]
        return {(hit.kind, hit.obj.pk) for hit in answer.context["results"].hits}, len(ranked)

    found, ranked = page()
    assert (search.PASSAGE, first.pk) in found and ranked == 1  # the ranked page with the count
    assert page() == (found, 0)
    second = cite(case, "Liaison officers again, at the crossing.")  # a write: the case's data version moves
    found_again, ranked = page()
    assert ranked == 1 and found_again == found | {(search.PASSAGE, second.pk), (search.SOURCE, second.source_id)}


def test_a_to_date_before_the_from_date_says_that_from_is_kept(pakistan_iran, reader_client):
    """Only "To" is refused: the search keeps "From", and the message says so rather than "the default"."""
    page = reader_client.get(
        reverse("measures:search"), {"q": "Iran", "date_from": "2024-01-20", "date_to": "2024-01-18"}
    )
    notices = " ".join(page.context["notices"])
    assert "searching from 20 Jan 2024 on, with no end date" in notices
    assert page.context["results"].total > 0
    text = page.content.decode()
    assert "shows the default instead" not in text
    assert "applies the rest of what you asked for" in text
