"""Levels on the Peace Accords Matrix scale: their order, scores, the joint level of a measure,
progress with its coverage, and the direction of travel between two levels."""

from dataclasses import dataclass
from statistics import fmean

from measures.models import Assessment, Event

Level = Assessment.Level
Precision = Event.Precision


SCORED_LEVELS = (Level.NOT_INITIATED, Level.MINIMAL, Level.INTERMEDIATE, Level.FULL)
# The order in which levels are listed in counts and legends.
LEVEL_ORDER = (
    Level.FULL,
    Level.INTERMEDIATE,
    Level.MINIMAL,
    Level.NOT_INITIATED,
    Level.REVERSED,
    Level.NOT_APPLICABLE,
    Level.NOT_ASSESSED,
)
# Order of the levels for direction of travel: a reversal (the parties undid the step or escalated) is
# worse than a step not yet begun. Levels absent here (not assessed, not applicable) are not on the scale.
LEVEL_RANK = {Level.REVERSED: -1, Level.NOT_INITIATED: 0, Level.MINIMAL: 1, Level.INTERMEDIATE: 2, Level.FULL: 3}
# Levels that already reflect setback evidence: a measure at these levels is not "contested" by it.
SETBACK_LEVELS = (Level.REVERSED, Level.NOT_INITIATED)
CONFIDENCE_RANK = {Assessment.Confidence.LOW: 0, Assessment.Confidence.MEDIUM: 1, Assessment.Confidence.HIGH: 2}


class Direction:
    UP = "up"
    DOWN = "down"
    SAME = "same"
    NEW = "new"  # first assessed in the period, at a level other than reversed
    UNSCORED = "unscored"  # from a level of the scale to not applicable / not assessed
    # Over a period (state.path): moves both ways, named after the last one.
    DOWN_UP = "down_up"  # worsened, then improved (a reversal restored inside the period)
    UP_DOWN = "up_down"  # improved, then worsened
    LABELS = {
        UP: "Improved",
        DOWN: "Worsened",
        SAME: "Unchanged",
        NEW: "First assessed",
        UNSCORED: "No longer scored",
        DOWN_UP: "Worsened then improved",
        UP_DOWN: "Improved then worsened",
    }


# Levels, progress, direction -------------------------------------------------------------------


def level_score(level):
    """0..1 progress score of a level, or None for levels left out of progress (not assessed, N/A).

    Peace Accords Matrix scale: not initiated 0, minimal 1, intermediate 2, full 3, divided by 3.
    Reversed scores 0 (the scale has nothing below) and is counted apart (`Progress.reversed`)."""
    score = Assessment.SCORES.get(level)
    return None if score is None else score / 3


def joint_level(levels):
    """The level of a measure across the parties it applies to: the lowest, since a step is full only
    when all did it.

    Reversed by any party shows as reversed, and an unjudged party makes the whole unjudged;
    parties judged "not applicable" are left out. `levels`: the levels of the applicable parties.
    """
    levels = list(levels)
    if not levels:
        return Level.NOT_ASSESSED
    if Level.REVERSED in levels:
        return Level.REVERSED
    if Level.NOT_ASSESSED in levels:
        return Level.NOT_ASSESSED
    scored = [level for level in levels if level != Level.NOT_APPLICABLE]
    if not scored:
        return Level.NOT_APPLICABLE
    return min(scored, key=lambda level: LEVEL_RANK[level])


@dataclass(frozen=True)
class Progress:
    """Mean score of the scored levels, with its coverage: how many of `total` measures are scored,
    how many are not yet assessed or not applicable, and how many of the scored are reversed (they
    score 0 like "not initiated", so they are counted apart lest escalation read as inaction)."""

    value: float | None  # 0..1, None when nothing is scored
    scored: int
    not_assessed: int
    not_applicable: int
    reversed: int = 0
    total: int = 0

    @property
    def percent(self):
        return None if self.value is None else round(self.value * 100)

    @property
    def coverage(self):
        """ "54% over 8 of 10 measures; 2 not yet assessed; 1 reversed" in words, for pages and reports."""
        if self.value is None:
            head = f"No measure scored yet (0 of {self.total})"
        else:
            head = f"{self.percent}% over {self.scored} of {self.total} measure{'s' if self.total != 1 else ''}"
        parts = [head]
        if self.not_assessed:
            parts.append(f"{self.not_assessed} not yet assessed")
        if self.not_applicable:
            parts.append(f"{self.not_applicable} not applicable")
        if self.reversed:
            parts.append(f"{self.reversed} reversed")
        return "; ".join(parts)


def progress(levels):
    """Progress over `levels` (one per measure): see `Progress` and `level_score`."""
    levels = list(levels)
    scores = [level_score(level) for level in levels]
    scores = [score for score in scores if score is not None]
    return Progress(
        value=fmean(scores) if scores else None,
        scored=len(scores),
        not_assessed=sum(1 for level in levels if level == Level.NOT_ASSESSED),
        not_applicable=sum(1 for level in levels if level == Level.NOT_APPLICABLE),
        reversed=sum(1 for level in levels if level == Level.REVERSED),
        total=len(levels),
    )


def direction(old_level, new_level):
    """Direction of travel between two levels of the same measure (one party's, or joint).

    Order: reversed < not initiated < minimal < intermediate < full. Entering reversed is a
    worsening, also from "not yet assessed"; a first assessment at another level is "new"; leaving
    the scale (to not applicable) is "unscored"."""
    if old_level == new_level:
        return Direction.SAME
    if new_level == Level.REVERSED:
        return Direction.DOWN
    old_rank, new_rank = LEVEL_RANK.get(old_level), LEVEL_RANK.get(new_level)
    if old_rank is None:
        return Direction.NEW
    if new_rank is None:
        return Direction.UNSCORED
    return Direction.UP if new_rank > old_rank else Direction.DOWN
