"""The three roles, as Django groups. Shared by the data migration and the tests."""

READER = "Reader"
ANALYST = "Analyst"
ADMINISTRATOR = "Administrator"

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
