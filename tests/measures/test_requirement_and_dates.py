"""A measure's requirement is apart from its evidence; dates follow one plausible range; a source label
clash is a form message. (Issue: the benchmark counted as evidence, Buddhist-era dates, label clashes.)"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from measures import services
from measures.importing import export_case
from measures.lib import dates
from measures.models import Case, Citation, Event, Evidence, Measure, Source
from measures.services import ServiceError
from measures.state import case_state
from tests import factories
from tests.helpers import change_form_data

D = datetime.date


def test_the_recommendation_is_each_measures_requirement_not_its_evidence(pakistan_iran):
    measures = list(Measure.objects.filter(case=pakistan_iran).select_related("requirement__source"))
    # The ten recommended steps; measure 11 (the return of envoys) is no recommendation: it has none.
    assert [m.number for m in measures if m.requirement is None] == [11]
    measures = [m for m in measures if m.requirement is not None]
    assert all(m.requirement.key == f"c-rec-m{m.number}" for m in measures)
    assert not Evidence.objects.filter(citation__in=[m.requirement for m in measures]).exists()
    state = case_state(pakistan_iran)
    track_two = next(row for row in state.rows if row.measure.number == 8)
    assert track_two.measure.title == "Track-II diplomacy"
    assert track_two.no_evidence and track_two.citation_count == 0 and track_two.latest_evidence is None
    # Every citation count is the evidence of conduct only.
    assert sum(row.citation_count for row in state.rows) == Evidence.objects.filter(measure__case=pakistan_iran).count()


def test_the_export_names_each_requirement_and_loads_back(pakistan_iran, case_data):
    exported = export_case(pakistan_iran)
    assert [m["requirement"] for m in exported["measures"]] == [f"c-rec-m{n}" for n in range(1, 11)] + [None]
    recommendations = [c for c in exported["citations"] if c["key"].startswith("c-rec-m")]
    assert all(c["evidence"] == [] for c in recommendations)


def test_a_requirement_cannot_be_evidence_too(db):
    measure = factories.MeasureFactory()
    citation = factories.CitationFactory(case=measure.case)
    measure.requirement = citation
    measure.full_clean()
    measure.save()
    with pytest.raises(ServiceError, match="defines measure"):
        services.attach_evidence(citation=citation, measure=measure, stance="context")
    with pytest.raises(ValidationError, match="defines the measure"):
        Evidence(citation=citation, measure=measure, stance="context").full_clean()


def test_a_requirement_from_another_case_is_refused_by_the_form_and_the_database(db):
    measure = factories.MeasureFactory()
    elsewhere = factories.CitationFactory(case=factories.CaseFactory())
    measure.requirement = elsewhere
    with pytest.raises(ValidationError, match="belongs to another case"):
        measure.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(requirement=elsewhere)
    # A citation that defines a measure keeps its case.
    own = factories.CitationFactory(case=measure.case)
    Measure.objects.filter(pk=measure.pk).update(requirement=own)
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.filter(pk=own.pk).update(case=factories.CaseFactory())


def test_the_measure_form_sets_the_requirement(admin_client, db):
    measure = factories.MeasureFactory()
    citation = factories.CitationFactory(case=measure.case)
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    response = admin_client.post(url, change_form_data(admin_client.get(url), requirement=citation.pk))
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.requirement == citation


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(2024, 1, 16), None),
        (D(1899, 12, 31), "The date cannot be before 1900; 1899-12-31 was given."),
        (
            D(2568, 7, 28),
            "The date cannot be more than a year after today; 2568-07-28 was given. The year 2568 reads as a "
            "Buddhist-era year (as Thai dates are written): in the Gregorian calendar it is 2025, so enter 2025-07-28.",
        ),
        (D(2400, 1, 1), "The date cannot be more than a year after today; 2400-01-01 was given."),
    ],
)
def test_one_rule_of_plausible_dates(value, expected):
    assert dates.date_problem(value, today=D(2026, 12, 7)) == expected


def test_a_buddhist_era_leap_day_names_the_gregorian_year():
    # 29 Feb 2568 exists (2568 is a leap year), 29 Feb 2025 does not: the year is named.
    message = dates.date_problem(D(2568, 2, 29), today=D(2026, 12, 7))
    assert "in the Gregorian calendar it is 2025, so enter the year 2025" in message


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Source, {"title": "Thai report", "kind": "news", "published_on": D(2568, 7, 28)}),
        (Event, {"title": "Clash", "kind": "military", "direction": "escalatory", "date": D(2568, 7, 28)}),
        (Case, {"name": "Border war", "slug": "border-war", "start_date": D(2568, 7, 24)}),
    ],
)
def test_model_dates_refuse_a_buddhist_era_year_with_its_gregorian_year(db, model, fields):
    if model is Event:
        fields["case"] = factories.CaseFactory()
    with pytest.raises(ValidationError) as caught:
        model(**fields).full_clean()
    assert "reads as a Buddhist-era year" in str(caught.value)


def test_an_event_import_refuses_a_buddhist_era_date(db):
    from measures.importing.events_csv import EventFileError, import_events
    from tests.helpers import csv_bytes

    case = factories.CaseFactory()
    rows = [["TH1", "2568-07-28", "1", "Battles", "Military Forces of Thailand", "", "Surin", "0", "", ""]]
    with pytest.raises(EventFileError, match="2568 reads as a Buddhist-era year"):
        import_events(case, csv_bytes(rows))


def test_a_source_label_clash_is_a_form_message_naming_the_other_source(admin_client, db):
    first = factories.SourceFactory(title="Xinhua on the Gaza talks", label="Xinhua")
    factories.CitationFactory(source=first, case=factories.CaseFactory(name="Gaza 2024"))
    second = factories.SourceFactory(title="Xinhua on the border war", label="")
    url = reverse("admin:measures_source_change", args=[second.pk])
    before = Source.objects.get(pk=second.pk).version
    response = admin_client.post(url, change_form_data(admin_client.get(url), label="Xinhua"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["label"]
    assert errors == [
        "The label “Xinhua” is already the label of another source, “Xinhua on the Gaza talks”, cited in Gaza 2024. "
        "Labels are unique across cases, so that a footnote names one source: choose another, e.g. “Xinhua (2024)”."
    ]
    assert Source.objects.get(pk=second.pk).version == before and Source.objects.get(pk=second.pk).label == ""


@pytest.mark.parametrize("label", ["tdi", "Tdi", "ÉCHO"])
def test_a_label_differing_only_in_capitals_is_refused_naming_the_stored_one(admin_client, db, label):
    """Labels are one label whatever their capitals: footnotes [TDI] and [tdi] would name two documents a
    reader cannot tell apart. Refused in the admin's form (Source.clean, which load_case runs too), naming
    the stored label."""
    stored = "écho" if label == "ÉCHO" else "TDI"
    factories.SourceFactory(title="The stored one", label=stored)
    second = factories.SourceFactory(title="Another document", label="")
    url = reverse("admin:measures_source_change", args=[second.pk])
    response = admin_client.post(url, change_form_data(admin_client.get(url), label=label))
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["label"]
    assert error.startswith(
        f"The label “{label}” is already the label of another source, “The stored one” (written “{stored}” "
        "there: labels that differ only in capitals are one label)."
    )
    assert Source.objects.get(pk=second.pk).label == ""
    assert Source(title="A third", label=f"{label} 2").label_clash() is None


def test_a_case_file_names_a_commitment_date_outside_the_plausible_range(case_data):
    """The case-file check listed the case's, sources', events' and assessments' dates, not commitments'."""
    from measures.importing.schema import CaseFileError, validate_case_data

    case_data["commitments"][0]["due_on"] = "9999-12-31"
    outcomes = [c for c in case_data["commitments"] if c.get("outcomes")]
    outcomes[0]["outcomes"][0]["occurred_on"] = "0001-01-01"
    with pytest.raises(CaseFileError) as refusal:
        validate_case_data(case_data)
    text = " ".join(refusal.value.problems)
    assert "commitments[0].due_on: the date cannot be more than a year after today; 9999-12-31 was given." in text
    assert ".outcomes[0].occurred_on: the date cannot be before 1900; 0001-01-01 was given." in text
