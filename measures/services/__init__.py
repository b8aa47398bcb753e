"""State changes. Each function validates, writes and returns what it wrote, in one transaction.

Views, admin actions, management commands and imports call these; nothing writes around them.
Errors are `ServiceError`s (a `ValidationError`), whose messages a user can read as they are.

One module per topic; this package re-exports them, so callers write `services.record_assessment(…)`.
"""

from measures.services.assessments import (
    CITATION_FREE_LEVELS,
    cited_evidence_date,
    latest_assessment,
    record_assessment,
    record_assessments,
)
from measures.services.base import (
    PARTY_FIELDS,
    ConcurrentAssessmentError,
    ServiceError,
    cases_affected_by,
    forget_public_pages,
    public_pointer_key,
    touch_cases,
    version_text,
)
from measures.services.citations import (
    accept_passage,
    attach_evidence,
    create_citation,
    dismiss_passage,
    lock_source,
)
from measures.services.publication import (
    create_share_link,
    revoke_share_link,
    share_link_errors,
)
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
    relocate_citations,
    source_text_locked,
)

__all__ = [
    "CITATION_FREE_LEVELS",
    "ConcurrentAssessmentError",
    "PARTY_FIELDS",
    "ServiceError",
    "accept_passage",
    "approve_assessment",
    "approve_batch",
    "attach_evidence",
    "cases_affected_by",
    "change_source_text",
    "cited_evidence_date",
    "create_citation",
    "create_share_link",
    "create_source",
    "dismiss_passage",
    "forget_public_pages",
    "latest_assessment",
    "lock_source",
    "record_assessment",
    "record_assessments",
    "public_pointer_key",
    "record_review",
    "relocate_citations",
    "return_assessment",
    "revoke_share_link",
    "review_refusal",
    "share_link_errors",
    "source_text_locked",
    "touch_cases",
    "version_text",
]
