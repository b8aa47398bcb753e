"""The dashboard's downloads carry the case's commitments and their outcomes: `?_export=commitments.csv`
and a "Commitments" sheet in the XLSX, both from `reading.exports.commitment_rows`, as of the page's date
(commitments announced by then) and as known on its known-on date (outcomes recorded by then)."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from measures import services
from measures.models import CommitmentOutcome
from tests import factories

D = datetime.date


def url(case, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("measures:dashboard", args=[case.slug]) + (f"?{query}" if query else "")


def csv_rows(response):
    assert response.status_code == 200, response.content[:300]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def reader(client):
    client.force_login(factories.reader(username="reader"))
    return client


def test_the_commitments_csv_lists_each_commitment_with_its_outcome(pakistan_iran, reader):
    response = reader.get(url(pakistan_iran, as_of="2024-01-29", since="2024-01-23", _export="commitments.csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{pakistan_iran.slug}-commitments-2024-01-29.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [(row["Due"], row["Outcome"]) for row in rows] == [
        ("26–27 Jan 2024", "Kept"),
        ("29 Jan 2024", "Kept"),
        ("no date stated", "No date stated, not judged"),
    ]
    ambassadors = rows[0]
    assert ambassadors["Commitment"].startswith("Ambassadors return")
    assert ambassadors["Due in the period"] == "yes"
    assert ambassadors["Parties"] and ambassadors["Stated by"] and ambassadors["Outcome shown by"]
    assert ambassadors["Outcome confidence"] == "Low"
    assert ambassadors["Outcome on"] and ambassadors["Outcome rationale"]
    # Not judged: the outcome's cells are empty.
    assert rows[2]["Outcome on"] == rows[2]["Outcome rationale"] == rows[2]["Outcome shown by"] == ""


def test_only_commitments_announced_by_the_as_of_date_are_exported(pakistan_iran, reader):
    announced = sorted(pakistan_iran.commitments.values_list("announced_on", flat=True))
    before_any = announced[0] - datetime.timedelta(days=1)
    assert csv_rows(reader.get(url(pakistan_iran, as_of=before_any.isoformat(), _export="commitments.csv"))) == []
    rows = csv_rows(reader.get(url(pakistan_iran, as_of=announced[0].isoformat(), _export="commitments.csv")))
    assert len(rows) == sum(1 for day in announced if day == announced[0])


def test_only_outcomes_known_on_the_known_on_date_are_exported(pakistan_iran, reader):
    """An outcome recorded after the known-on date is not in force yet: the step stands overdue, not kept."""
    recorded = {c.pk: c.recorded_at for c in pakistan_iran.commitments.all()}
    later = max(recorded.values()) + datetime.timedelta(days=10)
    ambassadors = pakistan_iran.commitments.get(what__startswith="Ambassadors return")
    CommitmentOutcome.objects.filter(commitment=ambassadors).update(recorded_at=later)
    known_on = (later - datetime.timedelta(days=1)).date().isoformat()
    rows = csv_rows(reader.get(url(pakistan_iran, as_of="2024-01-29", known_on=known_on, _export="commitments.csv")))
    row = next(row for row in rows if row["Commitment"].startswith("Ambassadors return"))
    assert (row["Outcome"], row["Outcome on"], row["Outcome rationale"]) == ("Overdue, not judged", "", "")
    rows = csv_rows(reader.get(url(pakistan_iran, as_of="2024-01-29", _export="commitments.csv")))
    assert next(row for row in rows if row["Commitment"].startswith("Ambassadors return"))["Outcome"] == "Kept"


def test_the_xlsx_has_a_commitments_sheet_with_date_cells(pakistan_iran, reader):
    response = reader.get(url(pakistan_iran, as_of="2024-01-29", _export="xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Measures", "Commitments", "About"]
    sheet = book["Commitments"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [row["Outcome"] for row in rows] == ["Kept", "Kept", "No date stated, not judged"]
    assert rows[0]["Due from"] == datetime.datetime(2024, 1, 26)  # a date cell, not text
    assert rows[0]["Due by"] == datetime.datetime(2024, 1, 27)
    assert isinstance(rows[0]["No."], int)
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert "announced by the as-of date" in about["Commitments"]


def test_a_commitment_that_looks_like_a_formula_is_exported_inert(pakistan_iran, reader):
    pakistan_iran.commitments.filter(what__startswith="Ambassadors return").update(what="=HYPERLINK(1)")
    rows = csv_rows(reader.get(url(pakistan_iran, as_of="2024-01-29", _export="commitments.csv")))
    assert rows[0]["Commitment"] == "'=HYPERLINK(1)"
    xlsx = reader.get(url(pakistan_iran, as_of="2024-01-29", _export="xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book["Commitments"]["E2"].value == "'=HYPERLINK(1)"


def test_bad_dates_refuse_the_commitments_download(pakistan_iran, reader):
    response = reader.get(url(pakistan_iran, as_of="2024-13-40", _export="commitments.csv"))
    assert response.status_code == 400
    assert response.content.decode().startswith("No export made.")


def test_the_dashboard_links_to_the_commitments_download(pakistan_iran, reader):
    page = reader.get(url(pakistan_iran, as_of="2024-01-29")).content.decode()
    assert "as_of=2024-01-29&amp;_export=commitments.csv" in page


def test_the_commitments_download_runs_a_fixed_number_of_queries(pakistan_iran, reader, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        csv_rows(reader.get(url(pakistan_iran, as_of="2024-01-29", _export="commitments.csv")))


def test_the_commitments_download_is_kept_until_the_case_changes(pakistan_iran, reader, django_assert_max_num_queries):
    """Downloaded again, the CSV comes from the text kept for the data version and audience: no commitment
    is read, however many the case has; a judgement recorded since changes the data version, and the file."""
    address = url(pakistan_iran, as_of="2024-01-29", _export="commitments.csv")
    first = reader.get(address)
    reader.cookies.pop("csrftoken", None)  # not answered from the page cache: the view runs
    with django_assert_max_num_queries(4):
        again = reader.get(address)
    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    unjudged = pakistan_iran.commitments.get(due_precision="unstated")
    services.judge_commitment(
        commitment=unjudged,
        outcome=CommitmentOutcome.Outcome.WITHDRAWN,
        occurred_on=D(2024, 1, 28),
        rationale="Withdrawn in a statement.",
        citations=[pakistan_iran.citations.first()],
        recorded_by=factories.analyst(),
    )
    reader.cookies.pop("csrftoken", None)
    rows = csv_rows(reader.get(address))
    assert next(row for row in rows if row["Commitment"] == unjudged.what)["Outcome"].startswith("Withdrawn")
