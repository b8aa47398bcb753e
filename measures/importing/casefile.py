"""Load a case from its case file (fixtures/<slug>.json), through the services.

The file is first checked whole (`schema.validate_case_data`): nothing is written unless it passes.
A load is all or nothing and never overwrites what is stored:

- a new slug creates the case with everything the file describes;
- an existing slug is left unchanged, unless `update=True`: then what is new in the file is added
  (parties, measures, sources, events, citations, evidence, assessments), what is already there is
  counted, and an item whose key is stored with other content is a conflict: the stored version is
  kept (analysts may have edited it) and the conflict is reported with the fields that differ.

A source stored with the same title, publisher and date but another text is never bound to silently:
the load is refused naming where the texts first differ, or, with `update=True`, the stored text is
replaced by the file's under the product's rule (`services.change_source_text`: only while no citation
quotes it, so no quote is orphaned). Assessments name their author by user name (`recorded_by`; an
account missing here is created inactive) and the assessment a correction corrects (`corrects`).

Items are matched by their key: parties by code, measures by number, sources by title, publisher
and date (sources are shared by cases), events and citations by the key stored when they were loaded
(or `event-<id>` / `citation-<id>`, the key `export_case` writes for one created in the admin),
evidence by citation and measure, assessments by measure, party, effective date and recorded time
(or, without a recorded time, by level and rationale too).

An assessment's `review` is loaded by `measures.importing.reviews` (through `services.record_review`);
an assessment without one is loaded awaiting review.
"""

import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime

from measures import search, services
from measures.importing.commitments import load_commitments
from measures.importing.references import party_problems, type_problems
from measures.importing.reviews import load_review
from measures.importing.schema import FORMAT, CaseFileError, parse_date, validate_case_data
from measures.intake.language import detect_language
from measures.lib import acting, dates, text
from measures.models import Assessment, AuditEntry, Case, Citation, Event, Measure, MeasureType, Party, Source

__all__ = ["FORMAT", "IMPORT_USERNAME", "CaseFileError", "ImportResult", "import_case", "import_user"]

IMPORT_USERNAME = "case-import"
SECTIONS = (
    "parties",
    "measures",
    "sources",
    "events",
    "citations",
    "evidence",
    "assessments",
    "reviews",
    "commitments",
    "commitment outcomes",
)
_GENERATED_KEY = re.compile(r"^(event|citation)-(\d+)$")


@dataclass
class ImportResult:
    """What a load did. `counts` (new case) and `added` / `existing` map a section to a number;
    `conflicts` lists messages naming the item by its path and the fields that differ; `untyped`
    names the measures of the file that have no type in the catalogue (`measures[7] (8. Track-II
    diplomacy)`), so that whoever loads the file knows which rows the matrix will lack."""

    case: Case
    created: bool
    counts: dict = field(default_factory=dict)
    added: dict = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    existing: dict = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    conflicts: list = field(default_factory=list)
    updated: bool = False
    untyped: list = field(default_factory=list)
    source_ids: list = field(default_factory=list)  # the file's sources, as stored (found or added)


def _messages(exc, where):
    if hasattr(exc, "message_dict"):
        return [
            f"{where if name == NON_FIELD_ERRORS else f'{where}.{name}'}: {' '.join(msgs)}"
            for name, msgs in exc.message_dict.items()
        ]
    return [f"{where}: {' '.join(exc.messages)}"]


def _saved(obj, where):
    """`obj` written by the services (services.save_record), or CaseFileError naming `where` it is in the file."""
    try:
        return services.save_record(record=obj)
    except ValidationError as exc:
        raise CaseFileError(_messages(exc, where)) from None


def import_user():
    """The account that imported assessments are recorded by: inactive, it cannot log in."""
    user, created = get_user_model().objects.get_or_create(
        username=IMPORT_USERNAME, defaults={"is_active": False, "first_name": "Case", "last_name": "import"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def import_case(data, *, update=False, recorded_by=None, index=True):
    """Load the case described by `data` (a parsed case file).

    A new slug creates the case; an existing one is left unchanged (`created=False`), unless `update`
    is true: then what is new is added and the rest counted or reported as conflicts (module docstring).
    Returns ImportResult. Raises CaseFileError, each message naming the item by its path in the file
    (`events[3].date`), and then writes nothing at all. The case's records and sources are indexed for
    search in the same transaction (`index=False`: the caller does it, as the staged load does after
    its copy is applied).
    """
    validate_case_data(data)
    existing = Case.objects.filter(slug=data["case"]["slug"]).first()
    if existing is not None and not update:
        return ImportResult(existing, created=False)
    problems = party_problems(data.get("parties", [])) + type_problems(data.get("measures", []))
    if problems:
        raise CaseFileError(problems)
    # Recorded in the audit log as a case file, by whoever loads it (a command's --user).
    with transaction.atomic(), acting.acting(path=acting.CASE_FILE, keep_user=True):
        loader = _Loader(data, existing, recorded_by or import_user(), update=update)
        loader.load()
        loader.result.source_ids = [source.pk for source in loader.sources.values()]
        if index:
            search.index_case(loader.result.case, sources=loader.sources.values())
        result = loader.result
        if result.created:
            result.counts = {section: result.added[section] for section in SECTIONS if section != "parties"}
        added = ", ".join(f"{result.added[section]} {section}" for section in SECTIONS)
        AuditEntry.objects.record(
            action=AuditEntry.Action.LOAD,
            kind="case",
            obj=result.case,
            case=result.case,
            detail=f"{'created' if result.created else 'updated'}: {added}; {len(result.conflicts)} conflicts",
        )
    return result


class _Loader:
    def __init__(self, data, case, recorded_by, *, update=False):
        self.data = data
        self.case = case
        self.recorded_by = recorded_by
        self.update = update
        self.result = ImportResult(case, created=case is None, updated=case is not None)
        self.parties, self.measures, self.sources, self.events, self.citations = {}, {}, {}, {}, {}
        self.authors = {recorded_by.get_username(): recorded_by}
        # (measure pk, party pk, effective date, recorded at) -> Assessment, stored or loaded: what
        # a correction names.
        self.assessments = {}

    def load(self):
        self._parties()
        self._case()
        self._measures()
        self._sources()
        self._events()
        self._citations()
        self._requirements()
        self._assessments()
        load_commitments(self, CaseFileError)

    # -- helpers

    def _added(self, section):
        self.result.added[section] += 1

    def _there(self, section):
        self.result.existing[section] += 1

    def _compare(self, where, stored, wanted):
        """Count an item found by key; report the fields whose stored value differs from the file's."""
        differing = [name for name, value in wanted.items() if stored.get(name) != value]
        if differing:
            details = "; ".join(
                f"{name}: stored {_show(stored.get(name))}, file {_show(wanted[name])}" for name in differing
            )
            self.result.conflicts.append(f"{where}: already stored with other content, kept as stored ({details})")

    # -- sections

    def _parties(self):
        for i, item in enumerate(self.data.get("parties", [])):
            party = Party.objects.filter(code=item["code"]).first()
            if party is None:
                other_names = "\n".join(item.get("other_names", []))
                party = Party(code=item["code"], name=item["name"], kind=item["kind"], other_names=other_names)
                party = _saved(party, f"parties[{i}]")
                self._added("parties")
            else:
                if item.get("rename") and (party.name, party.kind) != (item["name"], item["kind"]):
                    party.name, party.kind = item["name"], item["kind"]
                    _saved(party, f"parties[{i}]")
                self._there("parties")
            self.parties[item["code"]] = party

    def _case(self):
        item = self.data["case"]
        wanted = {
            "name": item["name"],
            "summary": item.get("summary", ""),
            "start_date": parse_date(item["start_date"]),
            "status": item.get("status", Case.Status.ACTIVE),
            "end_date": parse_date(item.get("end_date")),
            "working_language": item.get("working_language", "en"),
            "assessed_parties": sorted(item["assessed_parties"]),
        }
        if self.case is None:
            fields = {k: v for k, v in wanted.items() if k != "assessed_parties"}
            self.case = self.result.case = _saved(Case(slug=item["slug"], **fields), "case")
            self.case.assessed_parties.set([self.parties[code] for code in item["assessed_parties"]])
            return
        stored = {
            "name": self.case.name,
            "summary": self.case.summary,
            "start_date": self.case.start_date,
            "status": self.case.status,
            "end_date": self.case.end_date,
            "working_language": self.case.working_language,
            "assessed_parties": sorted(self.case.assessed_parties.values_list("code", flat=True)),
        }
        self._compare("case", stored, wanted)

    def _measures(self):
        stored = {m.number: m for m in Measure.objects.filter(case=self.case).select_related("type")}
        types = MeasureType.objects.in_bulk(
            [item["type"] for item in self.data.get("measures", []) if item.get("type")], field_name="slug"
        )
        for i, item in enumerate(self.data.get("measures", [])):
            wanted = {"title": item["title"], "slug": item["slug"], "description": item["description"]}
            applicable = sorted(item.get("applicable_parties", []))
            measure_type = types.get(item.get("type") or "")
            measure = stored.get(item["number"])
            if measure is None:
                measure = Measure(case=self.case, number=item["number"], type=measure_type, **wanted)
                measure = _saved(measure, f"measures[{i}]")
                measure.applicable_parties.set([self.parties[code] for code in applicable])
                self._added("measures")
            else:
                self._there("measures")
                current = {name: getattr(measure, name) for name in wanted}
                current["applicable_parties"] = sorted(measure.applicable_parties.values_list("code", flat=True))
                current["type"] = measure.type.slug if measure.type else None
                wanted_type = measure_type.slug if measure_type else None
                self._compare(
                    f"measures[{i}]", current, {**wanted, "applicable_parties": applicable, "type": wanted_type}
                )
            if measure.type_id is None:
                self.result.untyped.append(f"measures[{i}] ({measure.number}. {measure.title})")
            self.measures[item["number"]] = measure

    def _sources(self):
        for i, item in enumerate(self.data.get("sources", [])):
            where = f"sources[{i}]"
            published = parse_date(item.get("published_on"))
            precision = item.get(
                "date_precision", Source.DatePrecision.DAY if published else Source.DatePrecision.UNKNOWN
            )
            identity = {
                "title": item["title"],
                "publisher": item.get("publisher", ""),
                "published_on": dates.last_possible_day(published, precision),
            }
            wanted = {
                "label": item.get("label", ""),
                "date_precision": precision,
                "author": item.get("author", ""),
                "url": item.get("url", ""),
                "kind": item["kind"],
                "full_text": item.get("full_text", ""),
            }
            if "language" in item:
                wanted["language"] = item["language"]
            source = Source.objects.filter(**identity).order_by("pk").first()
            if source is None:
                language = wanted.get("language", detect_language(wanted["full_text"]))
                source = Source(**identity, **{**wanted, "language": language}, **_recorded_at(item))
                source = _saved(source, where)
                self._added("sources")
            else:
                self._there("sources")
                if "full_text" in item:
                    source = self._source_text(where, source, item["full_text"])
                wanted.pop("full_text")
                self._compare(where, {name: getattr(source, name) for name in wanted}, wanted)
            self.sources[item["key"]] = source

    def _source_text(self, where, source, full_text):
        """The stored `source` the file names by its identity (title, publisher, date), when the file
        gives it a text: the same text binds to it; another text is refused, naming where the two first
        differ, unless the load is an update, which changes the stored text by the product's rule
        (services.change_source_text: only while no citation quotes it, so no quote is orphaned)."""
        from measures.intake import tidy_text

        if full_text == source.full_text or tidy_text(full_text) == source.full_text:
            return source
        offset, line, column, stored, given = text.first_difference(source.full_text, full_text)
        named = f"“{source.title}” ({source.publisher or 'no publisher'}, {source.date_text})"
        difference = (
            f"the texts first differ at character {offset + 1} (line {line}, column {column}): "
            f"stored “{stored}”, file “{given}”"
        )
        if not self.update:
            raise CaseFileError(
                f"{where}.full_text: the source {named} is already stored with another text; {difference}. "
                "Load with --update to replace the stored text (allowed while no citation quotes it), or give "
                "this source another title if it is another document."
            )
        try:
            return services.change_source_text(source=source, full_text=full_text)
        except ValidationError as exc:
            raise CaseFileError([f"{message} ({difference})" for message in _messages(exc, f"{where}")]) from None

    def _stored_by_key(self, model, key):
        item = model.objects.filter(case=self.case, key=key).first()
        if item is None and (match := _GENERATED_KEY.match(key)):
            item = model.objects.filter(case=self.case, key="", pk=int(match[2])).first()
        return item

    def _events(self):
        for i, item in enumerate(self.data.get("events", [])):
            where = f"events[{i}]"
            wanted = {
                "date": parse_date(item["date"]),
                "date_precision": item.get("date_precision", Event.Precision.DAY),
                "end_date": parse_date(item.get("end_date")),
                "title": item["title"],
                "summary": item.get("summary", ""),
                "kind": item["kind"],
                "direction": item["direction"],
                "location": item.get("location", ""),
                "fatalities": item.get("fatalities"),
                "external_id": item.get("external_id", ""),
                "external_timestamp": _datetime(item.get("external_timestamp")),
            }
            actors = sorted(item.get("actors", []))
            event = None if self.result.created else self._stored_by_key(Event, item["key"])
            if event is None:
                event = _saved(Event(case=self.case, key=item["key"], **wanted, **_recorded_at(item)), where)
                event.actors.set([self.parties[code] for code in actors])
                self._added("events")
            else:
                self._there("events")
                stored = {name: getattr(event, name) for name in wanted}
                stored["actors"] = sorted(event.actors.values_list("code", flat=True))
                self._compare(where, stored, {**wanted, "actors": actors})
            self.events[item["key"]] = event

    def _citations(self):
        for i, item in enumerate(self.data.get("citations", [])):
            where = f"citations[{i}]"
            source = self.sources[item["source"]]
            event = self.events.get(item.get("event"))
            citation = None if self.result.created else self._stored_by_key(Citation, item["key"])
            if citation is None:
                try:
                    citation = services.create_citation(
                        case=self.case,
                        source=source,
                        quote=item["quote"],
                        locator=item.get("locator", ""),
                        event=event,
                        recorded_at=_recorded_at(item).get("recorded_at"),
                        key=item["key"],
                        language=item.get("language"),
                        translation=item.get("translation", ""),
                        translator=item.get("translator", ""),
                        translated_on=parse_date(item.get("translated_on")),
                    )
                except ValidationError as exc:
                    raise CaseFileError(_messages(exc, where)) from None
                self._added("citations")
                stored_evidence, stored_evidence_known = {}, False
            else:
                self._there("citations")
                stored = {
                    "source": citation.source_id,
                    "quote": citation.quote,
                    "locator": citation.locator,
                    "event": citation.event_id,
                }
                wanted = {
                    "source": source.pk,
                    "quote": item["quote"],
                    "locator": item.get("locator", ""),
                    "event": event.pk if event else None,
                }
                self._compare(where, stored, wanted)
                stored_evidence = {e.measure_id: e for e in citation.evidence.all()}
                stored_evidence_known = True
            for j, link in enumerate(item.get("evidence", [])):
                measure = self.measures[link["measure"]]
                evidence = stored_evidence.get(measure.pk)
                wanted = {"stance": link["stance"], "note": link.get("note", "")}
                if evidence is not None:
                    self._there("evidence")
                    self._compare(f"{where}.evidence[{j}]", {"stance": evidence.stance, "note": evidence.note}, wanted)
                    continue
                try:
                    services.attach_evidence(
                        citation=citation,
                        measure=measure,
                        **wanted,
                        recorded_at=_evidence_recorded_at(link, citation, new_citation=not stored_evidence_known),
                    )
                except ValidationError as exc:
                    raise CaseFileError(_messages(exc, f"{where}.evidence[{j}]")) from None
                self._added("evidence")
            self.citations[item["key"]] = citation

    def _requirements(self):
        """Each measure's defining passage (its requirement), once the citations exist: set on a measure
        that has none; one stored with another passage is kept and reported as a conflict."""
        for i, item in enumerate(self.data.get("measures", [])):
            key = item.get("requirement")
            if key is None:
                continue
            measure, citation = self.measures[item["number"]], self.citations[key]
            if measure.requirement_id is None:
                measure.requirement = citation
                _saved(measure, f"measures[{i}].requirement")
            elif measure.requirement_id != citation.pk:
                stored = measure.requirement.key or f"citation-{measure.requirement_id}"
                self.result.conflicts.append(
                    f"measures[{i}].requirement: already stored with other content, kept as stored "
                    f"(requirement: stored “{stored}”, file “{key}”)"
                )

    def _author(self, where, username):
        """The account an assessment was recorded by: the file's `recorded_by` (an account missing here
        is created inactive, with no password and no role: it cannot log in, and names the author), else
        the loader's."""
        if username is None:
            return self.recorded_by
        if username not in self.authors:
            User = get_user_model()
            user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
            if user is None:
                user = User(**{User.USERNAME_FIELD: username}, is_active=False)
                user.set_unusable_password()
                try:
                    user.full_clean(exclude=["password"])
                except ValidationError as exc:
                    raise CaseFileError(_messages(exc, f"{where}.recorded_by")) from None
                user.save()
            self.authors[username] = user
        return self.authors[username]

    def _corrected(self, where, measure, party, item):
        """The assessment `item` corrects (its `corrects`: effective date and recorded time, of the same
        measure and party, stored or earlier in the file), or None; CaseFileError when there is none."""
        named = item.get("corrects")
        if named is None:
            return None
        key = (measure.pk, party.pk, parse_date(named["effective_date"]), parse_datetime(named["recorded_at"]))
        corrected = self.assessments.get(key)
        if corrected is None:
            raise CaseFileError(
                f"{where}.corrects: no assessment of measure {measure.number} for {party.code} effective on "
                f"{named['effective_date']} and recorded at {named['recorded_at']} comes earlier in the file or "
                "is stored"
            )
        return corrected

    def _assessments(self):
        stored = []
        if not self.result.created:
            stored = list(
                Assessment.objects.filter(measure__case=self.case)
                .select_related("recorded_by", "corrects")
                .prefetch_related("citations")
            )
        self.assessments = {(a.measure_id, a.party_id, a.effective_date, a.recorded_at): a for a in stored}
        for i, item in enumerate(self.data.get("assessments", [])):
            where = f"assessments[{i}]"
            recorded_at = parse_datetime(item["recorded_at"]) if item.get("recorded_at") else None
            measure, party = self.measures[item["measure"]], self.parties[item["party"]]
            effective = parse_date(item["effective_date"])
            corrects = self._corrected(where, measure, party, item)
            author = self._author(where, item.get("recorded_by"))
            match = _find_assessment(stored, measure, party, effective, recorded_at, item)
            if match is not None:
                self._there("assessments")
                load_review(self, match, item.get("review"), where)
                wanted = {
                    "level": item["level"],
                    "confidence": item.get("confidence", "medium"),
                    "rationale": item["rationale"].strip(),
                    "citations": sorted(self.citations[key].pk for key in item.get("citations", [])),
                }
                current = {
                    "level": match.level,
                    "confidence": match.confidence,
                    "rationale": match.rationale,
                    "citations": sorted(c.pk for c in match.citations.all()),
                }
                if "recorded_by" in item:
                    wanted["recorded_by"], current["recorded_by"] = author.pk, match.recorded_by_id
                if "corrects" in item:
                    wanted["corrects"], current["corrects"] = corrects.pk, match.corrects_id
                self._compare(where, current, wanted)
                continue
            try:
                assessment = services.record_assessment(
                    measure=measure,
                    party=party,
                    level=item["level"],
                    confidence=item.get("confidence", "medium"),
                    effective_date=effective,
                    rationale=item["rationale"],
                    citations=[self.citations[key] for key in item.get("citations", [])],
                    # A cited passage not yet evidence of the measure becomes evidence with this stance.
                    evidence_stance=item.get("evidence_stance"),
                    recorded_by=author,
                    recorded_at=recorded_at,
                    corrects=corrects,
                    rationale_language=item.get("rationale_language"),
                )
            except ValidationError as exc:
                raise CaseFileError(_messages(exc, where)) from None
            key = (measure.pk, party.pk, assessment.effective_date, assessment.recorded_at)
            self.assessments.setdefault(key, assessment)
            self._added("assessments")
            load_review(self, assessment, item.get("review"), where)


def _datetime(value):
    return parse_datetime(value) if value else None


def _recorded_at(item):
    """{"recorded_at": datetime} when the item gives when it was put on record, else {} (now)."""
    value = item.get("recorded_at")
    return {"recorded_at": parse_datetime(value)} if value else {}


def _evidence_recorded_at(link, citation, *, new_citation):
    """Evidence is on record from its own `recorded_at`; else, loaded with its citation, from the
    citation's; else (added by an update to a stored citation) from now."""
    value = link.get("recorded_at")
    if value:
        return parse_datetime(value)
    return citation.recorded_at if new_citation else None


def _find_assessment(stored, measure, party, effective, recorded_at, item):
    for assessment in stored:
        if (assessment.measure_id, assessment.party_id, assessment.effective_date) != (measure.pk, party.pk, effective):
            continue
        if recorded_at is not None and assessment.recorded_at == recorded_at:
            return assessment
        if recorded_at is None and (assessment.level, assessment.rationale) == (
            item["level"],
            item["rationale"].strip(),
        ):
            return assessment
    return None


def _show(value):
    text = str(value) if value is not None else "none"
    return f"“{text[:60]}…”" if len(text) > 60 else f"“{text}”"
