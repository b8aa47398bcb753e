"""The API's documentation page: the OpenAPI document written out as a plain HTML page (every address,
parameter, field and refusal), served like every page of the site: no script, no CDN, readable without
logging in (it shows no data)."""

import re

from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from api.main import api
from api.problems import TYPES

MAX_DEPTH = 4


def _inline(text):
    """A paragraph of the schema's Markdown as HTML: `code` and **bold** only, everything else escaped."""
    html = escape(text)
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
    html = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html)
    return mark_safe(html)


def _paragraphs(text):
    return [_inline(" ".join(part.split())) for part in (text or "").split("\n\n") if part.strip()]


def _component(schema, components):
    name = schema["$ref"].rsplit("/", 1)[-1]
    return name, components.get(name, {})


def type_text(schema, components):
    """A field's type in words: "date", "list of integer", "EventOut or null", "one of: day, month"."""
    if "$ref" in schema:
        return _component(schema, components)[0]
    if "anyOf" in schema:
        kinds = [type_text(option, components) for option in schema["anyOf"]]
        return " or ".join(kind for kind in kinds if kind)
    if "enum" in schema:
        return "one of: " + ", ".join(str(value) for value in schema["enum"])
    if "const" in schema:
        return str(schema["const"])
    kind = schema.get("type", "")
    if kind == "array":
        return f"list of {type_text(schema.get('items', {}), components)}"
    if schema.get("format"):
        return schema["format"]
    return kind if isinstance(kind, str) else " or ".join(kind)


def _object_of(schema, components):
    """The object schema a field holds (through a $ref, a list or "or null"), or None."""
    if "$ref" in schema:
        return _component(schema, components)[1]
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            found = _object_of(option, components)
            if found:
                return found
    if schema.get("type") == "array":
        return _object_of(schema.get("items", {}), components)
    if schema.get("type") == "object" and "properties" in schema:
        return schema
    return None


def fields(schema, components, prefix="", depth=0):
    """[(dotted name, type, description)] of an object schema's fields, nested objects spelled out."""
    rows = []
    for name, spec in (schema.get("properties") or {}).items():
        dotted = f"{prefix}{name}"
        nested = _object_of(spec, components)
        description = spec.get("description") or (nested or {}).get("description", "")
        rows.append((dotted, type_text(spec, components), description))
        if nested and depth < MAX_DEPTH:
            marker = "[]." if "list of" in type_text(spec, components) else "."
            rows += fields(nested, components, f"{dotted}{marker}", depth + 1)
    return rows


def operations(document):
    """Every operation of the OpenAPI document, in its order, as dicts for the template."""
    components = document.get("components", {}).get("schemas", {})
    found = []
    for address, methods in document["paths"].items():
        for method, operation in methods.items():
            answers = []
            for status, described in sorted(operation.get("responses", {}).items()):
                content = described.get("content", {})
                media = next(iter(content), "")
                schema = content.get(media, {}).get("schema", {})
                shape = _object_of(schema, components) if media == "application/json" else None
                answers.append(
                    {
                        "status": status,
                        "description": described.get("description", ""),
                        "media": media,
                        "fields": fields(shape, components) if shape else [],
                    }
                )
            found.append(
                {
                    "anchor": operation.get("operationId", ""),
                    "method": method.upper(),
                    "address": address,
                    "summary": operation.get("summary", ""),
                    "description": _paragraphs(operation.get("description", "")),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": parameter["in"],
                            "type": type_text(parameter.get("schema", {}), components),
                            "required": parameter.get("required", False),
                            "description": parameter.get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "answers": answers,
                }
            )
    return found


def documentation(request):
    document = api.get_openapi_schema(path_prefix=reverse("api:api-root"))
    context = {
        "title": document["info"]["title"],
        "introduction": _paragraphs(document["info"].get("description", "")),
        "version": document["openapi"],
        "operations": operations(document),
        "problems": [(kind, status, title, meaning) for kind, (status, title, meaning) in TYPES.items()],
    }
    return render(request, "api/docs.html", context)
