"""State changes. Each function validates, writes and returns what it wrote, in one transaction.

Views, admin actions, management commands and imports call these; nothing writes around them.
Errors are `ServiceError`s (a `ValidationError`), whose messages a user can read as they are.

One module per topic (assessments, citations and evidence, sources; records: an edit from the
workspace's forms, handed to its topic's service); this package re-exports them, so callers write
`services.record_assessment(…)`.
"""

from measures.services.accounts import (
    WorkLimitReached,
    create_api_token,
    revoke_api_token,
    user_for_api_token,
    work_slot,
)
from measures.services.alerts import (
    detect_changes,
    queue_digests,
    subscribe,
    take_watch_point,
    unsubscribe,
)
from measures.services.assessments import (
    CITATION_FREE_LEVELS,
    cited_evidence_date,
    latest_assessment,
    record_assessment,
    record_assessments,
    record_assessments_on_measures,
)
from measures.services.base import (
    NOT_PUBLISHED,
    PARTY_FIELDS,
    ConcurrentAssessmentError,
    ServiceError,
    cases_affected_by,
    cases_stored_for,
    change_hooks_off,
    forget_public_pages,
    public_pointer_key,
    touch_cases,
    version_text,
)
from measures.services.citations import (
    accept_passage,
    attach_evidence,
    check_citation,
    check_evidence,
    create_citation,
    delete_citation,
    delete_evidence,
    dismiss_passage,
    save_citation,
    save_evidence,
    translate_citation,
)
from measures.services.commitments import (
    judge_commitment,
    record_commitment,
    record_commitment_from_passage,
)
from measures.services.events import (
    cited_events,
    record_event_import,
    save_imported_events,
)
from measures.services.publication import (
    create_share_link,
    revoke_share_link,
    share_link_errors,
)
from measures.services.records import delete_record, delete_records, save_record, save_records
from measures.services.reviews import (
    approve_assessment,
    approve_batch,
    record_review,
    return_assessment,
    review_refusal,
)
from measures.services.sources import (
    change_source_text,
    create_source,
    lock_source,
    save_source,
)

__all__ = [
    "change_hooks_off",
    "detect_changes",
    "judge_commitment",
    "queue_digests",
    "record_commitment",
    "record_commitment_from_passage",
    "subscribe",
    "take_watch_point",
    "unsubscribe",
    "CITATION_FREE_LEVELS",
    "ConcurrentAssessmentError",
    "PARTY_FIELDS",
    "ServiceError",
    "accept_passage",
    "approve_assessment",
    "approve_batch",
    "attach_evidence",
    "cases_affected_by",
    "cases_stored_for",
    "change_source_text",
    "check_citation",
    "check_evidence",
    "cited_events",
    "cited_evidence_date",
    "create_api_token",
    "create_citation",
    "create_share_link",
    "create_source",
    "delete_citation",
    "delete_evidence",
    "delete_record",
    "delete_records",
    "dismiss_passage",
    "NOT_PUBLISHED",
    "forget_public_pages",
    "latest_assessment",
    "lock_source",
    "record_assessment",
    "record_assessments",
    "public_pointer_key",
    "record_assessments_on_measures",
    "record_review",
    "return_assessment",
    "review_refusal",
    "revoke_api_token",
    "revoke_share_link",
    "save_citation",
    "save_evidence",
    "record_event_import",
    "save_imported_events",
    "save_record",
    "save_records",
    "save_source",
    "share_link_errors",
    "touch_cases",
    "user_for_api_token",
    "work_slot",
    "WorkLimitReached",
    "translate_citation",
    "version_text",
]
