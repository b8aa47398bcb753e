"""The Atom feed of a case (django.contrib.syndication): its changes of level (from the assessment
history of the state layer) and its commitments with their outcomes, newest first."""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from measures.models import Assessment
from measures.state import assessment_history, commitment_calendar

MAX_ITEMS = 50


@dataclass(frozen=True)
class FeedItem:
    title: str
    description: str
    link: str
    updated: datetime.datetime
    guid: str


def feed_items(case):
    """[FeedItem] of `case`, newest first, at most MAX_ITEMS."""
    items = []
    for change in assessment_history(case, as_of=case.default_as_of(timezone.localdate())):
        a = change.assessment
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
    for entry in commitment_calendar(case).entries:
        commitment = entry.commitment
        items.append(
            FeedItem(
                title=f"Commitment of {commitment.party_names}: {commitment.what} (due {commitment.due_label})",
                description=" ".join(f"“{c.passage}” [{c.source.short_label}]" for c in commitment.stated_by.all()),
                link=commitment.get_absolute_url(),
                updated=commitment.recorded_at,
                guid=f"commitment-{commitment.pk}",
            )
        )
        if entry.outcome is not None:
            outcome = entry.outcome
            items.append(
                FeedItem(
                    title=f"{entry.status_label}: {commitment.what}",
                    description=outcome.rationale,
                    link=commitment.get_absolute_url(),
                    updated=outcome.recorded_at,
                    guid=f"commitment-outcome-{outcome.pk}",
                )
            )
    items.sort(key=lambda item: item.updated, reverse=True)
    return items[:MAX_ITEMS]


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
