"""The case pages offer the data package of the case, and of every case, as of the page's dates."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from measures import services
from measures.models import Case
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


def test_a_private_case_package_is_not_found_by_those_who_may_not_read_it(client, pakistan_iran):
    # As the case's pages: 404, never a login redirect or a 403 that says the case exists.
    assert client.get("/cases/pakistan-iran-2024/package.zip").status_code == 404
    assert client.get("/package.zip").status_code == 302  # nothing readable at all: log in
    client.force_login(factories.UserFactory(username="no-role", is_staff=False))
    assert client.get("/cases/pakistan-iran-2024/package.zip").status_code == 404


def _table(package, name):
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(f"data/{name}.csv").decode("utf-8-sig"))))


@pytest.mark.parametrize("who", ["anonymous", "no role"])
def test_a_published_case_package_is_served_as_the_apis_without_names(client, pakistan_iran, who):
    # It redirected anonymous visitors to the login page and gave an account without a role a bare 403,
    # while /api/v1/cases/<slug>/package.zip served them both.
    pakistan_iran.visibility = Case.Visibility.PUBLISHED
    pakistan_iran.save()
    services.touch_cases({pakistan_iran.pk})
    if who == "no role":
        client.force_login(factories.UserFactory(username="no-role", is_staff=False))
    page = client.get("/cases/pakistan-iran-2024/?as_of=2024-01-25").content.decode()
    assert 'href="/cases/pakistan-iran-2024/package.zip?as_of=2024-01-25"' in page
    for path in ("/cases/pakistan-iran-2024/package.zip", "/package.zip"):
        ours = client.get(path + "?as_of=2024-01-25")
        api = client.get("/api/v1" + path + "?as_of=2024-01-25")
        assert ours.status_code == api.status_code == 200 and ours["Content-Type"] == "application/zip"
        assessments = _table(ours.content, "assessments")
        assert assessments and {row["recorded_by"] for row in assessments} == {""}
        for table in ("cases", "measures", "assessments", "events"):
            assert _table(ours.content, table) == _table(api.content, table)


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


def test_a_renamed_account_is_named_anew_in_the_kept_package_and_pages(reader_client, pakistan_iran):
    """The package is kept per data version: renaming an account (User.save(), as the Users admin
    does) touches the cases it recorded or reviewed in, so the package and the pages name it anew."""
    url = "/cases/pakistan-iran-2024/package.zip?as_of=2024-01-25"
    before = {row["recorded_by"] for row in _table(reader_client.get(url).content, "assessments")}
    author = pakistan_iran.measures.first().assessments.first().recorded_by
    assert author.username in before
    version = pakistan_iran.data_version

    author.last_login = author.date_joined
    author.save(update_fields=["last_login"])  # not a rename (a login): no case is touched
    pakistan_iran.refresh_from_db()
    assert pakistan_iran.data_version == version

    old = author.username
    author.username = old + "-renamed"
    author.save()
    pakistan_iran.refresh_from_db()
    assert pakistan_iran.data_version > version
    after = {row["recorded_by"] for row in _table(reader_client.get(url).content, "assessments")}
    assert author.username in after and old not in after
