"""What every service shares: the errors they raise, the cases a write touches, field validation."""

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone

from measures.models import Assessment, Case, Citation, Event, Evidence, Measure, Party, Source

_UNCHECKED = object()


# Levels that make no claim about the world and so need a rationale but no citation.
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


def reindex(objects):
    """Write again the search index rows of `objects` (records saved outside the services above: the
    admin's forms), in the caller's transaction. Cases stand for all their records; other objects
    are ignored (measures.search.index)."""
    from measures import search

    search.index([obj for obj in objects if obj is not None and obj.pk is not None])


def unindex(objects):
    """Remove the search index rows of `objects`, which are being deleted (the admin's deletions)."""
    from measures import search

    search.unindex(list(objects))


def touch_cases(case_ids):
    """Record that the data of these cases changed: bump their data version, set data_changed_at.

    Every write through this module and the admin calls it, in the write's transaction, so that
    the reading pages' ETags and cached renderings (measures.caching) never outlive the data.
    An update() on purpose: this is bookkeeping, not an edit with history or a version check.
    """
    case_ids = {pk for pk in case_ids if pk is not None}
    if case_ids:
        Case.objects.filter(pk__in=case_ids).update(data_version=F("data_version") + 1, data_changed_at=timezone.now())


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
