import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from measures.lib.text import escape_formula
from measures.models import Assessment, Evidence
from measures.state import case_state
from reading.forms import PeriodForm
from tests import factories
from tests.scenarios import build_case

Level = Assessment.Level
D = datetime.date


@pytest.fixture
def case(db):
    return build_case()


def dashboard_url(case, **params):
    url = reverse("measures:dashboard", args=[case.slug])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def test_a_private_case_is_not_found_by_an_anonymous_visitor(client, case):
    # A private case is not revealed, not even by a login redirect (reading.access).
    assert client.get(dashboard_url(case)).status_code == 404


def test_login_page_has_the_labels_the_browser_tests_use(client, db):
    response = client.get(reverse("login"))
    content = response.content.decode()
    assert ">Username</label>" in content
    assert ">Password</label>" in content
    assert ">Log in</button>" in content


def test_single_case_list_goes_straight_to_its_dashboard_keeping_the_date(reader_client, case):
    response = reader_client.get(reverse("measures:case_list") + "?as_of=2024-01-20")
    assert response.status_code == 302
    assert response["Location"] == dashboard_url(case, as_of="2024-01-20")


def test_case_list_shows_each_case_with_the_progress_of_its_dashboard(reader_client, case):
    other = build_case(slug="second")
    as_of = D(2024, 1, 31)
    response = reader_client.get(reverse("measures:case_list") + "?as_of=2024-01-31")
    assert response.status_code == 200
    content = response.content.decode()
    for shown in (case, other):
        # Each card: the case's link, then its progress as its dashboard computes it.
        card = content.split(f'href="{dashboard_url(shown)}?as_of=2024-01-31"', 1)[1].split("</li>", 1)[0]
        assert f'<span class="progress-value">{case_state(shown, as_of=as_of).progress.percent}%</span>' in card


def test_dashboard_headline_shows_progress_per_party_and_level_counts(reader_client, case):
    response = reader_client.get(dashboard_url(case, as_of="2024-01-31"))
    assert response.status_code == 200
    state = case_state(case, as_of=D(2024, 1, 31))
    content = response.content.decode()
    # Joint level is the lowest: minimal (1/3) everywhere; Pakistan is ahead of Iran.
    assert state.progress.percent == 33
    assert '<p class="big-number">33%</p>' in content
    party_progress = dict((party.code, p.percent) for party, p in response.context["party_progress"])
    assert party_progress == {"IRN": 33, "PAK": 67}
    assert "Pakistan" in content and "67%" in content
    counts = {level: count for level, _, count in response.context["level_counts"]}
    assert counts[Level.MINIMAL] == 3
    assert "3 of 3 measures" in content


def test_dashboard_as_of_shows_the_state_on_that_date(reader_client, case):
    response = reader_client.get(dashboard_url(case, as_of="2024-01-18"))
    content = response.content.decode()
    counts = {level: count for level, _, count in response.context["level_counts"]}
    assert counts[Level.NOT_INITIATED] == 3
    assert response.context["progress"].percent == 0
    # Events after the as-of date are not drawn.
    titles = {marker.event.title for marker in response.context["timeline"].markers}
    assert "Strike 1" in titles and "Talks 1" not in titles
    assert "Talks 1" not in content


def test_dashboard_marks_direction_of_travel_and_lists_changes_since(reader_client, case):
    response = reader_client.get(dashboard_url(case, as_of="2024-01-31", since="2024-01-20"))
    content = response.content.decode()
    assert "Improved" in content
    assert 'class="moved ' in content
    changes = response.context["changes"]
    assert len(changes) == 6  # two parties × three measures, on 25 January, at different levels
    assert "Talks moved measure 1 for PAK." in content
    assert "Not initiated (0)" in content and "Intermediate (2)" in content


def test_dashboard_default_since_is_a_week_before_as_of_and_says_so(reader_client, case):
    response = reader_client.get(dashboard_url(case, as_of="2024-01-31"))
    period = response.context["period"]
    assert period.since == D(2024, 1, 25)  # 25–31 January: seven days, both ends included
    content = response.content.decode()
    assert "period <strong>25–31 Jan 2024</strong>, both days included" in content
    # Which default applied, with a link to the other.
    assert "(by default: the last 7 days, since the case is active;" in content
    assert 'href="?as_of=2024-01-31&amp;since=2024-01-16">show the whole crisis instead</a>' in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"as_of": "31-01-2024"}, "“As of” must be a date written YYYY-MM-DD"),
        ({"as_of": "2024-02-30"}, "“As of” must be a date written YYYY-MM-DD"),
        ({"as_of": "1899-12-31"}, "cannot be before 1900"),
        ({"as_of": "9999-01-01"}, "cannot be more than a year after today"),
        ({"as_of": "2568-07-28"}, "The year 2568 reads as a Buddhist-era year"),
        ({"as_of": "2024-01-01"}, "The as-of date (1 Jan 2024) is before the case began (16 Jan 2024)"),
        ({"as_of": "2024-01-20", "since": "2024-01-25"}, "cannot be after the as-of date"),
        ({"since": "yesterday"}, "“Changes since” must be a date"),
    ],
)
def test_bad_dates_give_a_message_on_the_page_not_an_error_page(reader_client, case, params, message):
    response = reader_client.get(dashboard_url(case, **params))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_bad_since_keeps_a_good_as_of(reader_client, case):
    response = reader_client.get(dashboard_url(case, as_of="2024-01-20", since="2024-01-25"))
    period = response.context["period"]
    assert period.as_of == D(2024, 1, 20)
    assert not period.since_given and period.since == D(2024, 1, 16)  # the default, not before the case's start


def test_period_form_defaults_and_validation():
    today = D(2024, 3, 1)
    period = PeriodForm({}, today=today).period()
    assert (period.as_of, period.since, period.as_of_given) == (today, D(2024, 2, 24), False)
    form = PeriodForm({"as_of": "2024-01-31", "since": "2024-01-01"}, today=today)
    assert form.is_valid()
    assert form.period().days == 31  # 1 to 31 January, both included
    assert form.period().query(with_since=True) == "as_of=2024-01-31&since=2024-01-01"
    assert PeriodForm({"as_of": "2024-01-31", "since": "2024-01-31"}, today=today).period().days == 1
    assert not PeriodForm({"as_of": "2024-01-31", "since": "2024-02-01"}, today=today).is_valid()
    assert PeriodForm({}, today=today, default_since_days=30).period().since == D(2024, 2, 1)  # 30 days up to 1 March


def test_unknown_case_is_404(reader_client, db):
    assert reader_client.get(reverse("measures:dashboard", args=["no-such-case"])).status_code == 404


def _table_numbers(response):
    return [row.record.number for row in response.context["table"].rows]


def test_table_sorts_by_number_title_and_level(reader_client, case):
    measure = case.measures.get(number=2)
    factories.AssessmentFactory(
        measure=measure, party=case.assessed_parties.get(code="IRN"), level=Level.FULL, effective_date=D(2024, 1, 28)
    )
    factories.AssessmentFactory(
        measure=measure, party=case.assessed_parties.get(code="PAK"), level=Level.FULL, effective_date=D(2024, 1, 28)
    )
    assert _table_numbers(reader_client.get(dashboard_url(case, as_of="2024-01-31"))) == [1, 2, 3]
    assert _table_numbers(reader_client.get(dashboard_url(case, as_of="2024-01-31", sort="-number"))) == [3, 2, 1]
    by_level = _table_numbers(reader_client.get(dashboard_url(case, as_of="2024-01-31", sort="-joint_level")))
    assert by_level[0] == 2
    by_party = _table_numbers(reader_client.get(dashboard_url(case, as_of="2024-01-31", sort="party_IRN")))
    assert by_party[-1] == 2


def test_table_filters_by_joint_or_party_level_and_flag(reader_client, case):
    # As of 31 January: PAK intermediate, IRN minimal everywhere; joint minimal.
    as_of = "2024-01-31"
    assert _table_numbers(reader_client.get(dashboard_url(case, as_of=as_of, level="minimal"))) == [1, 2, 3]
    assert _table_numbers(reader_client.get(dashboard_url(case, as_of=as_of, level="intermediate"))) == []
    assert _table_numbers(reader_client.get(dashboard_url(case, as_of=as_of, level="intermediate", party="PAK"))) == [
        1,
        2,
        3,
    ]
    assert _table_numbers(reader_client.get(dashboard_url(case, as_of=as_of, level="minimal", party="PAK"))) == []
    # Setback evidence (16–18 Jan) is older than the progress (22–26 Jan): nothing contested on 31 Jan.
    assert _table_numbers(reader_client.get(dashboard_url(case, as_of=as_of, flag="contested"))) == []
    # On 20 January the strikes are the newest evidence, but the levels in force (not initiated) already
    # reflect them: a setback contests only a level that does not.
    assert _table_numbers(reader_client.get(dashboard_url(case, as_of="2024-01-20", flag="contested"))) == []
    response = reader_client.get(dashboard_url(case, as_of=as_of, flag="contested"))
    assert "No measure matches these filters." in response.content.decode()


def test_changed_filter_honours_the_party_chosen_under_level_of(reader_client, case):
    """From 20 to 31 January both parties moved on every measure (PAK to intermediate, IRN to minimal)."""
    measure = case.measures.get(number=1)
    pak = case.assessed_parties.get(code="PAK")
    factories.AssessmentFactory(
        measure=measure,
        party=pak,
        level=Level.FULL,
        effective_date=D(2024, 1, 28),
        citations=[measure.evidence.first().citation],
    )
    # From 27 to 31 January only Pakistan moved, on measure 1; the joint level (Iran minimal) stayed.
    url = dashboard_url(case, as_of="2024-01-31", since="2024-01-27", flag="changed")
    assert _table_numbers(reader_client.get(url)) == [1]
    assert _table_numbers(reader_client.get(url + "&party=PAK")) == [1]
    assert _table_numbers(reader_client.get(url + "&party=IRN")) == []
    content = reader_client.get(url).content.decode()
    assert 'PAK <span aria-hidden="true">↑</span> Improved' in content


def test_bad_filter_values_give_a_message_and_filter_nothing(reader_client, case):
    response = reader_client.get(dashboard_url(case, level="excellent", party="XXX", flag="drop table"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "“excellent” is not a level of the scale." in content
    assert "“XXX” is not a party assessed in this case." in content
    assert _table_numbers(response) == [1, 2, 3]


def test_stale_flag_follows_the_setting(reader_client, case, settings):
    settings.STALE_AFTER_DAYS = 3
    response = reader_client.get(dashboard_url(case, as_of="2024-01-31", flag="stale"))
    assert _table_numbers(response) == [1, 2, 3]  # newest evidence 22–26 January
    settings.STALE_AFTER_DAYS = 30
    response = reader_client.get(dashboard_url(case, as_of="2024-01-31", flag="stale"))
    assert _table_numbers(response) == []


def _csv_rows(response):
    assert response.content.startswith("\ufeff".encode())  # a byte-order mark: spreadsheets read UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_export_has_all_filtered_rows_and_the_shown_values(reader_client, case):
    response = reader_client.get(
        dashboard_url(case, as_of="2024-01-31", party="PAK", level="intermediate", sort="-number")
    )
    assert response.status_code == 200
    export = reader_client.get(
        dashboard_url(case, as_of="2024-01-31", party="PAK", level="intermediate", _export="csv")
    )
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="crisis-x1-measures-2024-01-31.csv"' in export["Content-Disposition"]
    rows = _csv_rows(export)
    header = rows[0]
    assert header[:3] == ["No.", "Measure", "IRN level"]  # parties by name
    first = dict(zip(header, rows[1], strict=True))
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]
    assert (first["IRN level"], first["PAK level"], first["Joint level"]) == (
        "Minimal (1)",
        "Intermediate (2)",
        "Minimal (1)",
    )
    assert (first["IRN score (0-3)"], first["PAK score (0-3)"], first["Joint score (0-3)"]) == ("1", "2", "1")
    assert first["PAK rationale"] == "Talks moved measure 1 for PAK."
    assert first["PAK confidence"] == "Medium"
    assert first["Latest evidence"] == "22 Jan 2024"  # as on the page: the site locale's date format


def test_xlsx_export_has_dates_numbers_an_about_sheet_a_filter_and_a_frozen_header(reader_client, case):
    response = reader_client.get(
        dashboard_url(
            case, as_of="2024-01-31", since="2024-01-20", known_on=datetime.date.today().isoformat(), _export="xlsx"
        )
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Measures"]
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert first["Latest evidence"] == datetime.datetime(2024, 1, 22)  # a date cell, not text
    assert sheet.cell(row=2, column=header.index("Latest evidence") + 1).is_date
    assert (first["PAK score (0-3)"], first["Joint score (0-3)"]) == (2, 1)
    assert first["IRN effective"] == datetime.datetime(2024, 1, 25)
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref == sheet.dimensions
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["Case"] == case.name
    assert about["As of"] == datetime.datetime(2024, 1, 31)
    assert about["Changes since (included)"] == datetime.datetime(2024, 1, 20)
    assert about["Period"].startswith("20–31 Jan 2024, both days included.")
    today = datetime.date.today()
    assert about["As known on"] == datetime.datetime(today.year, today.month, today.day)


def test_not_scored_levels_leave_the_score_empty(reader_client, case):
    rows = _csv_rows(reader_client.get(dashboard_url(case, as_of="2024-01-16", _export="csv")))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["PAK level"], first["PAK score (0-3)"], first["PAK confidence"]) == ("Not yet assessed", "", "")


def test_control_characters_never_break_an_export(reader_client, case):
    # No NUL: PostgreSQL cannot store it in text (and every input refuses it); other C0 controls can be.
    case.measures.filter(number=1).update(title="Border\x0b talks\x01 resumed\x1f")
    for fmt in ("csv", "xlsx"):
        response = reader_client.get(dashboard_url(case, as_of="2024-01-31", _export=fmt))
        assert response.status_code == 200
    rows = _csv_rows(reader_client.get(dashboard_url(case, as_of="2024-01-31", _export="csv")))
    assert rows[1][1] == "Border talks resumed"


def test_exports_turn_every_control_character_into_a_space(reader_client, case):
    # Stored before the inputs refused them: a vertical tab, a form feed, C1 controls (U+0085 is a line
    # break to many CSV readers).
    case.measures.filter(number=1).update(title="Mediation\x0band arbitration\x85 talks \x0c\x9f resumed\x85")
    expected = "Mediation and arbitration talks resumed"
    response = reader_client.get(dashboard_url(case, as_of="2024-01-31", _export="csv"))
    body = response.content.decode("utf-8-sig")
    assert not re.search(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]", body)
    rows = _csv_rows(response)
    assert rows[1][1] == expected
    assert len({len(row) for row in rows}) == 1  # no row split at a control character
    xlsx = reader_client.get(dashboard_url(case, as_of="2024-01-31", _export="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Measures"]
    assert sheet.cell(row=2, column=2).value == expected


def test_exports_escape_cells_that_spreadsheets_would_run(reader_client, case):
    case.measures.filter(number=1).update(title='=HYPERLINK("http://evil")')
    case.measures.filter(number=2).update(title="@SUM(A1)")
    case.measures.filter(number=3).update(title="-2+3")
    rows = _csv_rows(reader_client.get(dashboard_url(case, _export="csv")))
    titles = [row[1] for row in rows[1:]]
    assert titles == ['\'=HYPERLINK("http://evil")', "'@SUM(A1)", "'-2+3"]
    xlsx = reader_client.get(dashboard_url(case, _export="xlsx"))
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Measures"]
    assert [sheet.cell(row=r, column=2).value for r in (2, 3, 4)] == titles
    assert sheet.cell(row=2, column=1).value == 1  # numbers stay numbers


def test_escape_formula_leaves_harmless_values_alone():
    assert escape_formula("+44") == "'+44"
    assert escape_formula("Ceasefire") == "Ceasefire"
    assert escape_formula(5) == 5
    assert escape_formula(None) is None


def test_unknown_export_format_is_a_message(reader_client, case):
    response = reader_client.get(dashboard_url(case, _export="pdf"))
    assert response.status_code == 200
    assert "“pdf” is not an export format" in response.content.decode()


def test_timeline_links_each_event_and_draws_escalation_above(reader_client, case):
    response = reader_client.get(dashboard_url(case, as_of="2024-01-31"))
    timeline = response.context["timeline"]
    strike = next(m for m in timeline.markers if m.event.title == "Strike 1")
    talks = next(m for m in timeline.markers if m.event.title == "Talks 1")
    assert strike.label_y < timeline.axis_y < talks.label_y
    content = response.content.decode()
    assert f'href="{reverse("measures:event_detail", args=[case.slug, strike.event.pk])}?as_of=2024-01-31"' in content


def test_page_sends_a_strict_csp_and_no_inline_style_or_script(reader_client, case):
    response = reader_client.get(dashboard_url(case))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    content = response.content.decode()
    assert not re.search(r"\sstyle=", content)
    assert "<script" not in content
    assert "<style" not in content


@pytest.mark.parametrize("scale", [1, 4])
def test_dashboard_query_count_does_not_grow_with_the_case(reader_client, django_assert_max_num_queries, scale):
    case = build_case(scale)
    with django_assert_max_num_queries(20):  # 14 + the progress chart's assessments + the commitment calendar (5)
        response = reader_client.get(dashboard_url(case, as_of="2024-01-31", since="2024-01-20"))
    assert response.status_code == 200
    assert len(response.context["table"].rows) == 3 * scale
    with django_assert_max_num_queries(13):  # no timeline or changes in an export
        assert reader_client.get(dashboard_url(case, _export="xlsx")).status_code == 200


@pytest.mark.parametrize("scale", [1, 4])
def test_case_list_query_count_does_not_grow(reader_client, django_assert_max_num_queries, scale):
    build_case(scale)
    build_case(scale, slug="another")
    with django_assert_max_num_queries(10):
        response = reader_client.get(reverse("measures:case_list"))
    assert response.status_code == 200
    assert response.content.decode().count('<li class="case-card">') == 2


def _rows_by_number(response):
    return {row.record.number: row.record.status for row in response.context["table"].rows}


def test_pakistan_iran_on_17_january_shows_escalation_and_almost_nothing_in_place(reader_client, pakistan_iran):
    response = reader_client.get(dashboard_url(pakistan_iran, as_of="2024-01-17"))
    assert response.status_code == 200
    assert response.context["progress"].percent == 0
    rows = _rows_by_number(response)
    scored_above_zero = [n for n, row in rows.items() if Assessment.SCORES.get(row.joint_level, 0) > 0]
    assert scored_above_zero == []
    timeline = response.context["timeline"]
    assert timeline.escalatory_count >= 2
    assert timeline.escalatory_count > timeline.deescalatory_count
    assert "Iran&#x27;s missile and drone strike" in response.content.decode()


def test_pakistan_iran_on_31_january_shows_diplomacy_advanced_and_track_two_without_evidence(
    reader_client, pakistan_iran
):
    response = reader_client.get(dashboard_url(pakistan_iran, as_of="2024-01-31"))
    rows = _rows_by_number(response)
    diplomatic = [rows[n] for n in (1, 2, 9, 10)]  # engagement, confidence-building, channels, international law
    assert all(Assessment.SCORES.get(row.joint_level, 0) >= 2 for row in diplomatic)
    assert response.context["progress"].percent > 40
    track_two = next(row for row in rows.values() if row.measure.title == "Track-II diplomacy")
    assert track_two.joint_level == Level.NOT_ASSESSED
    # The dashboard reads figures only (no evidence rows): the measure's own state lists its evidence.
    assert track_two.evidence is None
    detailed = case_state(pakistan_iran, as_of=D(2024, 1, 31), measure=track_two.measure).rows[0]
    assert not [item for item in detailed.evidence if item.stance == Evidence.Stance.PROGRESS]
    # No progress evidence, but the case is 15 days old on 31 January: not stale (STALE_AFTER_DAYS is 30).
    assert not track_two.stale


def test_pakistan_iran_dashboard_query_count(reader_client, pakistan_iran, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):  # 14 + the progress chart's assessments + the commitment calendar (5)
        assert (
            reader_client.get(dashboard_url(pakistan_iran, as_of="2024-01-31", since="2024-01-17")).status_code == 200
        )


def test_case_navigation_links_to_the_status_report_of_the_period(reader_client, pakistan_iran):
    response = reader_client.get("/cases/pakistan-iran-2024/?as_of=2024-01-31&since=2024-01-15")
    assert 'href="/cases/pakistan-iran-2024/report/?as_of=2024-01-31&amp;since=2024-01-15"' in response.content.decode()
    plain = reader_client.get("/cases/pakistan-iran-2024/").content.decode()
    assert 'href="/cases/pakistan-iran-2024/report/">Status report</a>' in plain


def test_case_list_without_a_date_names_each_cases_own_as_of_date(reader_client, case):
    """Without ?as_of= each case is shown as of its own default: the list said "Progress as of <today>"
    over a closed case shown as of its end date."""
    closed = build_case(slug="closed")
    closed.status, closed.end_date = "closed", D(2024, 1, 29)
    closed.save()
    response = reader_client.get(reverse("measures:case_list"))
    content = response.content.decode()
    cards = {c.slug: content.split(f'href="{dashboard_url(c)}"', 1)[1].split("</li>", 1)[0] for c in (case, closed)}
    assert f"· as of {date_format(timezone.localdate())}</p>" in cards[case.slug]
    assert f"· closed {date_format(D(2024, 1, 29))} · as of {date_format(D(2024, 1, 29))}</p>" in cards[closed.slug]
    assert f"Progress as of {date_format(timezone.localdate())}" not in content


def test_a_default_period_never_starts_before_the_case(reader_client, case):
    """As of the case's fifth day, the default seven days would start two days before the case."""
    response = reader_client.get(dashboard_url(case, as_of="2024-01-20"))
    assert response.context["period"].since == case.start_date == D(2024, 1, 16)


def test_the_download_links_carry_only_what_the_page_applied(reader_client, case):
    """A refused date is set aside by the page (it shows the default): its download links leave it out
    too, so they answer with the rows shown instead of 400; the table's sorting and a valid filter stay."""
    page = reader_client.get(dashboard_url(case, as_of="2024-13-01", sort="-joint_level", junk="1", _export="pdf"))
    assert page.status_code == 200
    links = re.findall(r'href="\?([^"]*_export=csv)"', page.content.decode())
    assert links, "the dashboard offers a CSV download"
    query = links[0].replace("&amp;", "&")
    assert "as_of" not in query and "junk" not in query and "_export=pdf" not in query
    assert "sort=-joint_level" in query
    assert reader_client.get(reverse("measures:dashboard", args=[case.slug]) + "?" + query).status_code == 200


@pytest.mark.parametrize("sort", ["bogus", "-joint", "-joint_level,bogus"])
def test_a_sort_the_table_refuses_is_named_and_left_out_of_the_download_links(reader_client, case, sort):
    """An unknown column (or one the table does not sort by) is set aside with a notice, as a refused
    filter is, and the download links do not carry it; a valid filter stays."""
    page = reader_client.get(dashboard_url(case, sort=sort, level="full"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Sort: “{sort}” is not a column the table sorts by" in html
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="\?([^"]*_export=(?:csv|xlsx))"', html)]
    assert links, "the dashboard offers its downloads"
    for query in links:
        params = QueryDict(query)
        assert "sort" not in params and params["level"] == "full", query


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
@pytest.mark.parametrize(("param", "value"), [("level", "sideways"), ("party", "XXX"), ("flag", "bogus")])
def test_a_download_with_a_refused_filter_is_refused_not_made_with_every_row(
    reader_client, case, export_format, param, value
):
    """As the matrix's: the page shows the filter's message and filters nothing; a file cannot carry
    the message, so none is made (it held every measure while the reader asked for some)."""
    response = reader_client.get(dashboard_url(case, _export=export_format, **{param: value}))
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("No export made. ")
    assert f"“{value}”" in response.content.decode()
    assert reader_client.get(dashboard_url(case, _export=export_format, level="full")).status_code == 200


@pytest.mark.parametrize(("sort", "kept"), [("bogus", []), ("-title", ["-title"]), ("%1B-title", [])])
def test_the_filter_form_keeps_only_a_sort_the_table_applied(reader_client, case, sort, kept):
    """Showing other filters keeps the table's order, but not a sort it refused (that one would come
    back with its notice on every submit)."""
    html = reader_client.get(dashboard_url(case, sort=sort)).content.decode()
    form = re.search(r'<form method="get" class="controls" aria-label="Date and filters">.*?</form>', html, re.S)
    assert re.findall(r'<input type="hidden" name="sort" value="([^"]*)">', form.group()) == kept


def test_the_column_sort_links_carry_only_what_the_page_applied(reader_client, case):
    """Each heading's sort link keeps the applied period and filter and its own `sort`, and leaves out a
    refused date, an unknown parameter, a refused `_export` and a `page` the dashboard does not read."""
    page = reader_client.get(
        dashboard_url(case, foo="bar", as_of="2024-13-01", since="2024-01-16", _export="pdf", page="9", sort="-title")
    )
    links = [
        link.replace("&amp;", "&")
        for link in re.findall(r'<th scope="col"[^>]*>\s*<a href="\?([^"]*)"', page.content.decode())
    ]
    assert len(links) >= 8, "every orderable column has a sort link"
    for query in links:
        params = QueryDict(query)
        assert set(params) == {"since", "sort"}, query
        assert params["since"] == "2024-01-16" and len(params.getlist("sort")) == 1
    assert "sort=title" in links[1], "the sorted column's link reverses it"
    assert reader_client.get(reverse("measures:dashboard", args=[case.slug]) + "?" + links[1]).status_code == 200
