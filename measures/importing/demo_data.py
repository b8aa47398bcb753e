"""Generated demo data for measuring the application at scale. Never real analysis.

`generate(scale=N)` fills an empty database with N/2 invented crises (at least one), each of ten
measures and two assessed parties, whose collections grow with N and are shaped like a real case's
(the Pakistan–Iran case in fixtures/ is the model):

    per case:  4·N events, 20·N citations, 4·N assessments and N/2 corrections of them, N commitments
    overall:   20·N sources (each with a full text of 60 sentences, quoted verbatim by the citations)

- every measure has a requirement (the passage it is drawn from, one of the case's citations) that
  is never its evidence;
- every other citation is evidence for one measure and every third for a second one as well (about
  2,660 evidence links a case at 100×), dated by its event or its source across the whole year;
- each (measure, party) is assessed several times (N/5, at least once) on days drawn across the
  case's year (about 250 distinct days a case at 100×, where a real case has as many), citing two or
  three of the measure's evidence; one assessment in eight is corrected by a later one
  (`Assessment.corrects`), recorded days after it for the same day;
- commitments (all due precisions, one or both parties, stated by the measure's evidence), two in
  three with a judged outcome, one outcome in five corrected.

At `--scale 100` that is 50 cases, 20,000 events, 2,000 sources, 100,000 citations, 22,500
assessments and 5,000 commitments, every case of the size of a large crisis (400 events, 2,000
citations, 450 assessments). The content is invented filler ("Demo crisis 7", "Demo source 12"),
deterministic for a given scale, and marked as demo data in every case's summary.

Rows are written with `bulk_create`, not through `measures.services`: the rules the services check
hold by construction (quotes are sentences of their source's text, citations, evidence, assessments
and commitments stay in their case, assessed parties only, a requirement is never evidence of its
measure, a correction is of the same measure and party), and the database's own constraints and
triggers still run. django-simple-history records nothing for bulk writes, and demo data needs no
audit trail: the History pages of generated records are empty. The search index is built once at the end.
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
    Commitment,
    CommitmentOutcome,
    Event,
    Evidence,
    Measure,
    MeasureType,
    Party,
    Review,
    Source,
    month_window,
)

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


def _corrected(k):
    """Whether a case's k-th assessment (0-based, in the order written) is corrected later: one in eight."""
    return k % 8 == 5


def _second_measure(c):
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
        return len(quoted) + sum(1 for c in quoted if _second_measure(c))

    @property
    def assessments_per_pair(self):
        """Per (measure, party), before corrections: 4·N per case over 10 measures × 2 parties, at least one."""
        return max(1, round(self.scale / 5))

    @property
    def corrections_per_case(self):
        return sum(1 for k in range(MEASURES_PER_CASE * 2 * self.assessments_per_pair) if _corrected(k))

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


DOMAIN_MODELS = (
    Party,
    Case,
    Measure,
    Source,
    Event,
    Citation,
    Evidence,
    Assessment,
    Review,
    Commitment,
    CommitmentOutcome,
)


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

        say(f"{plan.cases * plan.citations_per_case} citations, their evidence and the measures' requirements")
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
                        # Requirements (the first ten) quote a recommendation, not an event.
                        event=case_events[c % len(case_events)] if c >= MEASURES_PER_CASE and c % 5 < 3 else None,
                    )
                )
        citations = Citation.objects.bulk_create(citation_rows, batch_size=BATCH)
        for n, measure in enumerate(measures):
            i, number = divmod(n, MEASURES_PER_CASE)
            measure.requirement = citations[i * plan.citations_per_case + number]
        Measure.objects.bulk_update(measures, ["requirement"], batch_size=BATCH)
        stances = Evidence.Stance.values
        evidence_rows = []
        cited = {}  # (case index, measure number) -> citations that are its evidence
        for n, citation in enumerate(citations):
            i, c = divmod(n, plan.citations_per_case)
            if c < MEASURES_PER_CASE:
                continue
            numbers = [c % MEASURES_PER_CASE] + ([(c + 3) % MEASURES_PER_CASE] if _second_measure(c) else [])
            for number in numbers:
                measure = measures[i * MEASURES_PER_CASE + number]
                evidence_rows.append(
                    Evidence(citation=citation, measure=measure, stance=stances[(c // 7 + number) % len(stances)])
                )
                cited.setdefault((i, number), []).append(citation)
        Evidence.objects.bulk_create(evidence_rows, batch_size=BATCH)

        say(f"{plan.totals()['assessments']} assessments, corrections included")
        _assessments(plan, rng, cases, parties, measures, cited, user)
        say(f"{plan.totals()['commitments']} commitments and their outcomes")
        _commitments(plan, rng, cases, parties, measures, events, cited, user)
        AuditEntry.objects.record(
            action=AuditEntry.Action.GENERATE,
            kind="case",
            object_repr=f"demo data at scale {scale}",
            detail=", ".join(f"{n} {name}" for name, n in plan.totals().items()),
        )
        say("the search index")
        search.rebuild()
    return plan.totals()


def _noon(day):
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def _assessments(plan, rng, cases, parties, measures, cited, user):
    """Each (measure, party) assessed `assessments_per_pair` times on days drawn across the case's
    year, citing two or three of the measure's evidence; one in eight corrected days later."""
    rows, links, corrected = [], [], []
    per_pair = plan.assessments_per_pair
    for i, case in enumerate(cases):
        k = 0
        for number in range(MEASURES_PER_CASE):
            measure = measures[i * MEASURES_PER_CASE + number]
            evidence = cited.get((i, number), [])
            for j in (0, 1):
                days = sorted(rng.sample(range(1, CASE_DAYS - 1), per_pair))
                step = rng.randrange(len(LEVELS))
                for a, day in enumerate(days):
                    effective = case.start_date + datetime.timedelta(days=day)
                    step += rng.choice((0, 1, 1, 2))
                    level = LEVELS[step % len(LEVELS)] if evidence else Assessment.Level.NOT_ASSESSED
                    rows.append(
                        Assessment(
                            measure=measure,
                            party=parties[2 * i + j],
                            level=level,
                            confidence=Assessment.Confidence.values[rng.randrange(3)],
                            effective_date=effective,
                            recorded_at=_noon(effective + datetime.timedelta(days=rng.randrange(1, 4))),
                            recorded_by=user,
                            rationale=f"Demo rationale {a + 1} for measure {number + 1}.",
                        )
                    )
                    picked = rng.sample(evidence, min(len(evidence), 2 + k % 2))
                    links.append(sorted({c.pk for c in picked}))
                    if _corrected(k):
                        corrected.append(len(rows) - 1)
                    k += 1
    assessments = Assessment.objects.bulk_create(rows, batch_size=BATCH)
    corrections = []
    for index in corrected:
        original = assessments[index]
        level = original.level
        if level != Assessment.Level.NOT_ASSESSED:
            level = LEVELS[(LEVELS.index(level) + 1) % len(LEVELS)]
        corrections.append(
            Assessment(
                measure_id=original.measure_id,
                party_id=original.party_id,
                level=level,
                confidence=original.confidence,
                effective_date=original.effective_date,
                recorded_at=original.recorded_at + datetime.timedelta(days=3),
                recorded_by=user,
                rationale=f"Demo correction of assessment {original.pk}: the level was misread.",
                corrects=original,
            )
        )
        links.append(links[index])
    assessments += Assessment.objects.bulk_create(corrections, batch_size=BATCH)
    AssessmentCitation.objects.bulk_create(
        (
            AssessmentCitation(assessment=assessment, citation_id=pk)
            for assessment, pks in zip(assessments, links, strict=True)
            for pk in pks
        ),
        batch_size=BATCH,
    )
    # Approved (no reviewer named, as migration 0030 did) but the newest of each party on each case's
    # first measure, left awaiting review: the review queue and the preview have something at scale.
    first_measures = {measures[i * MEASURES_PER_CASE].pk for i in range(len(cases))}
    newest = {}
    for assessment in assessments:
        pair = (assessment.measure_id, assessment.party_id)
        if pair not in newest or assessment.recorded_at > newest[pair].recorded_at:
            newest[pair] = assessment
    waiting = {a.pk for (measure_id, _), a in newest.items() if measure_id in first_measures}
    Review.objects.bulk_create(
        (
            Review(
                assessment=assessment,
                decision=Review.Decision.APPROVED,
                decided_at=assessment.recorded_at,
                comment="Demo data: approved when generated.",
                level=assessment.level,
                rationale=assessment.rationale,
                citation_ids=list(pks),
            )
            for assessment, pks in zip(assessments, links, strict=True)
            if assessment.pk not in waiting
        ),
        batch_size=BATCH,
    )


def _due(precision, announced, rng, case_events):
    """The due fields of a commitment of `precision` announced on `announced`."""
    P = Commitment.Precision
    if precision == P.DAY:
        due_on = announced + datetime.timedelta(days=rng.randrange(3, 40))
        return {"due_on": due_on, "due_text": f"by {due_on:%d %B %Y}"}
    if precision == P.RANGE:
        due_on = announced + datetime.timedelta(days=rng.randrange(3, 40))
        until = due_on + datetime.timedelta(days=rng.randrange(1, 6))
        return {"due_on": due_on, "due_until": until, "due_text": f"between {due_on:%d %B} and {until:%d %B %Y}"}
    if precision == P.MONTH:
        first, last = month_window(announced + datetime.timedelta(days=35))
        return {"due_on": first, "due_until": last, "due_text": f"in {first:%B %Y}"}
    if precision == P.AFTER_EVENT:
        later = [e for e in case_events if e.date >= announced] or case_events
        anchor = later[min(len(later) - 1, rng.randrange(5))]
        return {"anchor_event": anchor, "within_days": 30, "due_text": f"within 30 days of {anchor.title}"}
    return {"due_text": ""}


def _commitments(plan, rng, cases, parties, measures, events, cited, user):
    """`commitments_per_case` commitments a case, of every due precision, stated by their measure's
    evidence; two in three judged (kept, late, not kept, withdrawn), one judgement in five corrected."""
    Precision, Outcome = Commitment.Precision, CommitmentOutcome.Outcome
    precisions = [Precision.DAY, Precision.RANGE, Precision.MONTH, Precision.AFTER_EVENT, Precision.UNSTATED]
    rows, who, stated = [], [], []
    for i, case in enumerate(cases):
        case_events = events[i * plan.events_per_case : (i + 1) * plan.events_per_case]
        for m in range(plan.commitments_per_case):
            number = m % MEASURES_PER_CASE
            announced = case.start_date + datetime.timedelta(days=rng.randrange(CASE_DAYS - 60))
            rows.append(
                Commitment(
                    case=case,
                    measure=measures[i * MEASURES_PER_CASE + number],
                    what=f"Demo step {m + 1}: {MEASURE_TITLES[number].lower()} within the stated time",
                    due_precision=precisions[m % len(precisions)],
                    announced_on=announced,
                    recorded_at=_noon(announced + datetime.timedelta(days=1)),
                    recorded_by=user,
                    **_due(precisions[m % len(precisions)], announced, rng, case_events),
                )
            )
            who.append([parties[2 * i].pk, parties[2 * i + 1].pk] if m % 3 != 2 else [parties[2 * i + m % 2].pk])
            evidence = cited.get((i, number), [])
            stated.append(sorted({c.pk for c in rng.sample(evidence, min(len(evidence), 1 + m % 2))}))
    commitments = Commitment.objects.bulk_create(rows, batch_size=BATCH)
    Commitment.parties.through.objects.bulk_create(
        (
            Commitment.parties.through(commitment_id=c.pk, party_id=pk)
            for c, pks in zip(commitments, who, strict=True)
            for pk in pks
        ),
        batch_size=BATCH,
    )
    Commitment.stated_by.through.objects.bulk_create(
        (
            Commitment.stated_by.through(commitment_id=c.pk, citation_id=pk)
            for c, pks in zip(commitments, stated, strict=True)
            for pk in pks
        ),
        batch_size=BATCH,
    )

    kinds = [Outcome.KEPT, Outcome.LATE, Outcome.NOT_KEPT, Outcome.WITHDRAWN]
    judged, outcome_citations, corrected = [], [], []
    for i in range(len(cases)):
        case_commitments = commitments[i * plan.commitments_per_case : (i + 1) * plan.commitments_per_case]
        n = 0
        for m, commitment in enumerate(case_commitments):
            if m % 3 == 2:
                continue
            kind = kinds[n % len(kinds)]
            judged.append(_outcome(commitment, kind, user))
            outcome_citations.append(stated[i * plan.commitments_per_case + m])
            if n % 5 == 4:
                corrected.append(len(judged) - 1)
            n += 1
    outcomes = CommitmentOutcome.objects.bulk_create(judged, batch_size=BATCH)
    corrections = []
    for index in corrected:
        original = outcomes[index]
        kind = kinds[(kinds.index(original.outcome) + 1) % len(kinds)]
        correction = _outcome(original.commitment, kind, user, later_than=original.recorded_at)
        correction.corrects = original
        corrections.append(correction)
        outcome_citations.append(outcome_citations[index])
    outcomes += CommitmentOutcome.objects.bulk_create(corrections, batch_size=BATCH)
    through = CommitmentOutcome.citations.through
    through.objects.bulk_create(
        (
            through(commitmentoutcome_id=o.pk, citation_id=pk)
            for o, pks in zip(outcomes, outcome_citations, strict=True)
            for pk in pks
        ),
        batch_size=BATCH,
    )


def _outcome(commitment, kind, user, later_than=None):
    """A judgement of `commitment`: done on or after its deadline (or ten days after its announcement
    without one), withdrawn a week after, not kept dated by its deadline."""
    Outcome = CommitmentOutcome.Outcome
    deadline = commitment.due_on if commitment.due_precision == Commitment.Precision.DAY else commitment.due_until
    if commitment.due_precision == Commitment.Precision.AFTER_EVENT:
        deadline = commitment.anchor_event.date + datetime.timedelta(days=commitment.within_days)
    base = deadline or commitment.announced_on + datetime.timedelta(days=10)
    occurred = {
        Outcome.KEPT: base,
        Outcome.LATE: base + datetime.timedelta(days=6),
        Outcome.WITHDRAWN: commitment.announced_on + datetime.timedelta(days=7),
        Outcome.NOT_KEPT: None,
    }[kind]
    recorded = _noon((occurred or base) + datetime.timedelta(days=2))
    if later_than is not None:
        recorded = max(recorded, later_than) + datetime.timedelta(days=4)
    return CommitmentOutcome(
        commitment=commitment,
        outcome=kind,
        occurred_on=occurred,
        confidence=CommitmentOutcome.Confidence.values[commitment.pk % 3],
        rationale=f"Demo judgement of commitment {commitment.pk}: {kind.label.lower()}.",
        recorded_at=recorded,
        recorded_by=user,
    )
