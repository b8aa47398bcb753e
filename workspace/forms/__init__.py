"""Forms of the admin: optimistic locking for every edited model, and recording assessments.

Rules live in the models' clean() and in services; these forms only collect input and show the
messages those raise. The one rule that belongs here is the version check, because it is about
the form itself: what the user saw when they opened it.
"""

from workspace.forms.assessments import (
    ISO_DATE,
    STANCE_CHOICE_ERROR,
    AssessmentBaseForm,
    AssessmentForm,
    BulkAssessmentForm,
    ChooseMeasureForm,
    MeasureChoiceField,
    highest_assessment_id,
    latest_seen,
)
from workspace.forms.base import (
    ID_MAX,
    CaseCitationsWidget,
    ConstantQueriesFormSet,
    PreloadedAutocompleteSelect,
    SafeAutocompleteMixin,
    SafeAutocompleteSelect,
    SafeAutocompleteSelectMultiple,
    SafeModelChoiceField,
    SafeModelMultipleChoiceField,
    VersionedModelForm,
    VersionField,
    parse_id,
    show_service_errors,
)
from workspace.forms.events import (
    EventImportForm,
)
from workspace.forms.records import (
    CaseForm,
    CitationForm,
    MeasureForm,
    SourceForm,
)

__all__ = [
    "AssessmentBaseForm",
    "AssessmentForm",
    "BulkAssessmentForm",
    "CaseCitationsWidget",
    "CaseForm",
    "ChooseMeasureForm",
    "CitationForm",
    "ConstantQueriesFormSet",
    "EventImportForm",
    "ID_MAX",
    "ISO_DATE",
    "MeasureChoiceField",
    "MeasureForm",
    "PreloadedAutocompleteSelect",
    "STANCE_CHOICE_ERROR",
    "SafeAutocompleteMixin",
    "SafeAutocompleteSelect",
    "SafeAutocompleteSelectMultiple",
    "SafeModelChoiceField",
    "SafeModelMultipleChoiceField",
    "SourceForm",
    "VersionField",
    "VersionedModelForm",
    "highest_assessment_id",
    "latest_seen",
    "parse_id",
    "show_service_errors",
]
