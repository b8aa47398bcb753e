"""Every passage an assessment cites becomes evidence of the assessment's measure.

From now on services.record_assessment attaches cited passages as evidence (the analyst picks the
stance). Assessments recorded before could cite a passage that was not evidence of their measure
(the bulk action did it), so the measure's evidence list and latest evidence date missed what the
judgement rests on. This attaches each such passage with the stance "context only" (the stance
was never judged: the note asks for a review) and writes the creation into its history, as a
save through the application would.
"""

from django.db import migrations
from django.utils import timezone

NOTE = "Cited by an assessment recorded before cited passages became evidence; stance not judged: review it."
REASON = "Cited by an assessment (migration 0005)"


def attach_cited_passages(apps, schema_editor):
    AssessmentCitation = apps.get_model("measures", "AssessmentCitation")
    Evidence = apps.get_model("measures", "Evidence")
    HistoricalEvidence = apps.get_model("measures", "HistoricalEvidence")
    attached = set(Evidence.objects.values_list("citation_id", "measure_id"))
    missing = sorted(
        {
            (citation_id, measure_id)
            for citation_id, measure_id in AssessmentCitation.objects.values_list(
                "citation_id", "assessment__measure_id"
            )
        }
        - attached
    )
    now = timezone.now()
    for citation_id, measure_id in missing:
        evidence = Evidence.objects.create(citation_id=citation_id, measure_id=measure_id, stance="context", note=NOTE)
        HistoricalEvidence.objects.create(
            id=evidence.pk,
            citation_id=citation_id,
            measure_id=measure_id,
            stance=evidence.stance,
            note=evidence.note,
            version=evidence.version,
            history_date=now,
            history_change_reason=REASON,
            history_type="+",
        )


class Migration(migrations.Migration):
    dependencies = [("measures", "0004_citation_passage_place")]

    # Reversing leaves the evidence in place: it may have been reviewed since, and nothing is lost by keeping it.
    operations = [migrations.RunPython(attach_cited_passages, migrations.RunPython.noop)]
