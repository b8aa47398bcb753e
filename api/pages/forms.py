"""The form that names a new personal API token."""

from django import forms

from measures.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What will use it, e.g. “R scripts on my laptop”, so that you know which to revoke.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 40}),
    )
