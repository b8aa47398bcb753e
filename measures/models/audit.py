"""The audit log: one table of every change across the deployment, who made it, when, through which path.

Why a table of its own rather than a union over django-simple-history's tables: the historical tables
keep each record's full versions (the History pages read them), but they are eight tables of different
shapes, none for assessments, reviews or share links (append-only, no history), none for logins, and
a union filtered by person, case and date and paged over all of them costs a query per table and
cannot be indexed as one. AuditEntry is the index: one short row per change, written in the change's own
transaction, with the case it concerns, so the administrators' page filters and exports in one query.

Where the rows come from, so that nothing is left out:

- every write of a tracked model (party, case, measure, source, event, citation, evidence: admin,
  services, case file, import) makes a history row; `history_recorded` writes the entry for it
  (simple-history's post_create_historical_record signal: the one place all of them pass), and
  `history_user` sets the acting user on the history row when no request gave one (commands);
- assessments, reviews and share links, which have no history rows: their services call
  `AuditEntry.objects.record`;
- a case-file load, an events import and the demo data generator: one entry each, besides the entries
  of what they wrote;
- logins, failed logins and lockouts (Django's and django-axes' signals: `login_*` below).

Who and through which path come from measures.lib.acting (a request, or a command's `--user`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from measures.lib import acting
from measures.lib.text import shorten
from measures.models.cases import Case, Measure


class AuditAction(models.TextChoices):
    ADD = "add", "Added"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    RECORD = "record", "Recorded"
    APPROVE = "approve", "Approved"
    RETURN = "return", "Returned for revision"
    REVOKE = "revoke", "Revoked"
    LOAD = "load", "Loaded"
    IMPORT = "import", "Imported"
    GENERATE = "generate", "Generated"
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Login failed"
    LOCKOUT = "lockout", "Locked out"
    UNLOCK = "unlock", "Login lock lifted"


class AuditPath(models.TextChoices):
    ADMIN = acting.ADMIN, acting.PATHS[acting.ADMIN]
    PAGE = acting.PAGE, acting.PATHS[acting.PAGE]
    CASE_FILE = acting.CASE_FILE, acting.PATHS[acting.CASE_FILE]
    IMPORT = acting.IMPORT, acting.PATHS[acting.IMPORT]
    COMMAND = acting.COMMAND, acting.PATHS[acting.COMMAND]
    LOGIN = acting.LOGIN, acting.PATHS[acting.LOGIN]


class AuditEntryQuerySet(models.QuerySet):
    def record(
        self,
        *,
        action,
        kind,
        obj=None,
        object_id="",
        object_repr="",
        case=None,
        detail="",
        user=None,
        username=None,
        path=None,
    ):
        """Write one entry and return it. `obj` gives the object's id and text when given; `user` and
        `path` default to measures.lib.acting's (a request or a command), `username` to the user's."""
        current = acting.current()
        if user is None and current is not None:
            user = current.user
        if user is not None and not getattr(user, "is_authenticated", False):
            user = None  # an anonymous visitor (a lazy request.user)
        if path is None:
            path = current.path if current is not None else acting.COMMAND
        if obj is not None:
            object_id = str(obj.pk)
            object_repr = str(obj)
        case_id = case.pk if isinstance(case, Case) else case
        return self.create(
            action=action,
            kind=kind,
            object_id=object_id,
            object_repr=shorten(object_repr, 200),
            case_id=case_id,
            detail=shorten(detail, 1000),
            user=user,
            username=username if username is not None else (user.get_username() if user is not None else ""),
            path=path,
        )


class AuditEntry(models.Model):
    """One change (or login) across the deployment: what, which record, who, when, through which path."""

    Action = AuditAction
    Path = AuditPath

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="As it was then (kept if the account goes).")
    path = models.CharField(max_length=9, choices=AuditPath)
    action = models.CharField(max_length=12, choices=AuditAction)
    kind = models.CharField(max_length=40, help_text="What was changed: a model's name, or “account”.")
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    detail = models.TextField(blank=True, help_text="The fields changed, the comment, the address of a login…")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log"
        indexes = [
            models.Index(fields=["case", "at"], name="audit_case_idx"),
            models.Index(fields=["user", "at"], name="audit_user_idx"),
            models.Index(fields=["kind", "at"], name="audit_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(path__in=AuditPath.values), name="audit_path_valid"),
            models.CheckConstraint(condition=models.Q(action__in=AuditAction.values), name="audit_action_valid"),
        ]

    def __str__(self):
        who = self.username or "no user"
        return f"{self.at:%Y-%m-%d %H:%M} {who}: {self.get_action_display()} {self.kind} {self.object_repr}".strip()


# The receivers (connected by MeasuresConfig.ready) ---------------------------------------------

HISTORY_ACTIONS = {"+": AuditAction.ADD, "~": AuditAction.CHANGE, "-": AuditAction.DELETE}


def history_user(sender, history_instance, **kwargs):
    """pre_create_historical_record: a history row written with no request (a command, the loader) is
    recorded under the acting user (`--user`), so the History pages name them too."""
    current = acting.current()
    if history_instance.history_user_id is None and current is not None and current.user is not None:
        if getattr(current.user, "is_authenticated", False):
            history_instance.history_user = current.user


def _case_of(instance):
    if isinstance(instance, Case):
        return instance.pk
    if hasattr(instance, "case_id"):
        return instance.case_id
    if getattr(instance, "measure_id", None) is not None:  # evidence
        return Measure.objects.filter(pk=instance.measure_id).values_list("case_id", flat=True).first()
    return None  # parties and sources are shared by cases


def history_recorded(sender, instance, history_instance, **kwargs):
    """post_create_historical_record: the audit entry of every write of a tracked model."""
    action = HISTORY_ACTIONS.get(history_instance.history_type, AuditAction.CHANGE)
    detail = history_instance.history_change_reason or ""
    if action == AuditAction.CHANGE:
        previous = history_instance.prev_record
        if previous is not None:
            changed = history_instance.diff_against(previous).changed_fields
            detail = "; ".join(filter(None, [f"changed: {', '.join(changed)}" if changed else "", detail]))
    AuditEntry.objects.record(
        action=action,
        kind=instance._meta.model_name,
        object_id=str(instance.pk if instance.pk is not None else history_instance.id),
        object_repr=str(instance),
        # A deleted case is named by the entry's text: the entry cannot point at a row that is gone.
        case=None if action == AuditAction.DELETE and isinstance(instance, Case) else _case_of(instance),
        detail=detail,
        user=history_instance.history_user,
    )


def _address(request):
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    return address or "an unknown address"


def _login_page(request):
    return "admin login page" if request is not None and request.path.startswith("/admin/") else "login page"


def login_succeeded(sender, request, user, **kwargs):
    AuditEntry.objects.record(
        action=AuditAction.LOGIN,
        kind="account",
        obj=user,
        user=user,
        path=acting.LOGIN,
        detail=f"{_login_page(request)}, from {_address(request)}",
    )


def login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    AuditEntry.objects.record(
        action=AuditAction.LOGIN_FAILED,
        kind="account",
        object_repr=username,
        username=username,
        path=acting.LOGIN,
        detail=f"wrong password or unknown account, {_login_page(request)}, from {_address(request)}",
    )


def locked_out(sender, request, username, ip_address, **kwargs):
    AuditEntry.objects.record(
        action=AuditAction.LOCKOUT,
        kind="account",
        object_repr=str(username or "")[:150],
        username=str(username or "")[:150],
        path=acting.LOGIN,
        detail=f"too many failed logins from {ip_address or 'an unknown address'}",
    )
