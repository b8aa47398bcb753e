"""Sources: creating one, and the one rule for changing a quoted source's text (citations relocated or
the change refused)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from measures import search
from measures.lib import quoting
from measures.models import Citation, Source
from measures.services.base import ServiceError


def relocate_citations(*, source, previous_text, skip=()):
    """After `source.full_text` changed from `previous_text`, move each citation's stored place to
    where its passage now is (the occurrence nearest the old place). Derived data, so neither the
    citation's version nor its history changes; citations in `skip` (pks saved together with the new
    text, already placed in it) are left as they are. Returns the number of citations moved.

    Raises ServiceError naming the citations whose quote no longer occurs (the caller's
    transaction is then rolled back: the text change is refused).
    """
    moved, lost, changed = 0, [], []
    citations = source.citations.exclude(pk__in=skip).only("pk", "quote", "spans", "paragraph", "passage_parts")
    for citation in citations:
        if not source.full_text:
            spans, paragraph = [], None
        else:
            passage = quoting.relocate(previous_text or "", source.full_text, citation.quote, citation.spans)
            if passage is None:
                lost.append(citation)
                continue
            spans = [list(span) for span in passage.spans]
            paragraph = quoting.paragraph_number(source.full_text, passage.start)
        parts = [list(part) for part in quoting.passage_parts(source.full_text, spans, citation.quote)]
        if spans != citation.spans or paragraph != citation.paragraph or parts != citation.passage_parts:
            Citation.objects.filter(pk=citation.pk).update(spans=spans, paragraph=paragraph, passage_parts=parts)
            changed.append(citation.pk)
            moved += 1
    if lost:
        names = "; ".join(f"citation {c.pk} “{c.quote[:60]}”" for c in lost)
        raise ServiceError({"full_text": f"The new text no longer contains the passages of: {names}."})
    if changed:
        search.index(Citation.objects.filter(pk__in=changed).select_related("source", "event"))
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
    from measures.intake import tidy_text

    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source.pk)
        if (reason := source_text_locked(source)) is not None:
            raise ServiceError({"full_text": reason})
        source.full_text = tidy_text(full_text)
        source.version += 1
        source.save()
        search.index([source])
    return source


def create_source(
    *,
    title,
    kind,
    full_text,
    publisher="",
    author="",
    url="",
    published_on=None,
    original=None,
    original_name="",
    language=None,
):
    """Add a source with its full text and, when it came from a file, the original document.

    `original` is an `intake.Original` (the file's bytes and its type, sniffed from its content);
    it is stored under MEDIA_ROOT with a random name. `language` (a BCP 47 tag; None: detected in the
    text, measures.intake.language). Refused (ServiceError, nothing stored) when a field is invalid,
    the text is empty, or the same file is already the original of a source. The source is indexed
    for search."""
    from measures.intake import tidy_text
    from measures.intake.language import detect_language

    text = tidy_text(full_text)
    source = Source(
        title=(title or "").strip(),
        kind=kind,
        full_text=text,
        publisher=(publisher or "").strip(),
        author=(author or "").strip(),
        url=(url or "").strip(),
        published_on=published_on,
        language=detect_language(text) if language is None else language,
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
            search.index([source])
        except Exception:
            if source.original_file:
                source.original_file.delete(save=False)
            raise
    return source


# Suggested passages: the analyst accepts one as a citation with evidence, or dismisses it.
