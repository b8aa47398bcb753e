"""The workspace's page of one measure lists the newest assessments per party and the newest evidence
per stance, with how many there are and a link to the rest: its cost does not grow with the history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures.models import Assessment, Evidence
from measures.state import case_state, newest_assessments, newest_evidence_by_stance
from tests import factories
from workspace.admin.measures import ASSESSMENTS_SHOWN, EVIDENCE_SHOWN

Level = Assessment.Level
DAY = datetime.date(2024, 2, 1)


@pytest.fixture
def case(db):
    return factories.pakistan_iran_parties_case(datetime.date(2024, 1, 1))


def assess(measure, party, n, **kwargs):
    """`n` assessments of `party`, the i-th effective i days after DAY, rationale "<code> i"."""
    return [
        factories.AssessmentFactory(
            measure=measure,
            party=party,
            effective_date=DAY + datetime.timedelta(days=i),
            rationale=f"{party.code} {i}",
            **kwargs,
        )
        for i in range(n)
    ]


def evidence(measure, stance, n):
    """`n` pieces of evidence of `stance`, the i-th from an event i days after DAY, quote "<stance> i"."""
    return [
        factories.EvidenceFactory(
            measure=measure,
            stance=stance,
            citation=factories.CitationFactory(
                case=measure.case,
                quote=f"{stance} {i}",
                event=factories.EventFactory(case=measure.case, date=DAY + datetime.timedelta(days=i)),
            ),
        )
        for i in range(n)
    ]


def page_of(client, measure):
    response = client.get(reverse("admin:measures_measure_change", args=[measure.pk]))
    assert response.status_code == 200
    return response


def test_the_page_lists_the_newest_assessments_of_each_party_and_links_to_all(analyst_client, measure, parties):
    assess(measure, parties["PAK"], ASSESSMENTS_SHOWN + 2)
    assess(measure, parties["IRN"], 2)

    response = page_of(analyst_client, measure)
    histories = {item["cell"].party.code: item["assessments"] for item in response.context["party_histories"]}
    newest = [f"PAK {i}" for i in range(ASSESSMENTS_SHOWN + 1, 1, -1)]
    assert [a.rationale for a in histories["PAK"]] == newest
    assert (histories["PAK"].total, histories["PAK"].more) == (ASSESSMENTS_SHOWN + 2, 2)
    assert [a.rationale for a in histories["IRN"]] == ["IRN 1", "IRN 0"]
    assert histories["IRN"].more == 0
    page = response.content.decode()
    assert "PAK 1<" not in page and "PAK 0<" not in page
    assert f"The {ASSESSMENTS_SHOWN} newest of {ASSESSMENTS_SHOWN + 2} assessments of Pakistan" in page
    assert "assessments of Iran" not in page  # all shown: no link

    # The rest is one click away: the assessment list of that measure and party, all of them.
    rest = analyst_client.get(histories["PAK"].rest_url.replace("&amp;", "&"))
    assert rest.status_code == 200
    listed = sorted(a.rationale for a in rest.context["cl"].result_list)
    assert listed == sorted(f"PAK {i}" for i in range(ASSESSMENTS_SHOWN + 2))
    assert histories["PAK"].rest_url.replace("&", "&amp;") in page


def test_assessments_awaiting_review_or_returned_are_listed_among_the_newest(analyst_client, measure, parties):
    assess(measure, parties["PAK"], ASSESSMENTS_SHOWN)
    pending = factories.AssessmentFactory(
        measure=measure, party=parties["PAK"], effective_date=DAY + datetime.timedelta(days=30), approved=False
    )
    response = page_of(analyst_client, measure)
    pakistan = response.context["party_histories"][1]
    assert pakistan["cell"].party.code == "PAK"
    assert pakistan["assessments"][0] == pending
    assert "awaiting review" in response.content.decode()


def test_the_page_lists_the_newest_evidence_of_each_stance_and_links_to_all(analyst_client, measure):
    evidence(measure, Evidence.Stance.PROGRESS, EVIDENCE_SHOWN + 3)
    evidence(measure, Evidence.Stance.SETBACK, 1)

    response = page_of(analyst_client, measure)
    groups = {stance: items for stance, _, items in response.context["evidence_by_stance"]}
    shown = [item.citation.quote for item in groups["progress"]]
    assert shown == [f"progress {i}" for i in range(EVIDENCE_SHOWN + 2, 2, -1)]
    assert (groups["progress"].total, groups["progress"].more) == (EVIDENCE_SHOWN + 3, 3)
    assert ([item.citation.quote for item in groups["setback"]], groups["setback"].more) == (["setback 0"], 0)
    assert (list(groups["context"]), groups["context"].total) == ([], 0)
    page = response.content.decode()
    assert "progress 0<" not in page
    assert f"The {EVIDENCE_SHOWN} newest of {EVIDENCE_SHOWN + 3}:" in page

    rest = analyst_client.get(groups["progress"].rest_url)
    assert rest.status_code == 200
    assert sorted(e.citation.quote for e in rest.context["cl"].result_list) == sorted(
        f"progress {i}" for i in range(EVIDENCE_SHOWN + 3)
    )


def test_the_page_costs_the_same_queries_whatever_the_length_of_the_history(analyst_client, case, parties):
    counts = []
    for n in (1, 12):
        measure = factories.MeasureFactory(case=case)
        for party in parties.values():
            assess(measure, party, n)
        for stance in Evidence.Stance.values:
            evidence(measure, stance, n)
        page_of(analyst_client, measure)  # the session and the site's caches, once
        with CaptureQueriesContext(connection) as queries:
            page_of(analyst_client, measure)
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("shown", [1, 3, 50])
def test_newest_evidence_is_the_detailed_states_evidence_in_its_order(measure, shown):
    """The newest pieces per stance are the first of the detailed state's evidence (newest evidence date
    first, undated last, then by id), and only those that count by the day."""
    for stance in Evidence.Stance.values:
        evidence(measure, stance, 4)
    undated = factories.SourceFactory(published_on=None, date_precision="unknown")
    factories.EvidenceFactory(
        measure=measure, stance="progress", citation=factories.CitationFactory(case=measure.case, source=undated)
    )
    # On the third day the later events and the undated source (on record today) do not count yet.
    for as_of in (DAY + datetime.timedelta(days=2), timezone.localdate()):
        detailed = case_state(measure.case, measure=measure, as_of=as_of).rows[0].evidence
        got = newest_evidence_by_stance(measure, as_of=as_of, shown=shown)
        for stance in Evidence.Stance.values:
            expected = [item for item in detailed if item.stance == stance]
            items, total = got[stance]
            assert (items, total) == (expected[:shown], len(expected))


def test_newest_assessments_are_the_history_newest_first(measure, parties):
    from measures.state import assessment_history

    for i, party in enumerate(parties.values()):
        assess(measure, party, 3 + i)
    factories.AssessmentFactory(measure=measure, party=parties["IRN"], effective_date=DAY, approved=False)
    history = list(reversed(assessment_history(measure.case, measure=measure, include_pending=True)))
    got = newest_assessments(measure, shown=2)
    for party in parties.values():
        expected = [change.assessment for change in history if change.assessment.party_id == party.pk]
        assert got[party.pk] == (expected[:2], len(expected))


@pytest.mark.parametrize("function", [newest_assessments, newest_evidence_by_stance])
def test_shown_must_be_at_least_one(measure, function):
    with pytest.raises(ValueError, match="at least 1"):
        function(measure, shown=0, **({"as_of": timezone.localdate()} if function is newest_evidence_by_stance else {}))


def test_evidence_dated_after_a_closed_cases_end_is_listed_and_counted_as_the_linked_list(analyst_client, measure):
    """The team's page lists every piece on record, whatever its date: a passage about an event after
    the case's end date is shown at once, and "all N" is the length of the list the link opens."""
    case = measure.case
    case.status, case.end_date = "closed", DAY + datetime.timedelta(days=20)
    case.save()
    evidence(measure, Evidence.Stance.SETBACK, EVIDENCE_SHOWN + 2)
    later = factories.EvidenceFactory(
        measure=measure,
        stance=Evidence.Stance.SETBACK,
        citation=factories.CitationFactory(
            case=case,
            quote="setback after the end",
            event=factories.EventFactory(case=case, date=case.end_date + datetime.timedelta(days=10)),
        ),
    )

    response = page_of(analyst_client, measure)
    setback = {stance: items for stance, _, items in response.context["evidence_by_stance"]}["setback"]
    assert setback[0] == later
    rest = analyst_client.get(setback.rest_url)
    assert rest.status_code == 200
    assert setback.total == rest.context["cl"].result_count == EVIDENCE_SHOWN + 3
    page = response.content.decode()
    assert f"The {EVIDENCE_SHOWN} newest of {EVIDENCE_SHOWN + 3}:" in page
    assert "setback after the end" in page
    assert "the levels above count only those dated by 21 Feb 2024" in page


def test_a_reader_sees_approved_judgements_only_on_the_page_and_its_history(client, measure, parties):
    """What awaits review, or was returned, is the team's: a reader (view-only in the workspace) sees on
    the measure's page and its History what the reading pages and the assessment list show."""
    approved = factories.AssessmentFactory(measure=measure, party=parties["PAK"], rationale="APPROVED judgement")
    factories.AssessmentFactory(
        measure=measure, party=parties["PAK"], approved=False, rationale="PENDING judgement", effective_date=DAY
    )
    client.force_login(factories.reader(username="reader"))
    response = page_of(client, measure)
    pakistan = response.context["party_histories"][1]
    assert list(pakistan["assessments"]) == [approved] and pakistan["assessments"].total == 1
    history = client.get(reverse("admin:measures_measure_history", args=[measure.pk])).content.decode()
    for page in (response.content.decode(), history):
        assert "PENDING judgement" not in page
    assert "APPROVED judgement" in history
