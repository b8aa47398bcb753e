"""The demo data's commitments: every due precision, one or both parties, stated by their measure's
evidence; two in three judged, one judgement in five corrected (see the package docstring)."""

import datetime

from measures.importing.demo_data.plan import BATCH, CASE_DAYS, MEASURE_TITLES, MEASURES_PER_CASE, noon
from measures.models import Commitment, CommitmentOutcome, month_window


def _due(precision, announced, rng, case_events):
    """The due fields of a commitment of `precision` announced on `announced`."""
    P = Commitment.Precision
    if precision == P.DAY:
        due_on = announced + datetime.timedelta(days=rng.randrange(3, 40))
        return {"due_on": due_on, "due_text": f"by {due_on:%d %B %Y}"}
    if precision == P.RANGE:
        due_on = announced + datetime.timedelta(days=rng.randrange(3, 40))
        until = due_on + datetime.timedelta(days=rng.randrange(1, 6))
        return {"due_on": due_on, "due_until": until, "due_text": f"between {due_on:%d %B} and {until:%d %B %Y}"}
    if precision == P.MONTH:
        first, last = month_window(announced + datetime.timedelta(days=35))
        return {"due_on": first, "due_until": last, "due_text": f"in {first:%B %Y}"}
    if precision == P.AFTER_EVENT:
        later = [e for e in case_events if e.date >= announced] or case_events
        anchor = later[min(len(later) - 1, rng.randrange(5))]
        return {"anchor_event": anchor, "within_days": 30, "due_text": f"within 30 days of {anchor.title}"}
    return {"due_text": ""}


def write_commitments(plan, rng, cases, parties, measures, events, cited, user):
    """`commitments_per_case` commitments a case, of every due precision, stated by their measure's
    evidence; two in three judged (kept, late, not kept, withdrawn), one judgement in five corrected."""
    Precision, Outcome = Commitment.Precision, CommitmentOutcome.Outcome
    precisions = [Precision.DAY, Precision.RANGE, Precision.MONTH, Precision.AFTER_EVENT, Precision.UNSTATED]
    rows, who, stated = [], [], []
    for i, case in enumerate(cases):
        case_events = events[i * plan.events_per_case : (i + 1) * plan.events_per_case]
        for m in range(plan.commitments_per_case):
            number = m % MEASURES_PER_CASE
            announced = case.start_date + datetime.timedelta(days=rng.randrange(CASE_DAYS - 60))
            rows.append(
                Commitment(
                    case=case,
                    measure=measures[i * MEASURES_PER_CASE + number],
                    what=f"Demo step {m + 1}: {MEASURE_TITLES[number].lower()} within the stated time",
                    due_precision=precisions[m % len(precisions)],
                    announced_on=announced,
                    recorded_at=noon(announced + datetime.timedelta(days=1)),
                    recorded_by=user,
                    **_due(precisions[m % len(precisions)], announced, rng, case_events),
                )
            )
            who.append([parties[2 * i].pk, parties[2 * i + 1].pk] if m % 3 != 2 else [parties[2 * i + m % 2].pk])
            evidence = cited.get((i, number), [])
            stated.append(sorted({c.pk for c in rng.sample(evidence, min(len(evidence), 1 + m % 2))}))
    commitments = Commitment.objects.bulk_create(rows, batch_size=BATCH)
    Commitment.parties.through.objects.bulk_create(
        (
            Commitment.parties.through(commitment_id=c.pk, party_id=pk)
            for c, pks in zip(commitments, who, strict=True)
            for pk in pks
        ),
        batch_size=BATCH,
    )
    Commitment.stated_by.through.objects.bulk_create(
        (
            Commitment.stated_by.through(commitment_id=c.pk, citation_id=pk)
            for c, pks in zip(commitments, stated, strict=True)
            for pk in pks
        ),
        batch_size=BATCH,
    )

    kinds = [Outcome.KEPT, Outcome.LATE, Outcome.NOT_KEPT, Outcome.WITHDRAWN]
    judged, outcome_citations, corrected = [], [], []
    for i in range(len(cases)):
        case_commitments = commitments[i * plan.commitments_per_case : (i + 1) * plan.commitments_per_case]
        n = 0
        for m, commitment in enumerate(case_commitments):
            if m % 3 == 2:
                continue
            kind = kinds[n % len(kinds)]
            judged.append(_outcome(commitment, kind, user))
            outcome_citations.append(stated[i * plan.commitments_per_case + m])
            if n % 5 == 4:
                corrected.append(len(judged) - 1)
            n += 1
    outcomes = CommitmentOutcome.objects.bulk_create(judged, batch_size=BATCH)
    corrections = []
    for index in corrected:
        original = outcomes[index]
        kind = kinds[(kinds.index(original.outcome) + 1) % len(kinds)]
        correction = _outcome(original.commitment, kind, user, later_than=original.recorded_at)
        correction.corrects = original
        corrections.append(correction)
        outcome_citations.append(outcome_citations[index])
    outcomes += CommitmentOutcome.objects.bulk_create(corrections, batch_size=BATCH)
    through = CommitmentOutcome.citations.through
    through.objects.bulk_create(
        (
            through(commitmentoutcome_id=o.pk, citation_id=pk)
            for o, pks in zip(outcomes, outcome_citations, strict=True)
            for pk in pks
        ),
        batch_size=BATCH,
    )


def _outcome(commitment, kind, user, later_than=None):
    """A judgement of `commitment`: done on or after its deadline (or ten days after its announcement
    without one), withdrawn a week after, not kept dated by its deadline."""
    Outcome = CommitmentOutcome.Outcome
    deadline = commitment.due_on if commitment.due_precision == Commitment.Precision.DAY else commitment.due_until
    if commitment.due_precision == Commitment.Precision.AFTER_EVENT:
        deadline = commitment.anchor_event.date + datetime.timedelta(days=commitment.within_days)
    base = deadline or commitment.announced_on + datetime.timedelta(days=10)
    occurred = {
        Outcome.KEPT: base,
        Outcome.LATE: base + datetime.timedelta(days=6),
        Outcome.WITHDRAWN: commitment.announced_on + datetime.timedelta(days=7),
        Outcome.NOT_KEPT: None,
    }[kind]
    recorded = noon((occurred or base) + datetime.timedelta(days=2))
    if later_than is not None:
        recorded = max(recorded, later_than) + datetime.timedelta(days=4)
    return CommitmentOutcome(
        commitment=commitment,
        outcome=kind,
        occurred_on=occurred,
        confidence=CommitmentOutcome.Confidence.values[commitment.pk % 3],
        rationale=f"Demo judgement of commitment {commitment.pk}: {kind.label.lower()}.",
        recorded_at=recorded,
        recorded_by=user,
    )
