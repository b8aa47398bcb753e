"""Helpers shared by the model modules: short names, stored values, the refusal of a case change."""

import re

from django.core.exceptions import ValidationError

_PARAGRAPH_LOCATOR = re.compile(r"(?:para(?:graph)?\.?|¶)\s*(\d{1,6})", re.IGNORECASE)


def _stored(instance, field_name):
    """The value of `field_name` as stored now for a saved instance (None for a new one)."""
    if instance.pk is None:
        return None
    return type(instance)._default_manager.filter(pk=instance.pk).values_list(field_name, flat=True).first()


def _counted(parts):
    """ "3 assessments and 1 evidence link" from [(3, "assessment", "assessments"), …], zeros left out."""
    named = [f"{n} {singular if n == 1 else plural}" for n, singular, plural in parts if n]
    return " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)


def case_change_error(instance, dependants):
    """The ValidationError refusing to move `instance` to another case while `dependants` rely on it.

    Invariant 1 of docs/invariants.md: which case a measure, citation or event belongs to cannot change
    once anything relies on it. `dependants()` gives [(count, singular, plural)] and is called only when
    the case changes; returns None when the case is unchanged, the instance is new, or nothing depends on it.
    """
    stored_case_id = _stored(instance, "case_id")
    if stored_case_id is None or instance.case_id is None or stored_case_id == instance.case_id:
        return None
    described = _counted(dependants())
    if not described:
        return None
    kind = instance._meta.verbose_name
    return ValidationError(
        {
            "case": (
                f"This {kind} cannot move to another case: {described} in its case rely on it. "
                f"Nothing was changed. Create a new {kind} in the other case instead."
            )
        },
        code="case_locked",
    )
