"""The review queue (four eyes): what waits for a reviewer, oldest first, each assessment with its quoted
evidence beside the measure's text and the level in force; approve or return it in one step, or approve
one author's batch. Served by AssessmentAdmin at /admin/measures/assessment/review/ to reviewers and
administrators (`measures.add_review`); every decision goes through measures.services.reviews."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.lib.text import printable
from measures.models import Assessment, Case, Citation
from measures.roles import can_review
from measures.services.reviews import COMMENT_MAX_CHARACTERS
from measures.state import evidence_dating
from workspace.forms import parse_id

PER_PAGE = 25


@dataclass
class QueueItem:
    assessment: Assessment
    in_force: Assessment | None  # the approved assessment in force now for its measure and party
    passages: list  # [(citation, EvidenceDate or None)]
    own: bool  # recorded by the reviewer looking at the queue

    @property
    def in_force_level_label(self):
        return self.in_force.get_level_display() if self.in_force else Assessment.Level.NOT_ASSESSED.label


def queue_queryset(*, case=None, author=None):
    """What awaits review (AssessmentQuerySet.awaiting_review), oldest first, with what the queue shows."""
    assessments = Assessment.objects.awaiting_review()
    if case is not None:
        assessments = assessments.filter(measure__case=case)
    if author is not None:
        assessments = assessments.filter(recorded_by=author)
    cited = Citation.objects.with_source().defer("source__full_text").order_by("pk")
    return (
        assessments.select_related("measure__case", "party", "recorded_by", "corrects")
        .prefetch_related(Prefetch("citations", queryset=cited))
        .order_by("recorded_at", "pk")
    )


def _in_force(assessments):
    """{(measure id, party id): the approved assessment in force today}, in one query."""
    measures = {a.measure_id for a in assessments}
    today = timezone.localdate()
    found = Assessment.objects.filter(measure__in=measures).in_force(as_of=today).select_related("party")
    return {(a.measure_id, a.party_id): a for a in found}


def _waiting():
    """What awaits review, oldest first, as (id, case id, author id) rows: one pass over the assessments
    (each of the queue's figures used to scan them again: the total, the cases offered, the batches, the
    page). As many rows as assessments wait (a reviewer's backlog), whatever the size of the data."""
    return list(
        Assessment.objects.awaiting_review()
        .order_by("recorded_at", "pk")
        .values_list("pk", "measure__case", "recorded_by")
    )


def _authors(waiting, case, user):
    """[(author, number waiting)] of what awaits review (in `case`, or everywhere), the reviewer's own
    left out unless self-approval is allowed: the batches one can approve at once. `waiting` is
    `_waiting()`'s; one query (the authors)."""
    counts = {}
    for (case_id, author_id), n in waiting.items():
        if case is not None and case_id != case.pk:
            continue
        if author_id == user.pk and not settings.ALLOW_SELF_APPROVAL:
            continue
        counts[author_id] = counts.get(author_id, 0) + n
    people = get_user_model().objects.filter(pk__in=counts).order_by("username")
    return [(person, counts[person.pk]) for person in people]


def review_queue_view(model_admin, request):
    """GET: the queue (filtered by ?case= and ?author=). POST: one decision (`decision` approve or
    return, `assessment`, `comment`) or one author's batch (`decision=approve_batch`, `author`, `ids`)."""
    if not can_review(request.user):
        raise PermissionDenied
    case = Case.objects.filter(pk=parse_id(request.GET.get("case"))).first() if request.GET.get("case") else None
    author = None
    if request.GET.get("author"):
        author = get_user_model().objects.filter(pk=parse_id(request.GET.get("author"))).first()
    if request.method == "GET":
        # A filter that names no case or account is said, not dropped: the whole queue is not the filtered one.
        for name, found, what in (("case", case, "case"), ("author", author, "account")):
            value = request.GET.get(name)
            if value and found is None:
                shown = value if len(value) <= 80 else value[:80] + "…"
                said = f"No {what} has the id “{shown}”: the queue is shown for every {what}."
                model_admin.message_user(request, printable(said), messages.WARNING)
    if request.method == "POST":
        _decide(model_admin, request)
        return redirect(request.get_full_path())
    rows = _waiting()
    waiting = Counter((case_id, author_id) for _, case_id, author_id in rows)
    # The page's assessments from the ids of that pass: the queue is not scanned again to page it.
    ids = [
        pk
        for pk, case_id, author_id in rows
        if (case is None or case_id == case.pk) and (author is None or author_id == author.pk)
    ]
    page = Paginator(ids, PER_PAGE).get_page(request.GET.get("page"))
    shown = list(queue_queryset(case=case, author=author).filter(pk__in=list(page.object_list)))
    in_force = _in_force(shown)
    items = [
        QueueItem(
            assessment=a,
            in_force=in_force.get((a.measure_id, a.party_id)),
            passages=[(c, evidence_dating(c)) for c in a.citations.all()],
            own=a.recorded_by_id == request.user.pk and not settings.ALLOW_SELF_APPROVAL,
        )
        for a in shown
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Review queue",
        "subtitle": None,
        "opts": model_admin.opts,
        "items": items,
        "page": page,
        "total": len(ids),
        "case": case,
        "author": author,
        "cases": Case.objects.filter(pk__in={case_id for case_id, _ in waiting}),
        "batches": _authors(waiting, case, request.user) if author is None else [],
        "self_approval": settings.ALLOW_SELF_APPROVAL,
        "comment_max": COMMENT_MAX_CHARACTERS,
        "comment_max_text": f"{COMMENT_MAX_CHARACTERS:,}",
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/measures/assessment/review_queue.html", context)


def _decide(model_admin, request):
    decision = request.POST.get("decision")
    comment = request.POST.get("comment", "")
    try:
        if decision == "approve_batch":
            author = parse_id(request.POST.get("author"))
            ids = [pk for pk in map(parse_id, request.POST.getlist("ids")) if pk is not None]
            batch = list(queue_queryset().filter(recorded_by=author, pk__in=ids))
            if len(batch) != len(ids) or not batch:
                raise services.ServiceError(
                    {
                        "__all__": "Some of these assessments were decided on or corrected meanwhile: nothing was "
                        "approved. Look at the queue again."
                    }
                )
            services.approve_batch(assessments=batch, reviewer=request.user, comment=comment)
            model_admin.message_user(
                request, f"Approved {len(batch)} assessments by {batch[0].recorded_by}.", messages.SUCCESS
            )
            return
        assessment = (
            Assessment.objects.select_related("measure__case", "party")
            .filter(pk=parse_id(request.POST.get("assessment")))
            .first()
        )
        if assessment is None:
            raise services.ServiceError({"__all__": "That assessment does not exist."})
        if decision == "approve":
            services.approve_assessment(assessment=assessment, reviewer=request.user, comment=comment)
            model_admin.message_user(request, f"Approved: {assessment}. It counts from now on.", messages.SUCCESS)
        elif decision == "return":
            services.return_assessment(assessment=assessment, reviewer=request.user, comment=comment)
            model_admin.message_user(request, f"Returned to {assessment.recorded_by}: {assessment}.", messages.SUCCESS)
        else:
            raise services.ServiceError({"__all__": "Choose Approve or Return."})
    except services.ServiceError as exc:
        for message in exc.messages:
            model_admin.message_user(request, f"Nothing was recorded: {message}", messages.ERROR)


def queue_url(case=None):
    url = reverse("admin:measures_assessment_review")
    return f"{url}?case={case.pk}" if case is not None else url
