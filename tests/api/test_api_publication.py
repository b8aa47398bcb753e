"""The API follows publication (measures.roles.readable_cases): anonymous callers read published cases
only, with approved judgements only and no one's name; private and shared-by-link cases are not there."""

import csv
import datetime
import io
import zipfile

import pytest

from measures import services
from measures.models import Case
from tests import factories

BASE = "/api/v1/cases"
D = datetime.date


@pytest.fixture
def pending(pakistan_iran):
    """Pakistan's level on measure 5 raised to Full, awaiting review."""
    measure = pakistan_iran.measures.get(number=5)
    return services.record_assessment(
        measure=measure,
        party=pakistan_iran.assessed_parties.get(code="PAK"),
        level="full",
        effective_date=D(2024, 1, 30),
        rationale="Pending judgement (test).",
        citations=[measure.evidence.first().citation],
        recorded_by=factories.analyst(username="pending-author"),
    )


def _publish(case, visibility=Case.Visibility.PUBLISHED):
    case.visibility = visibility
    case.save()
    services.touch_cases({case.pk})


def test_anonymous_callers_read_a_published_case_approved_only_and_nameless(api, pakistan_iran, pending, reader_token):
    _publish(pakistan_iran)
    listed = api.get(f"{BASE}/")
    assert listed.status_code == 200
    assert [case["slug"] for case in listed.data["results"]] == [pakistan_iran.slug]
    public = api.get(f"{BASE}/{pakistan_iran.slug}/measures/5/")
    reader = api.get(f"{BASE}/{pakistan_iran.slug}/measures/5/", token=reader_token)
    assert public.status_code == reader.status_code == 200
    levels = {row["party"]: row["level"] for row in public.data["parties"]}
    assert levels["PAK"] == "minimal"  # the pending Full counts nowhere
    assert public.data["parties"] == reader.data["parties"]
    history = api.get(f"{BASE}/{pakistan_iran.slug}/assessments/", page_size=100)
    assert history.status_code == 200
    assert pending.pk not in [row["id"] for row in history.data["results"]]
    assert {row["recorded_by"] for row in history.data["results"]} == {None}


@pytest.mark.parametrize("visibility", [Case.Visibility.PRIVATE, Case.Visibility.SHARED])
def test_a_private_or_link_shared_case_is_not_in_the_api_for_anonymous_callers(api, pakistan_iran, visibility):
    _publish(pakistan_iran, visibility)
    other = factories.CaseFactory(slug="published-other", visibility=Case.Visibility.PUBLISHED)
    listed = api.get(f"{BASE}/")
    assert [case["slug"] for case in listed.data["results"]] == [other.slug]
    hidden = api.get(f"{BASE}/{pakistan_iran.slug}/")
    missing = api.get(f"{BASE}/no-such-case/")
    assert hidden.status_code == missing.status_code
    assert hidden.data["type"] == missing.data["type"]  # nothing tells it from a case that is not there


def _recorded_by(package):
    """The `recorded_by` cells of a data package's assessments table."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        text = archive.read("data/assessments.csv").decode("utf-8-sig")
    return {row["recorded_by"] for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.parametrize("path", [BASE + "/{slug}/package.zip", "/api/v1/package.zip"])
def test_a_data_package_for_the_public_names_no_one(api, pakistan_iran, reader_token, path):
    """It named the analysts to anyone (the pages and the history never do)."""
    _publish(pakistan_iran)
    url = path.format(slug=pakistan_iran.slug)
    public, reader = api.get(url), api.get(url, token=reader_token)
    assert public.status_code == reader.status_code == 200
    assert _recorded_by(public.content) == {""}
    assert "" not in _recorded_by(reader.content)


def test_an_account_without_a_role_reads_a_published_case_as_the_public_does(api, pakistan_iran):
    """Logged in without a role, the history named the analysts (the pages show such an account no names)."""
    _publish(pakistan_iran)
    api.client.force_login(factories.UserFactory(username="no-role", is_staff=False))
    history = api.get(f"{BASE}/{pakistan_iran.slug}/assessments/", page_size=100)
    assert history.status_code == 200 and history.data["results"]
    assert {row["recorded_by"] for row in history.data["results"]} == {None}
    assert _recorded_by(api.get(f"{BASE}/{pakistan_iran.slug}/package.zip").content) == {""}
