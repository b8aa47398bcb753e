"""The status report as data and as an HTML page: contents, period, access, validation, queries, command."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from measures.models import Assessment, Evidence
from reports.build import build_report
from reports.templatetags.report_text import unquoted
from tests import factories
from tests.scenarios import SHARED_QUOTE, build_case

Level = Assessment.Level
D = datetime.date


@pytest.fixture
def case(db):
    return build_case(shared_passage=True)


def report_url(case, name="measures:report", **params):
    url = reverse(name, args=[case.slug])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def text_of(response):
    return plain(response.content.decode())


def plain(html):
    """The text of an HTML document, each tag read as a space (but <bdi>, which only isolates a direction)."""
    html = re.sub(r"</?bdi\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".").replace(" ,", ",").replace(" :", ":")


# The data ---------------------------------------------------------------------------------------


def test_footnotes_run_through_the_report_and_point_at_sources_numbered_by_first_mention(case):
    report = build_report(case, as_of=D(2024, 1, 31), since=D(2024, 1, 20))

    notes = [note for section in report.sections for note in section.footnotes]
    assert [note.number for note in notes] == list(range(1, len(notes) + 1))
    numbers = [entry.number for entry in report.bibliography]
    assert numbers == list(range(1, len(numbers) + 1))
    by_source = {entry.source.pk: entry.number for entry in report.bibliography}
    assert all(by_source[note.citation.source_id] == note.source_number for note in notes)
    # Measure 1 quotes Report 1 first (oldest evidence first), then the joint statement.
    assert [entry.source.title for entry in report.bibliography[:2]] == ["Report 1", "Joint statement"]


def test_a_passage_is_quoted_in_full_once_and_later_measures_point_back_to_its_note(case):
    report = build_report(case, as_of=D(2024, 1, 31), since=D(2024, 1, 20))

    shared = [
        quoted
        for section in report.sections
        for quoted in section.quotes
        if quoted.evidence.citation.quote == SHARED_QUOTE
    ]
    assert len(shared) == 3
    first, *repeats = shared
    assert first.first_quoted_under is None
    assert all(quoted.first_quoted_under.number == 1 for quoted in repeats)
    assert all(quoted.footnote == first.footnote for quoted in repeats)
    notes = [note.citation.quote for section in report.sections for note in section.footnotes]
    assert notes.count(SHARED_QUOTE) == 1


def test_repeated_passages_are_recalled_in_one_line_not_quoted_again(case):
    report = build_report(case, as_of=D(2024, 1, 31), since=D(2024, 1, 20))

    first, second = report.sections[0], report.sections[1]
    assert SHARED_QUOTE in [quoted.evidence.citation.quote for quoted in first.full_quotes]
    assert first.repeats == []
    assert [quoted.evidence.citation.quote for quoted in second.repeats] == [SHARED_QUOTE]
    assert SHARED_QUOTE not in [quoted.evidence.citation.quote for quoted in second.full_quotes]


def test_the_recommendation_a_measure_comes_from_is_its_requirement_with_a_note_not_a_quote(reader_client, case):
    measure = case.measures.get(number=1)
    recommendation = factories.SourceFactory(title="Ten steps", publisher="Institute", published_on=D(2023, 12, 1))
    passage = factories.CitationFactory(
        case=case, source=recommendation, quote=f"1. Talk:  {measure.description}", locator="step 1"
    )
    measure.requirement = passage
    measure.save()

    report = build_report(case, as_of=D(2024, 1, 31), since=D(2024, 1, 20))
    section = report.sections[0]
    (note,) = section.requirement_notes
    assert note.citation == passage and note in section.footnotes
    assert passage not in [quoted.evidence.citation for quoted in section.quotes]
    assert section.status.citation_count == len(section.quotes)  # the requirement is not counted
    text = text_of(reader_client.get(report_url(case, as_of="2024-01-31", since="2024-01-20")))
    assert f"What it requires [{note.number}]" in text
    assert f"{note.number}. [{note.citation.source.short_label}], 1 Dec 2023, step 1." in text
    assert f"“1. Talk: {measure.description}”" not in text


def test_changes_on_the_same_day_between_the_same_levels_are_one_line(reader_client, case):
    report = build_report(case, as_of=D(2024, 1, 20), since=D(2024, 1, 15))

    groups = report.sections[0].change_groups
    assert [(group.first.assessment.effective_date, group.party_names) for group in groups] == [
        (D(2024, 1, 17), "Iran and Pakistan"),
    ]
    text = text_of(reader_client.get(report_url(case, as_of="2024-01-20", since="2024-01-15")))
    assert "17 Jan 2024, Iran and Pakistan: Not yet assessed → Not initiated (0), first assessed" in text
    # Over 20–31 January each party's change is its level on 19 January against 31 January.
    text = text_of(reader_client.get(report_url(case, as_of="2024-01-31", since="2024-01-20")))
    assert "25 Jan 2024, Pakistan: Not initiated (0) → Intermediate (2), improved" in text


def test_summary_says_how_each_moved_measure_moved_naming_parties_that_moved_alike_once(reader_client, pakistan_iran):
    text = text_of(reader_client.get(report_url(pakistan_iran, as_of="2024-01-31", since="2024-01-15")))
    # Both parties moved the same way, so the joint level did too: one phrase says it, with every level
    # in force over the period and the reversal restored inside it.
    assert (
        "1. Diplomatic engagement — Iran and Pakistan: Not yet assessed → Reversed → Minimal (1) → Intermediate (2) "
        "→ Full (3), worsened then improved. Joint level reversed on 17 Jan 2024 (Iran, Pakistan), restored on "
        "19 Jan 2024 to Minimal (1)."
    ) in text


def test_summary_names_each_party_that_moved_differently(reader_client, case):
    text = text_of(reader_client.get(report_url(case, as_of="2024-01-31", since="2024-01-20")))
    assert (
        "1. Measure 1 — joint level: Not initiated (0) → Minimal (1), improved. "
        "Iran: Not initiated (0) → Minimal (1), improved; Pakistan: Not initiated (0) → Intermediate (2), improved."
        in text
    )


def test_parties_with_the_same_judgement_share_one_verdict(case):
    report = build_report(case, as_of=D(2024, 1, 20), since=D(2024, 1, 17))
    groups = report.sections[0].verdict_groups
    assert [group.party_names for group in groups] == ["Iran and Pakistan"]

    report = build_report(case, as_of=D(2024, 1, 31), since=D(2024, 1, 20))
    assert [group.party_names for group in report.sections[0].verdict_groups] == ["Iran", "Pakistan"]


def test_as_of_hides_every_assessment_event_and_evidence_dated_later(case):
    report = build_report(case, as_of=D(2024, 1, 17), since=D(2024, 1, 10))

    in_force = [cell.assessment for section in report.sections for cell in section.status.cells if cell.assessment]
    assert in_force and all(a.effective_date <= D(2024, 1, 17) for a in in_force)
    assert all(entry.event.date <= D(2024, 1, 17) for entry in report.chronology)
    evidence_dates = [
        q.evidence.citation.event.date for s in report.sections for q in s.quotes if q.evidence.citation.event
    ]
    assert evidence_dates and max(evidence_dates) <= D(2024, 1, 17)


def test_since_limits_the_changes_and_the_chronology_to_the_period(case):
    report = build_report(case, as_of=D(2024, 1, 31), since=D(2024, 1, 20))

    assert not report.whole_case
    changes = [change for section in report.sections for change in section.changes]
    assert changes and all(change.assessment.effective_date >= D(2024, 1, 20) for change in changes)
    assert {entry.event.title.split()[0] for entry in report.chronology} == {"Talks"}
    assert [section.previous_joint_level_label for section in report.moved] == ["Not initiated (0)"] * 3

    first = build_report(case, as_of=D(2024, 1, 31), since=D(2024, 1, 1))
    assert first.whole_case
    assert {entry.event.title.split()[0] for entry in first.chronology} == {"Strike", "Talks"}
    # Every change of a level in force inside the period: first assessed on 17 January, then 25 January's.
    assert len([c for s in first.sections for c in s.changes]) == 12


# The page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["measures:report", "measures:report_pdf"])
def test_a_private_case_is_not_found_by_an_anonymous_visitor(client, case, name):
    # A private case is not revealed, not even by a login redirect (reading.access).
    assert client.get(report_url(case, name)).status_code == 404


def test_reader_and_analyst_get_the_report(reader_client, analyst_user, client, case):
    assert reader_client.get(report_url(case)).status_code == 200
    client.force_login(analyst_user)
    assert client.get(report_url(case)).status_code == 200


def test_report_page_has_every_part_in_order(reader_client, reader_user, case):
    reader_user.first_name, reader_user.last_name = "Rita", "Reader"
    reader_user.save()
    response = reader_client.get(report_url(case, as_of="2024-01-31", since="2024-01-20"))

    text = text_of(response)
    assert "Crisis x1" in text
    assert "As of 31 Jan 2024" in text
    assert "20 Jan 2024 to 31 Jan 2024" in text
    assert "By Rita Reader" in text
    headings = re.findall(r"<h2>(.*?)</h2>", response.content.decode())
    assert headings == [
        "Key judgements",
        "1. Summary",
        "2. All measures",
        "3. Measure by measure",
        "4. Commitments",
        "5. Chronology",
        "6. Sources",
    ]
    for number in (1, 2, 3):
        assert f"{number}. Measure {number}" in text
        assert f"The ministers agreed to de-escalate ({number})." in text
        assert f"Talks moved measure {number} for PAK." in text
    assert "Pakistan: Intermediate (2)" in text
    assert "Not initiated (0) → Intermediate (2)" in text
    assert "Paper 1. “Report 1”. A. Writer. 20 Jan 2024." in text
    # The shared passage is quoted in full under measure 1 only; later measures recall it in one line.
    assert re.search(
        r"quoted in full under an earlier one: “Ambassadors will return to their posts\.” \[\d+\] "
        r"\(context only; quoted under measure 1\)",
        text,
    )
    assert 'href="https://fo.example"' in response.content.decode()


def test_report_page_is_standalone_with_a_screen_only_toolbar_and_no_inline_style_or_script(reader_client, case):
    response = reader_client.get(report_url(case, as_of="2024-01-31"))

    content = response.content.decode()
    assert 'class="site-header"' not in content  # not the site's page layout
    assert '<nav class="report-toolbar"' in content
    assert f'href="{report_url(case, "measures:report_pdf", as_of="2024-01-31")}"' in content
    assert "<script" not in content and "<style" not in content
    assert not re.search(r"\sstyle=", content)
    assert "Content-Security-Policy" in response.headers


def test_text_from_sources_is_escaped(reader_client, case):
    source = factories.SourceFactory(title="<b>Bold</b> title", publisher="<i>Pub</i>", full_text="")
    citation = factories.CitationFactory(case=case, source=source, quote='<img src="https://evil.example/x.png">')
    Evidence.objects.create(citation=citation, measure=case.measures.get(number=1), stance=Evidence.Stance.CONTEXT)

    content = reader_client.get(report_url(case, as_of="2024-01-31")).content.decode()
    assert "<img" not in content
    assert "&lt;img src=&quot;https://evil.example/x.png&quot;&gt;" in content
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"as_of": "31-01-2024"}, "“As of” must be a date written YYYY-MM-DD"),
        ({"as_of": "2024-02-30"}, "“As of” must be a date written YYYY-MM-DD"),
        ({"since": "yesterday"}, "“Changes since” must be a date written YYYY-MM-DD"),
        ({"as_of": "2024-01-20", "since": "2024-01-25"}, "cannot be after the as-of date"),
        ({"paper": "a5"}, "“Paper” must be a4 or letter, not “a5”."),
        ({"as_of": "2023-01-01"}, "is before the case began"),
    ],
)
@pytest.mark.parametrize("name", ["measures:report", "measures:report_pdf"])
def test_bad_parameters_give_a_clear_message_and_no_report(reader_client, case, params, message, name):
    response = reader_client.get(report_url(case, name, **params))

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert "Measure by measure" not in response.content.decode()


def test_default_period_is_the_week_before_today(reader_client, case):
    response = reader_client.get(report_url(case, as_of="2024-01-31"))
    text = text_of(response)
    assert "25–31 Jan 2024, both days included (by default: the last 7 days, since the case is active)" in text


def test_unknown_case_is_404(reader_client, db):
    assert reader_client.get("/cases/nothing-here/report/").status_code == 404


def test_letter_paper_is_kept_in_the_links(reader_client, case):
    content = reader_client.get(report_url(case, as_of="2024-01-31", paper="letter")).content.decode()
    assert '<body class="report paper-letter">' in content
    assert "Download PDF (US Letter)" in content
    assert "paper=letter" in content


@pytest.mark.parametrize(
    ("query", "pdf_query", "other_paper_query"),
    [
        # Unknown and page-only parameters are not carried; the dates as the report read them.
        (
            "as_of=%202024-01-31&since=2024-01-20&foo=bar&page=3&sort=-title&include_pending=1&_export=csv",
            "as_of=2024-01-31&since=2024-01-20",
            "as_of=2024-01-31&since=2024-01-20&paper=letter",
        ),
        (
            "paper=LETTER&known_on=2024-01-25&as_of=2024-01-31&x=%00",
            "as_of=2024-01-31&known_on=2024-01-25&paper=letter",
            "as_of=2024-01-31&known_on=2024-01-25",
        ),
        ("as_of=&since=&utm_source=mail", "", "paper=letter"),
    ],
)
def test_the_pdf_and_paper_links_carry_only_what_the_report_read(
    reader_client, case, query, pdf_query, other_paper_query
):
    content = reader_client.get(f"{report_url(case)}?{query}").content.decode()

    def href(base, query):
        return f'href="{base}?{query}"'.replace("&", "&amp;") if query else f'href="{base}"'

    assert href(report_url(case, "measures:report_pdf"), pdf_query) + ' class="report-download"' in content
    assert href(report_url(case), other_paper_query) + ">Lay out for " in content
    toolbar = re.search(r'<nav class="report-toolbar".*?<form', content, flags=re.S).group()
    links = re.findall(r'href="([^"]*)"', toolbar)
    assert len(links) == 3  # the dashboard, the PDF, the other paper
    for left_out in ("foo", "page=", "sort=", "include_pending", "_export", "x=", "utm_source", "LETTER", "%20"):
        assert not any(left_out in link for link in links), left_out


@pytest.mark.parametrize("scale", [1, 4])
def test_report_query_count_does_not_grow_with_the_case(reader_client, django_assert_max_num_queries, scale):
    case = build_case(scale, shared_passage=True)
    # + the steps announced for after the as-of date, + the events before the period for the summary,
    # + the progress chart's assessments, + 7 for the comparison with the other cases (state.step_comparisons),
    # + when the case was last reviewed
    with django_assert_max_num_queries(32):  # with the commitment calendar (5)
        response = reader_client.get(report_url(case, as_of="2024-01-31", since="2024-01-20"))
    assert response.status_code == 200
    assert len(response.context["report"].sections) == 3 * scale


def test_pakistan_iran_report_as_of_17_january_has_nothing_effective_later(reader_client, pakistan_iran):
    response = reader_client.get(report_url(pakistan_iran, as_of="2024-01-17", since="2024-01-10"))

    report = response.context["report"]
    assessments = [c.assessment for s in report.sections for c in s.status.cells if c.assessment is not None]
    assert all(a.effective_date <= D(2024, 1, 17) for a in assessments)
    assert all(entry.event.date <= D(2024, 1, 17) for entry in report.chronology)
    effective = re.findall(r"Effective (\d+ \w+ \d{4})", text_of(response))
    assert effective and all(datetime.datetime.strptime(d, "%d %b %Y").date() <= D(2024, 1, 17) for d in effective)


def test_pakistan_iran_report_tells_the_crisis_measure_by_measure(
    reader_client, pakistan_iran, django_assert_max_num_queries
):
    # + the steps announced for after the as-of date, + the progress chart's assessments, + the citations
    # of the period's changes to levels no longer in force, + the measures' requirements, + last reviewed;
    # every case's data version
    with django_assert_max_num_queries(34):  # with the commitment calendar (5), 8 to compare with the other cases
        response = reader_client.get(report_url(pakistan_iran, as_of="2024-01-31", since="2024-01-15"))

    report = response.context["report"]
    text = text_of(response)
    assert len(report.sections) == pakistan_iran.measures.count()
    for measure in pakistan_iran.measures.all():
        assert f"{measure.number}. {measure.title}" in text
    distinct = {q.evidence.citation.quote for s in report.sections for q in s.quotes}
    # The recommendation each measure comes from is its "what it requires", with a note, not a quote.
    requirement = {note.citation.quote for s in report.sections for note in s.requirement_notes}
    assert len(requirement) == pakistan_iran.measures.exclude(requirement=None).count()
    assert not distinct & requirement
    assert len(distinct) == len({e.citation_id for e in Evidence.objects.filter(measure__case=pakistan_iran)})
    assert requirement == {m.requirement.quote for m in pakistan_iran.measures.exclude(requirement=None)}
    for quote in distinct:
        # Printed in quotation marks, its own double marks nested as single ones (no doubled ”).
        assert f"“{re.sub(r'\s+', ' ', unquoted(quote))}”" in text.replace("&#x27;", "'").replace("&quot;", '"')
    assert report.whole_case  # 15 January is before the case began: the first report lists every event
    assert len(report.chronology) == pakistan_iran.events.filter(date__lte=D(2024, 1, 31)).count()


# The command ------------------------------------------------------------------------------------


def test_command_writes_the_same_report_as_the_page(reader_client, case, tmp_path):
    target = tmp_path / "report.html"
    call_command(
        "status_report",
        case.slug,
        "--as-of",
        "2024-01-31",
        "--since",
        "2024-01-20",
        "--format",
        "html",
        "-o",
        str(target),
        stdout=io.StringIO(),
    )

    written = plain(target.read_text(encoding="utf-8"))
    page = text_of(reader_client.get(report_url(case, as_of="2024-01-31", since="2024-01-20")))
    body = lambda text: text[text.index("1. Summary") :]  # noqa: E731 (the title block names its author)
    assert body(written) == body(page)
    assert "By manage.py status_report" in written
    assert "<style>" in target.read_text(encoding="utf-8")  # a file on disk carries its stylesheet


def test_command_names_the_file_like_the_download(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    call_command("status_report", case.slug, "--as-of", "2024-01-31", "--format", "html", stdout=out)
    assert (tmp_path / "crisis-x1-status-2024-01-31.html").is_file()
    assert "Wrote crisis-x1-status-2024-01-31.html" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2024-13-01"], "“As of” must be a date written YYYY-MM-DD"),
        (["--as-of", "2024-01-20", "--since", "2024-01-21"], "cannot be after the as-of date"),
        (["--paper", "a3"], "“Paper” must be a4 or letter"),
        (["--user", "nobody"], "No user “nobody”"),
        (["--site-url", "javascript:alert(1)"], "is not an http(s) address"),
    ],
)
def test_command_refuses_bad_options_and_writes_nothing(case, tmp_path, args, message):
    target = tmp_path / "out.pdf"
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("status_report", case.slug, *args, "-o", str(target))
    assert not target.exists()


def test_command_refuses_an_unknown_case(db):
    with pytest.raises(CommandError, match="No case “nope”"):
        call_command("status_report", "nope")


# Issue 8: the first page, no hindsight, typography --------------------------------------------------


def test_report_opens_with_key_judgements_generated_from_the_data(pakistan_iran):
    report = build_report(pakistan_iran, as_of=D(2024, 1, 23), since=D(2024, 1, 17))
    judgements = report.key_judgements
    assert judgements.progress == report.state.progress
    assert [row.measure.number for row in judgements.improved] == [
        row.measure.number for row in report.state.rows if row.direction in ("up", "new")
    ]
    # Announced by 23 January, still to come: the ambassadors' return and the foreign minister's visit.
    scheduled = [step.event.date for step in judgements.scheduled]
    assert scheduled and min(scheduled) > D(2024, 1, 23)
    assert D(2024, 1, 29) in scheduled


def test_key_judgements_are_the_first_section_of_the_page(reader_client, pakistan_iran):
    content = reader_client.get(report_url(pakistan_iran, as_of="2024-01-23", since="2024-01-17")).content.decode()
    assert content.index("Key judgements") < content.index("1. Summary")
    assert "Next scheduled steps:" in content and "29 Jan 2024: Iranian Foreign Minister" in content


def test_a_report_before_the_end_shows_no_hindsight(pakistan_iran):
    early = build_report(pakistan_iran, as_of=D(2024, 1, 17), since=D(2024, 1, 16))
    assert not early.summary_is_case_summary
    assert "29 January" not in early.summary and "liaison" not in early.summary
    assert "From 16 Jan 2024 to 17 Jan 2024" in early.summary
    final = build_report(pakistan_iran, as_of=D(2024, 1, 29), since=D(2024, 1, 16))
    assert final.summary_is_case_summary and final.summary == pakistan_iran.summary


def test_no_doubled_closing_quote_marks_nor_full_stop_before_a_semicolon(reader_client, pakistan_iran):
    text = text_of(reader_client.get(report_url(pakistan_iran, as_of="2024-01-29", since="2024-01-16")))
    assert "””" not in text and '”"' not in text
    assert ".;" not in text
    assert "‘minor irritants.’”" in text
