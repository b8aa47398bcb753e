"""The four roles, as Django groups. Shared by the data migrations, the demo accounts and the tests.

- Reader: reads every case (pages, reports, the admin view-only); never sees assessments awaiting review.
- Analyst: adds and edits the case's records and records assessments (which await review).
- Reviewer: reads as a reader does and approves or returns assessments (`measures.add_review`), never
  their own unless settings.ALLOW_SELF_APPROVAL.
- Administrator: everything (users, groups, publication, share links, the audit log), reviewing included.

Analysts, reviewers and administrators are "the team": they see assessments awaiting review marked as
such, and may preview the state they would make (`is_team`).

Who may read what is decided here (`readable_cases`); the accounts with their permissions and the case
rows that decision reads are kept in the cache between requests (the end of this module).
"""

import functools
import uuid

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

READER = "Reader"
ANALYST = "Analyst"
REVIEWER = "Reviewer"
ADMINISTRATOR = "Administrator"
ROLES = (READER, ANALYST, REVIEWER, ADMINISTRATOR)

# Models analysts may add and change (their history is kept by django-simple-history).
ANALYST_EDITS = ["party", "case", "measure", "source", "event", "citation", "evidence"]
# What analysts may delete: deletion is refused by PROTECT while anything depends on the row.
ANALYST_DELETES = ["source", "event", "citation", "evidence"]
# Each user's own following of cases: no role sees other people's (administrators have every permission).
PRIVATE_MODELS = ["subscription", "notification", "alert", "watchpoint"]
# Commitments (measures.models.commitments): analysts record them and judge their outcome, append-only.
COMMITMENT_READS = ["view_commitment", "view_commitmentoutcome"]
COMMITMENT_WRITES = ["add_commitment", "change_commitment", "add_commitmentoutcome"]
# Models only administrators see (the audit log, share links and their tokens); reviews only the team.
ADMINISTRATORS_ONLY = ["auditentry", "sharelink"]
TEAM_ONLY = ["review"]

REVIEW_PERMISSION = "measures.add_review"


def permission_codenames(role, model_names):
    """The permission codenames of `role` over the given model names of the measures app."""
    readable = [name for name in model_names if name not in ADMINISTRATORS_ONLY and name not in PRIVATE_MODELS]
    view = [f"view_{name}" for name in readable if name not in TEAM_ONLY]
    team_view = [f"view_{name}" for name in readable]
    if role == READER:
        return view
    if role == ANALYST:
        return (
            team_view
            + [f"{action}_{name}" for name in ANALYST_EDITS for action in ("add", "change")]
            + ["add_assessment"]
            + COMMITMENT_WRITES
            + [f"delete_{name}" for name in ANALYST_DELETES]
        )
    if role == REVIEWER:
        return team_view + ["add_review"]
    raise ValueError(f"unknown role {role}")


def is_team(user):
    """Analysts, reviewers and administrators: they see assessments awaiting review (never readers,
    never anonymous visitors)."""
    return user.has_perm("measures.add_assessment") or user.has_perm(REVIEW_PERMISSION)


def can_review(user):
    """Reviewers and administrators may approve or return assessments (not their own, see services.reviews)."""
    return user.has_perm(REVIEW_PERMISSION)


def ensure_roles(Group, Permission, using="default"):
    """Create whichever of the four groups is missing, with its permissions; a group that exists is
    left as an administrator may have changed it. Run by the data migration and after every `migrate`
    or `flush` (post_migrate, see MeasuresConfig.ready), so that emptying the database (a flush, a
    restore into a fresh database, a transactional test's teardown) never leaves a deployment without
    its roles. The permissions must exist already. Returns the names of the groups created."""
    groups, permissions = Group.objects.using(using), Permission.objects.using(using)
    missing = [role for role in ROLES if not groups.filter(name=role).exists()]
    if not missing:
        return []
    measures_perms = permissions.filter(content_type__app_label="measures")
    model_names = sorted(set(measures_perms.values_list("content_type__model", flat=True)))
    for role in missing:
        group = groups.create(name=role)
        if role == ADMINISTRATOR:
            group.permissions.set(permissions.all())
        else:
            group.permissions.set(measures_perms.filter(codename__in=permission_codenames(role, model_names)))
    return missing


def can_read_case(user, case):
    """Whether the account `user` may read `case`: its pages, report, feed, and whatever alerts and
    digests say of it (measures.services.alerts, alerts/). `readable_cases`'s rule for one case that
    is already loaded (no query), for an active account: alerts and digests go to accounts only."""
    if user is None or not user.is_active:
        return False
    return reads_every_case(user) or case.visibility == case.Visibility.PUBLISHED


def grant_model_permissions(Group, Permission, model_names, using="default"):
    """Give each existing role group the permissions its role has over `model_names` (models added
    after the groups were made: a migration adding a model calls this once its permissions exist).
    The Reviewer group is created when missing. Returns nothing."""
    ensure_roles(Group, Permission, using=using)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="measures", content_type__model__in=model_names
    )
    for group in Group.objects.using(using).filter(name__in=ROLES):
        if group.name == ADMINISTRATOR:
            group.permissions.add(*permissions)
        else:
            codenames = permission_codenames(group.name, list(model_names))
            group.permissions.add(*permissions.filter(codename__in=codenames))


def reader_required(view):
    """For the reading pages: anonymous visitors go to the login page; a logged-in account without a
    role that may read cases (Reader, Analyst, Reviewer, Administrator) gets 403."""
    from django.contrib.auth.decorators import login_required, permission_required

    return login_required(permission_required("measures.view_case", raise_exception=True)(view))


def reads_every_case(user):
    """Whether `user` reads every case, private ones included: an active account with a role that
    reads cases (Reader, Analyst, Reviewer, Administrator: the `view_case` permission, as
    `reader_required` asks)."""
    return user.is_authenticated and user.is_active and user.has_perm("measures.view_case")


def reads_some_case(user):
    """Whether `user` may read at least one case by `readable_cases`' rule (share links aside): an
    account with a role that reads cases, or anyone while a case is published. The pages about
    several cases (`reading.access.cases_reader`) and the alerts page ask it: with nothing to read
    there is nothing to compare or to follow."""
    return reads_every_case(user) or readable_cases(user).exists()


def readable_cases(user, *, shared=()):
    """The cases `user` may read, as a queryset: the one place that rule lives, for the reading pages
    (`reading.access`), the report, the matrix and a type's page, and the read API (`api.access`).

    - the command line (`user` None) and an account with a role that reads cases
      (`reads_every_case`) read every case, private ones included;
    - anyone else (an anonymous visitor, an account without a role) reads the *published* cases, and
      a case *shared by link* whose id is in `shared` (the cases of the valid share links opened in
      this browser, `reading.access.shared_case_ids`); never a private case.

    What each reads of a case (approved judgements only, no names for the public) is decided by the
    pages (`reading.access.Viewer`), not here.
    """
    from measures.models import Case

    if user is None or reads_every_case(user):
        return Case.objects.all()
    public = Q(visibility=Case.Visibility.PUBLISHED)
    if shared:
        public |= Q(visibility=Case.Visibility.SHARED, pk__in=list(shared))
    return Case.objects.filter(public)


# Who is asking, and which case they ask for, read from the cache: so that a reading page answered
# from the page cache (or with 304) costs no query at all for a logged-in reader.
#
# Each entry is kept under *tokens*: random strings that any change to what it was read from replaces,
# once that change is committed. An entry read from the database is stored with the tokens read
# *before* the database was, and a write replaces the tokens at once and again once it commits, so a
# request that read old rows while the write was committing stores them under tokens that are already
# dead: a stale entry is never found again. A token evicted from the cache is made anew, which equally
# orphans every entry made under the old one.
#
# - **Accounts** (`CachedModelBackend`, in settings.AUTHENTICATION_BACKENDS): the active user with
#   their permissions (Django's ModelBackend caches them on the user object) but not their password
#   hash, under the user's own token and the roles' token. The user's token changes when the user row is
#   saved or deleted (deactivated, password changed, logged in: `last_login`) and when their groups or
#   own permissions change; the roles' token when any group, a group's permissions or a permission
#   change (`measures.roles`: the roles are groups).
# - **Cases** (`case_by_slug`): the case's row (its data version and visibility with it), under one
#   token for all cases, changed by every save or deletion of a case and by every write's
#   `services.touch_cases` (which bumps data versions with an `update()`, which sends no signal).
#
# Not seen, as for any signal: `QuerySet.update()` or raw SQL on users, groups or cases outside the
# services. Their entries last ACCESS_CACHE_SECONDS at most.

USER_TOKEN = "access:user:{pk}"
ROLES_TOKEN = "access:roles"
CASES_TOKEN = "access:cases"
# The generation of the published-version pointers (below): replaced only by `forget_all`.
PUBLISHED_TOKEN = "access:published"


def _tokens(*names):
    """The current value of each token (made anew where the cache has none)."""
    names = [_salted(name) for name in names]
    found = cache.get_many(names)
    for name in names:
        if name not in found:
            fresh = uuid.uuid4().hex
            found[name] = fresh if cache.add(name, fresh, None) else cache.get(name, fresh)
    return [found[name] for name in names]


def _salted(name):
    """PAGE_CACHE_SALT changed (after restoring a backup, say) orphans every cached account and case."""
    return f"{name}:{settings.PAGE_CACHE_SALT}"


def forget_all(**kwargs):
    """Every cached account and case row is read again, and no published-version pointer set before is
    read any more: after `migrate` or `flush` (post_migrate), when the database under the cache may be
    another one (a backup restored, a bench's database of another scale)."""
    _bump(ROLES_TOKEN, CASES_TOKEN, PUBLISHED_TOKEN)


def _bump(*names):
    """Give each token a new value now, and again once the current transaction commits: the first so
    that this request reads anew what it wrote, the second so that what another request read before
    the commit (the old rows) is orphaned too."""

    def bump():
        cache.set_many({_salted(name): uuid.uuid4().hex for name in names}, None)

    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)


def forget_user(pk):
    """The cached account `pk` is read again from the database at its next request."""
    _bump(USER_TOKEN.format(pk=pk))


def forget_roles():
    """Every cached account is read again (a group or a permission changed)."""
    _bump(ROLES_TOKEN)


def cases_token():
    """A string that changes whenever any case is saved or deleted (its visibility among what may
    change) and at every write through the services: for what depends on every case, such as the
    report page's comparison with the cases its reader may read (reading.caching)."""
    return _tokens(CASES_TOKEN)[0]


def cases_token_key():
    """The cache key under which `cases_token()` is kept (to read it without making it)."""
    return _salted(CASES_TOKEN)


def forget_cases():
    """Every cached case row is read again (a case's data version, visibility or slug changed)."""
    _bump(CASES_TOKEN)


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend, whose `get_user` (run by AuthenticationMiddleware for each request with
    a session) answers from the cache: the user with their permissions, or None for an inactive or
    deleted account, as ModelBackend answers. One cache read and no query while nothing changed.

    The password hash is not cached. The entry holds the account's other columns, its permissions and
    the session hash Django checks each session against (`get_session_auth_hash()`: an HMAC of the
    password hash with SECRET_KEY, which every session already holds); the user comes back with
    `password` deferred, so reading it (a password check, a fallback SECRET_KEY's hash) costs one
    query, and saving the user writes the columns it holds only, never a blank password."""

    def get_user(self, user_id):
        user_token, roles_token = _tokens(USER_TOKEN.format(pk=user_id), ROLES_TOKEN)
        key = f"access:account:{user_id}:{user_token}:{roles_token}"
        entry = cache.get(key)
        if entry is not None:
            user = _account_from(entry)
        else:
            user = super().get_user(user_id)
            if user is not None:
                self.get_all_permissions(user)  # fills ModelBackend's _perm_cache and its two parts
                cache.set(key, _account_entry(user), settings.ACCESS_CACHE_SECONDS)
        if user is not None:
            # The tokens the account was read under (before the database): whatever is decided from
            # this user holds while they are current (`account_tokens`; reading.caching's sessions).
            user.access_tokens = (user_token, roles_token)
        return user


# ModelBackend's permission caches on a user object (django.contrib.auth.backends).
_PERMISSION_CACHES = ("_perm_cache", "_user_perm_cache", "_group_perm_cache")


def _account_entry(user):
    """What the cache keeps of `user`: every concrete column but the password, the permission caches
    and the session hash."""
    names = [f.attname for f in user._meta.concrete_fields if f.attname != "password"]
    return {
        "names": names,
        "values": [getattr(user, name) for name in names],
        "permissions": {name: getattr(user, name) for name in _PERMISSION_CACHES if hasattr(user, name)},
        "session_hash": user.get_session_auth_hash(),
    }


def _account_from(entry):
    """The user of a cached entry: a model instance loaded from the database with `password`
    deferred, its permissions filled in, answering `get_session_auth_hash()` from the entry until a
    password is read or set on it (a password change then updates the session with the new hash)."""
    from django.contrib.auth import get_user_model
    from django.db import router

    model = get_user_model()
    user = model.from_db(router.db_for_read(model), entry["names"], entry["values"])
    for name, value in entry["permissions"].items():
        setattr(user, name, value)
    user.get_session_auth_hash = functools.partial(_session_auth_hash, user, entry["session_hash"])
    return user


def _session_auth_hash(user, cached):
    if "password" in user.__dict__:  # read or set since it was loaded: Django's own, from it
        return type(user).get_session_auth_hash(user)
    return cached


def account_tokens(pk):
    """The current (user token, roles token) of the account `pk`, as `CachedModelBackend.get_user` puts
    them on the user it reads (`user.access_tokens`), or None where the cache has either no more
    (evicted: they are made anew, which orphans what was read under the old ones). Never makes one;
    one cache read. While they are the same, nothing about the account was saved, deleted, given or
    taken a group or a permission, nor any role changed (the signals of `connect_signals`)."""
    names = [_salted(USER_TOKEN.format(pk=pk)), _salted(ROLES_TOKEN)]
    found = cache.get_many(names)
    if len(found) != len(names):
        return None
    return tuple(found[name] for name in names)


def cached_case(slug, token):
    """The Case at `slug` when `case_by_slug` keeps it under the cases token `token` (read with
    `cache.get(cases_token_key())`), else None: never a query, never a token made. An entry under the
    current token is the case as it is now (a save, a deletion or a write since replaced the token)."""
    return cache.get(f"access:case:{token}:{slug}")


def case_by_slug(slug):
    """The Case at `slug` (a model instance, as `Case.objects.filter(slug=slug).first()` gives it), or
    None: from the cache while no case was written since it was read, else one query."""
    from measures.models import Case

    (token,) = _tokens(CASES_TOKEN)
    key = f"access:case:{token}:{slug}"
    case = cache.get(key)
    if case is not None:
        return case
    case = Case.objects.filter(slug=slug).first()
    if case is not None:
        cache.set(key, case, settings.ACCESS_CACHE_SECONDS)
    return case


# The published-version pointer: what lets reading.middleware.PublishedPageCacheMiddleware answer an
# anonymous visitor from the page cache without the database. One cache entry per published case,
# under its slug, holding its current data version; for a case that is not published (any more), or an
# address no case has any more, NOT_PUBLISHED, which a page rendered before the change cannot replace
# (a renderer only adds a pointer where none is); none where the next rendering is to add it.
PUBLIC_POINTER_PREFIX = "published-case:"
NOT_PUBLISHED = "not published"


def public_pointer_key(slug, generation=None):
    """The cache key of the pointer of the case at `slug`, in the pointers' current generation
    (`published_generation()`, read unless given). `forget_all` (after migrate or flush) starts a new
    generation: a pointer set from another database under the same cache (a backup restored, the bench's
    databases of other scales, each with a "demo-crisis-1") is never read again, and would otherwise
    answer with that database's pages until the case's next write."""
    if generation is None:
        generation = published_generation()
    return f"{PUBLIC_POINTER_PREFIX}{generation}:{slug}"


def published_generation():
    """The pointers' current generation (a token: made anew where the cache has none)."""
    return _tokens(PUBLISHED_TOKEN)[0]


def published_generation_key():
    """The cache key under which `published_generation()` is kept (to read it without making it)."""
    return _salted(PUBLISHED_TOKEN)


def case_saved(case, *, deleted=False):
    """After the current transaction commits, follow a Case saved or deleted outside the services
    (`case.save()` in a shell or a command: `connect_signals` below): a case not
    published (any more), or deleted, is never again answered from the page cache to anonymous visitors;
    a published one's pointer is dropped, to be set by its next rendering or write. No query."""
    key = public_pointer_key(case.slug)
    if not deleted and case.visibility == case.Visibility.PUBLISHED:
        transaction.on_commit(lambda: cache.delete(key))
    else:
        transaction.on_commit(lambda: cache.set(key, NOT_PUBLISHED, settings.PAGE_CACHE_SECONDS))


def connect_signals():
    """Connect the invalidations above to the models' signals (MeasuresConfig.ready)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

    from measures.models import Case

    User = get_user_model()

    def user_changed(sender, instance, **kwargs):
        forget_user(instance.pk)

    def user_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
        if not action.startswith("post_"):
            return
        if isinstance(instance, User):
            forget_user(instance.pk)
        elif pk_set is not None:  # group.user_set.add(...) and the like: the users are in pk_set
            for pk in pk_set:
                forget_user(pk)
        else:  # group.user_set.clear(): whom it held is not said
            forget_roles()

    def roles_changed(sender, **kwargs):
        forget_roles()

    def case_written(sender, instance, **kwargs):
        forget_cases()
        case_saved(instance)  # the anonymous visitors' published-version pointer

    def case_deleted(sender, instance, **kwargs):
        forget_cases()
        case_saved(instance, deleted=True)

    # weak=False: the receivers are functions defined here, which nothing else holds; connected weakly
    # (Django's default) they were collected as soon as this returned, and no save of an account, a
    # role or a case reached the cached access (tests/reading/test_access_signals.py).
    uid = "measures.roles."
    post_save.connect(user_changed, sender=User, dispatch_uid=uid + "user_saved", weak=False)
    post_delete.connect(user_changed, sender=User, dispatch_uid=uid + "user_deleted", weak=False)
    m2m_changed.connect(user_links_changed, sender=User.groups.through, dispatch_uid=uid + "user_groups", weak=False)
    m2m_changed.connect(
        user_links_changed, sender=User.user_permissions.through, dispatch_uid=uid + "user_perms", weak=False
    )
    for model in (Group, Permission):
        post_save.connect(roles_changed, sender=model, dispatch_uid=uid + f"{model.__name__}_saved", weak=False)
        post_delete.connect(roles_changed, sender=model, dispatch_uid=uid + f"{model.__name__}_deleted", weak=False)
    m2m_changed.connect(roles_changed, sender=Group.permissions.through, dispatch_uid=uid + "group_perms", weak=False)
    post_migrate.connect(forget_all, dispatch_uid=uid + "migrated", weak=False)
    post_save.connect(case_written, sender=Case, dispatch_uid=uid + "case_saved", weak=False)
    post_delete.connect(case_deleted, sender=Case, dispatch_uid=uid + "case_deleted", weak=False)
