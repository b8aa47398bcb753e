"""Synthetic cases that the page and report tests share."""

import datetime

from measures.models import Assessment, Case, Event, Evidence, MeasureType
from tests import factories

Level = Assessment.Level
D = datetime.date
SHARED_QUOTE = "Ambassadors will return to their posts."
COMPARED_START = D(2024, 3, 1)


def build_case(scale=1, *, slug=None, shared_passage=False):
    """A case whose every collection grows with `scale`: 3 × scale measures, each with a strike (16–18 Jan)
    and talks (22–26 Jan, every other one dated approximately), a source quoted once about each, and
    both parties assessed not initiated on 17 January, then Pakistan intermediate and Iran minimal on
    25 January. `shared_passage` adds one passage of a joint statement as context evidence for every
    measure, for what the status report does with a passage that several measures cite."""
    pak = factories.PartyFactory(code="PAK", name="Pakistan")
    irn = factories.PartyFactory(code="IRN", name="Iran")
    case = factories.CaseFactory(
        name=f"Crisis x{scale}", slug=slug or f"crisis-x{scale}", start_date=D(2024, 1, 16), assessed_parties=[pak, irn]
    )
    analyst = factories.analyst(username="builder")
    shared = None
    if shared_passage:
        shared_source = factories.SourceFactory(
            title="Joint statement", publisher="Foreign Office", url="https://fo.example"
        )
        shared = factories.CitationFactory(case=case, source=shared_source, quote=SHARED_QUOTE, locator="para. 2")
    for i in range(3 * scale):
        number = i + 1
        measure = factories.MeasureFactory(case=case, number=number, title=f"Measure {number}", slug=f"m-{number}")
        strike = factories.EventFactory(
            case=case,
            date=D(2024, 1, 16 + i % 3),
            title=f"Strike {number}",
            kind=Event.Kind.MILITARY_ACTION,
            direction=Event.Direction.ESCALATORY,
            actors=[irn],
        )
        talks = factories.EventFactory(
            case=case,
            date=D(2024, 1, 22 + i % 5),
            date_precision=Event.Precision.APPROXIMATE if i % 2 else Event.Precision.DAY,
            title=f"Talks {number}",
            actors=[pak, irn],
        )
        source = factories.SourceFactory(
            title=f"Report {number}", publisher=f"Paper {number}", published_on=D(2024, 1, 20)
        )
        c_strike = factories.CitationFactory(
            case=case, source=source, event=strike, quote=f"Border forces increased patrols ({number}).", locator="p. 1"
        )
        c_talks = factories.CitationFactory(
            case=case,
            source=source,
            event=talks,
            quote=f"The ministers agreed to de-escalate ({number}).",
            locator="p. 2",
        )
        Evidence.objects.create(citation=c_strike, measure=measure, stance=Evidence.Stance.SETBACK)
        Evidence.objects.create(citation=c_talks, measure=measure, stance=Evidence.Stance.PROGRESS, note="Talks held.")
        if shared is not None:
            Evidence.objects.create(citation=shared, measure=measure, stance=Evidence.Stance.CONTEXT)
        for party in (pak, irn):
            factories.AssessmentFactory(
                measure=measure,
                party=party,
                level=Level.NOT_INITIATED,
                effective_date=D(2024, 1, 17),
                recorded_by=analyst,
                citations=[c_strike],
                rationale=f"Strikes on measure {number}.",
            )
            factories.AssessmentFactory(
                measure=measure,
                party=party,
                level=Level.INTERMEDIATE if party == pak else Level.MINIMAL,
                effective_date=D(2024, 1, 25),
                recorded_by=analyst,
                citations=[c_talks],
                rationale=f"Talks moved measure {number} for {party.code}.",
            )
    return case


def compared_case(
    name, *, type_slug="ceasefire", history=(), start=COMPARED_START, status=Case.Status.ACTIVE, end=None
):
    """A case of two parties (AA, BB) with one measure of `type_slug` and `history`: [(party code,
    level, days after the start)], recorded in that order on the day they took effect."""
    parties = [factories.PartyFactory(code="AA", name="Alpha"), factories.PartyFactory(code="BB", name="Beta")]
    case = factories.CaseFactory(
        name=name,
        slug=name.lower().replace(" ", "-"),
        start_date=start,
        assessed_parties=parties,
        status=status,
        end_date=end,
    )
    measure = factories.MeasureFactory(case=case, number=1, type=MeasureType.objects.get(slug=type_slug))
    by_code = {party.code: party for party in parties}
    for i, (code, level, days) in enumerate(history):
        effective = start + datetime.timedelta(days=days)
        factories.AssessmentFactory(
            measure=measure,
            party=by_code[code],
            level=level,
            effective_date=effective,
            recorded_at=datetime.datetime.combine(effective, datetime.time(9, i), tzinfo=datetime.UTC),
        )
    return case
