"""Sources in: text extraction from uploaded documents (extract), staging of uploads between the
upload and the analyst's review (staging), and suggested passages for a case's measures
(passages, suggest)."""

from measures.intake.extract import (
    CONTENT_TYPES,
    TYPE_LABELS,
    ExtractedDocument,
    IntakeError,
    check_size,
    extract,
    from_pasted_text,
    human_size,
    sniff,
    tidy_text,
)
from measures.intake.staging import Original

__all__ = [
    "CONTENT_TYPES",
    "TYPE_LABELS",
    "ExtractedDocument",
    "IntakeError",
    "Original",
    "check_size",
    "extract",
    "from_pasted_text",
    "human_size",
    "sniff",
    "tidy_text",
]
