"""The domain of De-escalation Tracker.

A Case is a crisis; its Measures are the recommended de-escalation steps. Sources are documents,
Citations are passages quoted verbatim from them, Evidence attaches a citation to a measure with a
stance, and Assessments (append-only) record, per measure and per assessed party, the level of
implementation on a date, justified by citations.

One module per family of models; this package re-exports them all, so callers import from
`measures.models`.
"""

from measures.lib.quoting import normalise_text
from measures.models.assessments import (
    Assessment,
    AssessmentCitation,
    AssessmentConfidence,
    AssessmentLevel,
    Evidence,
    EvidenceStance,
)
from measures.models.audit import AuditAction, AuditEntry, AuditPath
from measures.models.base import case_change_error
from measures.models.cases import Case, CaseStatus, CaseVisibility, Measure, Party, PartyKind
from measures.models.events import Event, EventDirection, EventKind, EventPrecision
from measures.models.jobs import ReportJob, ReportJobStatus
from measures.models.publication import ShareLink
from measures.models.reviews import Review, ReviewDecision
from measures.models.sources import (
    Citation,
    OriginalType,
    PassageDismissal,
    Source,
    SourceDatePrecision,
    SourceKind,
    original_upload_path,
)

__all__ = [
    "AuditAction",
    "AuditEntry",
    "AuditPath",
    "Assessment",
    "AssessmentCitation",
    "AssessmentConfidence",
    "AssessmentLevel",
    "Case",
    "CaseStatus",
    "CaseVisibility",
    "Citation",
    "Event",
    "EventDirection",
    "EventKind",
    "EventPrecision",
    "Evidence",
    "EvidenceStance",
    "Measure",
    "OriginalType",
    "Party",
    "PartyKind",
    "PassageDismissal",
    "ReportJob",
    "ReportJobStatus",
    "Review",
    "ReviewDecision",
    "ShareLink",
    "Source",
    "SourceDatePrecision",
    "SourceKind",
    "case_change_error",
    "normalise_text",
    "original_upload_path",
]
