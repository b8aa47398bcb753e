"""Commitments: recording one from the passages that state it, and judging its outcome (append-only)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from measures.lib import quoting
from measures.models import Citation, Commitment, CommitmentOutcome, DuePrecision, month_window
from measures.services.base import ServiceError, _field_errors, touch_cases
from measures.services.citations import create_citation

Outcome = CommitmentOutcome.Outcome


def _due_fields(*, due_precision, due_on, due_until, anchor_event, within_days, case, errors):
    """The stored due fields for a precision, or errors (a dict) filled with what is missing."""
    fields = {"due_on": None, "due_until": None, "anchor_event": None, "within_days": None}
    if due_precision not in DuePrecision.values:
        errors["due_precision"] = f"“{due_precision}” is not a due-date precision."
    elif due_precision == DuePrecision.DAY:
        if due_on is None:
            errors["due_on"] = "Give the day it is due (YYYY-MM-DD)."
        fields["due_on"] = due_on
    elif due_precision == DuePrecision.RANGE:
        if due_on is None or due_until is None:
            errors["due_until"] = "Give the first and the last day of the range."
        elif due_until <= due_on:
            errors["due_until"] = "The range's last day must come after its first day."
        fields.update(due_on=due_on, due_until=due_until)
    elif due_precision == DuePrecision.MONTH:
        if due_on is None:
            errors["due_on"] = "Give a day of the month it is due in."
        else:
            fields["due_on"], fields["due_until"] = month_window(due_on)
    elif due_precision == DuePrecision.AFTER_EVENT:
        if anchor_event is None or within_days is None:
            errors["anchor_event"] = "Name the event and the number of days after it."
        elif anchor_event.case_id != case.pk:
            errors["anchor_event"] = "The event belongs to another case."
        elif within_days < 0:
            errors["within_days"] = "The number of days cannot be negative."
        fields.update(anchor_event=anchor_event, within_days=within_days)
    return fields


def record_commitment(
    *,
    case,
    measure,
    parties,
    what,
    due_precision,
    citations,
    announced_on,
    recorded_by,
    due_on=None,
    due_until=None,
    anchor_event=None,
    within_days=None,
    due_text="",
    key="",
    recorded_at=None,
):
    """Record a commitment of `parties` (Party objects, at least one) on `measure` of `case`, stated by
    `citations` (at least one, of this case). The due date is given by its precision (DuePrecision): a
    day (`due_on`), a range (`due_on` to `due_until`), a month (any day of it in `due_on`), N days after
    an event (`anchor_event`, `within_days`) or none stated. `announced_on` None: the date of the newest
    stating passage, refused when none is dated (no guess: an outcome judged before a guessed date
    could never be recorded). Returns the Commitment; ServiceError (by field) and nothing written otherwise.
    """
    from measures.services.assessments import cited_evidence_date

    citations, parties = list(citations), list(parties)
    errors = {}
    what = (what or "").strip()
    if not what:
        errors["what"] = "Say what was undertaken or announced."
    else:
        errors.update(_field_errors(Commitment, what=what, due_text=(due_text or "").strip()))
    if measure.case_id != case.pk:
        errors["measure"] = "The measure belongs to another case."
    if not parties:
        errors["parties"] = "Name at least one party that undertook or announced it."
    if not citations:
        errors["citations"] = "Cite the passage that states the commitment."
    elif foreign := [c for c in citations if c.case_id != case.pk]:
        errors["citations"] = "These citations belong to another case: " + "; ".join(str(c) for c in foreign)
    # The plausible range of every date (measures.lib.dates), before any arithmetic on them.
    for name, value in (("due_on", due_on), ("due_until", due_until), ("announced_on", announced_on)):
        if isinstance(value, datetime.date):
            errors.update(_field_errors(Commitment, **{name: value}))
    if {"due_on", "due_until", "announced_on"} & set(errors):
        raise ServiceError(errors)
    fields = _due_fields(
        due_precision=due_precision,
        due_on=due_on,
        due_until=due_until,
        anchor_event=anchor_event,
        within_days=within_days,
        case=case,
        errors=errors,
    )
    if announced_on is None and citations:
        announced_on = cited_evidence_date(citations)
        if announced_on is None:
            # An undated passage (its source and event undated) gives no date: today would be a guess
            # that makes every outcome before it impossible to judge.
            errors["announced_on"] = (
                "The passage has no date (its source and event are undated): say when it was announced."
            )
    if announced_on is not None and announced_on < case.start_date:
        errors["announced_on"] = (
            f"It was announced on {date_format(announced_on)}, before the case began ({date_format(case.start_date)})."
        )
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        commitment = Commitment.objects.create(
            case=case,
            measure=measure,
            what=what,
            due_precision=due_precision,
            due_text=(due_text or "").strip(),
            announced_on=announced_on,
            key=key,
            recorded_by=recorded_by,
            recorded_at=recorded_at or timezone.now(),
            **fields,
        )
        commitment.parties.set(parties)
        commitment.stated_by.set(citations)
        touch_cases({case.pk})
    return commitment


def record_commitment_from_passage(*, case, source, quote, occurrence=None, **fields):
    """Record a commitment stated by a passage of `source`: the passage is quoted for `case` (an existing
    citation of the same words is reused), then `record_commitment(**fields)` with it. One transaction:
    a refused commitment leaves no new citation behind. Returns (commitment, citation)."""
    with transaction.atomic():
        wanted = quoting.normalise_text(quote)
        citation = next(
            (c for c in Citation.objects.filter(case=case, source=source) if quoting.normalise_text(c.quote) == wanted),
            None,
        )
        if citation is None:
            citation = create_citation(case=case, source=source, quote=quote, occurrence=occurrence)
        commitment = record_commitment(case=case, citations=[citation], **fields)
    return commitment, citation


def judge_commitment(
    *,
    commitment,
    outcome,
    rationale,
    citations,
    recorded_by,
    occurred_on=None,
    confidence=CommitmentOutcome.Confidence.MEDIUM,
    corrects=None,
    recorded_at=None,
    today=None,
):
    """Record the outcome of `commitment` (CommitmentOutcome.Outcome) as an analyst judges it, with the
    passages that show it. Append-only: the newest judgement is the one in force.

    Rules: a rationale always; citations (of the case) except for "not kept", which may rest on their
    absence; kept and late need the day it was done (`occurred_on`), kept on or before the deadline,
    late after it; withdrawn needs the day; nothing is judged kept or not kept before it falls due
    ("not kept" only after the deadline); no day in the future. Returns the CommitmentOutcome;
    ServiceError (by field) and nothing written otherwise.
    """
    citations = list(citations)
    today = today or timezone.localdate()
    errors = {}
    rationale = (rationale or "").strip()
    if not rationale:
        errors["rationale"] = "Explain the judgement: a rationale is required."
    else:
        errors.update(_field_errors(CommitmentOutcome, rationale=rationale))
    # Too early for the plausible range (a day in the future is refused below, more strictly).
    if isinstance(occurred_on, datetime.date) and occurred_on <= today:
        if problem := _field_errors(CommitmentOutcome, occurred_on=occurred_on):
            raise ServiceError({**errors, **problem})
    if outcome not in Outcome.values:
        errors["outcome"] = f"“{outcome}” is not an outcome (kept, late, not kept, withdrawn)."
    if confidence not in CommitmentOutcome.Confidence.values:
        errors["confidence"] = f"“{confidence}” is not a confidence (low, medium or high)."
    if outcome != Outcome.NOT_KEPT and not citations:
        errors["citations"] = "Cite the passages that show the outcome."
    if foreign := [c for c in citations if c.case_id != commitment.case_id]:
        errors["citations"] = "These citations belong to another case: " + "; ".join(str(c) for c in foreign)
    deadline = commitment.deadline
    if outcome in (Outcome.KEPT, Outcome.LATE, Outcome.WITHDRAWN) and occurred_on is None:
        errors["occurred_on"] = "Give the day it was done (or withdrawn)."
    elif occurred_on is not None and occurred_on > today:
        errors["occurred_on"] = f"{date_format(occurred_on)} is in the future."
    elif occurred_on is not None and occurred_on < commitment.announced_on and outcome != Outcome.WITHDRAWN:
        errors["occurred_on"] = f"It cannot be done before it was announced ({date_format(commitment.announced_on)})."
    elif outcome == Outcome.KEPT and deadline is not None and occurred_on > deadline:
        errors["outcome"] = (
            f"Done on {date_format(occurred_on)}, after the due date {date_format(deadline)}: record it as kept late."
        )
    elif outcome == Outcome.LATE and (deadline is None or occurred_on <= deadline):
        errors["outcome"] = "Kept late means done after the due date: " + (
            f"{date_format(occurred_on)} is not after {date_format(deadline)}." if deadline else "it has none."
        )
    if outcome == Outcome.NOT_KEPT:
        occurred_on = None
        if deadline is not None and today <= deadline:
            errors["outcome"] = f"It is due until {date_format(deadline)}: it cannot be judged not kept before then."
    if corrects is not None and corrects.commitment_id != commitment.pk:
        errors["corrects"] = "A correction must concern the same commitment."
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        judged = CommitmentOutcome.objects.create(
            commitment=commitment,
            outcome=outcome,
            occurred_on=occurred_on,
            confidence=confidence,
            rationale=rationale,
            recorded_by=recorded_by,
            recorded_at=recorded_at or timezone.now(),
            corrects=corrects,
        )
        judged.citations.set(citations)
        touch_cases({commitment.case_id})
    return judged


def due_date_base(citation):
    """The day a passage's date expressions are read from: the day of the event it reports, else its
    source's date, else the day the source was put on record (an undated document)."""
    if citation.event_id is not None:
        return citation.event.date
    if citation.source.published_on is not None:
        return citation.source.published_on
    return timezone.localdate(citation.source.recorded_at)


def passage_base(source, event=None):
    """`due_date_base` for a passage not yet quoted: its event's date, its source's, or its record day."""
    if event is not None:
        return event.date
    if source.published_on is not None:
        return source.published_on
    return timezone.localdate(source.recorded_at) if source.recorded_at else datetime.date.today()
