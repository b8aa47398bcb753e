"""The three roles, as Django groups. Shared by the data migration, the demo accounts and the tests."""

READER = "Reader"
ANALYST = "Analyst"
ADMINISTRATOR = "Administrator"
ROLES = (READER, ANALYST, ADMINISTRATOR)

# Models analysts may add and change (their history is kept by django-simple-history).
ANALYST_EDITS = ["party", "case", "measure", "source", "event", "citation", "evidence"]
# What analysts may delete: deletion is refused by PROTECT while anything depends on the row.
ANALYST_DELETES = ["source", "event", "citation", "evidence"]


def permission_codenames(role, model_names):
    """The permission codenames of `role` over the given model names of the measures app."""
    view = [f"view_{name}" for name in model_names]
    if role == READER:
        return view
    if role == ANALYST:
        return (
            view
            + [f"{action}_{name}" for name in ANALYST_EDITS for action in ("add", "change")]
            + ["add_assessment"]
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


def reader_required(view):
    """For the reading pages: anonymous visitors go to the login page; a logged-in account without a
    role that may read cases (Reader, Analyst, Administrator) gets 403."""
    from django.contrib.auth.decorators import login_required, permission_required

    return login_required(permission_required("measures.view_case", raise_exception=True)(view))


def readable_cases(user):
    """The cases `user` may read, as a queryset: the one place that says so for pages that list
    records across cases (search). Today every case for an account with a role that may read cases
    (measures.view_case, as reader_required), none for anyone else; a case's own pages check the
    same permission."""
    from measures.models import Case

    if user.is_authenticated and user.has_perm("measures.view_case"):
        return Case.objects.all()
    return Case.objects.none()
