"""The three roles, as Django groups. Shared by the data migration, the demo accounts and the tests."""

READER = "Reader"
ANALYST = "Analyst"
ADMINISTRATOR = "Administrator"
ROLES = (READER, ANALYST, ADMINISTRATOR)

# Models analysts may add and change (their history is kept by django-simple-history).
ANALYST_EDITS = ["party", "case", "measure", "source", "event", "citation", "evidence"]
# What analysts may delete: deletion is refused by PROTECT while anything depends on the row.
ANALYST_DELETES = ["source", "event", "citation", "evidence"]
# Each user's own following of cases: no role sees other people's (administrators have every permission).
PRIVATE_MODELS = ["subscription", "notification", "alert", "watchpoint"]
# Commitments (measures.models.commitments): analysts record them and judge their outcome, append-only.
COMMITMENT_READS = ["view_commitment", "view_commitmentoutcome"]
COMMITMENT_WRITES = ["add_commitment", "change_commitment", "add_commitmentoutcome"]


def permission_codenames(role, model_names):
    """The permission codenames of `role` over the given model names of the measures app."""
    view = [f"view_{name}" for name in model_names if name not in PRIVATE_MODELS]
    if role == READER:
        return view
    if role == ANALYST:
        return (
            view
            + [f"{action}_{name}" for name in ANALYST_EDITS for action in ("add", "change")]
            + ["add_assessment"]
            + COMMITMENT_WRITES
            + [f"delete_{name}" for name in ANALYST_DELETES]
        )
    raise ValueError(f"unknown role {role}")


def ensure_roles(Group, Permission, using="default"):
    """Create whichever of the three groups is missing, with its permissions; a group that exists is
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
    """Whether `user` may read `case`: its pages, report, feed, and whatever alerts and digests say of it.

    The one rule alerts, digests and feeds ask (measures.services.alerts, alerts/): an active account
    with a role that reads cases. Hook: when cases become private, published or shared (the review and
    publication workflow), the rule for one case goes here.
    """
    return bool(user is not None and user.is_active and user.has_perm("measures.view_case"))


def reader_required(view):
    """For the reading pages: anonymous visitors go to the login page; a logged-in account without a
    role that may read cases (Reader, Analyst, Administrator) gets 403."""
    from django.contrib.auth.decorators import login_required, permission_required

    return login_required(permission_required("measures.view_case", raise_exception=True)(view))


def readable_cases(user):
    """The cases `user` may read, as a queryset: the one place that rule lives, for the pages that
    list or compare cases (the matrix, a type's page, the report's comparison with other cases).

    An active account with a role that reads cases (Reader, Analyst, Administrator: the `view_case`
    permission, as `reader_required` asks) reads every case, and so does the command line (`user`
    None); anyone else (an anonymous visitor, an account without a role) reads none. The pages, the
    report and the read API (`api.access`) all ask here. When cases become private or published,
    this is what changes.
    """
    from measures.models import Case

    if user is None or (user.is_authenticated and user.is_active and user.has_perm("measures.view_case")):
        return Case.objects.all()
    return Case.objects.none()
