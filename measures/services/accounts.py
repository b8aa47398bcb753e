"""Accounts: personal API tokens (created, shown once, revoked, recognised when a request sends one),
an administrator lifting the login lock of a user (django-axes), logged, and each user's share of
costly work done inside a request (`work_slot`: events imports, text extraction)."""

import contextlib
import datetime
import logging
import secrets
from dataclasses import dataclass

from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac

from measures.lib import acting
from measures.models import (
    ApiToken,
    Assessment,
    AuditEntry,
    Commitment,
    CommitmentOutcome,
    Review,
    WorkKind,
    WorkSlot,
)
from measures.models.tokens import SHOWN_CHARACTERS, TOKEN_PREFIX, token_digest
from measures.services.base import ServiceError, _field_errors, touch_cases

# More than this many active tokens per user is refused: one per script or machine is plenty, and a
# long list is a list nobody reviews.
MAX_ACTIVE_TOKENS = 20
# A use is noted on the token at most once in this interval, so that reading the API does not write
# to the database on every request.
LAST_USED_PRECISION = datetime.timedelta(hours=1)


def create_api_token(*, user, name):
    """Create a personal API token for `user` named `name`. Returns (ApiToken, token): the token
    itself (a str, "dtk_" and 43 characters) exists only in this return value; the database keeps
    its SHA-256. Raises ServiceError when the name is empty or invalid, or the user already has
    MAX_ACTIVE_TOKENS active tokens."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Name the token after what will use it, e.g. “R scripts on my laptop”."
    else:
        errors.update({field: " ".join(messages) for field, messages in _field_errors(ApiToken, name=name).items()})
    if errors:
        raise ServiceError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise ServiceError(
                {"name": f"You have {active} active tokens, the most one may have: revoke one you no longer use."}
            )
        token = ApiToken.objects.create(
            user=user, name=name, shown=secret[:SHOWN_CHARACTERS], digest=token_digest(secret)
        )
    return token, secret


def revoke_api_token(*, user, token_id):
    """Revoke `user`'s token `token_id` (an id); from then on it is refused. Returns the token.
    Raises ServiceError when `user` has no such token (another user's token is "no such token":
    nobody learns which tokens others hold). Revoking a revoked token changes nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is None:
            raise ServiceError({"token": "You have no such token."})
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def user_for_api_token(secret):
    """(user, token id) of the active token `secret` (a str as sent), or None for anything else: an
    unknown, revoked or malformed token, or one whose user is inactive. One query; notes the use on the
    token (`last_used_at`) at most once per LAST_USED_PRECISION, a second query then."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token.pk


logger = logging.getLogger("measures.accounts")


def _failed_logins(user):
    from axes.models import AccessAttempt  # django-axes' table of failed logins (per username and address)

    return AccessAttempt.objects.filter(username=user.get_username())


@dataclass(frozen=True)
class LoginLocks:
    """Which of a login's two locks hold (settings AXES_LOCKOUT_PARAMETERS: the username, from any
    address; the address, for any usernames), and when each ends (None: no cool-off, it lasts until it
    is lifted, or it does not hold)."""

    username: bool
    address: bool
    address_ends: datetime.datetime | None
    username_ends: datetime.datetime | None = None


def login_locks(*, username, address):
    """The LoginLocks of a login by `username` (may be "") from `address` (may be None), counted as
    django-axes counts them: the failures recorded for each, within the cool-off (LOGIN_LOCKOUT_MINUTES),
    against LOGIN_FAILURE_LIMIT; each lock ends LOGIN_LOCKOUT_MINUTES after its latest failure. Two
    queries. For the locked-out page: a mailed link lifts a username's
    lock (lift_login_lock), never an address's, so it is offered only when the username is locked."""
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.all()
    cool_off = settings.AXES_COOLOFF_TIME
    if isinstance(cool_off, datetime.timedelta):
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)

    def counted(**match):
        found = attempts.filter(**match).aggregate(failures=Sum("failures_since_start"), latest=Max("attempt_time"))
        return found["failures"] or 0, found["latest"]

    limit = settings.AXES_FAILURE_LIMIT
    by_username, username_latest = counted(username=username) if username else (0, None)
    by_address, latest = counted(ip_address=address) if address else (0, None)

    def ends(locked, last):
        return last + cool_off if locked and isinstance(cool_off, datetime.timedelta) else None

    username_locked, address_locked = by_username >= limit, by_address >= limit
    return LoginLocks(
        username=username_locked,
        address=address_locked,
        address_ends=ends(address_locked, latest),
        username_ends=ends(username_locked, username_latest),
    )


def has_failed_logins(user):
    """Whether `user`'s username has failed logins on record (locked, or on the way to it)."""
    return _failed_logins(user).filter(failures_since_start__gt=0).exists()


def login_lock_fingerprint(user):
    """A digest (32 hex characters) of `user`'s failed-login records and password hash. It changes when
    the lock is lifted (the records are cleared), when a failure is added and when the password changes:
    a mailed unlock link that carries it works once, for the lock it was sent for."""
    records = list(_failed_logins(user).order_by("pk").values_list("pk", "failures_since_start"))
    value = f"{user.pk}|{user.password}|{records}"
    return salted_hmac("measures.accounts.unlock", value, algorithm="sha256").hexdigest()[:32]


def _keep_address_counts(user):
    """Take `user`'s username off its failed-login records, keeping them for their addresses' counts
    (lift_login_lock); how many records it took."""
    from axes.models import AccessAttempt

    with transaction.atomic():
        # The records of one address no longer under any username: one per address and browser, as
        # django-axes keeps them (NULLs never clash in its unique constraint, so they are merged here).
        cleared = 0
        for attempt in _failed_logins(user).select_for_update().order_by("pk"):
            kept = AccessAttempt.objects.filter(
                username=None, ip_address=attempt.ip_address, user_agent=attempt.user_agent
            ).first()
            if kept is None:
                attempt.username = None
                attempt.save(update_fields=["username"])
            else:
                kept.failures_since_start += attempt.failures_since_start
                kept.attempt_time = max(kept.attempt_time, attempt.attempt_time)
                kept.save(update_fields=["failures_since_start", "attempt_time"])
                attempt.delete()
            cleared += 1
    return cleared


def lift_login_lock(*, user, by, mailed=False):
    """Clear the failed logins recorded for `user`'s username (from every address), which lifts a lock on
    it, and return how many attempt records were cleared (0: it was not locked). Written to the audit log
    (action "unlock") and the log "measures.accounts": by the administrator `by` (a user, or a name), or,
    with `mailed`, by the account's owner through the link mailed to its address (alerts.views.unlock).
    The admin action also writes it to the user's history.

    An administrator's lift deletes the username's records, which also lifts the lock of each address
    they came from (the administrator lifts every lock the user's failures set). The mailed link lifts
    the username's lock only, never an address's: django-axes keeps one record per username and
    address, and counts an address's failures over every username (login_locks), so deleting them
    would let anyone clear an address by locking, then unlocking, an account of their own. With
    `mailed` the records are kept, with their times and counts, but no longer name the username
    (username NULL, which no login matches), so the address counts them until its cool-off ends. A
    lock of an address alone is lifted with manage.py axes_reset_ip."""
    username = user.get_username()
    cleared = _keep_address_counts(user) if mailed else reset(username=username)
    if mailed:
        who, actor, path = "the link mailed to the account's address", user, acting.LOGIN
    else:
        who, actor, path = str(by), by if getattr(by, "is_authenticated", False) else None, None
    logger.warning("Login lock of “%s” lifted by %s (%s failed-login record(s) cleared)", username, who, cleared)
    AuditEntry.objects.record(
        action=AuditEntry.Action.UNLOCK,
        kind="account",
        obj=user,
        user=actor,
        path=path,
        detail=f"by {who}; {cleared} failed-login record(s) cleared",
    )
    return cleared


# Per kind: (the setting with how many a user may have under way at once, how it is named to them).
WORK_LIMITS = {
    WorkKind.EVENT_IMPORT: ("IMPORTS_PER_USER", "events file import", "events file imports"),
}


class WorkLimitReached(ServiceError):
    """`user` already has as many pieces of work of this kind under way as one user may have."""


def _take_slot(user, kind):
    setting, one, many = WORK_LIMITS[kind]
    limit = getattr(settings, setting)
    now = timezone.now()
    with transaction.atomic():
        # One user's slots are counted and taken one caller at a time (a row lock on PostgreSQL; SQLite's
        # IMMEDIATE transactions serialise writers already).
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        WorkSlot.objects.filter(user=user, kind=kind, expires_at__lte=now).delete()
        under_way = WorkSlot.objects.filter(user=user, kind=kind).count()
        if under_way >= limit:
            what = f"1 {one}" if under_way == 1 else f"{under_way} {many}"
            raise WorkLimitReached(
                f"You already have {what} under way, the most one user may have at once ({setting}), so that "
                "the service stays quick for everyone. Nothing was done: try again when it has finished.",
                code="work_limit",
            )
        lease = datetime.timedelta(seconds=settings.WORK_SLOT_SECONDS)
        return WorkSlot.objects.create(user=user, kind=kind, started_at=now, expires_at=now + lease)


@contextlib.contextmanager
def work_slot(*, user, kind):
    """Count the block as one piece of work of `kind` (a WorkKind) under way for `user` while it runs.

    Raises WorkLimitReached (a ServiceError naming the limit), before the block runs, when `user` already
    has the setting's number (WORK_LIMITS: IMPORTS_PER_USER) under way: one
    analyst's parallel uploads or imports must not take every worker process and the write lock from
    the others. A slot left by a killed process stops counting after WORK_SLOT_SECONDS. Without a user
    (a management command run by the operator), nothing is counted."""
    if user is None or not getattr(user, "is_authenticated", False):
        yield None
        return
    slot = _take_slot(user, kind)
    try:
        yield slot
    finally:
        WorkSlot.objects.filter(pk=slot.pk).delete()


# A renamed account ------------------------------------------------------------------------------


def cases_named_by(user_id):
    """The ids of the cases whose records name the account `user_id` (a set): those in which it
    recorded or reviewed an assessment, or recorded a commitment or a commitment's outcome. Four queries."""
    return {
        *Assessment.objects.filter(recorded_by=user_id).values_list("measure__case", flat=True).distinct(),
        *Review.objects.filter(reviewer=user_id).values_list("assessment__measure__case", flat=True).distinct(),
        *Commitment.objects.filter(recorded_by=user_id).values_list("case", flat=True).distinct(),
        *CommitmentOutcome.objects.filter(recorded_by=user_id).values_list("commitment__case", flat=True).distinct(),
    }


def _username_before(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save of the user model: note the stored username of an account about to be saved (one
    query), unless the save cannot change it (a new account, a fixture, `update_fields` without it:
    a login's `last_login`)."""
    field = sender.USERNAME_FIELD
    if raw or instance.pk is None or (update_fields is not None and field not in update_fields):
        instance._username_before = None
        return
    instance._username_before = sender._default_manager.filter(pk=instance.pk).values_list(field, flat=True).first()


def _username_after(sender, instance, created=False, raw=False, **kwargs):
    """post_save of the user model: when the username changed, touch the cases that name the account
    (`cases_named_by`, `touch_cases`), in the save's transaction, as every write to a case does: their
    kept pages and data packages (kept per data version) name it anew."""
    before = instance.__dict__.pop("_username_before", None)
    if before is not None and before != instance.get_username():
        touch_cases(cases_named_by(instance.pk))


def connect_account_renames():
    """Connect `_username_before` and `_username_after` to the user model's saves (MeasuresConfig.ready):
    an account is renamed by its save (the Users admin, `manage.py shell`), not through a service."""
    from django.db.models.signals import post_save, pre_save

    User = get_user_model()
    pre_save.connect(_username_before, sender=User, dispatch_uid="measures.services.accounts.username_before")
    post_save.connect(_username_after, sender=User, dispatch_uid="measures.services.accounts.username_after")
