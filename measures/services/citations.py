"""Citations and evidence: quoting a source, attaching a passage to a measure, writing an edit of either
(the admin's forms), deleting one, accepting or dismissing a suggested passage."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from measures import search
from measures.lib import quoting
from measures.models import Citation, Evidence, PassageDismissal, Source
from measures.services.base import (
    ServiceError,
    cases_affected_by,
    cases_stored_for,
    save_checked,
    stamp_user,
    touch_cases,
)
from measures.services.sources import lock_source


def check_citation(citation):
    """Raise ServiceError (messages by field) unless `citation` may be written as it is: full_clean,
    that is its quote found in its source's text by the matching rule (measures.lib.quoting), at the
    occurrence `citation.chosen_offset` names when it occurs more than once, which sets `spans` and
    `paragraph`; its event one of its case's; its case kept while evidence or assessments rely on it.
    The one check of every citation written (save_citation, hence create_citation and the admin)."""
    try:
        citation.full_clean()
    except ValidationError as exc:
        raise ServiceError(exc.message_dict) from None


def _source_as_stored(source):
    """`source` with its row locked until the transaction ends: the object given while its version is
    the stored one (a text never changes without its version moving on, so its text is the stored
    text), else the row read again. Locking the row alone spares reading a long text once per citation."""
    stored = Source.objects.select_for_update().filter(pk=source.pk).values_list("version", flat=True).first()
    return source if stored == source.version else lock_source(source)


def save_citation(*, citation, user=None):
    """Write `citation`, new or edited, and return it: checked by check_citation against its source's
    text as stored, the source's row locked until the transaction ends so that the text cannot change
    before the write (invariant 3 of docs/invariants.md); saved with its history (`user` recorded as
    its author when given); the data version of the cases it was and is shown in bumped; one
    transaction. Raises ServiceError, nothing written.

    The write bumps the source's version (a database trigger), so a source form opened before cannot
    save a text without this passage; the source object given follows it. The citation is indexed for
    search (measures.search), in the same transaction.
    """
    with transaction.atomic():
        before = cases_stored_for(citation)
        if citation.source_id is not None and citation.source.pk is not None:
            citation.source = _source_as_stored(citation.source)
        check_citation(citation)
        stamp_user(citation, user)
        save_checked(citation)  # a key taken meanwhile: the key's message, as one after the other
        if citation.source_id is not None:
            stored = Source.objects.filter(pk=citation.source_id).values_list("version", flat=True)
            citation.source.version = stored.get()
        search.index([citation])
        touch_cases(before | cases_affected_by(citation))
    return citation


def delete_citation(*, citation, user=None):
    """Delete `citation` (its history records the deletion, by `user` when given), remove it from the
    search index and bump the data version of its case. A citation that evidence or an assessment
    relies on is not deleted: django.db.models.ProtectedError, naming them."""
    with transaction.atomic():
        affected = cases_affected_by(citation)
        search.unindex([citation])
        stamp_user(citation, user)
        citation.delete()
        touch_cases(affected)


def create_citation(
    *,
    case,
    source,
    quote,
    locator="",
    event=None,
    occurrence=None,
    recorded_at=None,
    key="",
    language=None,
    translation="",
    translator="",
    translated_on=None,
):
    """Quote a passage of `source` for `case`; refused when the source's text does not contain it
    (by the matching rule of measures.quoting), or when it occurs several times and `occurrence`
    (an offset in the source's text, the nearest place is taken) does not say which.
    The citation stores where it was found (`spans`, `paragraph`) and the passage as the source has
    it (`passage_parts`). `recorded_at` is for imports of past work only (default: now); `key` is its
    key in the case file it comes from.

    `language` (a BCP 47 tag): None leaves it to the source's language, or, for a source without one,
    to the language detected in the quote (measures.intake.language). `translation` (into the case's
    working language) needs `translator` and `translated_on`. Written by save_citation.
    """
    from measures.intake.language import detect_language

    if language is None:
        language = "" if source.language else detect_language(quote)
    citation = Citation(
        case=case,
        source=source,
        quote=quote.strip(),
        locator=locator.strip(),
        event=event,
        key=key,
        recorded_at=recorded_at or timezone.now(),
        language=language,
        translation=(translation or "").strip(),
        translator=(translator or "").strip(),
        translated_on=translated_on,
    )
    citation.chosen_offset = occurrence
    return save_citation(citation=citation)


def check_evidence(evidence):
    """Raise ServiceError (messages by field) unless `evidence` may be written as it is: its stance one
    of progress, setback or context; its citation and measure of the same case; its citation not
    the passage that defines the measure (`Measure.requirement`); its note a single line
    of at most 300 characters (the model's fields and clean()). Whether the citation is evidence of the
    measure already is the database's to say (save_evidence words it). The one check of every evidence
    written (save_evidence, hence attach_evidence, record_assessment and the admin)."""
    errors = {}
    if evidence.stance not in Evidence.Stance.values:
        errors["stance"] = [f"“{evidence.stance}” is not a stance (progress, setback or context)."]
    if evidence.measure_id is not None and evidence.citation_id is not None:
        if evidence.measure.requirement_id == evidence.citation_id:
            errors["citation"] = [
                f"This passage defines measure {evidence.measure.number} (what it requires): it is not evidence "
                "of conduct and cannot be attached as evidence."
            ]
    try:
        evidence.full_clean(exclude=list(errors), validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ServiceError(errors)


def save_evidence(*, evidence, user=None):
    """Write `evidence` (a citation attached to a measure), new or edited, and return it: checked by
    check_evidence, refused when the citation is evidence of that measure already; saved with its
    history (`user` recorded as its author when given; a `_change_reason` set on it is kept); the data
    version of the cases it was and is shown in bumped; one transaction. Raises ServiceError, nothing
    written."""
    with transaction.atomic():
        before = cases_stored_for(evidence)
        check_evidence(evidence)
        stamp_user(evidence, user)
        try:
            with transaction.atomic():
                evidence.save()
        except IntegrityError:
            raise ServiceError(
                {"citation": f"This citation is already evidence for measure {evidence.measure.number}."}
            ) from None
        touch_cases(before | cases_affected_by(evidence))
    return evidence


def delete_evidence(*, evidence, user=None):
    """Detach a citation from a measure: delete `evidence` (its history records it, by `user` when
    given) and bump the data version of its case."""
    with transaction.atomic():
        affected = cases_affected_by(evidence)
        stamp_user(evidence, user)
        evidence.delete()
        touch_cases(affected)


def translate_citation(*, citation, translation, translator, translated_on, language=None, user=None):
    """Give `citation` a translation into its case's working language, with who made it and when
    (an empty translation removes it, with its translator and date); `language` corrects the
    passage's language tag. Written by save_citation (history by `user`, version moved on, indexed
    again). Refused (ServiceError, nothing changed) without a translator or a date. Returns the
    citation."""
    with transaction.atomic():
        citation = Citation.objects.select_for_update().select_related("source", "case").get(pk=citation.pk)
        citation.translation = (translation or "").strip()
        citation.translator = (translator or "").strip() if citation.translation else ""
        citation.translated_on = translated_on if citation.translation else None
        if language is not None:
            citation.language = language
        citation.version += 1
        return save_citation(citation=citation, user=user)


def attach_evidence(*, citation, measure, stance, note="", recorded_at=None):
    """Attach `citation` to `measure` with a stance; refused across cases or when already attached.
    `recorded_at` is for imports of past work only (default: now). Written by save_evidence."""
    evidence = Evidence(
        citation=citation,
        measure=measure,
        stance=stance,
        note=(note or "").strip(),
        recorded_at=recorded_at or timezone.now(),
    )
    return save_evidence(evidence=evidence)


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
    try:
        PassageDismissal._meta.get_field("passage").run_validators(text)  # no control characters, NUL included
    except ValidationError as exc:
        raise ServiceError({"passage": exc.messages}) from exc
    with transaction.atomic():
        dismissal, _ = PassageDismissal.objects.get_or_create(
            source=source,
            measure=measure,
            passage_sha256=passage_key(text),
            defaults={"passage": text, "dismissed_by": dismissed_by},
        )
    return dismissal
