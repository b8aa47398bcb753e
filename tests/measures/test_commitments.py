"""Commitments: recorded from the passages that state them, judged append-only with citations, counted by
the commitment calendar of the state layer (kept, late by N days, overdue and not judged, per party)."""

import datetime

import pytest
from django.urls import reverse

from measures import services
from measures.models import Commitment, CommitmentOutcome
from measures.state import commitment_calendar
from tests import factories
from tests.helpers import commit_in

D = datetime.date


@pytest.fixture
def world(commitment_world):
    return commitment_world


def test_the_key_judgement_counts_kept_and_late_commitments(world):
    case, _, citation, analyst = world
    steps = [commit_in(world, f"Step {n}", due_precision="day", due_on=D(2024, 1, 10 + n)) for n in range(4)]
    for step in steps[:3]:
        services.judge_commitment(
            commitment=step,
            outcome="kept",
            occurred_on=step.due_on,
            rationale="Done.",
            citations=[citation],
            recorded_by=analyst,
        )
    services.judge_commitment(
        commitment=steps[3],
        outcome="late",
        occurred_on=D(2024, 1, 14),
        rationale="A day late.",
        citations=[citation],
        recorded_by=analyst,
    )
    calendar = commitment_calendar(case, as_of=D(2024, 1, 31))
    assert calendar.sentence == "4 of 4 commitments due kept, 1 late by a day."
    assert [entry.status_label for entry in calendar.entries][-1] == "Kept late, by 1 day"


def test_an_unjudged_commitment_is_upcoming_then_due_then_overdue(world):
    case = world[0]
    commit_in(world, "Open the border", due_precision="range", due_on=D(2024, 1, 26), due_until=D(2024, 1, 27))
    status = {
        day: commitment_calendar(case, as_of=day).entries[0].status
        for day in (D(2024, 1, 25), D(2024, 1, 27), D(2024, 1, 28))
    }
    assert status == {D(2024, 1, 25): "upcoming", D(2024, 1, 27): "due", D(2024, 1, 28): "overdue"}
    assert (
        commitment_calendar(case, as_of=D(2024, 1, 28)).sentence
        == "0 of 1 commitment due kept; 1 overdue and not judged."
    )


def test_an_outcome_counts_from_the_day_it_holds_and_as_known_on_its_recording(world):
    case, _, citation, analyst = world
    step = commit_in(world, "Return the envoys", due_precision="day", due_on=D(2024, 1, 26))
    services.judge_commitment(
        commitment=step,
        outcome="kept",
        occurred_on=D(2024, 1, 26),
        rationale="Back.",
        citations=[citation],
        recorded_by=analyst,
    )
    assert commitment_calendar(case, as_of=D(2024, 1, 25)).entries[0].status == "upcoming"
    assert commitment_calendar(case, as_of=D(2024, 1, 26)).entries[0].status == "kept"
    known_before = commitment_calendar(
        case, as_of=D(2024, 1, 26), known_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    assert known_before.entries == []  # the commitment itself was recorded today


@pytest.mark.parametrize(
    "outcome, occurred_on, field, message",
    [
        ("kept", D(2024, 1, 28), "outcome", "record it as kept late"),
        ("late", D(2024, 1, 26), "outcome", "Kept late means done after the due date"),
        ("kept", None, "occurred_on", "Give the day it was done"),
        ("kept", D(2999, 1, 1), "occurred_on", "in the future"),
    ],
)
def test_a_judgement_that_contradicts_the_dates_is_refused(world, outcome, occurred_on, field, message):
    _, _, citation, analyst = world
    step = commit_in(world, "Return the envoys", due_precision="day", due_on=D(2024, 1, 26))
    with pytest.raises(services.ServiceError) as refused:
        services.judge_commitment(
            commitment=step,
            outcome=outcome,
            occurred_on=occurred_on,
            rationale="x",
            citations=[citation],
            recorded_by=analyst,
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not CommitmentOutcome.objects.exists()


def test_a_commitment_needs_a_passage_a_party_and_a_date_matching_its_precision(world):
    case, measure, citation, analyst = world
    with pytest.raises(services.ServiceError) as refused:
        services.record_commitment(
            case=case,
            measure=measure,
            parties=[],
            what="",
            due_precision="range",
            due_on=D(2024, 1, 27),
            due_until=D(2024, 1, 26),
            citations=[],
            announced_on=None,
            recorded_by=analyst,
        )
    assert set(refused.value.message_dict) == {"what", "parties", "citations", "due_until"}
    assert not Commitment.objects.exists()


def test_a_month_is_due_by_its_last_day(world):
    step = commit_in(world, "Hold elections", due_precision="month", due_on=D(2024, 2, 10))
    assert (step.due_on, step.due_until, step.due_label) == (D(2024, 2, 1), D(2024, 2, 29), "February 2024")


def test_pakistan_iran_commitments_and_their_outcomes(pakistan_iran):
    calendar = commitment_calendar(pakistan_iran, as_of=D(2024, 1, 29), since=D(2024, 1, 23))
    assert [(e.commitment.due_label, e.status) for e in calendar.entries] == [
        ("26–27 Jan 2024", "kept"),
        ("29 Jan 2024", "kept"),
        ("no date stated", "undated"),
    ]
    assert calendar.sentence == "2 of 2 commitments due kept; 1 still to come or with no date stated."
    assert [e.commitment.what for e in calendar.due_in_period][0].startswith("Ambassadors return")


def test_an_analyst_records_a_commitment_from_a_passage_of_the_source_reader(pakistan_iran, client):
    from measures.models import Source

    analyst = factories.analyst(username="analyst")
    client.force_login(analyst)
    source = Source.objects.get(label="TDI")
    reader_page = client.get(reverse("measures:source_detail", args=[pakistan_iran.slug, source.pk]))
    assert "Record a commitment" in reader_page.content.decode()
    sentence = "A joint press statement released on 22 January 2024 announced that ambassadors"
    start = source.full_text.index(sentence)
    end = source.full_text.index("26 January 2024.", start) + len("26 January 2024")
    url = reverse("admin:measures_commitment_record")
    page = client.get(url, {"case": pakistan_iran.pk, "source": source.pk, "start": start, "end": end})
    assert page.status_code == 200
    form = page.context["form"]
    assert (form.initial["due_precision"], form.initial["due_on"], form.initial["due_text"]) == (
        "day",
        D(2024, 1, 26),
        "by 26 January 2024",
    )
    measure = pakistan_iran.measures.get(number=9)
    response = client.post(
        url,
        {
            "case": pakistan_iran.pk,
            "source": source.pk,
            "quote": form.initial["quote"],
            "occurrence": start,
            "measure": measure.pk,
            "parties": [p.pk for p in pakistan_iran.assessed_parties.all()],
            "what": "Ambassadors resume their duties",
            "due_precision": "day",
            "due_on": "2024-01-26",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    commitment = Commitment.objects.get(measure=measure)
    assert commitment.announced_on == D(2024, 1, 22)  # the passage's date
    assert commitment.stated_by.get().source == source


def test_a_reader_may_not_record_a_commitment(pakistan_iran, client):
    client.force_login(factories.reader(username="reader"))
    response = client.get(reverse("admin:measures_commitment_record"), {"case": pakistan_iran.pk, "source": 1})
    assert response.status_code == 403


def test_the_calendar_runs_a_fixed_number_of_queries(pakistan_iran, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        calendar = commitment_calendar(pakistan_iran, as_of=D(2024, 1, 29))
        assert calendar.sentence and [e.commitment.party_names for e in calendar.entries]


@pytest.mark.parametrize(
    "due",
    [
        {"due_precision": "day", "due_on": D(9999, 12, 31)},
        {"due_precision": "day", "due_on": D(1, 1, 1)},
        {"due_precision": "range", "due_on": D(2024, 1, 10), "due_until": D(9999, 12, 31)},
        {"due_precision": "month", "due_on": D(9999, 12, 1)},
    ],
    ids=["day-9999", "day-0001", "range-to-9999", "month-9999"],
)
def test_a_due_date_outside_the_plausible_range_is_refused(world, due):
    """Nothing bounded a commitment's dates: 9999-12-31 was stored, and the calendar's arithmetic on it
    could overflow as the events' timeline did."""
    with pytest.raises(services.ServiceError) as refused:
        commit_in(world, "Return the envoys", **due)
    message = " ".join(" ".join(m) for m in refused.value.message_dict.values())
    assert "cannot be" in message and ("before 1900" in message or "more than a year after today" in message)
    assert not Commitment.objects.exists()


def test_a_judgement_dated_before_1900_is_refused(world):
    _, _, citation, analyst = world
    step = commit_in(world, "Withdraw the troops", due_precision="day", due_on=D(2024, 1, 26))
    with pytest.raises(services.ServiceError) as refused:
        services.judge_commitment(
            commitment=step,
            outcome="withdrawn",
            occurred_on=D(1, 1, 1),
            rationale="Withdrawn, says the ministry.",
            citations=[citation],
            recorded_by=analyst,
        )
    assert "cannot be before 1900" in " ".join(refused.value.message_dict["occurred_on"])
    assert not CommitmentOutcome.objects.exists()


def test_add_in_the_commitment_list_leads_to_the_sources_with_how_to_record_one(pakistan_iran, client):
    """ "Add commitment" answered 404 (the recording page needs a passage): it now says where to start."""
    client.force_login(factories.analyst(username="analyst"))
    response = client.get(reverse("admin:measures_commitment_add"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("admin:measures_source_changelist")
    assert "A commitment is recorded from the passage that states it" in response.content.decode()


def test_a_commitment_announced_after_the_as_of_date_is_not_in_that_days_calendar(pakistan_iran):
    """As it stood on 20 January 2024, no commitment announced on 22 or 29 January existed yet."""
    from measures.state import commitment_calendar

    announced = sorted(pakistan_iran.commitments.values_list("announced_on", flat=True))
    assert any(day > datetime.date(2024, 1, 20) for day in announced)
    calendar = commitment_calendar(pakistan_iran, as_of=datetime.date(2024, 1, 20))
    assert all(entry.commitment.announced_on <= datetime.date(2024, 1, 20) for entry in calendar.entries)
    later = commitment_calendar(pakistan_iran, as_of=datetime.date(2024, 1, 31))
    assert len(later.entries) == len(announced)


def test_a_commitment_from_an_undated_passage_needs_its_announcement_date(pakistan_iran):
    """Left empty, the date was today's: judging it kept in January 2024 was then refused for ever."""
    citation = pakistan_iran.citations.filter(event=None, source__published_on=None).first()
    measure = pakistan_iran.measures.get(number=1)
    with pytest.raises(services.ServiceError, match="say when it was announced"):
        services.record_commitment(
            case=pakistan_iran,
            measure=measure,
            parties=list(pakistan_iran.assessed_parties.all()),
            what="Talks at the border",
            due_precision=Commitment.Precision.UNSTATED,
            citations=[citation],
            announced_on=None,
            recorded_by=factories.analyst(username="analyst"),
        )
    assert not Commitment.objects.filter(what="Talks at the border").exists()
