"""What stops a case file's parties and measure types from matching what is stored, checked before
a load writes anything (casefile.import_case): each problem a message naming the item by its path."""

import difflib

from measures.models import MeasureType, Party


def party_problems(items):
    """What stops the file's parties from matching the stored ones: [message with path].

    A code stored under another name (or kind) is refused unless the item says `"rename": true`; a name
    that another code already has is always refused (party names are unique).
    """
    stored = {party.code: party for party in Party.objects.filter(code__in=[item["code"] for item in items])}
    by_name = dict(Party.objects.filter(name__in=[item["name"] for item in items]).values_list("name", "code"))
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
        owner = by_name.get(item["name"])
        if owner is not None and owner != item["code"]:
            problems.append(f"parties[{i}].name: “{item['name']}” is already the name of the party “{owner}”")
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
