"""A measure's history reads right (issue 19, point 5): a correction is compared with the level it
replaces, "level confirmed" only when it kept it, and review decisions are part of the history."""

import datetime

import pytest
from django.urls import reverse

from measures import services
from measures.models import Assessment
from tests import factories

Level = Assessment.Level
D = datetime.date


@pytest.fixture
def corrected(pakistan_iran):
    """Pakistan's 29 January assessment of measure 5 (Minimal) corrected to Not initiated, approved."""
    measure = pakistan_iran.measures.get(number=5)
    pak = pakistan_iran.assessed_parties.get(code="PAK")
    minimal = measure.assessments.get(party=pak, effective_date=D(2024, 1, 29))
    assert minimal.level == Level.MINIMAL
    correction = services.record_assessment(
        measure=measure,
        party=pak,
        level=Level.NOT_INITIATED,
        confidence="medium",
        effective_date=minimal.effective_date,
        rationale="Correction: the channel was announced, not opened.",
        citations=list(minimal.citations.all()),
        recorded_by=factories.analyst(username="corrector"),
        corrects=minimal,
    )
    review = services.approve_assessment(
        assessment=correction, reviewer=factories.reviewer(username="second-reader"), comment="Checked the source."
    )
    return measure, minimal, correction, review


def _entry(response, assessment):
    return next(entry for entry, _, _, _ in response.context["entries"] if entry.assessment.pk == assessment.pk)


def test_a_correction_that_lowers_a_level_reads_as_the_change_it_is(reader_client, pakistan_iran, corrected):
    measure, minimal, correction, _ = corrected
    url = reverse("measures:measure_detail", args=[pakistan_iran.slug, 5])
    response = reader_client.get(url)
    entry = _entry(response, correction)
    assert entry.first.old_level == Level.MINIMAL  # the level it replaces, not the one before that
    assert entry.first.changes_level and entry.first.is_correction
    html = response.content.decode()
    section = html[html.index(f'id="assessment-{correction.pk}"') :][:3000]
    assert "Minimal (1)" in section and "Not initiated (0)" in section
    assert "(level confirmed)" not in section


def test_a_correction_that_keeps_the_level_says_level_confirmed(reader_client, pakistan_iran):
    measure = pakistan_iran.measures.get(number=5)
    iran = pakistan_iran.assessed_parties.get(code="IRN")
    minimal = measure.assessments.get(party=iran, effective_date=D(2024, 1, 29))
    correction = services.record_assessment(
        measure=measure,
        party=iran,
        level=Level.MINIMAL,
        confidence="high",
        effective_date=minimal.effective_date,
        rationale="Correction of the rationale only: the level stands.",
        citations=list(minimal.citations.all()),
        recorded_by=factories.analyst(username="corrector"),
        corrects=minimal,
    )
    services.approve_assessment(assessment=correction, reviewer=factories.reviewer(username="second-reader"))
    response = reader_client.get(reverse("measures:measure_detail", args=[pakistan_iran.slug, 5]))
    entry = _entry(response, correction)
    assert not entry.first.changes_level
    html = response.content.decode()
    assert "(level confirmed)" in html[html.index(f'id="assessment-{correction.pk}"') :][:3000]


def test_review_decisions_are_in_the_history_with_names_for_readers_only(
    client, reader_client, pakistan_iran, corrected
):
    _, _, correction, review = corrected
    url = reverse("measures:measure_detail", args=[pakistan_iran.slug, 5])
    html = reader_client.get(url).content.decode()
    section = html[html.index(f'id="assessment-{correction.pk}"') :][:3000]
    assert "Approved by second-reader on" in section
    assert "Checked the source." not in section  # the reviewer's comment is for the team
    pakistan_iran.visibility = pakistan_iran.Visibility.PUBLISHED
    pakistan_iran.save()
    services.touch_cases({pakistan_iran.pk})
    client.logout()
    public = client.get(url).content.decode()
    section = public[public.index(f'id="assessment-{correction.pk}"') :][:3000]
    assert "Approved on" in section
    assert "second-reader" not in public and "corrector" not in public
