"""What the API answers, field by field: the response schemas the OpenAPI document publishes. The
wording of the levels, stances and precisions is the data packages' codebook's
(`measures.importing.datapackage.codebook`), so that both say the same."""

import datetime
from typing import Literal

from ninja import Field
from ninja import Schema as NinjaSchema
from pydantic import model_validator

from measures.importing.datapackage import SCALE, SCORE
from measures.importing.datapackage.codebook import EVENT_PRECISIONS, SOURCE_PRECISIONS, STANCE_MEANINGS
from measures.models import Assessment, Case, Event, Evidence, Party, Source

LevelValue = Literal[*Assessment.Level.values]
Confidence = Literal[*Assessment.Confidence.values]
Stance = Literal[*Evidence.Stance.values]
EventPrecision = Literal[*Event.Precision.values]
SourcePrecision = Literal[*Source.DatePrecision.values]


class Schema(NinjaSchema):
    """ninja's Schema for what the endpoints answer: dicts of plain values (built from values, never
    model objects), validated by pydantic as they are. ninja reads every field of every row through its
    DjangoGetter (a Python call per field, for model objects); for a page of a hundred rows that was
    a large share of a list's time. Anything else goes through ninja's way."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        if type(values) is dict:
            return handler(values)
        return super()._run_root_validator(values, handler, info)


def _meanings(meanings):
    return " ".join(f"`{value}`: {meaning}" for value, meaning in meanings.items())


# Pages ------------------------------------------------------------------------------------------


class Page(Schema):
    next: str | None = Field(description="The next page's address, or null on the last page.")


class IndexOut(Schema):
    cases: str = Field(description="The cases you may read.")
    package: str = Field(description="Every case you may read as one data package.")
    openapi: str = Field(description="This API's OpenAPI 3.1 document.")
    documentation: str = Field(description="This API's documentation page.")
    tokens: str = Field(description="The page where you create and revoke your personal API tokens.")


# Cases and parties -----------------------------------------------------------------------------


class CaseOut(Schema):
    slug: str = Field(description="The case's short name, in every address of the case.")
    name: str
    summary: str = Field(description="Written about the whole crisis (the pages show it as of its end only).")
    start_date: datetime.date = Field(description="When the crisis began; no assessment is effective earlier.")
    status: Literal[*Case.Status.values] = Field(description="`active`: followed now; `closed`: ended.")
    end_date: datetime.date | None = Field(description="When the crisis ended (closed cases).")
    working_language: str = Field(
        description="The language of its analysis (a BCP 47 tag): passages in others carry translations into it."
    )
    default_as_of: datetime.date = Field(
        description="The date answers show without `as_of`: today while the case is active, its end date once closed."
    )
    assessed_parties: list[str] = Field(description="The codes of the parties whose conduct is assessed.")
    updated_at: datetime.datetime = Field(description="When the case's data last changed.")
    page: str = Field(description="The case's dashboard.")


class CasePage(Page):
    results: list[CaseOut]


class PartyOut(Schema):
    code: str
    name: str
    kind: Literal[*Party.Kind.values]
    assessed: bool = Field(description="Whether the case assesses this party's conduct (else: an event's actor).")
    updated_at: datetime.datetime | None = Field(description="When the party was last changed (null: not known).")


class PartyPage(Page):
    results: list[PartyOut]


# Measures with their state ---------------------------------------------------------------------


class ProgressOut(Schema):
    percent: int | None = Field(description="Mean score of the scored levels, 0–100; null when nothing is scored.")
    scored: int = Field(description="Measures counted (scored levels).")
    not_assessed: int
    not_applicable: int
    reversed: int = Field(description="Scored measures at reversed (they score 0 like not initiated).")
    total: int
    coverage: str = Field(description="The figure in words, as the dashboard says it.")


class PartyProgressOut(ProgressOut):
    party: str = Field(description="The party's code; over the measures that apply to it.")


class LatestEvidenceOut(Schema):
    date: datetime.date
    precision: str = Field(description="How precisely the date is known: an event's or a source's precision.")
    end_date: datetime.date | None
    text: str = Field(description="The date as the pages write it (“c. 17 Jan 2024”).")


class PartyLevelOut(Schema):
    party: str = Field(description="The party's code.")
    applies: bool = Field(description="Whether the measure asks something of this party.")
    level: LevelValue = Field(description=f"The level in force on the as-of date. {SCALE}")
    score: int | None = Field(description=SCORE)
    confidence: Confidence | None = Field(description="The confidence of the assessment in force.")
    effective_date: datetime.date | None = Field(description="When the situation it describes held.")
    assessment: int | None = Field(description="The assessment in force (its id), null when none is.")
    is_correction: bool = Field(description="The assessment in force corrects an earlier one.")
    rationale: str | None
    contested: bool = Field(description="Setback evidence is newer than what this assessment rests on.")
    previous_level: LevelValue | None = Field(
        description="With `since`: the level in force at the end of the day before it; else null."
    )
    direction: str | None = Field(description="With `since`: up, down, same, new or unscored; else null.")


class MeasureOut(Schema):
    number: int
    slug: str
    title: str
    description: str = Field(description="What the step requires, in full.")
    applicable_parties: list[str] = Field(description="The codes of the parties the step asks something of.")
    joint_level: LevelValue = Field(
        description="The lowest level of the applicable parties; reversed by any is reversed, one not yet "
        "assessed makes it not_assessed."
    )
    joint_score: int | None = Field(description=SCORE)
    confidence: Confidence | None = Field(description="The lowest confidence of the applicable parties'.")
    previous_joint_level: LevelValue | None = Field(description="With `since`: the joint level at its baseline.")
    direction: str | None = Field(description="With `since`: the joint direction of travel; else null.")
    latest_evidence: LatestEvidenceOut | None
    citation_count: int = Field(description="Pieces of evidence that count by the as-of date.")
    stale: bool
    no_evidence: bool
    contested: bool
    parties: list[PartyLevelOut] = Field(description="One per assessed party of the case, in the case's order.")
    page: str = Field(description="The measure's page.")


class StateOut(Schema):
    case: str
    as_of: datetime.date
    as_of_rule: str = Field(description="“given”, or which default gave the as-of date.")
    since: datetime.date | None
    known_on: datetime.date | None
    progress: ProgressOut
    party_progress: list[PartyProgressOut]
    results: list[MeasureOut]


# Assessments -----------------------------------------------------------------------------------


class AssessmentOut(Schema):
    id: int
    measure: int = Field(description="The measure's number.")
    party: str = Field(description="The party's code.")
    effective_date: datetime.date = Field(description="When the situation held in the world.")
    level: LevelValue = Field(description=SCALE)
    score: int | None = Field(description=SCORE)
    previous_level: LevelValue = Field(description="The level in force for this measure and party before it.")
    confidence: Confidence
    rationale: str
    recorded_at: datetime.datetime = Field(description="When it was put on record.")
    recorded_by: str | None = Field(description="The user name of who recorded it (null for anonymous callers).")
    corrects: int | None = Field(description="The assessment this one corrects (it is then withdrawn).")
    superseded_by: int | None = Field(description="The correction that withdraws this one, if any.")
    citations: list[int] = Field(description="The citations it rests on.")
    updated_at: datetime.datetime = Field(description="Its recording, or the recording of its correction.")


class AssessmentPage(Page):
    results: list[AssessmentOut]


# Records ---------------------------------------------------------------------------------------


class EventOut(Schema):
    id: int
    event_id_cnty: str = Field(
        description="Its id in the dataset it was imported from (ACLED's event_id_cnty); "
        "empty for events recorded here."
    )
    date: datetime.date = Field(description="Its (first) day; for month or approximate precision, the best estimate.")
    date_precision: EventPrecision = Field(description=_meanings(EVENT_PRECISIONS))
    end_date: datetime.date | None = Field(description="Its last day, for an event that lasted several days.")
    date_text: str = Field(description="The date as known, as the pages write it.")
    title: str
    summary: str
    kind: Literal[*Event.Kind.values]
    direction: Literal[*Event.Direction.values]
    actors: list[str] = Field(description="The codes of the parties that acted.")
    location: str
    fatalities: int | None = Field(description="Reported deaths; null when the sources give no figure.")
    source_timestamp: datetime.datetime | None = Field(
        description="When the dataset last changed it (ACLED's timestamp)."
    )
    recorded_at: datetime.datetime
    updated_at: datetime.datetime | None = Field(description="When it was last changed here (null: not known).")
    page: str


class EventPage(Page):
    results: list[EventOut]


class SourceOut(Schema):
    id: int
    title: str
    label: str = Field(description="The short label readers meet it by; empty: the publisher, else the author.")
    publisher: str
    author: str
    url: str
    published_on: datetime.date | None = Field(description="Its date; with month or year precision, the last day.")
    date_precision: SourcePrecision = Field(description=_meanings(SOURCE_PRECISIONS))
    date_text: str
    kind: Literal[*Source.Kind.values]
    language: str = Field(description="The language of its text, a BCP 47 tag (en, ur, hi, th…); empty: not known.")
    text_length: int = Field(description="The length of its full text, in characters.")
    recorded_at: datetime.datetime
    updated_at: datetime.datetime | None
    page: str = Field(description="The source's reader page in this case.")


class SourceDetailOut(SourceOut):
    full_text: str = Field(description="The document's text; citations' offsets count in it.")


class SourcePage(Page):
    results: list[SourceOut]


class CitationOut(Schema):
    id: int
    source: int
    event: int | None
    passage: str = Field(
        description="The passage as the source has it: the source's characters between its offsets, […] where "
        "words are left out, the analyst's [bracketed words] between them."
    )
    quote: str = Field(
        description="As the analyst typed it, kept for the record ([…] words left out, [brackets] added)."
    )
    language: str = Field(description="The passage's language, a BCP 47 tag; empty: its source's.")
    translation: str = Field(description="The passage translated into its case's working language; empty: none.")
    translator: str
    translated_on: datetime.date | None
    locator: str
    place: str = Field(description="Where, for readers: the locator, else “para. N”.")
    paragraph: int | None = Field(description="The paragraph of the source's text it starts in, from 1.")
    spans: list[list[int]] = Field(
        description="[start, end] offsets in the source's full text, one per part of the "
        "quote (characters from 0, end exclusive)."
    )
    evidence_date: datetime.date | None = Field(description="The date it speaks of: its event's, else its source's.")
    recorded_at: datetime.datetime
    updated_at: datetime.datetime | None
    page: str = Field(description="The passage highlighted on its source's page.")


class CitationPage(Page):
    results: list[CitationOut]


class EvidenceOut(Schema):
    id: int
    measure: int
    citation: int
    stance: Stance = Field(description=_meanings(STANCE_MEANINGS))
    note: str
    recorded_at: datetime.datetime
    updated_at: datetime.datetime | None


class EvidencePage(Page):
    results: list[EvidenceOut]


class DeletionOut(Schema):
    record: Literal["event", "citation", "evidence"] = Field(description="What kind of record was deleted.")
    id: int
    event_id_cnty: str | None = Field(description="For an event: its id in the dataset it came from.")
    deleted_at: datetime.datetime


class DeletionPage(Page):
    results: list[DeletionOut]


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict] | None = None
