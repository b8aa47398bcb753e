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

from measures.importing.demo_data.generator import DOMAIN_MODELS, check_empty, generate
from measures.importing.demo_data.plan import GENERATOR_USERNAME, MAX_SCALE, DemoDataError, Plan

__all__ = ["DOMAIN_MODELS", "GENERATOR_USERNAME", "MAX_SCALE", "DemoDataError", "Plan", "check_empty", "generate"]
