"""Conditional GETs of the API: If-None-Match with an ETag or `*` (RFC 9110, 13.1.2), and the data
package's ETag following its content."""

import datetime
import io
import pathlib
import zipfile

import pytest

from measures import services
from measures.models import Event
from tests import factories

BASE = "/api/v1/cases/pakistan-iran-2024"
D = datetime.date
ANY = {"HTTP_IF_NONE_MATCH": "*"}


@pytest.mark.parametrize("address", ["/measures/", "/measures/2/", "/events/", "/assessments/", "/package.zip"])
def test_star_is_304_for_an_answer_that_exists(pakistan_iran, api, reader_token, address):
    first = api.get(BASE + address, token=reader_token)
    star = api.get(BASE + address, token=reader_token, headers=ANY)
    assert first.status_code == 200 and star.status_code == 304
    assert star["ETag"] == first["ETag"] and star.content == b""


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/measures/99/", 404),
        ("/events/999999999/", 404),
        ("/sources/999999999/", 404),
        ("/measures/?as_of=1990-01-01", 400),
        ("/package.zip?as_of=1990-01-01", 400),
    ],
)
def test_star_never_hides_that_there_is_nothing_to_match(pakistan_iran, api, reader_token, address, status):
    # No current representation: the condition is true, and the answer is the one without it.
    assert api.get(BASE + address, token=reader_token, headers=ANY).status_code == status


def test_star_never_answers_for_a_case_one_may_not_read(pakistan_iran, api):
    assert api.get(BASE + "/measures/", headers=ANY).status_code == 401


def _tables(answer):
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    return {name: archive.read(name) for name in archive.namelist() if name.startswith("data/")}


def test_the_data_packages_etag_changes_with_its_content(pakistan_iran, api, reader_token, reader_client):
    page = f"/cases/{pakistan_iran.slug}/package.zip"
    before, page_before = api.get(BASE + "/package.zip", token=reader_token), reader_client.get(page)
    again = api.get(BASE + "/package.zip", token=reader_token, headers={"HTTP_IF_NONE_MATCH": before["ETag"]})
    assert again.status_code == 304
    event = Event(
        case=pakistan_iran, date=D(2024, 1, 27), title="A protest", kind="other", direction="neutral", external_id="X9"
    )
    services.save_imported_events(case=pakistan_iran, new=[(event, ["PAK"])])  # a write through the services
    after = api.get(BASE + "/package.zip", token=reader_token, headers={"HTTP_IF_NONE_MATCH": before["ETag"]})
    page_after = reader_client.get(page, HTTP_IF_NONE_MATCH=page_before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert page_after.status_code == 200 and page_after["ETag"] != page_before["ETag"]
    assert b"A protest" in _tables(after)["data/events.csv"] and _tables(page_after) == _tables(after)


def test_the_measure_list_is_kept_per_data_version_for_every_reader(
    pakistan_iran, api, reader_token, analyst_user, django_assert_max_num_queries
):
    first = api.get(BASE + "/measures/", token=reader_token, as_of="2024-01-29")
    # Kept: the caller, their permissions and the case, then nothing of the state is computed again.
    with django_assert_max_num_queries(4):
        again = api.get(BASE + "/measures/", token=reader_token, as_of="2024-01-29")
    anonymous = api.get(BASE + "/measures/", as_of="2024-01-29")
    assert again.content == first.content and anonymous.status_code == 401
    measure = pakistan_iran.measures.get(number=10)
    assessment = services.record_assessment(
        measure=measure,
        party=pakistan_iran.assessed_parties.get(code="PAK"),
        level="not_assessed",
        effective_date=D(2024, 1, 29),
        rationale="Still nothing to go on.",
        citations=[],
        recorded_by=analyst_user,
    )
    services.approve_assessment(assessment=assessment, reviewer=factories.reviewer(username="kept-reviewer"))
    changed = api.get(BASE + "/measures/", token=reader_token, as_of="2024-01-29")
    assert changed.content != first.content and b"Still nothing to go on." in changed.content


@pytest.mark.parametrize("changed", ["measures/lib/dates.py", "measures/importing/datapackage/build.py"])
def test_new_domain_code_gives_new_etags_to_the_api_and_the_pages(monkeypatch, changed):
    # What the answers say comes from the domain's code too (the dates' text, the packages' tables):
    # after a deployment that changes it, no client keeps the old answer through a 304.
    from api import conditional
    from reading import caching

    fingerprints = (conditional.code_fingerprint, caching.code_fingerprint)
    before = [fingerprint() for fingerprint in fingerprints]
    read_bytes = pathlib.Path.read_bytes
    target = (pathlib.Path(conditional.ROOT) / changed).resolve()
    monkeypatch.setattr(
        pathlib.Path, "read_bytes", lambda path: read_bytes(path) + (b"#" if path.resolve() == target else b"")
    )
    try:
        for fingerprint in fingerprints:
            fingerprint.cache_clear()
        assert [fingerprint() for fingerprint in fingerprints] != before
        assert all(new != old for new, old in zip((f() for f in fingerprints), before, strict=True))
    finally:
        monkeypatch.undo()
        for fingerprint in fingerprints:
            fingerprint.cache_clear()
