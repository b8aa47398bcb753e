"""What the comparison of cases gives: a measure's standing per party, the days to each level, the
summaries across cases, the matrix's columns and rows (see the package's docstring for the rules)."""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

from measures.models import Assessment, Measure, MeasureType, Party
from measures.state.levels import LEVEL_RANK

Level = Assessment.Level

# The levels a measure reaches, in order: "days to a level" is given for each.
STEPS = (Level.MINIMAL, Level.INTERMEDIATE, Level.FULL)
# How many other cases must have reached a level before the report compares a case with them.
MIN_OTHER_CASES = 2


# What is compared -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reached:
    """When a measure first reached `level` (or the first evidence of progress, `level` "progress"):
    the date and the days after the case's start; both None when it has not (yet)."""

    level: str
    on: datetime.date | None = None
    days: int | None = None

    @property
    def reached(self):
        return self.on is not None


@dataclass
class PartyStanding:
    """One party on one measure: its level in force on the case's as-of date, whether the measure
    applies to it, the days to each level (`reached`, {level: Reached}), and, when it lags, since
    when (`behind_since`, None when not known or not lagging)."""

    party: Party
    level: str
    applies: bool = True
    reached: dict = field(default_factory=dict)
    behind: bool = False
    behind_since: datetime.date | None = None

    @property
    def level_label(self):
        return Level(self.level).label


@dataclass
class MeasureComparison:
    """A measure of a case as the matrix shows it: per-party standings (in the case's party order),
    the joint level (what the case's dashboard shows), the days to each level jointly, and the days
    to the first evidence of progress (None when not computed)."""

    measure: Measure
    case: object
    as_of: datetime.date
    parties: list
    joint_level: str
    joint_reached: dict = field(default_factory=dict)
    first_progress: Reached | None = None

    @property
    def joint_level_label(self):
        return Level(self.joint_level).label

    @property
    def applicable(self):
        return [standing for standing in self.parties if standing.applies]

    @property
    def lagging(self):
        """The applicable parties whose level ranks below another's, as PartyStanding."""
        return [standing for standing in self.applicable if standing.behind]

    @property
    def leaders(self):
        """The applicable parties at the highest level ranked, when some party lags; else []."""
        if not self.lagging:
            return []
        ranked = [s for s in self.applicable if s.level in LEVEL_RANK]
        top = max(LEVEL_RANK[s.level] for s in ranked)
        return [s for s in ranked if LEVEL_RANK[s.level] == top]

    def days_to(self, level, party=None):
        """Reached of `level` (a STEP) jointly, or for `party` (a Party) when given."""
        if party is None:
            return self.joint_reached.get(level, Reached(level))
        standing = next((s for s in self.parties if s.party.pk == party.pk), None)
        return standing.reached.get(level, Reached(level)) if standing else Reached(level)


@dataclass(frozen=True)
class StepSummary:
    """Across cases, for one type and one level: `cases` with a measure of the type, how many
    `reached` the level, and the `median`, `shortest` and `longest` days of those that did (None
    when none did)."""

    level: str
    cases: int
    reached: int
    median: float | None = None
    shortest: int | None = None
    longest: int | None = None

    @property
    def label(self):
        return "First evidence of progress" if self.level == "progress" else Level(self.level).label

    @property
    def range_text(self):
        """ "13 days", or "3–20 days, median 9", for the days of the cases that reached it ("" if none)."""
        if self.shortest is None:
            return ""
        if self.shortest == self.longest:
            return f"{self.shortest} day{'s' if self.shortest != 1 else ''}"
        return f"{self.shortest}–{self.longest} days, median {self.median_text}"

    @property
    def median_text(self):
        if self.median is None:
            return ""
        return str(int(self.median)) if float(self.median).is_integer() else f"{self.median:.1f}"


def summarise(level, per_case_days):
    """StepSummary of `level` over [days or None], one per case having the type (None: not reached)."""
    reached = [days for days in per_case_days if days is not None]
    if not reached:
        return StepSummary(level, len(per_case_days), 0)
    return StepSummary(level, len(per_case_days), len(reached), median(reached), min(reached), max(reached))


@dataclass
class CaseColumn:
    """One case of the matrix: its as-of date, its assessed parties (by name) and every measure of it
    as MeasureComparison, typed or not, in number order (`measures`).

    `entries` holds each measure's row (pk, case pk, number, title, slug, type pk) with its values
    (`columns.MeasureValues`), and `build(column, entries)` turns them into `measures` (or those of one
    type: `of_type`), on first use only: the summaries across cases and who lags are counted from the
    values (`values_of_type`), so a page of ten cases builds the comparisons of those ten, not of every
    case."""

    case: object
    as_of: datetime.date
    parties: list
    entries: list = field(default_factory=list)
    build: object = None
    _one_type: dict = field(default_factory=dict, repr=False, compare=False)  # of_type's, before `measures`

    @property
    def begun(self):
        """Whether the case had begun on its as-of date (`state.before_start_message` otherwise): before
        its start it has nothing to show, and the matrix says so instead of "not yet assessed"."""
        return self.as_of >= self.case.start_date

    @functools.cached_property
    def measures(self):
        return self.build(self, self.entries) if self.build is not None else []

    @functools.cached_property
    def _of_type(self):
        found = defaultdict(list)
        for item in self.measures:
            found[item.measure.type_id].append(item)
        return found

    def of_type(self, type_id):
        """[MeasureComparison] of the case's measures of the type `type_id` (most often one, or none), in
        number order: taken from `measures` when those are built, else built from that type's entries
        only (a type's page of ten cases builds one measure of each, not every measure of each)."""
        if "measures" in self.__dict__:
            return self._of_type.get(type_id, [])
        if type_id not in self._one_type:
            entries = [(row, values) for row, values in self.entries if row[TYPE_OF_ROW] == type_id]
            self._one_type[type_id] = self.build(self, entries) if self.build is not None and entries else []
        return self._one_type[type_id]

    @functools.cached_property
    def _values_of_type(self):
        found = defaultdict(list)
        for row, values in self.entries:
            found[row[TYPE_OF_ROW]].append(values)
        return found

    def values_of_type(self, type_id):
        """[columns.MeasureValues] of the case's measures of the type `type_id`, without building them."""
        return self._values_of_type.get(type_id, [])

    @property
    def untyped_count(self):
        return len(self._values_of_type.get(None, []))

    @functools.cached_property
    def _firsts(self):
        found = {}
        for type_id, cell in self._values_of_type.items():
            days = {}
            for values in cell:
                for step, day in (*values.joint_reached.items(), ("progress", values.progress_on)):
                    if day is not None and (step not in days or day < days[step]):
                        days[step] = day
            found[type_id] = days
        return found

    def first_day(self, type_id, step):
        """The first day on which a measure of the type `type_id` reached `step` jointly (a STEP, or
        "progress": its first evidence of progress), or None: the first of the cell's measures to get
        there, from the values."""
        return self._firsts.get(type_id, {}).get(step)

    @property
    def lagging(self):
        """[(MeasureComparison, PartyStanding)] of every party lagging on a measure of the case."""
        return [(item, standing) for item in self.measures for standing in item.lagging]


# Where a measure's type is in the rows of CaseColumn.entries (pk, case pk, number, title, slug, type pk).
TYPE_OF_ROW = 5


@dataclass
class TypeRow:
    """One type of the matrix across `columns` (CaseColumn): `cells` aligned with them, each the list
    of the case's measures of this type (most often one; empty when the case has none; built on first
    use), `having` (how many cases have a measure of it) and `summaries`, one StepSummary per STEP,
    then the first evidence of progress (when computed)."""

    type: MeasureType
    columns: list
    summaries: list = field(default_factory=list)
    having: int = 0

    @functools.cached_property
    def cells(self):
        return [column.of_type(self.type.pk) for column in self.columns]

    @property
    def measures(self):
        return [item for cell in self.cells for item in cell]


@dataclass
class Comparison:
    """Cases side by side on the catalogue: `columns` (CaseColumn), `themes` [(Theme, [TypeRow])] in
    catalogue order, `known_on` as asked; `as_of` the one date asked for, or None (each case as of
    its own default)."""

    columns: list
    themes: list
    as_of: datetime.date | None = None
    known_on: datetime.date | None = None

    @property
    def rows(self):
        return [row for _, rows in self.themes for row in rows]

    @property
    def untyped(self):
        """Measures of the cases compared that have no type (so no row)."""
        return [item for column in self.columns for item in column.measures if item.measure.type_id is None]

    @property
    def untyped_count(self):
        return sum(column.untyped_count for column in self.columns)

    @functools.cached_property
    def party_lags(self):
        """[(Party, measures on which it lags, cases in which it does)], across the measures shown in
        the rows, most lagging first. Counted from the columns' values (nothing is built)."""
        counts, cases, parties = defaultdict(int), defaultdict(set), {}
        for column in self.columns:
            by_pk = {party.pk: party for party in column.parties}
            for row in self.rows:
                for values in column.values_of_type(row.type.pk):
                    for pk, own in values.parties.items():
                        if own.applies and own.behind:
                            counts[pk] += 1
                            cases[pk].add(column.case.pk)
                            parties[pk] = by_pk[pk]
        return sorted(((parties[pk], counts[pk], len(cases[pk])) for pk in counts), key=lambda t: (-t[1], t[0].name))
