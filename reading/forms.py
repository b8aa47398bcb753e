"""Forms of the reading pages: the period (as-of and since dates) every page accepts, and the search."""

import datetime
from dataclasses import dataclass

from django import forms
from django.forms.utils import ErrorList
from django.utils import timezone
from django.utils.formats import date_format

from measures.lib import dates, languages
from measures.lib.text import printable
from measures.state import RECENT_DAYS, before_start_message, default_since, reporting_period

DEFAULT_SINCE_DAYS = RECENT_DAYS


class PrintableErrors(ErrorList):
    """The errors of a reading page's form (ReadingForm's `error_class`), each quoting what was typed into the
    address printably (`measures.lib.text.printable`): "“%(value)s” is not a level" with `?level=%00`
    says "“<U+0000>” is not a level", beside the field and in the page's notices alike."""

    def __getitem__(self, i):
        error = super().__getitem__(i)
        return printable(str(error)) if isinstance(i, int) else error


class ReadingForm(forms.Form):
    """A form of the reading pages, bound to the address's parameters: its errors are PrintableErrors."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_class", PrintableErrors)
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    """An ISO date (YYYY-MM-DD) in a text box: a browser's date picker would show the browser's own
    format (mm/dd/yyyy in a US browser), unlike every other date input of the site."""

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {"placeholder": "YYYY-MM-DD", "size": 10, "maxlength": 10, "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs=attrs, format="%Y-%m-%d")


@dataclass(frozen=True)
class Period:
    """The dates a page shows: `as_of` and `since` always, `known_on` when asked for.

    `since`..`as_of` is a `ReportingPeriod` (both days included; `reporting`). `*_given`
    say whether a date came from the user or is a default; `as_of_rule` says which default applied
    ("today, the case being active", "the case's end date"…) so that the page can say it.
    """

    as_of: datetime.date
    since: datetime.date
    as_of_given: bool
    since_given: bool
    today: datetime.date
    known_on: datetime.date | None = None
    as_of_rule: str = "today"
    # Where the period starts by default (state.PeriodDefault: the whole crisis of a closed case, the
    # last days of an active one), and the other rule's start, which the page offers.
    since_default: object = None
    recorded_since: datetime.date | None = None

    @property
    def reporting(self):
        return reporting_period(since=self.since, as_of=self.as_of)

    @property
    def text(self):
        """The period's one name ("23–29 Jan 2024"), as every page, export and report writes it."""
        return self.reporting.text

    @property
    def whole_crisis(self):
        """The period covers the case from its start."""
        start = self.since_default.whole_crisis_since if self.since_default is not None else None
        return start is not None and self.since <= start

    @property
    def since_rule(self):
        """Which default gave `since`, in words ("the whole crisis, since the case is closed"), or ""."""
        if self.since_given or self.since_default is None:
            return ""
        return self.since_default.rule_text

    @property
    def other_default_label(self):
        return self.since_default.other_label if self.since_default is not None else ""

    @property
    def other_default_query(self):
        """The query string of the same page with the other default period (the last days instead of
        the whole crisis, or the reverse); empty when there is no other."""
        default = self.since_default
        if default is None or default.other_since == default.since and not self.since_given:
            return ""
        return self._query(since=default.other_since)

    @property
    def default_query(self):
        """The query string of the same page with the default period (for a period given by hand)."""
        return self._query(since=None)

    def _query(self, *, since):
        parts = []
        if self.as_of_given:
            parts.append(f"as_of={self.as_of.isoformat()}")
        if since is not None:
            parts.append(f"since={since.isoformat()}")
        if self.known_on is not None:
            parts.append(f"known_on={self.known_on.isoformat()}")
        if self.recorded_since is not None:
            parts.append(f"recorded_since={self.recorded_since.isoformat()}")
        return "&".join(parts)

    @property
    def days(self):
        """Days covered, both ends included."""
        return self.reporting.days

    def query(self, *, with_since=False):
        """The query string (without '?') that keeps this period across links; empty for defaults."""
        parts = []
        if self.as_of_given:
            parts.append(f"as_of={self.as_of.isoformat()}")
        if with_since and self.since_given:
            parts.append(f"since={self.since.isoformat()}")
        if self.known_on is not None:
            parts.append(f"known_on={self.known_on.isoformat()}")
        return "&".join(parts)

    @property
    def query_with_since(self):
        return self.query(with_since=True)


def _date_field(label, help_text, example):
    return forms.DateField(
        required=False,
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        help_text=help_text,
        error_messages={"invalid": f"“{label}” must be a date written YYYY-MM-DD, e.g. {example}."},
    )


class PeriodForm(ReadingForm):
    """`?as_of=YYYY-MM-DD&since=YYYY-MM-DD&known_on=YYYY-MM-DD`, all optional.

    Bind it to `request.GET` and call `period()`: it always returns dates to show. A bad value is
    reported in `errors` (show them on the page) and replaced by its default, so a typing mistake
    gives a message, never an error page. Defaults: as_of = `case.default_as_of(today)` (today for an
    active case or without a case, the end date of a closed case); since = `state.default_since`: the
    case's start date for a closed case (the whole crisis), else as_of − (`default_since_days` − 1),
    so that the period covers `default_since_days` days both ends included, but not before the case's
    start date; known_on and recorded_since = none.

    Every date follows `measures.lib.dates.date_problem` (1900 to a year ahead), and an as-of date
    before the case began gets `state.before_start_message`, the same message as every page, export,
    report and the API.
    """

    as_of = _date_field("As of", "Show everything as it stood on this date.", "2024-01-31")
    since = _date_field(
        "Changes since", "Mark what changed from this date to the as-of date, both included.", "2024-01-17"
    )
    known_on = _date_field(
        "As known on", "Leave out what was put on record after this date: what we knew then.", "2024-01-20"
    )
    recorded_since = _date_field(
        "Recorded since",
        "List what was put on record from this date on: new assessments, corrections, evidence, events.",
        "2024-01-23",
    )

    FIELDS = ("as_of", "since", "known_on", "recorded_since")

    def __init__(self, data=None, *, today=None, case=None, default_since_days=DEFAULT_SINCE_DAYS, **kwargs):
        # Only our fields: other parameters (filters, sorting) are none of this form's business.
        if data is not None:
            data = {name: data.get(name, "") for name in self.FIELDS}
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        self.case = case
        self.default_since_days = default_since_days

    def _check_range(self, value, label):
        # The one rule of plausible dates (measures.lib.dates), with its Buddhist-era hint.
        problem = dates.date_problem(value, today=self.today, label=label)
        if problem is not None:
            raise forms.ValidationError(problem)
        return value

    def clean_as_of(self):
        value = self._check_range(self.cleaned_data["as_of"], "“As of”")
        if self.case is not None and (problem := before_start_message(self.case, value)):
            # The one message for every page, export, report and the API (state.before_start_message).
            raise forms.ValidationError(problem)
        return value

    def clean_since(self):
        return self._check_range(self.cleaned_data["since"], "“Changes since”")

    def clean_known_on(self):
        return self._check_range(self.cleaned_data["known_on"], "“As known on”")

    def clean_recorded_since(self):
        return self._check_range(self.cleaned_data["recorded_since"], "“Recorded since”")

    def default_as_of(self):
        """(date, rule in words) when no as-of date is given."""
        if self.case is None:
            return self.today, "today"
        as_of = self.case.default_as_of(self.today)
        if self.case.is_closed and as_of == self.case.end_date:
            return as_of, f"the end of the case ({date_format(as_of)}), since it is closed"
        return as_of, "today, since the case is active"

    def clean(self):
        cleaned = super().clean()
        as_of = cleaned.get("as_of") or self.default_as_of()[0]
        since = cleaned.get("since")
        if since is not None and since > as_of:
            self.add_error(
                "since",
                f"“Changes since” ({date_format(since)}) cannot be after the as-of date ({date_format(as_of)}).",
            )
        recorded = cleaned.get("recorded_since")
        known_on = cleaned.get("known_on")
        if recorded is not None and known_on is not None and recorded > known_on:
            self.add_error(
                "recorded_since",
                f"“Recorded since” ({date_format(recorded)}) cannot be after “As known on” ({date_format(known_on)}).",
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
        rule = "given"
        if as_of is None:
            as_of, rule = self.default_as_of()
        # A closed case: the whole crisis; an active one: the last days, never before its start.
        default = default_since(self.case, as_of, recent_days=self.default_since_days)
        if since is None:
            since = default.since
        return Period(
            as_of=as_of,
            since=since,
            as_of_given=as_of_given,
            since_given=since_given,
            today=self.today,
            known_on=cleaned.get("known_on"),
            as_of_rule=rule,
            since_default=default,
            recorded_since=cleaned.get("recorded_since"),
        )

    def error_messages(self):
        """Every error as a sentence, for a message at the top of the page."""
        return [message for messages in self.errors.values() for message in messages]


class SearchForm(ReadingForm):
    """`/search/?q=…&case=…&kind=…&language=…&date_from=…&date_to=…&page=…`, all but `q` optional.

    Like PeriodForm, a bad value is reported (`error_messages`) and left out, never an error page.
    `cases` are the cases the reader may read (measures.roles.readable_cases): the case filter offers
    those only, and a case slug outside them is refused like one that does not exist."""

    q = forms.CharField(required=False, max_length=500, label="Search", strip=True)
    case = forms.ChoiceField(required=False, label="Case")
    kind = forms.ChoiceField(required=False, label="Kind")
    language = forms.CharField(required=False, max_length=35, label="Language")
    date_from = _date_field("From", "Dated on or after this day.", "2024-01-16")
    date_to = _date_field("To", "Dated on or before this day.", "2024-01-31")
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000, label="Page")

    FIELDS = ("q", "case", "kind", "language", "date_from", "date_to", "page")

    def __init__(self, data=None, *, cases, kinds, languages_found=(), **kwargs):
        if data is not None:
            data = {name: data.get(name, "") for name in self.FIELDS}
        super().__init__(data, **kwargs)
        self.cases = cases
        self.fields["case"].choices = [("", "All cases"), *((case.slug, case.name) for case in cases)]
        self.fields["case"].error_messages["invalid_choice"] = "There is no case “%(value)s” to search in."
        self.fields["kind"].choices = [("", "Everything"), *kinds.items()]
        self.fields["kind"].error_messages["invalid_choice"] = "“%(value)s” is not a kind of record to search."
        self.fields["language"].widget = forms.Select(
            choices=[("", "Any language"), *((tag, languages.name(tag)) for tag in languages_found)]
        )
        self.fields["page"].error_messages["invalid"] = "The page must be a whole number."

    def clean_language(self):
        value = self.cleaned_data["language"]
        try:
            return languages.normalise_tag(value)
        except ValueError:
            raise forms.ValidationError(
                f"“{value}” is not a language tag (such as en, ur, hi): searching every language."
            ) from None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start is not None and end is not None and start > end:
            # Only "To" is refused: the search keeps "From" and says so.
            self.add_error(
                "date_to",
                f"“To” ({date_format(end)}) is before “From” ({date_format(start)}): "
                f"searching from {date_format(start)} on, with no end date.",
            )
        return cleaned

    def values(self):
        """The valid values, the others left out: {field: value}."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def error_messages(self):
        return [message for messages in self.errors.values() for message in messages]
