"""What every service shares: the errors they raise, the cases a write touches, field validation."""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from measures.models import Assessment, Case, Citation, Event, Evidence, Measure, MeasureType, Party, Source, Theme
from measures.roles import NOT_PUBLISHED, forget_cases, public_pointer_key

_UNCHECKED = object()


# Levels that make no claim about the world and so need a rationale but no citation.
class ServiceError(ValidationError):
    """A rule of the domain was broken; the message says which, in words for the user."""


class ConcurrentAssessmentError(ServiceError):
    """Someone recorded an assessment for the same measure and party after the form was opened."""

    def __init__(self, message, newer):
        super().__init__(message, code="concurrent")
        self.newer = newer


def save_checked(record, *, check=None):
    """`record.save()` in a savepoint, with a race answered as the sequential case is.

    The service's checks ran before the write; another transaction may have written, since, a row that
    a uniqueness rule (a database constraint) makes this one clash with, and the database refuses the
    write (IntegrityError). The checks are then run again against what is now stored: `check()` when
    given, else the model's `full_clean()`, so that the message is the one a save one after the other
    would have had (e.g. the label's clash, naming the other source). Raises ServiceError with it; an
    IntegrityError the checks do not explain is raised as it is.
    """
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        try:
            (check or record.full_clean)()
        except ValidationError as exc:
            raise ServiceError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        raise
    return record


def cases_affected_by(obj):
    """The ids of the cases whose pages show `obj` (a record of any domain model), as a set.

    Sources and parties are shared between cases: every case that cites the source, or assesses
    the party or names it among an event's actors, shows them. The catalogue (measure types and
    their themes) is shared by all: the matrix shows every type against every case.
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
    if isinstance(obj, (MeasureType, Theme)):
        return set(Case.objects.values_list("pk", flat=True))
    raise TypeError(f"{type(obj).__name__} is not a record of a case")


def cases_stored_for(obj):
    """The ids of the cases whose pages show `obj` as it is stored now, before an edit of its fields
    moves it (a measure, event or citation to another case, evidence to another measure), as a set.
    Empty for a new record, and for a case, party or source: the cases showing those depend on other
    records, not on their own fields, so cases_affected_by after the write names them all."""
    if obj.pk is None:
        return set()
    if isinstance(obj, (Measure, Event, Citation)):
        return set(type(obj)._default_manager.filter(pk=obj.pk).values_list("case_id", flat=True))
    if isinstance(obj, Evidence):
        return set(Evidence.objects.filter(pk=obj.pk).values_list("measure__case_id", flat=True))
    return set()


def stamp_user(record, user):
    """Have django-simple-history record `user` as the author of `record`'s next save or delete. With
    None, it records the user of the request being answered (its middleware), or nobody (a command)."""
    if user is not None:
        record._history_user = user


def touch_cases(case_ids):
    """Record that the data of these cases changed: bump their data version, set data_changed_at.

    Every write through the services calls it, in the write's transaction, so that the reading
    pages' ETags and cached renderings (reading.caching) never outlive the data; but one that changes
    nothing that counts: an assessment recorded to await review (services.record_assessment), which
    the team's pages follow by the case's newest assessment (AssessmentQuerySet.recording_stamp); inside
    touched_once(), the cases are collected and bumped once, when the block ends.
    An update() on purpose: this is bookkeeping, not an edit with history or a version check.
    Once the transaction commits, the published-version pointers follow (`refresh_public_pointers`).
    """
    case_ids = {pk for pk in case_ids if pk is not None}
    pending = getattr(_touching, "case_ids", None)
    if pending is not None:
        pending |= case_ids
    elif case_ids:
        Case.objects.filter(pk__in=case_ids).update(data_version=F("data_version") + 1, data_changed_at=timezone.now())
        refresh_public_pointers(case_ids)
        forget_cases()  # the cached case rows (measures.roles): update() sends no signal
        if settings.CASE_CHANGE_HOOKS and not getattr(_touching, "hooks_off", False):
            transaction.on_commit(lambda: _after_change(case_ids), robust=True)


def _after_change(case_ids):
    """After a write committed: call each of settings.CASE_CHANGE_HOOKS (dotted paths, e.g. the alerts
    front end's, which queues change detection) with the ids of the cases it changed. Configured, not
    imported, so that the domain knows no front end; a failing hook is logged, the write stands."""
    from django.utils.module_loading import import_string

    for path in settings.CASE_CHANGE_HOOKS:
        try:
            import_string(path)(sorted(case_ids))
        except Exception:
            logging.getLogger(__name__).exception("Case change hook %s failed", path)


_touching = threading.local()


@contextmanager
def change_hooks_off():
    """Within the block, this thread's writes call no CASE_CHANGE_HOOKS: for writes to a staging copy of
    the database (measures.importing.staging), where a hook's queued task would be a row the load
    never writes (and the load is refused); the copy's replay on the real database touches the case,
    and the hooks run then."""
    previous = getattr(_touching, "hooks_off", False)
    _touching.hooks_off = True
    try:
        yield
    finally:
        _touching.hooks_off = previous


@contextmanager
def touched_once():
    """Within the block, the cases the services touch are bumped once, when it ends without an error
    (several records written as one edit: a form's inline rows, a bulk delete), not once per record.
    Run it inside the writes' transaction; nested blocks join the outer one."""
    if getattr(_touching, "case_ids", None) is not None:
        yield
        return
    _touching.case_ids = set()
    try:
        yield
        case_ids = _touching.case_ids
    finally:
        _touching.case_ids = None
    touch_cases(case_ids)


def version_text(pk, data_version, changed_at):
    """The case's data version as the page stamps carry it (reading.caching.data_stamp)."""
    return f"{pk}:{data_version}:{changed_at.timestamp()}"


def refresh_public_pointers(case_ids):
    """After the current transaction commits, set the pointer of each of these cases that is published
    to its new data version, and that of each that is not to NOT_PUBLISHED (one query now). Set rather
    than deleted, so that a page rendered from the data before this write cannot put the old version
    back: a renderer only adds a pointer where none is (cache.add)."""
    rows = list(
        Case.objects.filter(pk__in=case_ids).values_list("pk", "slug", "data_version", "data_changed_at", "visibility")
    )

    def refresh():
        for pk, slug, data_version, changed_at, visibility in rows:
            if visibility == Case.Visibility.PUBLISHED:
                pointer = (version_text(pk, data_version, changed_at), changed_at.timestamp())
                cache.set(public_pointer_key(slug), pointer, settings.PAGE_CACHE_SECONDS)
            else:
                cache.set(public_pointer_key(slug), NOT_PUBLISHED, settings.PAGE_CACHE_SECONDS)

    transaction.on_commit(refresh)


def forget_public_pages(slug):
    """After the current transaction commits, stop answering anonymous visitors at `slug` from the cache
    (a case renamed to another slug: the old address must not keep serving the old pages)."""
    transaction.on_commit(lambda: cache.set(public_pointer_key(slug), NOT_PUBLISHED, settings.PAGE_CACHE_SECONDS))


PARTY_FIELDS = ("party", "level", "confidence", "corrects")


def _field_errors(model, **values):
    """{field name: messages} for the values that `model`'s fields refuse by their own validators
    (measures.lib.text's control characters, a CharField's length): the rules every form applies, for
    the services that write rows without a form. Empty when all pass."""
    errors = {}
    for name, value in values.items():
        try:
            model._meta.get_field(name).run_validators(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    return errors
