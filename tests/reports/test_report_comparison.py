"""The report's key judgements say where the case was sooner or later than every other case on a step;
the report page and its stored PDF follow the other cases' data, since that comparison reads it."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from measures import services
from measures.models import Assessment, Case, ReportJob
from reports import jobs
from reports.build import build_report
from tests.scenarios import COMPARED_START, compared_case

Level = Assessment.Level
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def day(n):
    return COMPARED_START + datetime.timedelta(days=n)


@pytest.fixture
def cases(db):
    quick = compared_case("Quick", history=[("AA", Level.MINIMAL, 1), ("BB", Level.MINIMAL, 1)])
    compared_case("Mid", history=[("AA", Level.MINIMAL, 5), ("BB", Level.MINIMAL, 5)])
    compared_case("Late", history=[("AA", Level.MINIMAL, 9), ("BB", Level.MINIMAL, 9)])
    stuck = compared_case("Stuck", history=[("AA", Level.NOT_INITIATED, 1), ("BB", Level.NOT_INITIATED, 1)])
    return quick, stuck


def test_the_key_judgements_name_the_steps_taken_sooner_or_later_than_every_other_case(cases):
    quick, stuck = cases
    faster = build_report(quick, as_of=day(30), since=day(20)).key_judgements
    assert [(c.measure.title, c.level, c.days, c.verdict) for c in faster.faster] == [
        (quick.measures.get().title, Level.MINIMAL, 1, "faster")
    ]
    assert faster.slower == []
    slower = build_report(stuck, as_of=day(30), since=day(20)).key_judgements
    assert [(c.level, c.days, c.elapsed) for c in slower.slower] == [(Level.MINIMAL, None, 30)]


def test_a_public_report_compares_the_case_with_published_cases_only(cases):
    """A report for readers without an account (a published case) never draws on a private case."""
    quick, stuck = cases
    quick.visibility = stuck.visibility = Case.Visibility.PUBLISHED
    quick.save()
    stuck.save()
    # Only Stuck (never reached minimal) is published beside Quick: nothing to be faster than.
    public = build_report(quick, as_of=day(30), since=day(20), public=True).key_judgements
    assert public.faster == [] and public.slower == []
    account = build_report(quick, as_of=day(30), since=day(20)).key_judgements
    assert [c.verdict for c in account.faster] == ["faster"]


def test_the_report_page_says_it_in_words(reader_client, cases):
    quick, stuck = cases
    url = reverse("measures:report", args=[quick.slug]) + f"?as_of={day(30).isoformat()}"
    content = reader_client.get(url).content.decode()
    assert "<strong>Against other cases</strong>" in content
    assert "sooner than every other case with a measure of the same type: 1. Measure" in content
    assert "reached minimal in 1 day (2 other cases: 5–9 days, median 7)" in content  # Stuck never did
    url = reverse("measures:report", args=[stuck.slug]) + f"?as_of={day(30).isoformat()}"
    assert "had not reached minimal after 30 days (3 other cases: 1–9 days, median 5)" in (
        reader_client.get(url).content.decode()
    )


def test_a_case_alone_in_its_type_gets_no_comparison(reader_client, db):
    alone = compared_case("Alone", type_slug="prisoner-exchange", history=[("AA", Level.MINIMAL, 1)])
    content = reader_client.get(reverse("measures:report", args=[alone.slug])).content.decode()
    assert "Against other cases" not in content


def test_the_report_page_changes_when_another_case_does(client, reader_user, cases):
    quick, stuck = cases
    client.force_login(reader_user)
    client.get(reverse("login"))  # the CSRF cookie, as in a browser
    url = reverse("measures:report", args=[quick.slug])
    first = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    services.touch_cases([stuck.pk])
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]


def test_a_stored_pdf_is_reused_only_while_no_case_changed(reader_user, cases, monkeypatch):
    quick, stuck = cases
    monkeypatch.setattr(jobs, "render_report_pdf", lambda report, *, site_url=None: b"%PDF-1.7 stand-in")
    asked = {"as_of": day(30), "since": day(20), "paper": "a4", "user": reader_user}
    with override_settings(TASKS=DUMMY):
        first = jobs.request_report(quick, **asked)
        assert jobs.request_report(quick, **asked) == first
        services.touch_cases([stuck.pk])
        second = jobs.request_report(quick, **asked)
    assert second != first and ReportJob.objects.count() == 2
    assert second.data_version == first.data_version and second.others_version != first.others_version


def test_the_public_report_follows_another_case_unpublished_outside_the_services(client, cases):
    """`case.save()` in a shell bumps no data version, but the public comparison may no longer draw on
    that case: the report page's cached rendering is not served again."""
    quick, stuck = cases
    for case in cases:
        case.visibility = Case.Visibility.PUBLISHED
        case.save(update_fields=["visibility"])
    url = reverse("measures:report", args=[quick.slug])
    first = client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    stuck.visibility = Case.Visibility.PRIVATE
    stuck.save(update_fields=["visibility"])
    again = client.get(url)
    assert again.status_code == 200 and again["X-Page-Cache"] == "miss" and again["ETag"] != first["ETag"]


def test_a_stored_public_pdf_follows_a_case_unpublished_outside_the_services(cases, monkeypatch):
    """The public PDF's comparison draws on published cases only; `case.save()` bumps no data version."""
    quick, stuck = cases
    monkeypatch.setattr(jobs, "render_report_pdf", lambda report, *, site_url=None: b"%PDF-1.7 stand-in")
    for case in cases:
        case.visibility = Case.Visibility.PUBLISHED
        case.save(update_fields=["visibility"])
    asked = {"as_of": day(30), "since": day(20), "paper": "a4", "user": None, "public": True}
    asked["client_address"] = "192.0.2.1"
    with override_settings(TASKS=DUMMY):
        first = jobs.request_report(quick, **asked)
        assert jobs.request_report(quick, **asked) == first
        stuck.visibility = Case.Visibility.PRIVATE
        stuck.save(update_fields=["visibility"])
        second = jobs.request_report(quick, **asked)
    assert second != first and second.data_version == first.data_version
