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


def sync_roles(Group, Permission):
    """Create the three groups (or reset their permissions). Takes the models so that a migration
    can pass its historical ones; the permissions must exist already."""
    measures_perms = Permission.objects.filter(content_type__app_label="measures")
    model_names = sorted(set(measures_perms.values_list("content_type__model", flat=True)))
    for role in (READER, ANALYST):
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(measures_perms.filter(codename__in=permission_codenames(role, model_names)))
    admin_group, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    admin_group.permissions.set(Permission.objects.all())


def reader_required(view):
    """For the reading pages: anonymous visitors go to the login page; a logged-in account without a
    role that may read cases (Reader, Analyst, Administrator) gets 403."""
    from django.contrib.auth.decorators import login_required, permission_required

    return login_required(permission_required("measures.view_case", raise_exception=True)(view))
