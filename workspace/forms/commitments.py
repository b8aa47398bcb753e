"""The forms of commitments: recording one from a passage of a source, and judging its outcome."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget

from measures.models import Citation, CommitmentOutcome, DuePrecision, Event, Measure, Party
from workspace.forms.base import SafeModelChoiceField, SafeModelMultipleChoiceField
from workspace.picker import citation_label

ISO_DATE = "%Y-%m-%d"


def _date_field(label, help_text=""):
    return forms.DateField(required=False, label=label, help_text=help_text, widget=AdminDateWidget(format=ISO_DATE))


class CommitmentForm(forms.Form):
    """What the passage commits whom to, and when. The rules are the service's (record_commitment)."""

    quote = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Passage that states it")
    occurrence = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    measure = SafeModelChoiceField(queryset=Measure.objects.none())
    parties = SafeModelMultipleChoiceField(
        queryset=Party.objects.none(), widget=forms.CheckboxSelectMultiple, label="Parties that undertook it"
    )
    what = forms.CharField(max_length=300, label="What was undertaken", help_text="The step, in a sentence.")
    due_precision = forms.ChoiceField(choices=DuePrecision.choices, label="Due")
    due_on = _date_field("Due on (or first day)", "YYYY-MM-DD; for a month, any day of it.")
    due_until = _date_field("Last day of the range")
    anchor_event = SafeModelChoiceField(queryset=Event.objects.none(), required=False, label="Within N days of")
    within_days = forms.IntegerField(required=False, min_value=0, max_value=3650, label="N (days)")
    due_text = forms.CharField(max_length=200, required=False, label="As the passage says it")
    announced_on = _date_field(
        "Announced on", "Left empty: the date of the passage (required when the passage is undated)."
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["measure"].queryset = case.measures.order_by("number")
        self.fields["parties"].queryset = case.assessed_parties.order_by("name")
        self.fields["anchor_event"].queryset = case.events.order_by("date", "pk")


class JudgementForm(forms.Form):
    """The outcome of a commitment, with the passages that show it (judge_commitment checks the rules)."""

    outcome = forms.ChoiceField(choices=CommitmentOutcome.Outcome.choices)
    occurred_on = _date_field("Done (or withdrawn) on", "YYYY-MM-DD; not for “not kept”.")
    confidence = forms.ChoiceField(choices=CommitmentOutcome.Confidence.choices, initial="medium")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    citations = SafeModelMultipleChoiceField(
        queryset=Citation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Passages that show it",
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["citations"].queryset = Citation.objects.for_case(case).defer("source__full_text").order_by("pk")
        self.fields["citations"].label_from_instance = citation_label
