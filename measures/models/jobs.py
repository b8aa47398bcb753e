"""ReportJob: a status report PDF made by the background worker (reports.jobs), kept for reuse."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from measures.models.cases import Case


class ReportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the report worker"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportJobAudience(models.TextChoices):
    ACCOUNT = "account", "Readers with an account"
    PUBLIC = "public", "Anyone (a published or shared case): names no one"


class ReportJob(models.Model):
    """A status report PDF made by the background worker (reports.jobs), kept for reuse.

    One job per case data version (and every case's, which its comparison with the others reads),
    period, "as known on" date, as-of rule, paper size and audience: while the data and the period
    are unchanged, the stored PDF is served at once to everyone of that audience who asks (one made
    for readers with an account names who asked; a public one no one). A new data version makes a
    new job; old files stay until pruned.
    """

    Status = ReportJobStatus
    Audience = ReportJobAudience

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="report_jobs")
    data_version = models.PositiveBigIntegerField()
    others_version = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text="Every case's data version when asked for: the key judgements compare it with the others.",
    )
    as_of = models.DateField()
    since = models.DateField()
    known_on = models.DateField(
        null=True, blank=True, help_text="As known on this day (empty: everything on record when made)."
    )
    recorded_since = models.DateField(
        null=True, blank=True, help_text="The report lists what was recorded from this day on (empty: no such list)."
    )
    as_of_rule = models.CharField(
        max_length=100, default="given", help_text="Which default gave the as-of date, or “given”; the report says it."
    )
    paper = models.CharField(max_length=10)
    audience = models.CharField(
        max_length=7,
        choices=Audience,
        default=Audience.ACCOUNT,
        help_text="Whom the PDF was made for: a public one names no one (not who asked for it).",
    )
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    stage = models.CharField(max_length=100, blank=True, help_text="What the worker is doing, for the reader.")
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0 to 100.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    requested_from = models.GenericIPAddressField(
        null=True,
        blank=True,
        editable=False,
        help_text="The client address a job asked for without an account came from, kept while it waits (the "
        "queue's share per address, reports.jobs) and cleared once it is made or has failed.",
    )
    site_url = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker has started making this PDF (bounded: reports.jobs.MAX_ATTEMPTS)."
    )
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last sign of life of its worker: a running job silent longer than its lease is reclaimed.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="reports/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # Two constraints because NULLs are distinct in a unique index: one job per report asked for.
            # …and as many as the optional dates make (known_on, recorded_since: each empty or given).
            models.UniqueConstraint(
                fields=[
                    "case",
                    "data_version",
                    "others_version",
                    "as_of",
                    "since",
                    "paper",
                    "as_of_rule",
                    "audience",
                ],
                condition=Q(known_on__isnull=True, recorded_since__isnull=True),
                name="report_job_unique_per_version",
            ),
            models.UniqueConstraint(
                fields=[
                    "case",
                    "data_version",
                    "others_version",
                    "as_of",
                    "since",
                    "known_on",
                    "paper",
                    "as_of_rule",
                    "audience",
                ],
                condition=Q(known_on__isnull=False, recorded_since__isnull=True),
                name="report_job_unique_per_version_known_on",
            ),
            models.UniqueConstraint(
                fields=[
                    "case",
                    "data_version",
                    "others_version",
                    "as_of",
                    "since",
                    "recorded_since",
                    "paper",
                    "as_of_rule",
                    "audience",
                ],
                condition=Q(known_on__isnull=True, recorded_since__isnull=False),
                name="report_job_unique_per_version_recorded",
            ),
            models.UniqueConstraint(
                fields=[
                    "case",
                    "data_version",
                    "others_version",
                    "as_of",
                    "since",
                    "known_on",
                    "recorded_since",
                    "paper",
                    "as_of_rule",
                    "audience",
                ],
                condition=Q(known_on__isnull=False, recorded_since__isnull=False),
                name="report_job_unique_per_version_known_on_recorded",
            ),
            models.CheckConstraint(condition=Q(status__in=ReportJobStatus.values), name="report_job_status_valid"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_job_progress_percent"),
            models.CheckConstraint(
                condition=Q(audience__in=ReportJobAudience.values), name="report_job_audience_valid"
            ),
        ]

    def __str__(self):
        return f"{self.case} report as of {self.as_of} since {self.since} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("measures:report_job", args=[self.case.slug, self.pk])


class WorkKind(models.TextChoices):
    """Costly work a user starts inside a request, limited per user (setting IMPORTS_PER_USER). The
    reading of an uploaded document is the worker's, limited by SOURCE_EXTRACTIONS_PER_USER (ExtractionJob)."""

    EVENT_IMPORT = "event_import", "Events file import"


class WorkSlot(models.Model):
    """One costly piece of work a user has under way (measures.services.accounts.work_slot): counted
    against the user's share while it runs, deleted when it ends. A slot left by a killed process stops
    counting at `expires_at`."""

    Kind = WorkKind

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_slots")
    kind = models.CharField(max_length=20, choices=WorkKind)
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["started_at", "pk"]
        indexes = [models.Index(fields=["user", "kind", "expires_at"], name="work_slot_user_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=WorkKind.values), name="work_slot_kind_valid"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("started_at")), name="work_slot_expires_after"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.user} since {self.started_at:%Y-%m-%d %H:%M}"


class ExtractionJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Being read"
    DONE = "done", "Read"
    FAILED = "failed", "Not read"


class ExtractionJob(models.Model):
    """The reading of an uploaded document (measures.intake.jobs), done by the tasks worker in a child
    process with memory and time budgets, for the analyst who uploaded it to review.

    The file waits in the intake staging folder (`staged`: its signed token) until the source is saved;
    `result` holds what was extracted (measures.intake.sandbox.document_to_json) once it is done, and
    `error` the refusal, naming the budget a file went over.
    """

    Status = ExtractionJobStatus

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    size = models.PositiveBigIntegerField(default=0, help_text="The file's size in bytes.")
    staged = models.TextField(help_text="The signed token of the staged file (measures.intake.staging).")
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    stage = models.CharField(max_length=100, blank=True, help_text="What the worker is doing, for the analyst.")
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker has started reading it (bounded: measures.intake.jobs)."
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    peak_bytes = models.PositiveBigIntegerField(
        default=0, help_text="The reading's peak resident memory, in bytes (0: not known)."
    )
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExtractionJobStatus.values), name="extraction_job_status_valid"
            ),
        ]

    def __str__(self):
        return f"Reading of “{self.name}” ({self.get_status_display()})"
