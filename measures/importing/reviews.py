"""The `review` of a case file's assessments (four eyes): loaded through `services.record_review`.

An assessment's `review` (who approved or returned it, when, with what comment) is recorded through
the service, so the rules of the application hold: a reviewer is an existing account (`"by": null` is
an approval that names no reviewer, as migration 0025 recorded those made before reviewing), never the
assessment's author (`recorded_by`) unless settings.ALLOW_SELF_APPROVAL. A stored assessment keeps its
own review: a different one in the file is a conflict, reported and not written.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.dateparse import parse_datetime

from measures import services
from measures.importing.schema import CaseFileError
from measures.models import Review


def load_review(loader, assessment, item, where):
    """Record the file's review `item` (a dict, or None: nothing to do) of `assessment`, counting it on
    `loader` (the case-file loader: its `_added`, `_there` and `_compare`). Raises CaseFileError with
    the item's path (`where`) for a reviewer who has no account here or a review the service refuses."""
    if item is None:
        return
    where = f"{where}.review"
    reviewer = None
    if item.get("by") is not None:
        reviewer = get_user_model().objects.filter(username=item["by"]).first()
        if reviewer is None:
            raise CaseFileError(
                [f"{where}.by: there is no account “{item['by']}” here: create it first, or leave the reviewer out"]
            )
    stored = Review.objects.filter(assessment=assessment).select_related("reviewer").first()
    if stored is not None:
        loader._there("reviews")
        loader._compare(
            where,
            {"decision": stored.decision, "by": stored.reviewer.get_username() if stored.reviewer else None},
            {"decision": item["decision"], "by": item.get("by")},
        )
        return
    try:
        services.record_review(
            assessment=assessment,
            decision=item["decision"],
            reviewer=reviewer,
            comment=item.get("comment", ""),
            decided_at=parse_datetime(item["at"]) if item.get("at") else None,
        )
    except ValidationError as exc:
        raise CaseFileError(_messages(exc, where)) from None
    loader._added("reviews")


def _messages(exc, where):
    """The service's refusal as case-file messages, each with the item's path (as the loader words them)."""
    if hasattr(exc, "message_dict"):
        return [
            f"{where if name == NON_FIELD_ERRORS else f'{where}.{name}'}: {' '.join(msgs)}"
            for name, msgs in exc.message_dict.items()
        ]
    return [f"{where}: {' '.join(exc.messages)}"]
