"""What stops a case file's parties and measure types from matching what is stored, checked before
a load writes anything (casefile.import_case): each problem a message naming the item by its path."""

import difflib

from measures.lib.text import name_key
from measures.models import MeasureType, Party
from measures.models.base import name_key_expression


def party_problems(items):
    """What stops the file's parties from matching the stored ones: [message with path].

    A code stored under another name (or kind) is refused unless the item says `"rename": true`; a name
    that another code already has is always refused (party names are unique), as is one that differs
    from another's only by invisible joiners or bidi marks (compared by measures.lib.text.name_key, as
    the model's constraint compares them), in the file or stored.
    """
    stored = {party.code: party for party in Party.objects.filter(code__in=[item["code"] for item in items])}
    keyed = Party.objects.annotate(key=name_key_expression("name"))
    wanted = keyed.filter(key__in=[name_key(item["name"]) for item in items])
    by_name = {key: (name, code) for key, name, code in wanted.values_list("key", "name", "code")}
    in_file = {}
    problems = []
    for i, item in enumerate(items):
        party = stored.get(item["code"])
        if party is not None and not item.get("rename"):
            if party.name != item["name"]:
                problems.append(
                    f"parties[{i}].name: the party “{item['code']}” is stored as “{party.name}”, the file calls it "
                    f'“{item["name"]}”: use the stored name, or add "rename": true to rename it'
                )
            if party.kind != item["kind"]:
                problems.append(
                    f"parties[{i}].kind: the party “{item['code']}” is stored as “{party.kind}”, the file says "
                    f'“{item["kind"]}”: use the stored kind, or add "rename": true to change it'
                )
        key = name_key(item["name"])
        name, owner = by_name.get(key, (None, None))
        if owner is not None and owner != item["code"]:
            marks = "" if name == item["name"] else f" (as “{name}”: they differ only by invisible marks)"
            problems.append(f"parties[{i}].name: “{item['name']}” is already the name of the party “{owner}”{marks}")
        earlier = in_file.setdefault(key, i)
        if earlier != i:
            problems.append(
                f"parties[{i}].name: “{item['name']}” reads the same as parties[{earlier}].name "
                "(they differ at most by invisible marks): each party has its own name"
            )
    return problems


def type_problems(items):
    """Measure types the file names that the catalogue does not have: [message with path], each with
    the nearest slug as a hint. A measure without a type is no problem (it is reported as untyped)."""
    named = {item["type"] for item in items if item.get("type")}
    known = set(MeasureType.objects.values_list("slug", flat=True)) if named else set()
    problems = []
    for i, item in enumerate(items):
        slug = item.get("type")
        if slug and slug not in known:
            close = difflib.get_close_matches(slug, sorted(known), n=1, cutoff=0.6)
            hint = f" (did you mean “{close[0]}”?)" if close else ""
            problems.append(
                f"measures[{i}].type: “{slug}” is not a measure type of the catalogue{hint}; an administrator "
                "adds types under Measure types in the workspace"
            )
    return problems
