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


def reversal_case(*, slug="ceasefire-2024"):
    """A case whose ceasefire (measure 1) held fully on 1 December, was reversed on 10 December and held
    fully again on 20 December, for both parties; a clash on 10 December and talks on 20 December are
    on record. A second measure applies to Thailand only (Cambodia: "does not apply") and is first
    assessed at Not initiated on 5 December. Over 2–31 December the ceasefire's ends are equal, its
    path is not."""
    tha = factories.PartyFactory(code="THA", name="Thailand")
    khm = factories.PartyFactory(code="KHM", name="Cambodia")
    case = factories.CaseFactory(
        name="Border war, 2024", slug=slug, start_date=D(2024, 11, 20), assessed_parties=[tha, khm]
    )
    analyst = factories.analyst(username="ceasefire-analyst")
    ceasefire = factories.MeasureFactory(case=case, number=1, title="Ceasefire", slug="ceasefire")
    patrols = factories.MeasureFactory(case=case, number=2, title="Border patrols", slug="patrols")
    patrols.applicable_parties.set([tha])
    source = factories.SourceFactory(
        title="Border report",
        full_text="The ceasefire held. Shelling resumed across the border. The ceasefire was restored.",
    )
    clash = factories.EventFactory(
        case=case,
        date=D(2024, 12, 10),
        title="Shelling across the border",
        kind=Event.Kind.MILITARY_ACTION,
        direction=Event.Direction.ESCALATORY,
    )
    talks = factories.EventFactory(case=case, date=D(2024, 12, 20), title="Ceasefire restored at talks")
    quotes = {
        1: factories.CitationFactory(case=case, source=source, quote="The ceasefire held."),
        10: factories.CitationFactory(case=case, source=source, quote="Shelling resumed", event=clash),
        20: factories.CitationFactory(case=case, source=source, quote="The ceasefire was restored.", event=talks),
    }
    for citation in quotes.values():
        Evidence.objects.create(citation=citation, measure=ceasefire, stance=Evidence.Stance.PROGRESS)
    for party in (tha, khm):
        for level, day in ((Level.FULL, 1), (Level.REVERSED, 10), (Level.FULL, 20)):
            factories.AssessmentFactory(
                measure=ceasefire,
                party=party,
                level=level,
                effective_date=D(2024, 12, day),
                recorded_at=datetime.datetime(2024, 12, day, 18, tzinfo=datetime.UTC),
                recorded_by=analyst,
                citations=[quotes[day]],
                rationale=f"{level.label} on {day} December.",
            )
    factories.AssessmentFactory(
        measure=patrols,
        party=tha,
        level=Level.NOT_INITIATED,
        effective_date=D(2024, 12, 5),
        recorded_at=datetime.datetime(2024, 12, 5, 18, tzinfo=datetime.UTC),
        recorded_by=analyst,
        citations=[quotes[1]],
        rationale="No patrols yet.",
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
