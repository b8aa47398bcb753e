"""The analysts' workspace.

Every edited model goes through TrackedAdmin: django-simple-history's History page (read-only:
no revert), optimistic locking through VersionedModelForm, and deletions refused with a message
naming what depends on the record. Assessments are appended only through services.record_assessment,
from the measure's Assess page or the measure list's bulk action; their own admin is view-only.

One module per model admin; importing this package registers them all.
"""

from workspace.admin import (  # noqa: F401  (registers)
    assessments,
    audit,
    cases,
    catalogue,
    citations,
    commitments,
    events,
    measures,
    publication,
    sources,
)
