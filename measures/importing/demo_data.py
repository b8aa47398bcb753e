"""Generated demo data for measuring the application at scale. Never real analysis.

`generate(scale=N)` fills an empty database with N/2 invented crises (at least one), each of ten
measures and two assessed parties, whose collections grow with N:

    per case:  4·N events, 20·N citations (half of them evidence for a measure), 4·N assessments
    overall:   20·N sources (each with a full text of 60 sentences, quoted verbatim by the citations)

At `--scale 100` that is 50 cases, 20,000 events, 2,000 sources, 100,000 citations and 20,000
assessments, every case of the size of a large crisis (400 events, 2,000 citations). The content is
invented filler ("Demo crisis 7", "Demo source 12"), deterministic for a given scale, and marked as
demo data in every case's summary.

Rows are written with `bulk_create`, not through `measures.services`: the rules the services check
hold by construction (quotes are sentences of their source's text, citations and assessments stay in
their case, assessed parties only), and the database's own constraints and triggers still run.
django-simple-history records nothing for bulk writes, and demo data needs no audit trail: the
History pages of generated records are empty. The search index is built once at the end.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from measures import search
from measures.lib.quoting import SOURCE as SOURCE_PART
from measures.models import (
    Assessment,
    AssessmentCitation,
    AuditEntry,
    Case,
    Citation,
    Event,
    Evidence,
    Measure,
    MeasureType,
    Party,
    Review,
    Source,
)

MAX_SCALE = 200
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
        return 20 * self.scale

    @property
    def assessments_per_pair(self):
        """Per (measure, party): 4·N per case over 10 measures × 2 parties, at least one."""
        return max(1, round(self.scale / 5))

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
            "assessments": cases * MEASURES_PER_CASE * 2 * self.assessments_per_pair,
        }


DOMAIN_MODELS = (Party, Case, Measure, Source, Event, Citation, Evidence, Assessment, Review)


def check_empty():
    """Raise DemoDataError naming what the database already holds, if it holds any domain data."""
    present = [str(m._meta.verbose_name_plural) for m in DOMAIN_MODELS if m._default_manager.exists()]
    if present:
        raise DemoDataError(
            "The database already holds " + ", ".join(present) + ". Demo data goes into an empty database only "
            "(e.g. SQLITE_NAME=demo.sqlite3 python manage.py migrate first): nothing was written."
        )


def _sentence(source_number, k, rng):
    return (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"(demo source {source_number}, sentence {k + 1})."
    )


def generate(*, scale, progress=None):
    """Write the demo data of `scale` (1..MAX_SCALE) into an empty database, in one transaction.

    Returns Plan(scale).totals(). Raises DemoDataError when the database holds domain data or the
    scale is out of range. `progress(message)` is called between the steps.
    """
    if not isinstance(scale, int) or not 1 <= scale <= MAX_SCALE:
        raise DemoDataError(f"The scale must be a whole number from 1 to {MAX_SCALE}, not {scale!r}.")
    say = progress or (lambda message: None)
    plan = Plan(scale)
    rng = random.Random(f"deescalation-tracker-demo-{scale}")
    with transaction.atomic():
        check_empty()
        user, _ = get_user_model().objects.get_or_create(username=GENERATOR_USERNAME)
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])

        say(f"parties and {plan.cases} cases")
        parties = Party.objects.bulk_create(
            Party(name=f"Demo party {i + 1}", code=f"DP{i + 1}", kind=Party.Kind.STATE) for i in range(2 * plan.cases)
        )
        cases = Case.objects.bulk_create(
            Case(
                name=f"Demo crisis {i + 1}",
                slug=f"demo-crisis-{i + 1}",
                summary=f"Generated demo data (scale {scale}), not a real crisis: for measuring the application.",
                start_date=FIRST_START + datetime.timedelta(days=7 * i),
            )
            for i in range(plan.cases)
        )
        through = Case.assessed_parties.through
        through.objects.bulk_create(
            through(case_id=case.pk, party_id=parties[2 * i + j].pk) for i, case in enumerate(cases) for j in (0, 1)
        )
        types = MeasureType.objects.in_bulk(list(MEASURE_TYPES.values()), field_name="slug")
        measures = Measure.objects.bulk_create(
            Measure(
                case=case,
                number=n + 1,
                title=title,
                slug=f"m{n + 1}",
                description=f"{title}: demo text.",
                type=types.get(MEASURE_TYPES.get(title, "")),
            )
            for case in cases
            for n, title in enumerate(MEASURE_TITLES)
        )

        say(f"{plan.sources} sources")
        sources_per_case = max(1, plan.sources // plan.cases)
        source_texts = []
        source_rows = []
        for s in range(plan.sources):
            case_start = cases[min(s // sources_per_case, plan.cases - 1)].start_date
            sentences = [_sentence(s + 1, k, rng) for k in range(SENTENCES_PER_SOURCE)]
            source_texts.append(sentences)
            source_rows.append(
                Source(
                    title=f"Demo source {s + 1}",
                    publisher=f"Demo publisher {s % 25 + 1}",
                    author=f"Demo author {s % 40 + 1}",
                    url=f"https://demo.invalid/sources/{s + 1}",
                    published_on=case_start + datetime.timedelta(days=rng.randrange(CASE_DAYS)),
                    kind=Source.Kind.values[s % len(Source.Kind.values)],
                    language="en",
                    full_text="\n\n".join(" ".join(sentences[p : p + 4]) for p in range(0, SENTENCES_PER_SOURCE, 4)),
                )
            )
        sources = Source.objects.bulk_create(source_rows, batch_size=BATCH)

        say(f"{plan.cases * plan.events_per_case} events")
        event_rows = []
        for i, case in enumerate(cases):
            for e in range(plan.events_per_case):
                offset = e * CASE_DAYS // plan.events_per_case
                event_rows.append(
                    Event(
                        case=case,
                        date=case.start_date + datetime.timedelta(days=offset),
                        date_precision=(Event.Precision.DAY, Event.Precision.DAY, Event.Precision.APPROXIMATE)[e % 3],
                        title=f"Demo event {e + 1} of crisis {i + 1}",
                        summary="Generated demo event.",
                        kind=Event.Kind.values[e % len(Event.Kind.values)],
                        direction=Event.Direction.values[e % len(Event.Direction.values)],
                        location=f"Demo place {e % 12 + 1}",
                    )
                )
        events = Event.objects.bulk_create(event_rows, batch_size=BATCH)
        actors = Event.actors.through
        actors.objects.bulk_create(
            (
                actors(event_id=event.pk, party_id=parties[2 * (n // plan.events_per_case) + j].pk)
                for n, event in enumerate(events)
                for j in ((0,), (1,), (0, 1))[n % 3]
            ),
            batch_size=BATCH,
        )

        say(f"{plan.cases * plan.citations_per_case} citations and their evidence")
        citation_rows = []
        for i, case in enumerate(cases):
            first_source = min(i * sources_per_case, plan.sources - 1)
            case_sources = range(first_source, min(first_source + sources_per_case, plan.sources))
            case_events = events[i * plan.events_per_case : (i + 1) * plan.events_per_case]
            for c in range(plan.citations_per_case):
                s = case_sources[c % len(case_sources)]
                k = (c // len(case_sources)) % SENTENCES_PER_SOURCE
                citation_rows.append(
                    Citation(
                        case=case,
                        source=sources[s],
                        quote=source_texts[s][k],
                        # The quote is a sentence of the source as it stands: the passage is the same.
                        passage_parts=[[SOURCE_PART, source_texts[s][k]]],
                        locator=f"para. {k // 4 + 1}",
                        event=case_events[c % len(case_events)] if c % 5 < 3 else None,
                    )
                )
        citations = Citation.objects.bulk_create(citation_rows, batch_size=BATCH)
        stances = Evidence.Stance.values
        evidence_rows = []
        cited = {}  # (case index, measure number) -> citations that are its evidence
        for n, citation in enumerate(citations):
            i, c = divmod(n, plan.citations_per_case)
            if c % 2:
                continue
            number = (c // 2) % MEASURES_PER_CASE
            measure = measures[i * MEASURES_PER_CASE + number]
            evidence_rows.append(Evidence(citation=citation, measure=measure, stance=stances[(c // 20) % len(stances)]))
            cited.setdefault((i, number), []).append(citation)
        Evidence.objects.bulk_create(evidence_rows, batch_size=BATCH)

        say(f"{plan.totals()['assessments']} assessments")
        assessment_rows, assessment_citations = [], []
        per_pair = plan.assessments_per_pair
        for i, case in enumerate(cases):
            for number in range(MEASURES_PER_CASE):
                measure = measures[i * MEASURES_PER_CASE + number]
                evidence = cited.get((i, number), [])
                for j in (0, 1):
                    for a in range(per_pair):
                        effective = case.start_date + datetime.timedelta(days=1 + a * (CASE_DAYS - 2) // per_pair)
                        level = LEVELS[(a + number + j) % len(LEVELS)] if evidence else Assessment.Level.NOT_ASSESSED
                        assessment_rows.append(
                            Assessment(
                                measure=measure,
                                party=parties[2 * i + j],
                                level=level,
                                confidence=Assessment.Confidence.values[(a + j) % 3],
                                effective_date=effective,
                                recorded_at=datetime.datetime.combine(
                                    effective + datetime.timedelta(days=1), datetime.time(12), tzinfo=datetime.UTC
                                ),
                                recorded_by=user,
                                rationale=f"Demo rationale {a + 1} for measure {number + 1}.",
                            )
                        )
                        picked = [evidence[(a * 2 + t) % len(evidence)] for t in range(2)] if evidence else []
                        assessment_citations.append({c.pk for c in picked})
        assessments = Assessment.objects.bulk_create(assessment_rows, batch_size=BATCH)
        # Approved (no reviewer named, as migration 0025 approved what predates reviewing), except the
        # newest assessment of each party on each case's first measure, left awaiting review so that
        # the review queue and the "include pending" preview have something to show at scale.
        first_measures = {measures[i * MEASURES_PER_CASE].pk for i in range(len(cases))}
        newest = {(a.measure_id, a.party_id): a.pk for a in assessments}
        waiting = {pk for (measure_id, _), pk in newest.items() if measure_id in first_measures}
        Review.objects.bulk_create(
            (
                Review(
                    assessment=assessment,
                    decision=Review.Decision.APPROVED,
                    decided_at=assessment.recorded_at,
                    comment="Demo data: approved when generated.",
                    level=assessment.level,
                    rationale=assessment.rationale,
                    citation_ids=sorted(pks),
                )
                for assessment, pks in zip(assessments, assessment_citations, strict=True)
                if assessment.pk not in waiting
            ),
            batch_size=BATCH,
        )
        AssessmentCitation.objects.bulk_create(
            (
                AssessmentCitation(assessment=assessment, citation_id=pk)
                for assessment, pks in zip(assessments, assessment_citations, strict=True)
                for pk in sorted(pks)
            ),
            batch_size=BATCH,
        )
        AuditEntry.objects.record(
            action=AuditEntry.Action.GENERATE,
            kind="case",
            object_repr=f"demo data at scale {scale}",
            detail=", ".join(f"{n} {name}" for name, n in plan.totals().items()),
        )
        say("the search index")
        search.rebuild()
    return plan.totals()
