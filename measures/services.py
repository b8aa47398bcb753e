"""State changes. Each function validates, writes and returns what it wrote, in one transaction.

Views, admin actions, management commands and imports call these; nothing writes around them.
Errors are `ServiceError`s (a `ValidationError`), whose messages a user can read as they are.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format

from . import quoting
from .models import Assessment, Case, Citation, Event, Evidence, Measure, Party, PassageDismissal, Source
from .queries import evidence_date

_UNCHECKED = object()
# Levels that make no claim about the world and so need a rationale but no citation.
CITATION_FREE_LEVELS = (Assessment.Level.NOT_ASSESSED, Assessment.Level.NOT_APPLICABLE)


class ServiceError(ValidationError):
    """A rule of the domain was broken; the message says which, in words for the user."""


class ConcurrentAssessmentError(ServiceError):
    """Someone recorded an assessment for the same measure and party after the form was opened."""

    def __init__(self, message, newer):
        super().__init__(message, code="concurrent")
        self.newer = newer


def cases_affected_by(obj):
    """The ids of the cases whose pages show `obj` (a record of any domain model), as a set.

    Sources and parties are shared between cases: every case that cites the source, or assesses
    the party or names it among an event's actors, shows them.
    """
    if isinstance(obj, Case):
        return {obj.pk} if obj.pk is not None else set()
    if isinstance(obj, (Measure, Event, Citation)):
        return {obj.case_id}
    if isinstance(obj, (Evidence, Assessment)):
        return set(Measure.objects.filter(pk=obj.measure_id).values_list("case_id", flat=True))
    if isinstance(obj, Source):
        return set(Citation.objects.filter(source_id=obj.pk).values_list("case_id", flat=True).distinct())
    if isinstance(obj, Party):
        linked = Q(assessed_parties=obj.pk) | Q(events__actors=obj.pk)
        return set(Case.objects.filter(linked).values_list("pk", flat=True).distinct())
    raise TypeError(f"{type(obj).__name__} is not a record of a case")


def touch_cases(case_ids):
    """Record that the data of these cases changed: bump their data version, set data_changed_at.

    Every write through this module and the admin calls it, in the write's transaction, so that
    the reading pages' ETags and cached renderings (measures.caching) never outlive the data.
    An update() on purpose: this is bookkeeping, not an edit with history or a version check.
    """
    case_ids = {pk for pk in case_ids if pk is not None}
    if case_ids:
        Case.objects.filter(pk__in=case_ids).update(data_version=F("data_version") + 1, data_changed_at=timezone.now())


def latest_assessment(measure, party, *, up_to_id=None):
    """The most recently recorded assessment of a measure for a party, or None (for concurrency checks).
    With `up_to_id`, among those whose id is at most that: the latest one a form opened then showed."""
    assessments = Assessment.objects.filter(measure=measure, party=party)
    if up_to_id is not None:
        assessments = assessments.filter(pk__lte=up_to_id)
    return assessments.order_by("-recorded_at", "-pk").first()


def cited_evidence_date(citations):
    """The date of the newest of `citations` (the event's date, else the source's), or None if none is dated.

    The default effective date of an assessment: the situation it describes held when its newest
    evidence speaks of, not on the day the analyst records it.
    """
    dates = [date for date in map(evidence_date, citations) if date is not None]
    return max(dates, default=None)


def _attach_cited(measure, citations, stance, *, stances, party, effective_date):
    """Make each cited passage evidence of `measure` (see record_assessment); returns the Evidence created."""
    attached = set(Evidence.objects.filter(measure=measure, citation__in=citations).values_list("citation", flat=True))
    missing = [citation for citation in citations if citation.pk not in attached]
    if not missing:
        return []
    chosen = {citation.pk: (stances or {}).get(citation.pk) or stance for citation in missing}
    unknown = sorted({value for value in chosen.values() if value and value not in Evidence.Stance.values})
    if unknown:
        raise ServiceError(
            {"evidence_stance": f"“{'”, “'.join(unknown)}” is not a stance (progress, setback or context)."}
        )
    lacking = [citation for citation in missing if not chosen[citation.pk]]
    if lacking:
        quotes = "; ".join(str(citation) for citation in lacking)
        raise ServiceError(
            {
                "evidence_stance": (
                    f"Say what the cited passages show about measure {measure.number} (progress, setback or "
                    f"context): they become its evidence. Not yet evidence of it: {quotes}"
                )
            }
        )
    note = f"Cited by an assessment of {party.code}."
    created = []
    for citation in missing:
        evidence = Evidence(citation=citation, measure=measure, stance=chosen[citation.pk], note=note)
        # Recorded as the change it is: the citation and measure History pages list it.
        evidence._change_reason = f"Attached by an assessment of {party.code}"
        evidence.save()
        created.append(evidence)
    return created


def record_assessments(*, measure, entries, **shared):
    """Record one judgement for several parties of `measure` at once: all of them, or none.

    `entries` is a list of dicts with each party's own `party`, `level`, and optionally `confidence`,
    `corrects` and `expected_latest`; `shared` holds the rest of record_assessment's arguments
    (rationale, citations, effective date, evidence stances, recorded_by). Errors are
    ServiceErrors keyed by field, each message naming its party; returns the assessments in order.
    """
    if not entries:
        raise ServiceError({"__all__": "Choose a level for at least one party."})
    recorded, errors = [], {}
    with transaction.atomic():
        for entry in entries:
            party = entry["party"]
            try:
                with transaction.atomic():
                    recorded.append(record_assessment(measure=measure, **shared, **entry))
            except ConcurrentAssessmentError as exc:
                raise ConcurrentAssessmentError(f"{party}: {exc.message}", exc.newer) from None
            except ServiceError as exc:
                # Every party's problems at once; a shared field's message is said once.
                for field, messages in exc.message_dict.items():
                    if field in PARTY_FIELDS:
                        messages = [f"{party}: {message}" for message in messages]
                    kept = errors.setdefault(field, [])
                    kept.extend(message for message in messages if message not in kept)
        if errors:
            raise ServiceError(errors)
    return recorded


PARTY_FIELDS = ("party", "level", "confidence", "corrects")


def _field_errors(model, **values):
    """{field name: messages} for the values that `model`'s fields refuse by their own validators
    (measures.text's control characters, a CharField's length): the rules every form applies, for
    the services that write rows without a form. Empty when all pass."""
    errors = {}
    for name, value in values.items():
        try:
            model._meta.get_field(name).run_validators(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    return errors


def _validate_assessment(
    *, measure, party, level, confidence, effective_date, rationale, citations, corrects, today, recorded_at, now
):
    errors = {}
    case = measure.case
    if not case.assessed_parties.filter(pk=party.pk).exists():
        errors["party"] = f"{party} is not one of the assessed parties of “{case}”."
    if level not in Assessment.Level.values:
        errors["level"] = f"“{level}” is not a level of the scale."
    if confidence not in Assessment.Confidence.values:
        errors["confidence"] = f"“{confidence}” is not a confidence (low, medium or high)."
    if effective_date is None:
        errors["effective_date"] = "Give the date on which this situation held."
    elif effective_date > today:
        errors["effective_date"] = f"The effective date {date_format(effective_date)} is in the future."
    elif effective_date < case.start_date:
        errors["effective_date"] = (
            f"The effective date {date_format(effective_date)} is before the case began "
            f"({date_format(case.start_date)})."
        )
    if not (rationale or "").strip():
        errors["rationale"] = "Explain the judgement: a rationale is required."
    else:
        errors.update(_field_errors(Assessment, rationale=rationale.strip()))
    if "party" not in errors:
        named = list(measure.applicable_parties.all())
        if named and party.pk not in {p.pk for p in named}:
            errors["party"] = (
                f"Measure {measure.number} applies to {', '.join(p.name for p in named)}, not to {party}: "
                "add the party to the measure's applicable parties first."
            )
    if level not in CITATION_FREE_LEVELS and not citations:
        errors["citations"] = "Cite at least one passage that supports this level."
    foreign = [c for c in citations if c.case_id != case.pk]
    if foreign:
        errors["citations"] = "These citations belong to another case: " + "; ".join(str(c) for c in foreign)
    if recorded_at is not None and recorded_at > now:
        # A recorded_at in the future would stay "the latest" and blind the concurrency check.
        errors["recorded_at"] = f"The recording time {recorded_at:%d %B %Y %H:%M} is in the future."
    if corrects is not None and (corrects.measure_id != measure.pk or corrects.party_id != party.pk):
        errors["corrects"] = "A correction must concern the same measure and party as the assessment it corrects."
    if errors:
        raise ServiceError(errors)


def record_assessment(
    *,
    measure,
    party,
    level,
    rationale,
    citations,
    recorded_by,
    effective_date,
    confidence=Assessment.Confidence.MEDIUM,
    corrects=None,
    evidence_stance=None,
    evidence_stances=None,
    expected_latest=_UNCHECKED,
    recorded_at=None,
):
    """Append an assessment of `measure` for `party` and return it.

    Every cited passage becomes evidence of the measure, so that the measure's evidence (and its
    latest evidence date) always includes what a judgement rests on: a citation not yet evidence of
    it is attached with its own stance from `evidence_stances` (a dict: citation pk -> an
    Evidence.Stance value), else with `evidence_stance` (the stance of every other newly cited
    passage); refused, nothing written, when a new passage has neither or a value is not a stance.
    A passage already evidence of the measure keeps the stance it has (never overwritten).
    `effective_date` None means the date of the newest cited passage (`cited_evidence_date`).

    `expected_latest` is the latest assessment (or None) the user saw for this measure and party
    when the form was opened; if another one was recorded since, nothing is written and
    ConcurrentAssessmentError carries the newer ones. `recorded_at` is for imports of past work only,
    and is refused when it lies in the future.
    """
    citations = list(citations)
    if effective_date is None:
        effective_date = cited_evidence_date(citations)
    now = timezone.now()
    with transaction.atomic():
        # Lock the measure row so two writers for one measure queue up (PostgreSQL; SQLite's
        # IMMEDIATE transactions already serialise writers).
        measure = Measure.objects.select_for_update().select_related("case").get(pk=measure.pk)
        _validate_assessment(
            measure=measure,
            party=party,
            level=level,
            confidence=confidence,
            effective_date=effective_date,
            rationale=rationale,
            citations=citations,
            corrects=corrects,
            today=timezone.localdate(),
            recorded_at=recorded_at,
            now=now,
        )
        if expected_latest is not _UNCHECKED:
            current = latest_assessment(measure, party)
            expected_pk = expected_latest.pk if expected_latest is not None else None
            if current is not None and current.pk != expected_pk:
                newer = Assessment.objects.filter(measure=measure, party=party)
                if expected_latest is not None:
                    newer = newer.filter(recorded_at__gte=expected_latest.recorded_at).exclude(pk=expected_pk)
                newer = list(newer.select_related("recorded_by").order_by("-recorded_at", "-pk"))
                raise ConcurrentAssessmentError(
                    f"While you were editing, {current.recorded_by} recorded “{current.get_level_display()}” "
                    f"for {party} on this measure. Read it, then submit again if your judgement stands.",
                    newer,
                )
        _attach_cited(
            measure, citations, evidence_stance, stances=evidence_stances, party=party, effective_date=effective_date
        )
        assessment = Assessment.objects.create(
            measure=measure,
            party=party,
            level=level,
            confidence=confidence,
            effective_date=effective_date,
            rationale=rationale.strip(),
            recorded_by=recorded_by,
            recorded_at=recorded_at or now,
            corrects=corrects,
        )
        assessment.citations.set(citations)
        touch_cases({measure.case_id})
    return assessment


def lock_source(source):
    """`source` as stored now, its row locked until the transaction ends (PostgreSQL; SQLite's IMMEDIATE
    transactions serialise writers already). A quote is checked against this text, so that nobody can
    change the text between the check and the insert (invariant 3 of docs/invariants.md)."""
    return Source.objects.select_for_update().get(pk=source.pk)


def create_citation(*, case, source, quote, locator="", event=None, occurrence=None, recorded_at=None):
    """Quote a passage of `source` for `case`; refused when the source's text does not contain it
    (by the matching rule of measures.quoting), or when it occurs several times and `occurrence`
    (an offset in the source's text, the nearest place is taken) does not say which.
    The citation stores where it was found (`spans`, `paragraph`). `recorded_at` is for imports of
    past work only (default: now).

    The insert bumps the source's version (a database trigger), so a source form opened before
    cannot save a text without this passage.
    """
    with transaction.atomic():
        source = lock_source(source)
        citation = Citation(
            case=case,
            source=source,
            quote=quote.strip(),
            locator=locator.strip(),
            event=event,
            recorded_at=recorded_at or timezone.now(),
        )
        citation.chosen_offset = occurrence
        try:
            citation.full_clean()
        except ValidationError as exc:
            raise ServiceError(exc.message_dict) from None
        citation.save()
        touch_cases({case.pk})
    return citation


def attach_evidence(*, citation, measure, stance, note="", recorded_at=None):
    """Attach `citation` to `measure` with a stance; refused across cases or when already attached.
    `recorded_at` is for imports of past work only (default: now)."""
    if stance not in Evidence.Stance.values:
        raise ServiceError({"stance": f"“{stance}” is not a stance (progress, setback or context)."})
    if citation.case_id != measure.case_id:
        raise ServiceError({"citation": "The citation belongs to another case than the measure."})
    if errors := _field_errors(Evidence, note=(note or "").strip()):
        raise ServiceError(errors)
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                citation=citation,
                measure=measure,
                stance=stance,
                note=note.strip(),
                recorded_at=recorded_at or timezone.now(),
            )
            touch_cases({measure.case_id})
            return evidence
    except IntegrityError:
        raise ServiceError({"citation": f"This citation is already evidence for measure {measure.number}."}) from None


def relocate_citations(*, source, previous_text, skip=()):
    """After `source.full_text` changed from `previous_text`, move each citation's stored place to
    where its passage now is (the occurrence nearest the old place). Derived data, so neither the
    citation's version nor its history changes; citations in `skip` (pks saved together with the new
    text, already placed in it) are left as they are. Returns the number of citations moved.

    Raises ServiceError naming the citations whose quote no longer occurs (the caller's
    transaction is then rolled back: the text change is refused).
    """
    moved, lost = 0, []
    for citation in source.citations.exclude(pk__in=skip).only("pk", "quote", "spans", "paragraph"):
        if not source.full_text:
            spans, paragraph = [], None
        else:
            passage = quoting.relocate(previous_text or "", source.full_text, citation.quote, citation.spans)
            if passage is None:
                lost.append(citation)
                continue
            spans = [list(span) for span in passage.spans]
            paragraph = quoting.paragraph_number(source.full_text, passage.start)
        if spans != citation.spans or paragraph != citation.paragraph:
            Citation.objects.filter(pk=citation.pk).update(spans=spans, paragraph=paragraph)
            moved += 1
    if lost:
        names = "; ".join(f"citation {c.pk} “{c.quote[:60]}”" for c in lost)
        raise ServiceError({"full_text": f"The new text no longer contains the passages of: {names}."})
    return moved


# Sources: new ones from an uploaded document or pasted text, and their text until it is quoted.


def source_text_locked(source):
    """Why `source`'s full text can no longer change (a message), or None while it may.

    The rule: the text is editable until the first citation quotes it, because every citation's
    quote (and where it is found) is checked against this text."""
    if source.pk is None:
        return None
    count = Citation.objects.filter(source=source).count()
    if count:
        return (
            f"The text of “{source}” can no longer change: {count} citation{'s' if count != 1 else ''} "
            "quote it. Add a new source for a corrected version of the document."
        )
    return None


def change_source_text(*, source, full_text):
    """Replace the full text of `source` (tidied as an upload's text is) and return the source.
    Refused once any citation quotes the source (see source_text_locked)."""
    from .intake import tidy_text

    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source.pk)
        if (reason := source_text_locked(source)) is not None:
            raise ServiceError({"full_text": reason})
        source.full_text = tidy_text(full_text)
        source.version += 1
        source.save()
    return source


def create_source(
    *, title, kind, full_text, publisher="", author="", url="", published_on=None, original=None, original_name=""
):
    """Add a source with its full text and, when it came from a file, the original document.

    `original` is an `intake.Original` (the file's bytes and its type, sniffed from its content);
    it is stored under MEDIA_ROOT with a random name. Refused (ServiceError, nothing stored) when a
    field is invalid, the text is empty, or the same file is already the original of a source."""
    from .intake import tidy_text

    source = Source(
        title=(title or "").strip(),
        kind=kind,
        full_text=tidy_text(full_text),
        publisher=(publisher or "").strip(),
        author=(author or "").strip(),
        url=(url or "").strip(),
        published_on=published_on,
    )
    errors = {}
    if not source.full_text:
        errors["full_text"] = "The text is empty: a source needs the text its citations quote."
    if original is not None:
        source.original_type = original.doc_type
        source.original_name = (original_name or original.name)[:255]
        source.original_size = len(original.data)
        source.original_sha256 = original.sha256
        same = Source.objects.filter(original_sha256=original.sha256).first()
        if same is not None:
            errors["original_file"] = f"This file is already the original of the source “{same}”."
    try:
        source.full_clean(exclude=["original_file"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, " ".join(messages))
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        if original is not None:
            from django.core.files.base import ContentFile

            # Saved to disk first; if the row cannot be written the file is removed again.
            source.original_file.save(original.name, ContentFile(original.data), save=False)
        try:
            source.save()
        except Exception:
            if source.original_file:
                source.original_file.delete(save=False)
            raise
    return source


# Suggested passages: the analyst accepts one as a citation with evidence, or dismisses it.


def accept_passage(*, case, source, measure, quote, stance, locator="", note="", occurrence=None):
    """Quote `quote` (a suggested passage, possibly trimmed) from `source` for `case` and attach it to
    `measure` with `stance`, in one transaction. `occurrence` is the offset of the suggested passage
    in the source's text, which says which place is cited when the quote occurs more than once. An
    existing citation of the same quote in the case is reused. Returns (citation, evidence); refused
    like create_citation and attach_evidence."""
    normalise_text = quoting.normalise_text
    if measure.case_id != case.pk:
        raise ServiceError({"measure": "The measure belongs to another case."})
    with transaction.atomic():
        wanted = normalise_text(quote)
        citation = next(
            (c for c in Citation.objects.filter(case=case, source=source) if normalise_text(c.quote) == wanted),
            None,
        )
        if citation is None:
            citation = create_citation(case=case, source=source, quote=quote, locator=locator, occurrence=occurrence)
        evidence = attach_evidence(citation=citation, measure=measure, stance=stance, note=note)
    return citation, evidence


def dismiss_passage(*, source, measure, passage, dismissed_by):
    """Remember that `passage` of `source` is not evidence for `measure`: it is not suggested again.
    Dismissing twice is harmless (returns the first dismissal)."""
    from .intake.passages import passage_key

    text = (passage or "").strip()
    if not text:
        raise ServiceError({"passage": "No passage was given."})
    with transaction.atomic():
        dismissal, _ = PassageDismissal.objects.get_or_create(
            source=source,
            measure=measure,
            passage_sha256=passage_key(text),
            defaults={"passage": text, "dismissed_by": dismissed_by},
        )
    return dismissal
