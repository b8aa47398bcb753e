"""Work done off the request by the tasks worker, each kind a LeasedJob: a status report PDF (ReportJob,
reports.jobs), the reading of an uploaded document (ExtractionJob, measures.intake.jobs) and an events
file import (EventImportJob, workspace.imports); and the per-user slots of work done in a request."""

import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from measures.models.cases import Case

logger = logging.getLogger("measures.jobs")


class JobReclaimed(Exception):
    """The job was taken back from this worker (its lease ran out, or it was retried): its writes would be stale."""


class LeasedJob(models.Model):
    """The one rule of work off the request, whatever the kind: a job is queued, taken by a worker
    (`begin`: one more attempt, running), kept alive by its worker's writes (`update` stamps
    `heartbeat_at`) and finished (done or failed). A running job whose worker has been silent for
    `lease_seconds()` has lost its worker (killed, machine lost): it is reclaimed (`reclaim_if_abandoned`,
    and every poll of the worker: `reclaim_abandoned`), queued again while it has starts left
    (MAX_ATTEMPTS), else failed with `abandoned_error` and offered again by a retry button (`retry`, a
    fresh count). A worker that outlives its lease finds the attempt number changed and stops writing
    (JobReclaimed).

    Fair queue: a job is queued behind the other jobs of its requester (`requester`): the task's
    priority falls by one for each job of the same requester already waiting or under way, so one
    reader's ten PDFs do not make a colleague's first one wait behind all ten (django-tasks-db serves
    the highest priority first, then the oldest).

    A kind sets TASK (the dotted path of its task, which takes the job's id), LEASE_SECONDS and
    MAX_ATTEMPTS, and may override `lease_seconds`, `requester`, `reset_fields`, `abandoned_error` and
    `on_given_up`."""

    TASK = ""
    LEASE_SECONDS = 120
    MAX_ATTEMPTS = 3

    # Each kind declares `status` with its own labels; the values are these four.
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

    stage = models.CharField(max_length=100, blank=True, help_text="What the worker is doing, for the reader.")
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker has started this job (bounded: the kind's MAX_ATTEMPTS)."
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last sign of life of its worker: a running job silent longer than its lease is reclaimed.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self):
        return self.status in (self.DONE, self.FAILED)

    @classmethod
    def lease_seconds(cls):
        """How long its worker may stay silent before the job is taken back (seconds)."""
        return cls.LEASE_SECONDS

    def requester(self):
        """The filter of the jobs of the same requester ({field: value}; empty: no requester), for the fair queue."""
        return {"requested_by": self.requested_by_id} if self.requested_by_id else {}

    def reset_fields(self):
        """What a job queued again starts from, beyond status, stage, error and times (the kind's progress)."""
        return {}

    def abandoned_error(self, silent):
        """The message of a job given up after its worker stopped MAX_ATTEMPTS times (`silent`: a timedelta)."""
        return (
            f"The worker stopped while doing this, {self.attempts} times in a row (the last time it was silent for "
            f"{round(silent.total_seconds())} s). Try again."
        )

    def on_given_up(self):
        """Called once the job is failed for good by its lease (the kind's clean-up)."""

    # --- the worker's side ---------------------------------------------------------------------------

    def update(self, **fields):
        """Write `fields`, as long as the job is still this worker's attempt; stamps the heartbeat.
        Raises JobReclaimed (nothing written) once it was taken back or retried since this attempt began."""
        fields = {**fields, "heartbeat_at": timezone.now()}
        if not type(self).objects.filter(pk=self.pk, attempts=self.attempts).update(**fields):
            raise JobReclaimed(f"{type(self).__name__} {self.pk}: attempt {self.attempts} was taken back.")
        for name, value in fields.items():
            setattr(self, name, value)

    def begin(self, *, stage, **fields):
        """Take the job for this worker: one more attempt, running. False (nothing written) when it is
        finished already (a stale task of a job taken back) or another worker took it at the same moment."""
        if self.finished:
            return False
        self.attempts += 1
        if not type(self).objects.filter(pk=self.pk, attempts=self.attempts - 1).update(attempts=self.attempts):
            return False
        self.update(status=self.RUNNING, stage=stage, started_at=timezone.now(), error="", **fields)
        return True

    # --- the queue's side ----------------------------------------------------------------------------

    def enqueue(self):
        """Queue the job's task, behind the requester's other jobs (the fair queue). Returns the job, reloaded."""
        task = import_string(self.TASK)
        mine = self.requester()
        ahead = 0
        if mine:
            ahead = (
                type(self).objects.filter(status__in=(self.QUEUED, self.RUNNING), **mine).exclude(pk=self.pk).count()
            )
        result = task.using(priority=-min(ahead, 100)).enqueue(self.pk)
        type(self).objects.filter(pk=self.pk).update(task_id=str(result.id))
        self.refresh_from_db()
        return self

    def requeue(self, *, attempts=None):
        """Queue the job again from the start; `attempts=0` gives it a fresh count (the retry button)."""
        fields = {
            "status": self.QUEUED,
            "stage": "",
            "error": "",
            "started_at": None,
            "finished_at": None,
            **self.reset_fields(),
        }
        if attempts is not None:
            fields["attempts"] = attempts
        self.update(**fields)
        return self.enqueue()

    def retry(self):
        """The requester's "Try again" on a failed job: queued again with a fresh count. Others unchanged."""
        if self.status != self.FAILED:
            return self
        return self.requeue(attempts=0)

    @classmethod
    def abandoned(cls, now=None):
        """The running jobs of this kind whose worker is gone: silent longer than their lease (a list)."""
        now = now or timezone.now()
        running = cls.objects.filter(status=cls.RUNNING, heartbeat_at__isnull=False)
        return list(running.filter(heartbeat_at__lt=now - timedelta(seconds=cls.lease_seconds())))

    def is_abandoned(self, now=None):
        if self.status != self.RUNNING or self.heartbeat_at is None:
            return False
        return (now or timezone.now()) - self.heartbeat_at > timedelta(seconds=self.lease_seconds())

    def reclaim_if_abandoned(self, *, now=None):
        """Take the job back from a worker that is gone: queued again while it has starts left
        (MAX_ATTEMPTS), else failed with `abandoned_error`. Returns the job as it now is (unchanged when
        its worker is alive). Logged on "measures.jobs"."""
        now = now or timezone.now()
        if not self.is_abandoned(now):
            return self
        self.refresh_from_db()
        if not self.is_abandoned(now):
            return self
        silent = now - self.heartbeat_at
        kind = str(self._meta.verbose_name).capitalize()
        try:
            if self.attempts >= self.MAX_ATTEMPTS:
                logger.error(
                    "%s %s: worker silent for %s after attempt %s of %s; failed",
                    kind,
                    self.pk,
                    silent,
                    self.attempts,
                    self.MAX_ATTEMPTS,
                )
                self.update(status=self.FAILED, stage="Failed", error=self.abandoned_error(silent), finished_at=now)
                self.on_given_up()
                return self
            logger.warning(
                "%s %s: worker silent for %s during attempt %s of %s; queued again",
                kind,
                self.pk,
                silent,
                self.attempts,
                self.MAX_ATTEMPTS,
            )
            return self.requeue()
        except JobReclaimed:  # someone else reclaimed it (or the worker woke up) at the same moment
            self.refresh_from_db()
            return self


def job_kinds():
    """Every kind of LeasedJob (the concrete models)."""
    return [model for model in apps.get_models() if issubclass(model, LeasedJob)]


def reclaim_abandoned(now=None):
    """Reclaim the abandoned jobs of every kind (LeasedJob.reclaim_if_abandoned): the worker runs it at
    each poll. Returns {model name: how many were reclaimed}, only the kinds that had some."""
    reclaimed = {}
    for kind in job_kinds():
        jobs = kind.abandoned(now)
        for job in jobs:
            job.reclaim_if_abandoned(now=now)
        if jobs:
            reclaimed[kind.__name__] = len(jobs)
    return reclaimed


class ReportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the report worker"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportJobAudience(models.TextChoices):
    ACCOUNT = "account", "Readers with an account"
    PUBLIC = "public", "Anyone (a published or shared case): names no one"


def _one_job_per_report():
    """One unique constraint per combination of the report's optional dates (`known_on`,
    `recorded_since`, each empty or given): NULLs are distinct in a unique index, so a single constraint
    over every field would let two jobs for the same report in whenever an optional date is empty."""
    suffixes = {
        (): "",
        ("known_on",): "_known_on",
        ("recorded_since",): "_recorded",
        ("known_on", "recorded_since"): "_known_on_recorded",
    }
    for given, suffix in suffixes.items():
        yield models.UniqueConstraint(
            fields=[
                "case",
                "data_version",
                "others_version",
                "as_of",
                "since",
                *given,
                "paper",
                "as_of_rule",
                "audience",
            ],
            condition=Q(**{f"{name}__isnull": name not in given for name in ("known_on", "recorded_since")}),
            name=f"report_job_unique_per_version{suffix}",
        )


class ReportJob(LeasedJob):
    """A status report PDF made by the background worker (reports.jobs), kept for reuse.

    One job per case data version (and every case's, which its comparison with the others reads),
    period, "as known on" date, as-of rule, paper size and audience: while the data and the period
    are unchanged, the stored PDF is served at once to everyone of that audience who asks (one made
    for readers with an account names who asked; a public one no one). A new data version makes a
    new job; old files stay until pruned. Its lease: LeasedJob (the worker stamps it at each stage
    and every HEARTBEAT_SECONDS while WeasyPrint lays out, reports.jobs).
    """

    Status = ReportJobStatus
    Audience = ReportJobAudience
    TASK = "reports.jobs.render_report_job"
    LEASE_SECONDS = 120
    MAX_ATTEMPTS = 3

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
    file = models.FileField(upload_to="reports/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            *_one_job_per_report(),
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

    def requester(self):
        # Without an account, the queue's share is the client address's.
        if self.requested_by_id:
            return {"requested_by": self.requested_by_id}
        return {"requested_by__isnull": True, "requested_from": self.requested_from} if self.requested_from else {}

    def update(self, **fields):
        if fields.get("status") in (self.DONE, self.FAILED):
            fields["requested_from"] = None  # needed only while it waits (the queue's share per address)
        super().update(**fields)

    def reset_fields(self):
        return {"progress": 0, "file": ""}

    def abandoned_error(self, silent):
        return (
            f"The report worker stopped while making this report, {self.attempts} times in a row "
            f"(the last time it was silent for {round(silent.total_seconds())} s). Try again; if it fails again, "
            "the report may be too large for the worker's memory."
        )


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


class ExtractionJob(LeasedJob):
    """The reading of an uploaded document (measures.intake.jobs), done by the tasks worker in a child
    process with memory and time budgets, for the analyst who uploaded it to review.

    The file waits in the intake staging folder (`staged`: its signed token) until the source is saved;
    `result` holds what was extracted (measures.intake.sandbox.document_to_json) once it is done, and
    `error` the refusal, naming the budget a file went over. Its lease: the time budget of the reading
    and a minute (the child is killed at the budget, so only a dead worker stays silent longer).
    """

    Status = ExtractionJobStatus
    TASK = "measures.intake.jobs.extract_source_job"
    # A document that kills its worker must not kill every next one.
    MAX_ATTEMPTS = 2

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    size = models.PositiveBigIntegerField(default=0, help_text="The file's size in bytes.")
    staged = models.TextField(help_text="The signed token of the staged file (measures.intake.staging).")
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    result = models.JSONField(null=True, blank=True)
    peak_bytes = models.PositiveBigIntegerField(
        default=0, help_text="The reading's peak resident memory, in bytes (0: not known)."
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExtractionJobStatus.values), name="extraction_job_status_valid"
            ),
        ]

    def __str__(self):
        return f"Reading of “{self.name}” ({self.get_status_display()})"

    @classmethod
    def lease_seconds(cls):
        return settings.SOURCE_EXTRACT_SECONDS + 60

    def abandoned_error(self, silent):
        return (
            f"The worker stopped while reading “{self.name}”, {self.attempts} times in a row. Nothing was saved. "
            "The file may be too costly to read: save a smaller version, or paste its text."
        )

    def on_given_up(self):
        # The staged file is of no more use (the intake staging module, named, not imported: a lower layer).
        import_string("measures.intake.staging.discard")(self.staged)


class EventImportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Being imported"
    DONE = "done", "Imported"
    FAILED = "failed", "Not imported, or not all"


class EventImportJob(LeasedJob):
    """An events file import (measures.importing.events_csv) run by the tasks worker
    (measures.intake.event_imports) once the analyst has seen its preview and confirmed it: an import of
    thousands of rows takes minutes, longer than any request may.

    The files wait in the row (`content`, `mapping`, `deletions`: at most 2 MB each from the admin page)
    until the import ends, then are cleared. `written` counts the events written so far (each batch
    stamps it, and the heartbeat); `result` holds what the import did (added, updated, removed, already
    there, kept, batches, the lines written) and `problems` why a batch was refused and which lines were
    not written. Imported again after its worker died (its lease: LeasedJob), the file is compared anew,
    so what the dead attempt wrote is "already there", never doubled.
    """

    Status = EventImportJobStatus
    TASK = "measures.intake.event_imports.import_events_job"
    # The comparison of a large file runs minutes without a batch (the heartbeat) on a loaded machine.
    LEASE_SECONDS = 600
    MAX_ATTEMPTS = 2

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="event_import_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255, help_text="The event file's name as uploaded.")
    content = models.BinaryField(help_text="The event file (CSV), until the import ends.")
    mapping = models.BinaryField(null=True, blank=True, help_text="The mapping file (JSON), if any.")
    deletions = models.BinaryField(null=True, blank=True, help_text="The deletion list (CSV), if any.")
    sync = models.BooleanField(default=False, help_text="The export is complete: remove what it no longer holds.")
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Events to write (added, updated or removed).")
    written = models.PositiveIntegerField(default=0, help_text="Events written so far.")
    result = models.JSONField(null=True, blank=True, help_text="What the import did (counts and lines written).")
    problems = models.JSONField(default=list, blank=True, help_text="Why it stopped, and the lines not written.")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=EventImportJobStatus.values), name="event_import_job_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(written__lte=models.F("total")), name="event_import_job_written_le_total"
            ),
        ]

    def __str__(self):
        return f"Import of “{self.name}” into {self.case} ({self.get_status_display()})"

    def reset_fields(self):
        return {"written": 0, "total": 0, "result": None, "problems": []}

    def abandoned_error(self, silent):
        return (
            f"The worker stopped while importing “{self.name}”, {self.attempts} times in a row. The batches it "
            "wrote stay (import the file again: they are recognised as already there)."
        )
