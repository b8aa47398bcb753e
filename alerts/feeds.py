"""The Atom feed of a case (django.contrib.syndication): its changes of level (from the assessment
history of the state layer) and its commitments with their outcomes, newest first."""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from measures.models import Assessment
from measures.state import commitment_calendar, commitment_outline, history_outline

MAX_ITEMS = 50


@dataclass(frozen=True)
class FeedItem:
    title: str
    description: str
    link: str
    updated: datetime.datetime
    guid: str


def feed_items(case):
    """[FeedItem] of `case`, newest first (by when each was put on record), at most MAX_ITEMS: a feed
    reader polls and keeps what it has read, so a feed carries the latest changes only, as feeds do
    (RSS and Atom readers conventionally get the latest 20–50); the case's pages and exports hold
    the whole history.

    The assessment history is read as values (`history_outline`: one query, the levels each change
    replaced computed as on the measure pages), and only the MAX_ITEMS newest changes are loaded as
    model objects (with their measure and party): a long history costs a values query, not an object
    per assessment and its citations. The commitments come from the case's commitment calendar: read as
    values (`commitment_outline`), and the entries of those among the newest MAX_ITEMS only built with
    their passages (`commitment_calendar(only=…)`)."""
    as_of = case.default_as_of(timezone.localdate())
    outline = history_outline(case, as_of=as_of)
    # The newest MAX_ITEMS (of two recorded at the same time, the earlier in the history first, as the
    # stable sort below orders them): no other change can be among the feed's items.
    newest = {
        change.assessment.pk
        for change in sorted(outline, key=lambda change: change.assessment.recorded_at, reverse=True)[:MAX_ITEMS]
    }
    loaded = (
        Assessment.objects.filter(pk__in=newest)
        .select_related("measure", "party")
        .only("level", "effective_date", "rationale", "recorded_at", "measure__number", "measure__title", "party__name")
        .in_bulk()
    )
    items = []
    for change in outline:
        if change.assessment.pk not in newest:
            continue
        a = loaded[change.assessment.pk]
        old, new = Assessment.Level(change.old_level).label, a.get_level_display()
        moved = f"{old} → {new}" if change.changes_level else f"{new} (level confirmed)"
        items.append(
            FeedItem(
                title=f"{a.party.name}, measure {a.measure.number}. {a.measure.title}: {moved}",
                description=f"Effective {a.effective_date:%Y-%m-%d}. {a.rationale}",
                link=reverse("measures:measure_detail", args=[case.slug, a.measure.number]),
                updated=a.recorded_at,
                guid=f"assessment-{a.pk}",
            )
        )
    # Every change and every commitment and outcome in force (the commitments read as values, in the
    # calendar's order) is a candidate: (when, kind, id). Only the newest MAX_ITEMS are written, and
    # only their commitments are loaded as objects.
    candidates = [(item.updated, "assessment", index) for index, item in enumerate(items)]
    for line in commitment_outline(case, as_of=as_of):
        candidates.append((line.recorded_at, "commitment", line.commitment_id))
        if line.outcome_id is not None:
            candidates.append((line.outcome_recorded_at, "outcome", line.commitment_id))
    candidates.sort(key=lambda candidate: candidate[0], reverse=True)
    shown = candidates[:MAX_ITEMS]
    wanted = {pk for _, kind, pk in shown if kind != "assessment"}
    entries = {}
    if wanted:
        entries = {entry.commitment.pk: entry for entry in commitment_calendar(case, as_of=as_of, only=wanted).entries}
    write = {
        "assessment": lambda index: items[index],
        "commitment": lambda pk: _commitment_item(entries[pk]),
        "outcome": lambda pk: _outcome_item(entries[pk]),
    }
    return [write[kind](pk) for _, kind, pk in shown]


def _commitment_item(entry):
    commitment = entry.commitment
    return FeedItem(
        title=f"Commitment of {commitment.party_names}: {commitment.what} (due {commitment.due_label})",
        description=" ".join(f"“{c.passage}” [{c.source.short_label}]" for c in commitment.stated_by.all()),
        link=commitment.get_absolute_url(),
        updated=commitment.recorded_at,
        guid=f"commitment-{commitment.pk}",
    )


def _outcome_item(entry):
    commitment, outcome = entry.commitment, entry.outcome
    return FeedItem(
        title=f"{entry.status_label}: {commitment.what}",
        description=outcome.rationale,
        link=commitment.get_absolute_url(),
        updated=outcome.recorded_at,
        guid=f"commitment-outcome-{outcome.pk}",
    )


class CaseFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, case):
        return case

    def title(self, case):
        return f"{case.name}: changes and commitments"

    def link(self, case):
        return reverse("measures:dashboard", args=[case.slug])

    def subtitle(self, case):
        return "Levels of the measures as they change, and the commitments the parties made, with their outcomes."

    def items(self, case):
        return feed_items(case)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        return item.guid

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.updated

    def item_pubdate(self, item):
        return item.updated
