"""Helpers shared by the model modules: short names, stored values, the refusal of a case change, the
uniqueness of names that look alike."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Replace

from measures.lib import text

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


def name_key_expression(field_name):
    """The database expression of measures.lib.text.name_key over `field_name`: the field with the
    joiners and bidi marks removed (one REPLACE per character, on SQLite and PostgreSQL alike)."""
    expression = models.F(field_name)
    for char in text.IGNORED_IN_NAMES:
        expression = Replace(expression, models.Value(char), models.Value(""))
    return expression


def unique_name_constraint(field_name, *, name, condition=None):
    """A uniqueness constraint on `field_name` compared as measures.lib.text.name_key compares it, so
    that no race or path (a form, the case-file loader, an import, the API) stores two names that look
    the same. The models' `same_name_error` gives the message first; this is the database's word."""
    return models.UniqueConstraint(
        name_key_expression(field_name),
        condition=condition,
        name=name,
        violation_error_message="Another record already has this name once invisible marks are set aside.",
    )


class StoredInNfc:
    """A model mixin: the fields named in `nfc_fields` (its unique names) are stored in Unicode
    normalization form C (measures.lib.text.nfc), whatever path saves them (a form, the case-file
    loader, an import, the API), so that the database's constraint (`unique_name_constraint`), which
    cannot normalise, compares "Türkiye" typed as "Tu" + U+0308 + "rkiye" as measures.lib.text.name_key
    does."""

    nfc_fields = ()

    def save(self, *args, **kwargs):
        for field_name in self.nfc_fields:
            setattr(self, field_name, text.nfc(getattr(self, field_name)))
        super().save(*args, **kwargs)


def look_alike(instance, field_name):
    """The other stored record of `instance`'s model whose `field_name` equals this one's once the
    joiners and bidi marks are set aside (measures.lib.text.name_key), or None (also for an empty value)."""
    value = getattr(instance, field_name)
    if not value:
        return None
    others = type(instance)._default_manager.alias(_name_key=name_key_expression(field_name))
    return others.filter(_name_key=text.name_key(value)).exclude(pk=instance.pk).first()


def same_name_error(instance, field_name, noun):
    """The ValidationError, on `field_name`, refusing a name another `noun` ("party") already has, or
    that differs from its name only by invisible joiners and bidi marks; None when there is none, and
    when the line rule refuses the value already (its message names the character to remove)."""
    if text.invisible_character(getattr(instance, field_name) or "") is not None:
        return None
    other = look_alike(instance, field_name)
    if other is None:
        return None
    stored = getattr(other, field_name)
    differs = "" if stored == text.nfc(getattr(instance, field_name)) else " (they differ only by invisible marks)"
    return ValidationError(
        {field_name: f"Another {noun} is already named “{stored}”{differs}: choose a name that reads differently."},
        code="unique",
    )
