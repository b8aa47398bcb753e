"""The four roles, as Django groups. Shared by the data migrations, the demo accounts and the tests.

- Reader: reads every case (pages, reports, the admin view-only); never sees assessments awaiting review.
- Analyst: adds and edits the case's records and records assessments (which await review).
- Reviewer: reads as a reader does and approves or returns assessments (`measures.add_review`), never
  their own unless settings.ALLOW_SELF_APPROVAL.
- Administrator: everything (users, groups, publication, share links, the audit log), reviewing included.

Analysts, reviewers and administrators are "the team": they see assessments awaiting review marked as
such, and may preview the state they would make (`is_team`).
"""

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
