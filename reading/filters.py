"""Filters of the reading pages.

The dashboard filters the `MeasureStatus` rows of `state.case_state()`: levels and flags are
derived in Python, not columns the database could filter on. A django-filter FilterSet filters a
queryset through ORM lookups, so it would have to be bent into filtering a list; a plain form that
validates the parameters and a `filter(rows)` method does the job with nothing bent. The event list,
on the other hand, filters a queryset, and uses the same small pattern for consistency.
"""

from django import forms

from measures.models import Assessment, Case, Event
from measures.state import LEVEL_ORDER
from reading.forms import ReadingForm

Level = Assessment.Level
JOINT = ""


class _Filter:
    """A bound, validated form and what to do with it; an invalid form filters nothing."""

    form_class = None

    def __init__(self, data=None, **form_kwargs):
        self.form = self.form_class(data or None, **form_kwargs)
        self.valid = self.form.is_valid() if self.form.is_bound else True

    @property
    def active(self):
        return self.form.is_bound and self.valid and any(self.form.cleaned_data.values())

    def accepted_fields(self):
        """The names of the form's fields that the page applies: all of them, or none when any is invalid."""
        return tuple(getattr(self.form, "FIELDS", self.form.fields)) if self.valid else ()

    def error_messages(self):
        """Each refused value as a sentence; then, as the filters apply all together or not at all, the
        valid values given beside it that are therefore not applied either (a view asked for included)."""
        messages = [
            f"{self.form.fields[name].label}: {message}"
            for name, messages in self.form.errors.items()
            for message in messages
        ]
        if messages:
            set_aside = []
            for name, field in self.form.fields.items():
                value = self.form.data.get(name, "")
                if name in self.form.errors or value in ("", None):
                    continue
                shown = dict(getattr(field, "choices", ())).get(value, value)
                set_aside.append(f"{field.label} “{shown}”")
            if set_aside:
                messages.append(
                    f"Not applied either, as the filters apply all together or not at all: {', '.join(set_aside)}."
                )
        return messages


class MeasureFilterForm(ReadingForm):
    FLAG_CHOICES = [
        ("", "Any"),
        ("stale", "Stale"),
        ("no_evidence", "No evidence yet"),
        ("contested", "Contested"),
        ("flagged", "Stale or contested"),
        ("unflagged", "Neither"),
        ("changed", "Changed in the period"),
    ]

    level = forms.ChoiceField(
        required=False,
        label="Level",
        choices=[("", "Any level")] + [(level.value, level.label) for level in LEVEL_ORDER],
        error_messages={"invalid_choice": "“%(value)s” is not a level of the scale."},
    )
    party = forms.ChoiceField(
        required=False,
        label="Level of",
        help_text="Whose level the level, contested and changed filters look at: the joint level, or one party's.",
        error_messages={"invalid_choice": "“%(value)s” is not a party assessed in this case."},
    )
    flag = forms.ChoiceField(
        required=False,
        label="Flag",
        choices=FLAG_CHOICES,
        error_messages={"invalid_choice": "“%(value)s” is not a flag (stale, contested…)."},
    )

    def __init__(self, data=None, *, parties, **kwargs):
        if data is not None:
            data = {name: data.get(name, "") for name in ("level", "party", "flag")}
        super().__init__(data, **kwargs)
        self.fields["party"].choices = [(JOINT, "Joint level (all parties)")] + [(p.code, p.name) for p in parties]


class MeasureFilter(_Filter):
    """Filters dashboard rows by level (joint or one party's) and by flag."""

    form_class = MeasureFilterForm

    def __init__(self, data=None, *, parties):
        super().__init__(data, parties=parties)
        self.parties = list(parties)

    def filter(self, rows):
        if not self.active:
            return list(rows)
        level = self.form.cleaned_data["level"]
        code = self.form.cleaned_data["party"]
        flag = self.form.cleaned_data["flag"]
        index = next((i for i, party in enumerate(self.parties) if party.code == code), None)
        selected = []
        for row in rows:
            if level:
                row_level = row.joint_level if index is None else row.cells[index].level
                if row_level != level:
                    continue
            if flag and not self._has_flag(row, flag, index):
                continue
            selected.append(row)
        return selected

    @staticmethod
    def _has_flag(row, flag, index=None):
        """`index`: the party chosen under "Level of" (None: joint), whose change and contest count."""
        cell = None if index is None else row.cells[index]
        if flag == "changed":
            return row.moved if cell is None else cell.applies and cell.moved
        contested = row.contested if cell is None else cell.contested
        return {
            "stale": row.stale,
            "no_evidence": row.no_evidence,
            "contested": contested,
            "flagged": row.stale or contested,
            "unflagged": not (row.stale or contested),
        }[flag]


class EventFilterForm(ReadingForm):
    direction = forms.ChoiceField(
        required=False,
        label="Direction",
        choices=[("", "Any direction")] + list(Event.Direction.choices),
        error_messages={"invalid_choice": "“%(value)s” is not a direction (escalatory, de-escalatory, neutral)."},
    )
    kind = forms.ChoiceField(
        required=False,
        label="Kind",
        choices=[("", "Any kind")] + list(Event.Kind.choices),
        error_messages={"invalid_choice": "“%(value)s” is not a kind of event."},
    )

    FIELDS = ("direction", "kind")

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = {name: data.get(name, "") for name in self.FIELDS}
        super().__init__(data, **kwargs)


class EventFilter(_Filter):
    form_class = EventFilterForm

    def filter(self, queryset):
        if not self.active:
            return queryset
        data = self.form.cleaned_data
        if data["direction"]:
            queryset = queryset.filter(direction=data["direction"])
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        return queryset


class MatrixFilterForm(ReadingForm):
    """The matrix's filters and view: `?theme=<slug>&status=active|closed&party=<code>&view=levels|parties|days`."""

    VIEW_LEVELS, VIEW_PARTIES, VIEW_DAYS = "levels", "parties", "days"
    VIEW_CHOICES = [
        (VIEW_LEVELS, "Levels"),
        (VIEW_PARTIES, "Levels with each party's"),
        (VIEW_DAYS, "Days to each level"),
    ]

    theme = forms.ChoiceField(
        required=False,
        label="Theme",
        error_messages={"invalid_choice": "“%(value)s” is not a theme of the catalogue."},
    )
    status = forms.ChoiceField(
        required=False,
        label="Cases",
        choices=[("", "Active and closed")] + [(value, f"{label} only") for value, label in Case.Status.choices],
        error_messages={"invalid_choice": "“%(value)s” is not a case status (active or closed)."},
    )
    party = forms.ChoiceField(
        required=False,
        label="Level of",
        help_text="A party: only the cases that assess it, each cell showing its level.",
        error_messages={"invalid_choice": "“%(value)s” is not a party assessed in any case you may read."},
    )
    view = forms.ChoiceField(
        required=False,
        label="Show",
        choices=VIEW_CHOICES,
        error_messages={"invalid_choice": "“%(value)s” is not a view of the matrix (levels, parties or days)."},
    )

    FIELDS = ("theme", "status", "party", "view")

    def __init__(self, data=None, *, themes, parties, **kwargs):
        if data is not None:
            data = {name: data.get(name, "") for name in self.FIELDS}
        super().__init__(data, **kwargs)
        self.fields["theme"].choices = [("", "All themes")] + [(theme.slug, theme.name) for theme in themes]
        self.fields["party"].choices = [("", "Joint level (all parties)")] + [(p.code, p.name) for p in parties]


class MatrixFilter(_Filter):
    """Which cases and types the matrix shows, whose level, and how (levels, parties, days)."""

    form_class = MatrixFilterForm

    def __init__(self, data=None, *, themes, parties):
        super().__init__(data, themes=themes, parties=parties)
        self.parties = {party.code: party for party in parties}

    def _value(self, name):
        return self.form.cleaned_data.get(name, "") if self.form.is_bound and self.valid else ""

    @property
    def view(self):
        return self._value("view") or MatrixFilterForm.VIEW_LEVELS

    @property
    def theme(self):
        return self._value("theme")

    @property
    def party(self):
        """The Party chosen under "Level of", or None (the joint level)."""
        return self.parties.get(self._value("party"))

    @property
    def narrowed(self):
        """Some filter narrows the matrix (the view alone does not)."""
        return any(self._value(name) for name in ("theme", "status", "party"))

    def cases(self, cases):
        """The cases (with their assessed parties prefetched) that the status and party filters keep."""
        status, party = self._value("status"), self.party
        kept = [case for case in cases if not status or case.status == status]
        if party is not None:
            kept = [case for case in kept if any(p.pk == party.pk for p in case.assessed_parties.all())]
        return kept

    def types(self, types):
        theme = self.theme
        return [t for t in types if not theme or t.theme.slug == theme]
