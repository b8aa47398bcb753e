"""Citations and evidence: quoting a source, attaching a passage to a measure, accepting or dismissing a
suggested passage."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from measures import search
from measures.lib import quoting
from measures.models import Citation, Evidence, PassageDismissal, Source
from measures.services.base import ServiceError, _field_errors, touch_cases


def lock_source(source):
    """`source` as stored now, its row locked until the transaction ends (PostgreSQL; SQLite's IMMEDIATE
    transactions serialise writers already). A quote is checked against this text, so that nobody can
    change the text between the check and the insert (invariant 3 of docs/invariants.md)."""
    return Source.objects.select_for_update().get(pk=source.pk)


def create_citation(
    *,
    case,
    source,
    quote,
    locator="",
    event=None,
    occurrence=None,
    recorded_at=None,
    language=None,
    translation="",
    translator="",
    translated_on=None,
):
    """Quote a passage of `source` for `case`; refused when the source's text does not contain it
    (by the matching rule of measures.quoting), or when it occurs several times and `occurrence`
    (an offset in the source's text, the nearest place is taken) does not say which.
    The citation stores where it was found (`spans`, `paragraph`) and the passage as the source has
    it (`passage_parts`). `recorded_at` is for imports of past work only (default: now).

    `language` (a BCP 47 tag): None leaves it to the source's language, or, for a source without one,
    to the language detected in the quote (measures.intake.language). `translation` (into the case's
    working language) needs `translator` and `translated_on`.

    The insert bumps the source's version (a database trigger), so a source form opened before
    cannot save a text without this passage. The citation is indexed for search (measures.search).
    """
    from measures.intake.language import detect_language

    with transaction.atomic():
        source = lock_source(source)
        if language is None:
            language = "" if source.language else detect_language(quote)
        citation = Citation(
            case=case,
            source=source,
            quote=quote.strip(),
            locator=locator.strip(),
            event=event,
            recorded_at=recorded_at or timezone.now(),
            language=language,
            translation=(translation or "").strip(),
            translator=(translator or "").strip(),
            translated_on=translated_on,
        )
        citation.chosen_offset = occurrence
        try:
            citation.full_clean()
        except ValidationError as exc:
            raise ServiceError(exc.message_dict) from None
        citation.save()
        search.index([citation])
        touch_cases({case.pk})
    return citation


def translate_citation(*, citation, translation, translator, translated_on, language=None):
    """Give `citation` a translation into its case's working language, with who made it and when
    (an empty translation removes it); `language` corrects the passage's language tag. Refused, with
    nothing changed, without a translator or a date. Returns the citation, indexed again."""
    with transaction.atomic():
        citation = Citation.objects.select_for_update().select_related("source", "case").get(pk=citation.pk)
        citation.translation = (translation or "").strip()
        citation.translator = (translator or "").strip() if citation.translation else ""
        citation.translated_on = translated_on if citation.translation else None
        if language is not None:
            citation.language = language
        try:
            citation.full_clean(exclude=["quote", "source", "case", "event", "locator"])
        except ValidationError as exc:
            raise ServiceError(exc.message_dict) from None
        citation.version += 1
        citation.save()
        search.index([citation])
        touch_cases({citation.case_id})
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
    from measures.intake.passages import passage_key

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
