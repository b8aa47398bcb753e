"""The demo data's plan: how many rows of each kind a scale writes, and the constants the generator
and the commitments share (see the package docstring)."""

import datetime
from dataclasses import dataclass

from measures.models import Assessment

MAX_SCALE = 1000
GENERATOR_USERNAME = "demo-data-generator"
MEASURES_PER_CASE = 10
SENTENCES_PER_SOURCE = 60
FIRST_START = datetime.date(2021, 1, 4)
CASE_DAYS = 365
BATCH = 2000

MEASURE_TITLES = [
    "Diplomatic engagement",
    "Return of ambassadors",
    "Ceasefire along the border",
    "Military hotline",
    "Joint investigation of the strikes",
    "Intelligence sharing on armed groups",
    "Restraint in public statements",
    "Third-party mediation",
    "Humanitarian access",
    "Track-II dialogue",
]
# Each title's type in the shipped catalogue (measures.lib.catalogue); one has none, as real cases have
# steps no type fits. A type an administrator removed leaves its measures untyped.
MEASURE_TYPES = {
    "Diplomatic engagement": "diplomatic-engagement",
    "Return of ambassadors": "return-of-envoys",
    "Ceasefire along the border": "ceasefire",
    "Military hotline": "military-hotline",
    "Joint investigation of the strikes": "joint-investigation",
    "Intelligence sharing on armed groups": "intelligence-sharing",
    "Third-party mediation": "mediation-and-arbitration",
    "Humanitarian access": "humanitarian-access",
    "Track-II dialogue": "track-ii-diplomacy",
}
SUBJECTS = ["The foreign ministry", "A senior official", "The defence ministry", "Border officials", "The envoy"]
VERBS = ["said", "confirmed", "denied", "announced", "reported", "warned"]
OBJECTS = [
    "that talks would resume within days",
    "that troops had been pulled back from the border",
    "that the ambassador would return to his post",
    "that a joint commission would meet",
    "that the strikes had targeted armed groups only",
    "that a hotline between commanders was working",
    "that further incidents would be answered",
    "that mediators had been invited",
]
LEVELS = [
    Assessment.Level.NOT_INITIATED,
    Assessment.Level.MINIMAL,
    Assessment.Level.INTERMEDIATE,
    Assessment.Level.FULL,
    Assessment.Level.REVERSED,
    Assessment.Level.MINIMAL,
    Assessment.Level.INTERMEDIATE,
]


class DemoDataError(Exception):
    """The database is not empty, or the scale is out of range; nothing was written."""


def is_corrected(k):
    """Whether a case's k-th assessment (0-based, in the order written) is corrected later: one in eight."""
    return k % 8 == 5


def has_second_measure(c):
    """Whether a case's c-th citation is evidence for a second measure as well: every third."""
    return c % 3 == 0


@dataclass(frozen=True)
class Plan:
    """How many rows of each kind `generate(scale)` writes."""

    scale: int

    @property
    def cases(self):
        return max(1, self.scale // 2)

    @property
    def events_per_case(self):
        return 4 * self.scale

    @property
    def citations_per_case(self):
        """20·N, of which the first MEASURES_PER_CASE are the measures' requirements (at least that many)."""
        return max(2 * MEASURES_PER_CASE, 20 * self.scale)

    @property
    def evidence_per_case(self):
        quoted = range(MEASURES_PER_CASE, self.citations_per_case)
        return len(quoted) + sum(1 for c in quoted if has_second_measure(c))

    @property
    def assessments_per_pair(self):
        """Per (measure, party), before corrections: 4·N per case over 10 measures × 2 parties, at least one."""
        return max(1, round(self.scale / 5))

    @property
    def corrections_per_case(self):
        return sum(1 for k in range(MEASURES_PER_CASE * 2 * self.assessments_per_pair) if is_corrected(k))

    @property
    def commitments_per_case(self):
        """N, at least three (the Pakistan–Iran case has three)."""
        return max(3, self.scale)

    @property
    def outcomes_per_case(self):
        judged = [m for m in range(self.commitments_per_case) if m % 3 != 2]
        return len(judged) + sum(1 for n in range(len(judged)) if n % 5 == 4)

    @property
    def sources(self):
        return 20 * self.scale

    def totals(self):
        cases = self.cases
        return {
            "cases": cases,
            "measures": cases * MEASURES_PER_CASE,
            "events": cases * self.events_per_case,
            "sources": self.sources,
            "citations": cases * self.citations_per_case,
            "evidence": cases * self.evidence_per_case,
            "assessments": cases * (MEASURES_PER_CASE * 2 * self.assessments_per_pair + self.corrections_per_case),
            "commitments": cases * self.commitments_per_case,
            "commitment outcomes": cases * self.outcomes_per_case,
        }


def noon(day):
    """Noon UTC on `day`: when generated rows are recorded."""
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
