"""The API's published schema: a valid OpenAPI 3.1 document (checked by openapi-spec-validator), every
field it documents in every answer and no field it does not, refusals typed as problem documents, and a
documentation page written from it."""

import re

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from measures import services
from measures.models import Assessment

JSON_ADDRESSES = [
    "/api/v1/",
    "/api/v1/cases/",
    "/api/v1/cases/{slug}/",
    "/api/v1/cases/{slug}/parties/",
    "/api/v1/cases/{slug}/measures/?since=2024-01-20",
    "/api/v1/cases/{slug}/measures/1/",
    "/api/v1/cases/{slug}/assessments/",
    "/api/v1/cases/{slug}/events/",
    "/api/v1/cases/{slug}/events/{event}/",
    "/api/v1/cases/{slug}/sources/",
    "/api/v1/cases/{slug}/sources/{source}/",
    "/api/v1/cases/{slug}/citations/",
    "/api/v1/cases/{slug}/evidence/",
    "/api/v1/cases/{slug}/deleted/",
]


def test_the_schema_is_a_valid_openapi_3_1_document(db, api):
    answer = api.get("/api/v1/schema/")
    assert answer.status_code == 200
    assert answer.data["openapi"] == "3.1.0"
    validate(answer.data, cls=OpenAPIV31SpecValidator)  # raises on any fault
    assert answer.data["components"]["securitySchemes"]["TokenOrSession"] == {"type": "http", "scheme": "bearer"}


def test_the_validator_would_catch_a_broken_document(db, api):
    broken = dict(api.get("/api/v1/schema/").data, paths={"/x": {"get": {"responses": {"200": {}}}}})
    with pytest.raises(Exception, match="description"):
        validate(broken, cls=OpenAPIV31SpecValidator)


def test_refusals_are_documented_as_problem_documents(db, api):
    for methods in api.get("/api/v1/schema/").data["paths"].values():
        for operation in methods.values():
            for status in ("400", "401", "403", "404", "429"):
                assert list(operation["responses"][status]["content"]) == ["application/problem+json"]
            assert "304" in operation["responses"]


def resolve(schema, components):
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def undocumented_or_missing(value, schema, components, where="answer"):
    """Where `value` and its schema disagree on fields: [message], empty when every documented field is
    there and every field there is documented (through $ref, anyOf and lists)."""
    schema = resolve(schema, components)
    if "anyOf" in schema:
        options = [resolve(option, components) for option in schema["anyOf"]]
        if value is None:
            return [] if any(option.get("type") == "null" for option in options) else [f"{where}: null"]
        options = [option for option in options if option.get("type") != "null"]
        return min((undocumented_or_missing(value, o, components, where) for o in options), key=len)
    if schema.get("type") == "array":
        problems = []
        for index, item in enumerate(value):
            problems += undocumented_or_missing(item, schema.get("items", {}), components, f"{where}[{index}]")
        return problems
    if schema.get("type") == "object" and "properties" in schema:
        documented, present = set(schema["properties"]), set(value)
        problems = [f"{where}.{name}: documented, missing" for name in sorted(documented - present)]
        problems += [f"{where}.{name}: present, undocumented" for name in sorted(present - documented)]
        for name in documented & present:
            problems += undocumented_or_missing(value[name], schema["properties"][name], components, f"{where}.{name}")
        return problems
    return []


@pytest.fixture
def places(pakistan_iran, analyst_user):
    # A correction, so that `corrects` and `superseded_by` hold values too.
    original = Assessment.objects.filter(measure__case=pakistan_iran, measure__number=2).earliest("pk")
    services.record_assessment(
        measure=original.measure,
        party=original.party,
        level=original.level,
        effective_date=original.effective_date,
        rationale="Restated.",
        citations=list(original.citations.all()),
        recorded_by=analyst_user,
        corrects=original,
    )
    event = pakistan_iran.events.order_by("pk").first()
    source = pakistan_iran.citations.order_by("pk").first().source
    return {"slug": pakistan_iran.slug, "event": event.pk, "source": source.pk}


def test_every_documented_field_is_in_every_answer_and_nothing_else(places, api, reader_token):
    document = api.get("/api/v1/schema/").data
    components = document["components"]["schemas"]
    for address in JSON_ADDRESSES:
        url = address.format(**places)
        answer = api.get(url, token=reader_token)
        assert answer.status_code == 200, url
        template = re.sub(r"/\d+/", lambda m: "/{n}/", address.split("?")[0])
        path = next(
            p
            for p in document["paths"]
            if re.sub(r"\{[^}]+\}", "{x}", p) == re.sub(r"\{[^}]+\}", "{x}", template.replace("{n}", "{x}"))
        )
        schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer.data, url
        assert undocumented_or_missing(answer.data, schema, components) == [], url


def test_a_problem_document_has_the_documented_fields(db, api):
    document = api.get("/api/v1/schema/").data
    answer = api.get("/api/v1/cases/", as_of="x")
    schema = document["components"]["schemas"]["ProblemOut"]
    assert set(schema["properties"]) >= set(answer.data)
    assert {"type", "title", "status", "detail", "instance"} <= set(answer.data)


def test_the_documentation_page_is_written_from_the_schema(db, client):
    page = client.get("/api/v1/docs/")
    html = page.content.decode()
    assert page.status_code == 200 and "<script" not in html
    from api.problems import TYPES

    for kind in TYPES:
        assert f'id="problem-{kind}"' in html
    for path in ("/api/v1/cases/{slug}/measures/", "/api/v1/cases/{slug}/assessments/", "/api/v1/package.zip"):
        assert f"GET {path}" in html
    assert "<code>joint_level</code>" in html and "Peace Accords Matrix" in html
    assert "<code>results[].parties[].level</code>" in html


def test_the_index_links_every_list_and_the_schema(db, api):
    index = api.get("/api/v1/").data
    assert index["openapi"].endswith("/api/v1/schema/") and index["documentation"].endswith("/api/v1/docs/")


def test_the_field_check_can_fail():
    schema = {"type": "object", "properties": {"level": {"type": "string"}, "parties": {"$ref": "#/x/Parties"}}}
    components = {"Parties": {"type": "array", "items": {"type": "object", "properties": {"code": {}}}}}
    assert undocumented_or_missing(
        {"level": "full", "parties": [{"code": "PAK", "name": "P"}]}, schema, components
    ) == ["answer.parties[0].name: present, undocumented"]
    assert undocumented_or_missing({"parties": []}, schema, components) == ["answer.level: documented, missing"]
