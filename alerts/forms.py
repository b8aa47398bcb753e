"""The subscription form: which case (or every case), and what to be told."""

from django import forms

from measures.models import Case, Subscription
from measures.roles import can_read_case

ALL_CASES = "all"


class SubscriptionForm(forms.ModelForm):
    scope = forms.ChoiceField(label="Follow", help_text="One case, or every case you may read (those added later too).")

    class Meta:
        model = Subscription
        fields = ["level_changed", "contested", "stale", "commitments", "weekly_digest"]
        labels = {
            "level_changed": "A judgement’s level changed",
            "contested": "New setback evidence challenges a standing judgement (contested)",
            "stale": "A measure became stale",
            "commitments": "A commitment fell due or is overdue",
            "weekly_digest": "A weekly digest",
        }
        help_texts = {
            "level_changed": "A mail at once.",
            "contested": "A mail at once.",
            "stale": "A mail at once.",
            "commitments": "A mail at once.",
            "weekly_digest": (
                "What changed per party, new evidence with its passages, commitments due and overdue, flags."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.cases = [case for case in Case.objects.order_by("name") if can_read_case(user, case)]
        self.fields["scope"].choices = [(ALL_CASES, "Every case I may read")] + [(c.slug, c.name) for c in self.cases]
        if self.instance.pk is not None:
            self.fields["scope"].disabled = True
            self.fields["scope"].initial = self.instance.case.slug if self.instance.case_id else ALL_CASES

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in self.Meta.fields):
            raise forms.ValidationError("Choose at least one thing to be told, or unsubscribe.")
        return cleaned

    def chosen_case(self):
        """The Case chosen (None: every case)."""
        scope = self.cleaned_data.get("scope")
        return None if scope == ALL_CASES else next(c for c in self.cases if c.slug == scope)

    def choices(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class UnlockRequestForm(forms.Form):
    """The username of an account locked out of logging in, to mail it a link that lifts the lock."""

    username = forms.CharField(label="Username", max_length=150, strip=True)
