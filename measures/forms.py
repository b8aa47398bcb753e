"""Forms of the reading pages: the period (as-of and since dates) every page accepts."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone

EARLIEST_DATE = datetime.date(1900, 1, 1)
# Assessments cannot be dated in the future, so a later as-of date only repeats today's state; more than
# a year ahead is certainly a typing mistake.
LATEST_DAYS_AHEAD = 366
DEFAULT_SINCE_DAYS = 7


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


@dataclass(frozen=True)
class Period:
    """The dates a page shows: `as_of` always, `since` (the start of the period) always too.

    `as_of_given`/`since_given` say whether they came from the user or are defaults, so that the
    page can say "since 7 days earlier (default)".
    """

    as_of: datetime.date
    since: datetime.date
    as_of_given: bool
    since_given: bool
    today: datetime.date

    @property
    def days(self):
        return (self.as_of - self.since).days

    def query(self, *, with_since=False):
        """The query string (without '?') that keeps this period across links; empty for defaults."""
        parts = []
        if self.as_of_given:
            parts.append(f"as_of={self.as_of.isoformat()}")
        if with_since and self.since_given:
            parts.append(f"since={self.since.isoformat()}")
        return "&".join(parts)

    @property
    def query_with_since(self):
        return self.query(with_since=True)


class PeriodForm(forms.Form):
    """`?as_of=YYYY-MM-DD&since=YYYY-MM-DD`, both optional.

    Bind it to `request.GET` and call `period()`: it always returns dates to show. A bad value is
    reported in `errors` (show them on the page) and replaced by its default, so a typing mistake
    gives a message, never an error page. Defaults: as_of = today, since = as_of − `default_since_days`.
    """

    as_of = forms.DateField(
        required=False,
        label="As of",
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        help_text="Show everything as it stood on this date.",
        error_messages={"invalid": "“As of” must be a date written YYYY-MM-DD, e.g. 2024-01-31."},
    )
    since = forms.DateField(
        required=False,
        label="Changes since",
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        help_text="Mark what changed between this date and the as-of date.",
        error_messages={"invalid": "“Changes since” must be a date written YYYY-MM-DD, e.g. 2024-01-17."},
    )

    def __init__(self, data=None, *, today=None, default_since_days=DEFAULT_SINCE_DAYS, **kwargs):
        # Only our two fields: other parameters (filters, sorting) are none of this form's business.
        if data is not None:
            data = {name: data.get(name, "") for name in ("as_of", "since")}
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        self.default_since_days = default_since_days

    def _check_range(self, value, label):
        if value is None:
            return value
        if value < EARLIEST_DATE:
            raise forms.ValidationError(f"{label} cannot be before 1900; {value:%d %B %Y} was given.")
        latest = self.today + datetime.timedelta(days=LATEST_DAYS_AHEAD)
        if value > latest:
            raise forms.ValidationError(
                f"{label} cannot be more than a year in the future; {value:%d %B %Y} was given."
            )
        return value

    def clean_as_of(self):
        return self._check_range(self.cleaned_data["as_of"], "“As of”")

    def clean_since(self):
        return self._check_range(self.cleaned_data["since"], "“Changes since”")

    def clean(self):
        cleaned = super().clean()
        as_of = cleaned.get("as_of") or self.today
        since = cleaned.get("since")
        if since is not None and since >= as_of:
            self.add_error(
                "since",
                f"“Changes since” ({since:%d %B %Y}) must be before the as-of date ({as_of:%d %B %Y}).",
            )
        return cleaned

    def period(self):
        """The Period to show: valid values as given, defaults in place of missing or bad ones."""
        cleaned = {}
        if self.is_bound:
            self.is_valid()  # keeps the fields that are valid in cleaned_data, the others drop out
            cleaned = self.cleaned_data
        as_of = cleaned.get("as_of")
        since = cleaned.get("since")
        as_of_given = as_of is not None
        since_given = since is not None
        as_of = as_of or self.today
        if since is None:
            since = as_of - datetime.timedelta(days=self.default_since_days)
        return Period(as_of=as_of, since=since, as_of_given=as_of_given, since_given=since_given, today=self.today)

    def error_messages(self):
        """Every error as a sentence, for a message at the top of the page."""
        return [message for messages in self.errors.values() for message in messages]
