"""Sources: adding one, editing one, and changing its text, which the one rule of a quoted source's text
governs (Source.text_lock_reason: editable until the first citation quotes it)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from measures import search
from measures.lib.text import tidy_text
from measures.models import Source
from measures.services.base import ServiceError, cases_affected_by, save_checked, stamp_user, touch_cases


def lock_source(source):
    """`source` as stored now, its row locked until the transaction ends (PostgreSQL; SQLite's IMMEDIATE
    transactions serialise writers already). A quote is checked against this text, and a text change
    against the citations stored, so that neither can change between the check and the write
    (invariant 3 of docs/invariants.md)."""
    return Source.objects.select_for_update().get(pk=source.pk)


def save_source(*, source, user=None):
    """Write `source`, new or edited (the admin's source form, change_source_text, the case-file loader)
    and return it. Validated by full_clean: its fields, and its text by the rule of a quoted source's
    text (Source.text_lock_reason: a changed text is refused once a citation quotes the source). Saved
    with its history (`user` recorded as its author when given), in one transaction with the data
    version of the cases citing it bumped and its search index rows written again (measures.search).
    Raises ServiceError (messages by field), nothing written.
    """
    with transaction.atomic():
        if source.pk is not None:
            # Lock the row first: no citation can be added between the text rule's check and the write.
            Source.objects.select_for_update().filter(pk=source.pk).values_list("pk", flat=True).first()
        try:
            source.full_clean()
        except ValidationError as exc:
            raise ServiceError(exc.message_dict) from None
        stamp_user(source, user)
        save_checked(source)  # a label taken meanwhile: the label's message, as one after the other
        search.index([source])
        touch_cases(cases_affected_by(source))
    return source


def change_source_text(*, source, full_text, user=None):
    """Replace the full text of `source` with `full_text` (as given) and return the source as stored.
    Refused once any citation quotes the source (Source.text_lock_reason, the one rule), with the rule's
    message on `full_text`; refused too for a text no field takes (control characters). The version
    moves on, as with any edit of the source. For commands and imports that change a text alone."""
    with transaction.atomic():
        source = lock_source(source)
        source.full_text = full_text
        source.version += 1
        return save_source(source=source, user=user)


def _same_original(original):
    """Why `original` (an intake.Original) cannot be a new source's original (a source has the same
    file), or None."""
    same = Source.objects.filter(original_sha256=original.sha256).first()
    return None if same is None else f"This file is already the original of the source “{same}”."


def _refuse_same_original(original):
    if original is not None and (message := _same_original(original)):
        raise ServiceError({"original_file": message})


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
        if message := _same_original(original):
            errors["original_file"] = message
    try:
        # The same file is refused above, naming the source that has it (not by the constraint's own words).
        source.full_clean(exclude=["original_file", "original_sha256"])
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
            # The same file saved at the same moment by a colleague: `source_original_unique` refuses
            # this row, and the message is the one of a save one after the other.
            save_checked(source, check=lambda: _refuse_same_original(original))
            search.index([source])
        except Exception:
            if source.original_file:
                source.original_file.delete(save=False)
            raise
    return source
