"""The matrix of cases (/matrix/) and a type's page (/matrix/types/<slug>/): what a reader sees, the
filters and dates, the exports, who may see which case, and query counts that hold as cases grow."""

import csv
import datetime
import importlib
import io
import re

import openpyxl
import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse

from measures import services
from measures.models import Assessment, Case, MeasureType
from measures.state import STEPS, case_state
from reading import exports
from tests import factories
from tests.helpers import type_page_entries
from tests.scenarios import COMPARED_START, build_case, compared_case

Level = Assessment.Level
D = datetime.date
MATRIX = reverse("measures:matrix")


def day(n):
    return COMPARED_START + datetime.timedelta(days=n)


@pytest.fixture
def cases(db):
    """Three cases with a ceasefire: reached minimal after 2, 6 and 10 days; in the second, Beta lags
    behind Alpha from day 6 on; the third is closed on day 12."""
    return [
        compared_case("Early", history=[("AA", Level.MINIMAL, 2), ("BB", Level.MINIMAL, 2)]),
        compared_case(
            "Middle", history=[("AA", Level.MINIMAL, 6), ("BB", Level.MINIMAL, 6), ("AA", Level.INTERMEDIATE, 6)]
        ),
        compared_case(
            "Late",
            history=[("AA", Level.MINIMAL, 10), ("BB", Level.MINIMAL, 10)],
            status=Case.Status.CLOSED,
            end=day(12),
        ),
    ]


def ceasefire_row(response):
    for _, rows in response.context["rows"]:
        for row, cells, _ in rows:
            if row.type.slug == "ceasefire":
                return cells
    raise AssertionError("no ceasefire row")


def test_anonymous_visitors_are_sent_to_log_in_and_accounts_without_a_role_refused(client, cases):
    for url in (MATRIX, reverse("measures:measure_type", args=["ceasefire"])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(factories.UserFactory(username="no-role", is_staff=False))
    assert client.get(MATRIX).status_code == 403


def test_anonymous_visitors_compare_the_published_cases_only(client, cases):
    early, middle, late = cases
    early.visibility = Case.Visibility.PUBLISHED
    early.save()
    middle.visibility = Case.Visibility.SHARED
    middle.save()
    services.touch_cases({early.pk, middle.pk})
    response = client.get(MATRIX)
    assert response.status_code == 200
    assert [column.case for column in response.context["columns"]] == [early]
    content = response.content.decode()
    assert middle.name not in content and late.name not in content
    page = client.get(reverse("measures:measure_type", args=["ceasefire"]))
    assert page.status_code == 200
    assert middle.name not in page.content.decode() and late.name not in page.content.decode()
    # A reader still compares every case.
    client.force_login(factories.reader(username="matrix-reader"))
    assert len(client.get(MATRIX).context["columns"]) == 3


def test_a_reader_sees_every_case_side_by_side_on_the_catalogue_grouped_by_theme(reader_client, cases):
    response = reader_client.get(MATRIX)
    assert response.status_code == 200
    content = response.content.decode()
    # The newest case first; of cases that began the same day, by name.
    assert [column.case.name for column in response.context["columns"]] == ["Early", "Late", "Middle"]
    assert [theme.name for theme, _ in response.context["rows"]][0] == "Talks and diplomacy"
    assert sum(len(rows) for _, rows in response.context["rows"]) == MeasureType.objects.count()
    for name in ("Military restraint and security", "Ceasefire", "Return of envoys", "Early", "Late"):
        assert name in content
    assert [len(items) for _, items in ceasefire_row(response)] == [1, 1, 1]
    assert "Each case as of its own date" in content
    assert "Figures as of" not in content  # the footer names no single date when each case has its own


def test_each_cell_is_the_dashboards_level_with_its_symbol_and_links_to_the_measure_page(reader_client, cases):
    response = reader_client.get(MATRIX)
    content = response.content.decode()
    for column, items in ceasefire_row(response):
        (item,) = items
        state = case_state(column.case)
        assert item.comparison.joint_level == state.rows[0].joint_level
        assert f'href="{reverse("measures:measure_detail", args=[column.case.slug, 1])}"' in content
    assert '<span class="level level-minimal level-mark"><span class="level-symbol" aria-hidden="true">◔</span> ' in (
        content
    )


def test_each_partys_level_on_demand_and_who_lags_since_when(reader_client, cases):
    levels = reader_client.get(MATRIX).content.decode()
    assert '<details class="matrix-parties">' in levels
    assert "BB behind since 7 Mar 2024" in levels
    parties = reader_client.get(MATRIX, {"view": "parties"}).content.decode()
    assert '<details class="matrix-parties" open>' in parties
    assert '<abbr title="Alpha">AA</abbr>' in parties
    cache.clear()  # the first request's rendering is kept: render it again to read its context
    lags = reader_client.get(MATRIX).context["party_lags"]
    assert [(party.code, measures, n) for party, measures, n in lags] == [("BB", 1, 1)]


def test_one_date_for_every_case_and_as_known_on(reader_client, cases):
    response = reader_client.get(MATRIX, {"as_of": day(4).isoformat()})
    assert {column.as_of for column in response.context["columns"]} == {day(4)}
    levels = [items[0].comparison.joint_level for _, items in ceasefire_row(response)]
    assert levels == [Level.MINIMAL, Level.NOT_ASSESSED, Level.NOT_ASSESSED]  # Early, Late, Middle
    assert "Every case as of" in response.content.decode()
    known = reader_client.get(MATRIX, {"known_on": "2023-01-01"})
    assert {items[0].comparison.joint_level for _, items in ceasefire_row(known)} == {Level.NOT_ASSESSED}
    assert "as known on" in known.content.decode()
    closed = next(c for c in reader_client.get(MATRIX).context["columns"] if c.case.name == "Late")
    assert closed.as_of == day(12)


def test_filters_by_theme_status_and_party(reader_client, cases):
    security = reader_client.get(MATRIX, {"theme": "security"})
    assert [theme.slug for theme, _ in security.context["rows"]] == ["security"]
    closed = reader_client.get(MATRIX, {"status": "closed"})
    assert [column.case.name for column in closed.context["columns"]] == ["Late"]
    other = compared_case("Other parties", history=[])
    other.assessed_parties.set([factories.PartyFactory(code="CC"), factories.PartyFactory(code="DD")])
    alpha = reader_client.get(MATRIX, {"party": "AA"})
    assert "Other parties" not in [column.case.name for column in alpha.context["columns"]]
    middle = [items[0] for column, items in ceasefire_row(alpha) if column.case.name == "Middle"][0]
    assert "Intermediate (2)" in middle.mark  # Alpha's own level, not the joint minimal


def test_a_bad_filter_or_date_says_so_and_shows_the_defaults(reader_client, cases):
    response = reader_client.get(
        MATRIX, {"theme": "nope", "status": "maybe", "party": "ZZ", "view": "3d", "as_of": "2024-02-31"}
    )
    assert response.status_code == 200
    notices = response.context["notices"]
    assert any("“nope” is not a theme" in n for n in notices)
    assert any("“maybe” is not a case status" in n for n in notices)
    assert any("“ZZ” is not a party" in n for n in notices)
    assert any("“3d” is not a view" in n for n in notices)
    assert any("As of" in n for n in notices)
    assert len(response.context["columns"]) == 3
    assert "is not an export format" in reader_client.get(MATRIX, {"_export": "pdf"}).content.decode()


def test_a_view_set_aside_with_a_refused_filter_is_named(reader_client, cases):
    """The filters apply all together or not at all: with a bad theme the days view asked for is not drawn
    either, and the page says so instead of drawing the levels as if they had been asked for."""
    response = reader_client.get(MATRIX, {"theme": "nope", "view": "days", "status": "active"})
    notices = response.context["notices"]
    assert any("“nope” is not a theme" in n for n in notices)
    assert (
        "Not applied either, as the filters apply all together or not at all: "
        "Cases “Active only”, Show “Days to each level”."
    ) in notices
    assert not response.context["show_days"]
    assert "Not applied either" not in " ".join(reader_client.get(MATRIX, {"view": "days"}).context["notices"])


def test_the_days_view_gives_each_cells_days_and_the_median_and_range_across_cases(reader_client, cases):
    response = reader_client.get(MATRIX, {"view": "days"})
    content = response.content.decode()
    days = [[step.days for step in items[0].days] for _, items in ceasefire_row(response)]
    # Early, Late, Middle: jointly, the middle case is minimal (Beta), though Alpha was intermediate on day 6.
    assert days == [[2, None, None], [10, None, None], [6, None, None]]
    assert "6 d (2–10), 3 of 3 cases" in content
    assert "No case has one." in content  # a type no case has


def _pakistan_iran_item(response, slug):
    """The one case's MeasureComparison in the matrix row of type `slug`."""
    found = [cells for _, rows in response.context["rows"] for row, cells, _ in rows if row.type.slug == slug]
    ((_, (item,)),) = found[0]
    return item


def test_the_pakistan_iran_days_view_answers_for_the_channels_and_the_return_of_envoys(reader_client, pakistan_iran):
    """Issue 20's done-when: how many days after 16 January 2024 each step reached each level."""
    response = reader_client.get(MATRIX, {"view": "days"})
    channels = _pakistan_iran_item(response, "crisis-communication-channels")
    assert [step.days for step in channels.days] == [3, 13, None]  # 19 and 29 January
    assert channels.progress_days == 3
    # Measure 11: the return announced on 22 January; the ambassadors due to resume their duties on 26
    # (Pakistan's) and 27 January (Iran's); no source reports their arrival, so full is not reached.
    envoys = _pakistan_iran_item(response, "return-of-envoys")
    assert envoys.comparison.measure.number == 11
    assert [step.days for step in envoys.days] == [6, 11, None]
    assert envoys.progress_days == 6
    parties = {party.code: party for party in pakistan_iran.assessed_parties.all()}
    assert [envoys.comparison.days_to(level, parties["PAK"]).days for level in STEPS] == [6, 10, None]
    assert [envoys.comparison.days_to(level, parties["IRN"]).days for level in STEPS] == [6, 11, None]
    content = response.content.decode()
    assert "Return of envoys" in content and "Crisis communication channels" in content


def test_the_csv_is_the_long_form_with_formulas_made_inert(reader_client, cases):
    Case.objects.filter(name="Late").update(name="=HYPERLINK(1)")
    response = reader_client.get(MATRIX, {"_export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Case", "Case slug", "Case status"] and "Days to minimal" in header
    assert len(body) == 3 * 3  # three measures, each joint and for two parties
    late = [row for row in body if row[1] == "late"]
    assert late[0][0] == "'=HYPERLINK(1)"
    joint = dict(zip(header, next(row for row in body if row[1] == "middle" and row[12] == "Joint"), strict=True))
    assert (joint["Level"], joint["Days to minimal"], joint["Measure type"]) == ("Minimal (1)", "6", "Ceasefire")
    beta = dict(zip(header, next(row for row in body if row[1] == "middle" and row[12] == "BB"), strict=True))
    assert (beta["Lags"], beta["Behind since"]) == ("yes", "7 Mar 2024")


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
@pytest.mark.parametrize(("param", "value"), [("as_of", "abc"), ("known_on", "2024-02-30"), ("as_of", "0001-01-01")])
def test_an_export_with_a_bad_date_is_refused_not_made_for_the_default_date(
    reader_client, cases, export_format, param, value
):
    response = reader_client.get(MATRIX, {"_export": export_format, param: value})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("No export made. ")


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("param", "value", "named"),
    [("theme", "abc", "not a theme"), ("status", "bogus", "not a case status"), ("view", "bogus", "not a view")],
)
def test_an_export_with_a_bad_filter_is_refused_not_made_for_every_row(
    reader_client, cases, export_format, param, value, named
):
    # The page shows the filter's message and filters nothing; a file cannot carry the message, so it
    # is not made (it held every theme while the reader asked for one).
    response = reader_client.get(MATRIX, {"_export": export_format, param: value})
    assert response.status_code == 400
    assert response.content.decode().startswith("No export made. ")
    assert named in response.content.decode()


@pytest.mark.parametrize(
    ("query", "carried"),
    [
        ("foo=bar&status=closed&page=2&_export=pdf", {"status": "closed"}),
        ("as_of=2024-03-20&theme=bogus&status=closed", {"as_of": "2024-03-20"}),  # filters: all or none
        ("as_of=2024-13-01&view=days", {"view": "days"}),
    ],
)
def test_the_download_links_carry_only_what_the_page_applied(reader_client, cases, query, carried):
    """Not a parameter the matrix does not read, nor a refused date or filter (the download would
    answer 400 for it), nor the page of cases (a download holds every case)."""
    html = reader_client.get(f"{MATRIX}?{query}").content.decode()
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="\?([^"]*_export=(?:csv|xlsx))"', html)]
    assert len(links) == 2
    for link in links:
        params = QueryDict(link)
        assert {name: params[name] for name in params if name != "_export"} == carried, link
        assert reader_client.get(f"{MATRIX}?{link}").status_code == 200


def test_the_xlsx_has_the_long_form_the_summaries_and_who_lags(reader_client, cases):
    Case.objects.filter(name="Late").update(name="@SUM(A1)")
    response = reader_client.get(MATRIX, {"_export": "xlsx", "as_of": day(30).isoformat()})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Matrix", "Time to each step", "Who lags", "About"]
    matrix = list(book["Matrix"].values)
    assert len(matrix) == 1 + 9
    assert "'@SUM(A1)" in [row[0] for row in matrix]
    summary = [row for row in book["Time to each step"].values if row[1] == "Ceasefire"]
    assert summary[0][2:] == ("Minimal (1)", 3, 3, 6, 2, 10)
    assert list(book["Who lags"].values)[1][:3] == ("BB", "Beta", 1)
    assert response["Content-Disposition"] == f'attachment; filename="matrix-{day(30).isoformat()}.xlsx"'


def test_the_matrix_shows_only_the_cases_the_reader_may_read(reader_client, cases, monkeypatch):
    matrix_views = importlib.import_module("reading.views.matrix")
    monkeypatch.setattr(matrix_views, "readable_cases", lambda user: Case.objects.exclude(name="Middle"))
    response = reader_client.get(MATRIX)
    assert [column.case.name for column in response.context["columns"]] == ["Early", "Late"]
    assert "Middle" not in response.content.decode()
    assert "Middle" not in reader_client.get(reverse("measures:measure_type", args=["ceasefire"])).content.decode()


def test_a_types_page_gives_its_definition_each_cases_measure_days_and_passages(reader_client, pakistan_iran):
    url = reverse("measures:measure_type", args=["crisis-communication-channels"])
    response = reader_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "hotlines, dedicated crisis-management mechanisms" in content
    (entry,) = type_page_entries(response)
    assert entry["case"] == pakistan_iran
    assert [step.days for step in entry["item"].days] == [3, 13, None]
    # 12 of the measure's 13 passages: the 13th is the recommendation that defines it (its requirement),
    # never counted as evidence.
    assert len(entry["passages"]) == 5 and entry["total"] == 12 and entry["more"] == 7
    assert entry["passages"][0][0].citation.quote in content
    assert "All 12 passages on the measure's page" in content
    assert "none corresponds" in content  # neither PAM nor PA-X: none was confirmed
    ceasefire = reader_client.get(reverse("measures:measure_type", args=["ceasefire"])).content.decode()
    assert "Ceasefire (Ce)" in ceasefire and "No case you may read has a measure of this type yet." in ceasefire
    assert reader_client.get(reverse("measures:measure_type", args=["no-such-type"])).status_code == 404


def test_the_dashboard_says_who_lags_and_since_when(reader_client, db):
    case = build_case()  # Pakistan intermediate, Iran minimal from 25 January
    content = reader_client.get(reverse("measures:dashboard", args=[case.slug]), {"as_of": "2024-01-31"}).content
    content = content.decode()
    assert "Who lags" in content
    assert "<strong>Iran</strong>" in content and "behind Pakistan since" in content
    assert content.count('behind Pakistan since <time datetime="2024-01-25">25 Jan 2024</time>') == 3


@pytest.mark.parametrize("size", [1, 8])
def test_the_matrix_and_a_types_page_take_as_many_queries_for_one_case_as_for_many(
    reader_client, db, django_assert_max_num_queries, size
):
    for n in range(size):
        compared_case(f"Case {n}", history=[("AA", Level.MINIMAL, 2), ("BB", Level.NOT_INITIATED, 3)])
    # session, user, role (2), data version; cases, parties, types, measures; then, for the columns not
    # kept (all, the first time), applicable parties and the assessments in order (their last: the level)
    with django_assert_max_num_queries(11):
        assert reader_client.get(MATRIX).status_code == 200
    with django_assert_max_num_queries(12):  # and the first evidence of progress
        assert reader_client.get(MATRIX, {"view": "days"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert reader_client.get(MATRIX, {"_export": "csv"}).status_code == 200
    with django_assert_max_num_queries(9):  # another page of the same dates: every column kept
        assert reader_client.get(MATRIX, {"view": "parties"}).status_code == 200
    with django_assert_max_num_queries(14):  # and the type, the passages and their count
        assert reader_client.get(reverse("measures:measure_type", args=["ceasefire"])).status_code == 200


@pytest.mark.parametrize("size", [1, 6])
def test_a_types_page_shows_every_cases_passages_in_as_many_queries_for_one_case_as_for_many(
    reader_client, db, django_assert_max_num_queries, size
):
    # Each passage names its case's working language (translation, insertions): the cases come with
    # the evidence, not one query per passage (it took 251 queries at 100× the demo data).
    for n in range(size):
        case = compared_case(f"Case {n}", history=[("AA", Level.MINIMAL, 2)])
        for _ in range(2):
            factories.EvidenceFactory(measure=case.measures.get())
    url = reverse("measures:measure_type", args=["ceasefire"])
    with django_assert_max_num_queries(15):
        response = reader_client.get(url)
    assert response.status_code == 200
    assert sum(len(entry["passages"]) for entry in type_page_entries(response)) == 2 * size


def test_a_measures_page_names_its_type_and_links_to_its_page_across_cases(reader_client, cases):
    content = reader_client.get(reverse("measures:measure_detail", args=["early", 1])).content.decode()
    assert '<a href="/matrix/types/ceasefire/">Ceasefire</a>: compared across cases' in content
    untyped = factories.MeasureFactory(case=cases[0], number=2, type=None)
    content = reader_client.get(reverse("measures:measure_detail", args=["early", untyped.number])).content.decode()
    assert "none: this measure is not in the matrix of cases" in content


def _csv_rows(response):
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_case_that_had_not_begun_on_the_as_of_date_says_so_on_the_page_and_in_the_exports(reader_client, cases):
    """A date before a case's start: its cells and rows say it had not begun (not "not yet assessed"),
    and it is left out of the counts across cases; the cases that had begun are shown as before."""
    compared_case("Later", history=[("AA", Level.MINIMAL, 1), ("BB", Level.MINIMAL, 1)], start=day(20))
    as_of = day(15).isoformat()
    response = reader_client.get(MATRIX, {"as_of": as_of, "view": "days"})
    content = response.content.decode()
    assert "Not begun: the case began on 21 Mar 2024" in content
    assert "<strong>Later</strong> began on 21 Mar 2024: this case had not begun on 16 Mar 2024" in content
    assert "6 d (2–10), 3 of 3 cases" in content  # Early, Middle and Late; not Later
    assert [column.begun for column in response.context["columns"]] == [False, True, True, True]

    rows = _csv_rows(reader_client.get(MATRIX, {"_export": "csv", "as_of": as_of}))
    later = [row for row in rows if row["Case slug"] == "later"]
    assert len(later) == 3 and {row["Level"] for row in later} == {exports.NOT_BEGUN}
    assert {row["Days to minimal"] for row in later} == {""}
    assert {row["Level"] for row in rows if row["Case slug"] == "early" and row["Party"] == "Joint"} == {"Minimal (1)"}

    type_page = reader_client.get(reverse("measures:measure_type", args=["ceasefire"]), {"as_of": as_of})
    assert "<strong>Not begun</strong> on 16 Mar 2024: the case began on 21 Mar 2024" in type_page.content.decode()

    book = openpyxl.load_workbook(io.BytesIO(reader_client.get(MATRIX, {"_export": "xlsx", "as_of": as_of}).content))
    assert exports.NOT_BEGUN in [row[14] for row in book["Matrix"].values if row[1] == "later"]
    summary = [row for row in book["Time to each step"].values if row[1] == "Ceasefire"]
    assert summary[0][2:5] == ("Minimal (1)", 3, 3)


def test_the_pakistan_iran_csv_before_the_crisis_says_the_case_had_not_begun(reader_client, pakistan_iran):
    """The tester's request: a date before 16 January 2024 answered "Not yet assessed" on every row."""
    response = reader_client.get(MATRIX, {"_export": "csv", "as_of": "2024-01-10"})
    assert response.status_code == 200
    levels = {row["Level"] for row in _csv_rows(response)}
    assert levels == {exports.NOT_BEGUN}
    body = str(reader_client.get(MATRIX, {"as_of": "2024-01-10"}).context["table_body"])
    assert "Not begun: the case began on 16 Jan 2024" in body and "level-mark" not in body


def test_the_first_evidence_of_progress_is_the_measures_on_every_row_and_the_page_says_why(
    reader_client, pakistan_iran
):
    """Evidence is recorded for a measure, not for one party: each applicable party's row of measure 11
    (the return of envoys) carries the measure's first evidence of progress, as the joint row does."""
    rows = [row for row in _csv_rows(reader_client.get(MATRIX, {"_export": "csv"})) if row["No."] == "11"]
    assert [row["Party"] for row in rows] == ["Joint", "IRN", "PAK"]
    assert {row["First evidence of progress"] for row in rows} == {"22 Jan 2024"}
    assert {row["Days to first evidence of progress"] for row in rows} == {"6"}
    content = reader_client.get(MATRIX, {"view": "days", "party": "IRN"}).content.decode()
    assert "evidence is recorded for a measure, not for one party" in content


def test_a_write_to_one_case_recomputes_its_column_alone(reader_client, cases, monkeypatch):
    """Each case's column is kept per its data version: once the matrix was drawn, a write to one case
    (which bumps its version, services.touch_cases) recomputes that case's column and no other, and
    the page shows the write."""
    compare = importlib.import_module("measures.state.compare.matrix")
    computed = []
    real = compare.column_values

    def spy(columns, *args, **kwargs):
        computed.append(sorted(column.case.name for column in columns.values()))
        return real(columns, *args, **kwargs)

    monkeypatch.setattr(compare, "column_values", spy)
    assert reader_client.get(MATRIX).status_code == 200
    assert computed == [["Early", "Late", "Middle"]]
    early = Case.objects.get(name="Early")
    measure = early.measures.get(number=1)
    factories.AssessmentFactory(
        measure=measure, party=early.assessed_parties.get(code="AA"), level=Level.FULL, effective_date=day(3)
    )
    factories.AssessmentFactory(
        measure=measure, party=early.assessed_parties.get(code="BB"), level=Level.FULL, effective_date=day(3)
    )
    services.touch_cases({early.pk})
    response = reader_client.get(MATRIX)
    assert computed == [["Early", "Late", "Middle"], ["Early"]]
    levels = {column.case.name: items[0].comparison.joint_level for column, items in ceasefire_row(response)}
    assert levels == {"Early": Level.FULL, "Late": Level.MINIMAL, "Middle": Level.MINIMAL}
    reader_client.get(MATRIX, {"view": "parties"})  # another view of the same dates: every column kept
    assert len(computed) == 2


def test_the_matrix_shows_ten_cases_a_page_the_summaries_and_exports_cover_them_all(reader_client, db):
    for n in range(12):
        compared_case(f"Case {n:02}", history=[("AA", Level.MINIMAL, n), ("BB", Level.MINIMAL, n)])
    first = reader_client.get(MATRIX, {"view": "days"})
    assert [column.case.name for column in first.context["columns"]] == [f"Case {n:02}" for n in range(10)]
    assert all(len(cells) == 10 for _, rows in first.context["rows"] for _, cells, _ in rows)
    content = first.content.decode()
    assert "12 cases (10 a page; the exports hold all of them)" in content
    assert "Cases 1–10 of 12 (page 1 of 2)" in content
    assert "5.5 d (0–11), 12 of 12 cases" in content  # the summary is across every case
    assert "_export=csv" in content and "page=" not in content.split("_export=csv")[0].rsplit("href", 1)[1]
    second = reader_client.get(MATRIX, {"view": "days", "page": "2"})
    assert [column.case.name for column in second.context["columns"]] == ["Case 10", "Case 11"]
    bad = reader_client.get(MATRIX, {"page": "9"})
    assert any("There is no page 9" in notice for notice in bad.context["notices"])
    rows = _csv_rows(reader_client.get(MATRIX, {"_export": "csv", "page": "2"}))
    assert len({row["Case slug"] for row in rows}) == 12


def test_the_filters_fields_kept_between_requests_show_each_requests_values(reader_client, cases):
    """The fields are kept per data version and query: another query gets its own values."""
    assert '<option value="security" selected>' in reader_client.get(MATRIX, {"theme": "security"}).content.decode()
    plain = reader_client.get(MATRIX).content.decode()
    assert '<option value="security" selected>' not in plain and '<option value="security">' in plain
    assert 'value="2024-03-05"' in reader_client.get(MATRIX, {"as_of": "2024-03-05"}).content.decode()


def test_a_page_of_cases_builds_the_measures_of_its_cases_only(reader_client, db, monkeypatch):
    """The summaries across cases and who lags are counted from every column's values; the measures
    (MeasureComparison) are built for the ten cases shown, and for every case in an export."""
    for n in range(12):
        compared_case(f"Case {n:02}", history=[("AA", Level.INTERMEDIATE, n), ("BB", Level.MINIMAL, n)])
    compare = importlib.import_module("measures.state.compare.matrix")
    built = []
    real = compare._build_column

    def spy(column, entries, **kwargs):
        built.append(column.case.name)
        return real(column, entries, **kwargs)

    monkeypatch.setattr(compare, "_build_column", spy)
    content = reader_client.get(MATRIX, {"view": "days"}).content.decode()
    assert built == [f"Case {n:02}" for n in range(10)]
    assert "5.5 d (0–11), 12 of 12 cases" in content
    assert reader_client.get(MATRIX).context["party_lags"][0][1:] == (12, 12)  # BB, on every case's measure
    built.clear()
    assert len(_csv_rows(reader_client.get(MATRIX, {"_export": "csv"}))) == 12 * 3
    assert len(built) == 12


def test_a_deployment_of_other_code_than_the_comparisons_keeps_the_columns(reader_client, cases, monkeypatch):
    """The columns' keys carry the fingerprint of the code that computes them (the domain's models,
    querysets and state layer), not the pages': after a deployment that changed a template, a new
    process reads every column from the shared cache instead of computing them all."""
    caching = importlib.import_module("reading.caching")
    column_cache = importlib.import_module("reading.caching.columns")
    compare = importlib.import_module("measures.state.compare.matrix")
    assert reader_client.get(MATRIX).status_code == 200  # every column computed and kept
    computed = []
    real = compare.column_values

    def spy(columns, *args, **kwargs):
        computed.append(len(columns))
        return real(columns, *args, **kwargs)

    monkeypatch.setattr(compare, "column_values", spy)
    monkeypatch.setattr(caching, "code_fingerprint", lambda: "new-templates")  # the pages' code changed
    column_cache.kept_columns.clear()  # a new server process
    assert reader_client.get(MATRIX, {"view": "parties"}).status_code == 200
    assert computed == []
    column_cache.columns_fingerprint.cache_clear()
    monkeypatch.setattr(column_cache.settings, "PAGE_CACHE_SALT", "new-domain-code", raising=False)
    column_cache.kept_columns.clear()
    assert reader_client.get(MATRIX, {"view": "parties", "page": "1"}).status_code == 200
    assert computed == [3]  # the comparison's code changed: every column computed again
    column_cache.columns_fingerprint.cache_clear()
