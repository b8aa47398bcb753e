"""Sources in, in the admin: a new source from an uploaded document or pasted text (upload →
review → save), the original file's link, and the suggested passages of a source for a case.

The forms collect input; extraction is measures.intake, writes are measures.services.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.html import format_html

from measures import intake, services
from measures.intake import sandbox, staging
from measures.intake.extract import HTML, max_upload_bytes
from measures.intake.language import detect_language
from measures.intake.suggest import suggest
from measures.lib.ids import parse_id, parse_offset
from measures.lib.text import clean_line
from measures.models import Case, Evidence, ExtractionJob, Measure, Source


class SourceUploadForm(forms.Form):
    """Step 1: a file, or pasted text. Valid when the text was pasted, or the file is of a type we read
    (its reading is then queued for the tasks worker: measures.intake.jobs)."""

    file = forms.FileField(
        required=False,
        label="Document",
        help_text="An HTML page saved by a browser, a PDF, a Word document (.docx) or a UTF-8 text file.",
    )
    text = forms.CharField(
        required=False,
        label="Or paste the text",
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # whose share of extractions the reading counts against (EXTRACTIONS_PER_USER)
        self.limit_reached = False

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("file")
        text = cleaned_data.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError("Give either a document or pasted text, not both.")
        if not upload and not text.strip():
            raise forms.ValidationError("Choose a document to upload, or paste the text.")
        try:
            if upload:
                name = upload.name
                intake.check_size(name, upload.size)  # before reading a byte of it
                data = upload.read()
                try:
                    doc_type = intake.sniff(data)  # the type, at once; the reading is the worker's (intake.jobs)
                except intake.IntakeError as exc:
                    raise intake.IntakeError(f"“{name}” {exc} Nothing was saved.") from None
                cleaned_data["document"] = None
                cleaned_data["original"] = staging.Original(name=name, data=data, doc_type=doc_type)
            else:
                cleaned_data["document"] = intake.from_pasted_text(text)
                cleaned_data["original"] = None
        except intake.IntakeError as exc:
            raise forms.ValidationError(str(exc), code="intake") from None
        except services.WorkLimitReached as exc:
            self.limit_reached = True
            raise forms.ValidationError(exc.messages, code="work_limit") from None
        return cleaned_data


class SourceReviewForm(forms.ModelForm):
    """Step 2: the extracted text and what the document states about itself, for the analyst to check."""

    staged = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Source
        fields = ["title", "kind", "publisher", "author", "url", "published_on", "language", "full_text"]
        widgets = {
            "published_on": AdminDateWidget,
            "full_text": forms.Textarea(attrs={"rows": 24, "cols": 100}),
        }
        labels = {"full_text": "Text"}
        help_texts = {
            "language": "Detected in the text (a BCP 47 tag: en, ur, hi, th…): correct it if it is wrong; "
            "empty when it could not be told.",
            "full_text": "Check it against the document: remove menus or footers that slipped in. "
            "It can be edited until the first citation quotes it.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_text"].required = True
        self.fields["full_text"].error_messages["required"] = (
            "The text is empty: a source needs the text its citations quote."
        )


def _jobs():
    """measures.intake.jobs, imported when first used: its task binds the tasks backend when imported, and
    this module is imported while the admin is set up, before settings (tests' TASKS) are final."""
    from measures.intake import jobs

    return jobs


def _review_form(document, *, language, token):
    """The review form filled in from an ExtractedDocument (`document` kept on it for the page). The
    single-line values a document gives (its title, publisher, author) are cleaned as the form would
    refuse them (measures.lib.text.clean_line: a Word title holding U+202E showed reversed, and the save
    was refused), so the analyst sees, and saves, what will be stored."""
    review = SourceReviewForm(
        initial={
            "title": clean_line(document.title),
            "publisher": clean_line(document.publisher),
            "author": clean_line(document.author),
            "published_on": document.published_on,
            "full_text": document.text,
            "language": language,
            "kind": Source.Kind.NEWS_REPORT if document.doc_type == HTML else "",
            "staged": token,
        }
    )
    review.document = document
    return review


class SourceIntakeMixin:
    """Adds to the source admin: "Add from a document" and "Suggested passages"."""

    def get_urls(self):
        return [
            path("add-from-document/", self.admin_site.admin_view(self.intake_view), name="measures_source_intake"),
            path(
                "<path:object_id>/suggestions/",
                self.admin_site.admin_view(self.suggestions_view),
                name="measures_source_suggestions",
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _can_accept(request):
        return request.user.has_perms(["measures.add_citation", "measures.add_evidence"])

    def _render(self, request, template, context):
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.opts, "subtitle": None, **context},
        )

    def intake_view(self, request):
        """Upload a document (or paste text), review what was extracted, save it as a source.

        A file is read by the tasks worker (measures.intake.jobs): the upload answers with a page that
        follows the reading (?reading=<job>, reloaded by a Refresh header, no JavaScript), which then
        shows the text for review, or the refusal naming the budget the file went over."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        review = None
        upload = SourceUploadForm()
        intake_jobs = _jobs()
        original = None
        if request.method == "POST" and "staged" in request.POST:
            review = SourceReviewForm(request.POST)
            token = request.POST.get("staged", "")
            try:
                original = staging.load(token, user_id=request.user.pk) if token else None
            except intake.IntakeError as exc:
                review.add_error(None, str(exc))
            if review.is_valid():
                data = review.cleaned_data
                try:
                    source = services.create_source(
                        title=data["title"],
                        kind=data["kind"],
                        full_text=data["full_text"],
                        publisher=data["publisher"],
                        author=data["author"],
                        url=data["url"],
                        published_on=data["published_on"],
                        original=original,
                        language=data["language"],
                    )
                except services.ServiceError as exc:
                    for field_name, errors in exc.message_dict.items():
                        review.add_error(field_name if field_name in review.fields else None, errors)
                else:
                    if token:
                        staging.discard(token)
                    self.message_user(
                        request,
                        format_html(
                            'Added the source “{}”. <a href="{}">See the passages suggested for each measure</a>.',
                            source,
                            reverse("admin:measures_source_suggestions", args=[source.pk]),
                        ),
                        messages.SUCCESS,
                    )
                    return redirect(reverse("admin:measures_source_change", args=[source.pk]))
        elif request.method == "POST":
            upload = SourceUploadForm(request.POST, request.FILES)
            if upload.is_valid() and upload.cleaned_data["original"] is None:  # pasted text
                document = upload.cleaned_data["document"]
                review = _review_form(document, language=detect_language(document.text), token="")
            elif upload.is_valid():
                try:
                    job = intake_jobs.request_extraction(upload.cleaned_data["original"], user=request.user)
                except intake.IntakeError as exc:
                    upload.add_error(None, str(exc))
                else:
                    if job.status in (ExtractionJob.Status.QUEUED, ExtractionJob.Status.RUNNING):
                        return redirect(f"{request.path}?reading={job.pk}")
                    return self._reading(request, job)  # read at once (tasks run in the request)
        elif "reading" in request.GET:
            job_id = parse_id(request.GET["reading"])
            if job_id is None:
                raise Http404("No such reading.")
            return self._reading(request, get_object_or_404(ExtractionJob, pk=job_id, requested_by=request.user))
        return self._intake_page(request, upload=upload, review=review, original=original)

    def _reading(self, request, job):
        """The page of a document's reading: waiting (reloaded by a Refresh header), the text for review, or
        the upload form with the refusal."""
        intake_jobs = _jobs()
        job = intake_jobs.reclaim_if_abandoned(job)  # its worker gone: queued again, or failed
        if job.status == ExtractionJob.Status.DONE:
            document = sandbox.document_from_json(job.result)
            review = _review_form(document, language=job.result.get("language", ""), token=job.staged)
            original = staging.Original(name=job.name, data=b"", doc_type=document.doc_type)
            return self._intake_page(request, review=review, original=original, size=job.size)
        if job.status == ExtractionJob.Status.FAILED:
            upload = SourceUploadForm()
            return self._intake_page(request, upload=upload, refusal=job.error)
        elapsed = round((timezone.now() - job.requested_at).total_seconds())
        context = {
            "title": "Reading the document",
            "job": job,
            "elapsed": elapsed,
            "refresh_seconds": intake_jobs.REFRESH_SECONDS,
            "worker_late": job.status == ExtractionJob.Status.QUEUED and elapsed > 30,
            "attempt": job.attempts + 1 if job.status == ExtractionJob.Status.QUEUED else job.attempts,
            "max_attempts": intake_jobs.MAX_ATTEMPTS,
            "time_budget": settings.SOURCE_EXTRACT_SECONDS,
        }
        response = self._render(request, "admin/measures/source/intake_reading.html", context)
        patch_cache_control(response, no_store=True)
        response["Refresh"] = str(intake_jobs.REFRESH_SECONDS)
        return response

    def _intake_page(self, request, *, upload=None, review=None, original=None, size=None, refusal=""):
        upload = upload or SourceUploadForm()
        context = {
            "title": "Review the text of a new source" if review is not None else "Add a source from a document",
            "upload": upload,
            "review": review,
            "original": original,
            "original_size": size if size is not None else (original.size if original is not None else 0),
            "document": getattr(review, "document", None),
            "refusal": refusal,
            "max_size": intake.human_size(max_upload_bytes()),
            "media": self.media + (review.media if review is not None else upload.media),
        }
        response = self._render(request, "admin/measures/source/intake.html", context)
        if upload.limit_reached:
            response.status_code = 429  # the user's share of extractions is taken: the form says so
        return response

    def suggestions_view(self, request, object_id):
        """The passages of a source most related to each measure of a case; accept or dismiss each."""
        source = self.get_object(request, unquote(object_id))
        if source is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, source):
            raise PermissionDenied
        case = self._suggestions_case(request, source)
        if request.method == "POST":
            if not self._can_accept(request):
                raise PermissionDenied
            return self._act_on_suggestion(request, source, case)
        context = {
            "title": f"Suggested passages: {source}",
            "original": source,
            "case": case,
            "cases": Case.objects.order_by("status", "-start_date", "name"),
            "results": suggest(source=source, case=case) if case is not None and source.full_text else [],
            "stances": Evidence.Stance.choices,
            "can_accept": self._can_accept(request),
        }
        return self._render(request, "admin/measures/source/suggestions.html", context)

    @staticmethod
    def _suggestions_case(request, source):
        """The case chosen (?case=ID), else the only case citing the source, else the only active case."""
        chosen = request.POST.get("case") or request.GET.get("case")
        if chosen:
            case_id = parse_id(chosen)
            return None if case_id is None else get_object_or_404(Case, pk=case_id)
        citing = list(Case.objects.filter(citations__source=source).distinct()[:2])
        if len(citing) == 1:
            return citing[0]
        if not citing:
            cases = list(Case.objects.filter(status=Case.Status.ACTIVE)[:2])
            if len(cases) == 1:
                return cases[0]
        return None

    def _act_on_suggestion(self, request, source, case):
        if case is None:
            self.message_user(request, "Choose a case first.", messages.ERROR)
            return redirect(reverse("admin:measures_source_suggestions", args=[source.pk]))
        back = reverse("admin:measures_source_suggestions", args=[source.pk]) + f"?case={case.pk}"
        measure_id = parse_id(request.POST.get("measure"))
        measure = Measure.objects.filter(case=case, pk=measure_id).first() if measure_id is not None else None
        if measure is None:
            self.message_user(request, "That measure does not belong to this case.", messages.ERROR)
            return redirect(back)
        try:
            if "dismiss" in request.POST:
                services.dismiss_passage(
                    source=source, measure=measure, passage=request.POST.get("passage", ""), dismissed_by=request.user
                )
                self.message_user(
                    request, f"Dismissed for measure {measure.number}: it will not be suggested again.", messages.INFO
                )
            else:
                citation, evidence = services.accept_passage(
                    case=case,
                    source=source,
                    measure=measure,
                    quote=request.POST.get("quote", ""),
                    locator=request.POST.get("locator", ""),
                    stance=request.POST.get("stance", ""),
                    note=request.POST.get("note", ""),
                    occurrence=parse_offset(request.POST.get("offset")),
                )
                self.message_user(
                    request,
                    format_html(
                        'Cited <a href="{}">{}</a> as “{}” for measure {}.',
                        reverse("admin:measures_citation_change", args=[citation.pk]),
                        citation,
                        evidence.get_stance_display(),
                        measure.number,
                    ),
                    messages.SUCCESS,
                )
        except services.ServiceError as exc:
            self.message_user(
                request, f"Measure {measure.number}: nothing was saved. " + " ".join(exc.messages), messages.ERROR
            )
        return redirect(f"{back}#measure-{measure.number}")

    @staticmethod
    def original_link(source):
        if not source.original_file:
            return "—"
        return format_html(
            '<a href="{}">{}</a> ({}, {})',
            reverse("measures:source_original", args=[source.pk]),
            source.original_name,
            source.get_original_type_display(),
            intake.human_size(source.original_size or 0),
        )
