"""Edits of records from the analysts' workspace: one record, or a form's record with its inline rows.

Each record is written by its topic's service (citations and evidence: measures.services.citations;
sources: measures.services.sources); the others (parties, cases, measures, events) are validated by
full_clean and saved here. Every write records its history, keeps the search index current
(measures.search) and bumps the data version of the cases the record was and is shown in, in one
transaction. Assessments are appended by record_assessment
only, never edited or deleted.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from measures import search
from measures.models import Assessment, Case, Citation, Evidence, Source
from measures.services.base import (
    ServiceError,
    cases_affected_by,
    cases_stored_for,
    save_checked,
    stamp_user,
    touch_cases,
    touched_once,
)
from measures.services.citations import delete_citation, delete_evidence, save_citation, save_evidence
from measures.services.sources import save_source

_SAVED_BY = {Citation: save_citation, Evidence: save_evidence, Source: save_source}
_DELETED_BY = {Citation: delete_citation, Evidence: delete_evidence}


def _refuse_assessment(record):
    if isinstance(record, Assessment):
        raise TypeError("Assessments are appended through services.record_assessment, never edited or deleted.")


def save_record(*, record, user=None):
    """Write `record` (new or edited, any model of the domain but Assessment) and return it, through
    its topic's service when it has one (save_citation, save_evidence, save_source), else validated by
    full_clean and saved; history by `user` when given; the cases it was and is shown in bumped; one
    transaction. Raises ServiceError (messages by field), nothing written."""
    _refuse_assessment(record)
    service = _SAVED_BY.get(type(record))
    if service is not None:
        return service(**{record._meta.model_name: record, "user": user})
    with transaction.atomic():
        before = cases_stored_for(record)
        language_before = _working_language_stored(record)
        try:
            record.full_clean()
        except ValidationError as exc:
            raise ServiceError(exc.message_dict) from None
        stamp_user(record, user)
        save_checked(record)
        # A case stands for all its records in the index: written again only when its working language
        # (the language of its events, measures and rationales) changed; other records are ignored
        # unless indexed (measures.search.index).
        if not isinstance(record, Case) or language_before != record.working_language:
            search.index([record])
        touch_cases(before | cases_affected_by(record))
    return record


def _working_language_stored(record):
    if not isinstance(record, Case) or record.pk is None:
        return None
    return Case.objects.filter(pk=record.pk).values_list("working_language", flat=True).first()


def delete_record(*, record, user=None):
    """Delete `record` (any model of the domain but Assessment) through its topic's service when it has
    one (delete_citation, delete_evidence); history by `user` when given; its search index rows removed;
    the cases it was shown in bumped. A record others rely on is not deleted:
    django.db.models.ProtectedError, naming them."""
    _refuse_assessment(record)
    service = _DELETED_BY.get(type(record))
    if service is not None:
        return service(**{record._meta.model_name: record, "user": user})
    with transaction.atomic():
        affected = cases_affected_by(record)
        search.unindex([record])
        stamp_user(record, user)
        record.delete()
        touch_cases(affected)
    return None


def save_records(*, saved=(), deleted=(), user=None):
    """Write several records at once, all or none (a form's inline rows): each of `deleted` deleted
    first, so that a row removed and added again does not collide with itself, then each of `saved`
    written, each by delete_record and save_record; the cases they touch are bumped once. Returns the
    saved records, in order."""
    with transaction.atomic(), touched_once():
        for record in deleted:
            delete_record(record=record, user=user)
        return [save_record(record=record, user=user) for record in saved]


def delete_records(*, records, user=None):
    """Delete each of `records` (a list or a queryset) by delete_record, all or none; the cases they
    were shown in are bumped once."""
    with transaction.atomic(), touched_once():
        for record in records:
            delete_record(record=record, user=user)
