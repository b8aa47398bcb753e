"""The domain of De-escalation Tracker.

A Case is a crisis; its Measures are the recommended de-escalation steps. Sources are documents,
Citations are passages quoted verbatim from them, Evidence attaches a citation to a measure with a
stance, and Assessments (append-only) record, per measure and per assessed party, the level of
implementation on a date, justified by citations.

One module per family of models; this package re-exports them all, so callers import from
`measures.models`.
"""

from measures.lib.quoting import normalise_text
from measures.models.alerts import Alert, AlertKind, Notification, NotificationStatus, Subscription, WatchPoint
from measures.models.assessments import (
    Assessment,
    AssessmentCitation,
    AssessmentConfidence,
    AssessmentLevel,
    Evidence,
    EvidenceStance,
    Review,
    ReviewDecision,
)
from measures.models.audit import AuditAction, AuditEntry, AuditPath
from measures.models.base import case_change_error
from measures.models.cases import Case, CaseStatus, CaseVisibility, Measure, Party, PartyKind
from measures.models.catalogue import MeasureType, Theme
from measures.models.commitments import (
    Commitment,
    CommitmentOutcome,
    CommitmentOutcomeKind,
    DuePrecision,
    month_window,
)
from measures.models.events import Event, EventDirection, EventKind, EventPrecision
from measures.models.jobs import (
    EventImportJob,
    ExtractionJob,
    JobReclaimed,
    LeasedJob,
    ReportJob,
    ReportJobStatus,
    WorkKind,
    WorkSlot,
    reclaim_abandoned,
)
from measures.models.publication import ShareLink
from measures.models.sources import (
    Citation,
    OriginalType,
    PassageDismissal,
    Source,
    SourceDatePrecision,
    SourceKind,
    original_upload_path,
)
from measures.models.tokens import ApiToken

__all__ = [
    "WorkKind",
    "WorkSlot",
    "Alert",
    "AlertKind",
    "Commitment",
    "CommitmentOutcome",
    "CommitmentOutcomeKind",
    "DuePrecision",
    "Notification",
    "NotificationStatus",
    "Subscription",
    "WatchPoint",
    "month_window",
    "ApiToken",
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
    "ExtractionJob",
    "EventImportJob",
    "JobReclaimed",
    "LeasedJob",
    "reclaim_abandoned",
    "EvidenceStance",
    "Measure",
    "MeasureType",
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
    "Theme",
    "case_change_error",
    "normalise_text",
    "original_upload_path",
]
