"""The demo data's generator: cases, parties, measures, sources, events, citations, evidence and
assessments written in bulk into an empty database (see the package docstring)."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from measures import search
from measures.importing.demo_data.commitments import write_commitments
from measures.importing.demo_data.plan import (
    BATCH,
    CASE_DAYS,
    FIRST_START,
    GENERATOR_USERNAME,
    LEVELS,
    MAX_SCALE,
    MEASURE_TITLES,
    MEASURE_TYPES,
    MEASURES_PER_CASE,
    OBJECTS,
    SENTENCES_PER_SOURCE,
    SUBJECTS,
    VERBS,
    DemoDataError,
    Plan,
    has_second_measure,
    is_corrected,
    noon,
)
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
)

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
            numbers = [c % MEASURES_PER_CASE] + ([(c + 3) % MEASURES_PER_CASE] if has_second_measure(c) else [])
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
        write_commitments(plan, rng, cases, parties, measures, events, cited, user)
        AuditEntry.objects.record(
            action=AuditEntry.Action.GENERATE,
            kind="case",
            object_repr=f"demo data at scale {scale}",
            detail=", ".join(f"{n} {name}" for name, n in plan.totals().items()),
        )
        say("the search index")
        search.rebuild()
    return plan.totals()


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
                            recorded_at=noon(effective + datetime.timedelta(days=rng.randrange(1, 4))),
                            recorded_by=user,
                            rationale=f"Demo rationale {a + 1} for measure {number + 1}.",
                        )
                    )
                    picked = rng.sample(evidence, min(len(evidence), 2 + k % 2))
                    links.append(sorted({c.pk for c in picked}))
                    if is_corrected(k):
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
