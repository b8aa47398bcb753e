"""The case pages offer the data package of the case, and of every case, as of the page's dates."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from tests import factories


def test_the_dashboard_offers_the_case_and_every_case_as_data(reader_client, pakistan_iran):
    page = reader_client.get("/cases/pakistan-iran-2024/?as_of=2024-01-20").content.decode()
    assert 'href="/cases/pakistan-iran-2024/package.zip?as_of=2024-01-20"' in page
    assert 'href="/package.zip?as_of=2024-01-20"' in page


def test_the_download_is_the_package_as_of_the_pages_dates(reader_client, pakistan_iran):
    answer = reader_client.get("/cases/pakistan-iran-2024/package.zip?as_of=2024-01-20&known_on=2024-01-22")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert answer["Content-Disposition"] == (
        'attachment; filename="pakistan-iran-2024-data-2024-01-20-known-2024-01-22.zip"'
    )
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        cases = archive.read("data/cases.csv").decode("utf-8-sig")
    assert "as of 2024-01-20, as known on 2024-01-22" in descriptor["description"]
    (row,) = csv.DictReader(io.StringIO(cases))
    assert (row["slug"], row["as_of"], row["as_of_rule"], row["known_on"]) == (
        "pakistan-iran-2024",
        "2024-01-20",
        "given",
        "2024-01-22",
    )


def test_the_case_list_offers_every_case(reader_client, pakistan_iran):
    factories.CaseFactory(slug="second-case")
    page = reader_client.get("/").content.decode()
    assert 'href="/package.zip"' in page
    answer = reader_client.get("/package.zip")
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        slugs = archive.read("data/cases.csv").decode("utf-8-sig").splitlines()[1:]
    assert sorted(line.split(",")[0] for line in slugs) == ["pakistan-iran-2024", "second-case"]


def test_downloads_need_a_reader(client, pakistan_iran):
    assert client.get("/cases/pakistan-iran-2024/package.zip").status_code == 302
    assert client.get("/package.zip").status_code == 302
    client.force_login(factories.UserFactory(username="no-role"))
    assert client.get("/cases/pakistan-iran-2024/package.zip").status_code == 403


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("case_package", "as_of=2024-01-10"),  # before the case began
        ("case_package", "as_of=abc"),
        ("case_package", "known_on=9999-12-31"),
        ("all_cases_package", "as_of=0001-01-01"),
        ("all_cases_package", "known_on=abc"),
    ],
)
def test_a_bad_date_is_refused_with_the_pages_message_not_swapped_for_the_default(
    reader_client, pakistan_iran, name, query
):
    args = [pakistan_iran.slug] if name == "case_package" else []
    response = reader_client.get(f"{reverse('measures:' + name, args=args)}?{query}")
    assert response.status_code == 400
    assert response.content.decode().startswith("No data package made. ")
