"""Who reads what through the API, for every address: anonymous, a reader's and an analyst's token, a
revoked token, an account without a role, the session; a record of another case; and nothing but GET."""

import pytest
from django.urls import reverse

from measures import services
from measures.models import Case
from tests import factories

# Every address of the API, by the placeholders of the case it reads.
CASE_ADDRESSES = [
    "/api/v1/cases/{slug}/",
    "/api/v1/cases/{slug}/parties/",
    "/api/v1/cases/{slug}/measures/",
    "/api/v1/cases/{slug}/measures/1/",
    "/api/v1/cases/{slug}/assessments/",
    "/api/v1/cases/{slug}/events/",
    "/api/v1/cases/{slug}/events/{event}/",
    "/api/v1/cases/{slug}/sources/",
    "/api/v1/cases/{slug}/sources/{source}/",
    "/api/v1/cases/{slug}/citations/",
    "/api/v1/cases/{slug}/evidence/",
    "/api/v1/cases/{slug}/deleted/",
    "/api/v1/cases/{slug}/package.zip",
]
LISTS = ["/api/v1/cases/", "/api/v1/package.zip"]
PUBLIC = ["/api/v1/", "/api/v1/schema/", "/api/v1/docs/"]
ADDRESSES = CASE_ADDRESSES + LISTS


def test_every_address_of_the_api_is_in_the_matrix(pakistan_iran):
    from api.main import api

    schema = api.get_openapi_schema(path_prefix=reverse("api:api-root"))
    documented = {path.replace("{slug}", "{slug}") for path in schema["paths"]}
    covered = {address.replace("{event}", "{event_id}").replace("{source}", "{source_id}") for address in ADDRESSES}
    covered = {address.replace("/measures/1/", "/measures/{number}/") for address in covered}
    assert documented == covered | {"/api/v1/"}


@pytest.fixture
def places(pakistan_iran):
    event = pakistan_iran.events.order_by("pk").first()
    source = pakistan_iran.citations.order_by("pk").first().source
    return {"slug": pakistan_iran.slug, "event": event.pk, "source": source.pk}


def answers(api, token, places, addresses=ADDRESSES, **extra):
    return {address: api.get(address.format(**places), token=token, **extra).status_code for address in addresses}


def test_readers_and_analysts_read_everything_with_their_token(pakistan_iran, api, places, reader_token, analyst_token):
    for token in (reader_token, analyst_token):
        assert answers(api, token, places) == dict.fromkeys(ADDRESSES, 200)


def test_the_session_of_a_logged_in_reader_reads_as_the_token(pakistan_iran, api, places, reader_user):
    api.client.force_login(reader_user)
    assert answers(api, None, places) == dict.fromkeys(ADDRESSES, 200)


def test_anonymous_requests_are_asked_to_authenticate_and_learn_nothing(pakistan_iran, api, places):
    got = answers(api, None, places)
    assert got == dict.fromkeys(ADDRESSES, 401)
    refused = api.get("/api/v1/cases/pakistan-iran-2024/measures/")
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'
    assert refused.data["type"].endswith("/api/v1/docs/#problem-authentication-required")
    # An unknown case answers exactly as a real one: nothing tells which cases exist.
    unknown = api.get("/api/v1/cases/no-such-case/measures/")
    assert (unknown.status_code, unknown.data["detail"]) == (401, refused.data["detail"])


def test_the_documentation_and_schema_are_public(db, api):
    assert answers(api, None, {}, PUBLIC) == dict.fromkeys(PUBLIC, 200)


def test_a_revoked_or_unknown_token_is_refused_everywhere(pakistan_iran, api, places, reader_user):
    token, secret = services.create_api_token(user=reader_user, name="old laptop")
    services.revoke_api_token(user=reader_user, token_id=token.pk)
    got = answers(api, secret, places)
    assert got == dict.fromkeys(ADDRESSES, 401)
    refused = api.get("/api/v1/cases/", token=secret)
    assert refused.data["type"].endswith("#problem-invalid-token")
    assert answers(api, "dtk_" + "x" * 43, places) == dict.fromkeys(ADDRESSES, 401)
    # A bad token is refused even with a session: a script must learn its token is wrong.
    api.client.force_login(reader_user)
    assert api.get("/api/v1/cases/", token=secret).status_code == 401
    malformed = api.get("/api/v1/cases/", headers={"HTTP_AUTHORIZATION": "Token abc"})
    assert malformed.status_code == 401 and "Bearer" in malformed.data["detail"]


def test_an_inactive_accounts_token_is_refused(pakistan_iran, api, reader_user, reader_token):
    reader_user.is_active = False
    reader_user.save()
    assert api.get("/api/v1/cases/", token=reader_token).status_code == 401


def test_an_account_without_a_role_is_forbidden(pakistan_iran, api, places):
    nobody = factories.UserFactory(username="no-role")
    secret = services.create_api_token(user=nobody, name="x")[1]
    got = answers(api, secret, places)
    assert got == dict.fromkeys(ADDRESSES, 403)
    assert api.get("/api/v1/cases/", token=secret).data["type"].endswith("#problem-no-role")


def test_a_record_of_another_case_is_not_found_under_this_one(pakistan_iran, api, reader_token):
    other = factories.CaseFactory(slug="other-crisis")
    event = factories.EventFactory(case=other)
    citation = factories.CitationFactory(case=other)
    for address in (
        f"/api/v1/cases/pakistan-iran-2024/events/{event.pk}/",
        f"/api/v1/cases/pakistan-iran-2024/sources/{citation.source_id}/",
    ):
        answer = api.get(address, token=reader_token)
        assert answer.status_code == 404 and answer.data["type"].endswith("#problem-not-found"), address
    assert api.get(f"/api/v1/cases/other-crisis/events/{event.pk}/", token=reader_token).status_code == 200
    assert api.get("/api/v1/cases/no-such-case/", token=reader_token).status_code == 404
    assert len(api.get("/api/v1/cases/", token=reader_token).data["results"]) == Case.objects.count() == 2


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_the_api_never_writes_whoever_asks(pakistan_iran, api, places, reader_token, analyst_token, method):
    for token in (reader_token, analyst_token, None):
        for address in [*ADDRESSES, *PUBLIC[:2]]:
            answer = api.request(method, address.format(**places), token=token)
            assert answer.status_code == 405, (method, address)
            assert answer["Content-Type"] == "application/problem+json" and answer["Allow"] == "GET, HEAD"


def test_requests_are_limited_per_token(pakistan_iran, api, reader_user, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    first = services.create_api_token(user=reader_user, name="one")[1]
    second = services.create_api_token(user=reader_user, name="two")[1]
    assert [api.get("/api/v1/cases/", token=first).status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = api.get("/api/v1/cases/", token=first)
    assert limited.data["type"].endswith("#problem-too-many-requests") and 1 <= int(limited["Retry-After"]) <= 60
    assert api.get("/api/v1/cases/", token=second).status_code == 200  # each token has its own count


# Parameters each refused on its own (400) by an address that may be read.
BAD_PARAMETERS = [
    ("/api/v1/cases/{slug}/measures/", {"as_of": "abc"}),
    ("/api/v1/cases/", {"updated_since": "abc"}),
    ("/api/v1/cases/", {"limit": "-1"}),  # not a parameter of the address
    ("/api/v1/cases/{slug}/events/", {"page_size": "-1"}),
    ("/api/v1/package.zip", {"known_on": "2024-02-30"}),
]


@pytest.mark.parametrize(("address", "params"), BAD_PARAMETERS)
def test_who_may_not_read_is_refused_before_any_parameter_is_read(
    pakistan_iran, api, places, reader_user, address, params
):
    path = address.format(**places)
    unknown_case = address.format(**{**places, "slug": "no-such-case"})
    nobody = services.create_api_token(user=factories.UserFactory(username="no-role"), name="x")[1]
    for token, status, kind in (
        (None, 401, "authentication-required"),
        ("dtk_" + "x" * 43, 401, "invalid-token"),
        (nobody, 403, "no-role"),
    ):
        for asked in (path, unknown_case):
            refused = api.get(asked, token=token, **params)
            assert (refused.status_code, refused.data["type"].split("#problem-")[1]) == (status, kind), (asked, token)
    reader = services.create_api_token(user=reader_user, name="y")[1]
    if "{slug}" in address:
        assert api.get(unknown_case, token=reader, **params).status_code == 404
    assert api.get(path, token=reader, **params).status_code == 400


@pytest.mark.parametrize(
    "path", ["/api/v1/deleted/", "/api/v1/cases/pakistan-iran-2024/commitments/", "/api/", "/api/v2/cases/"]
)
def test_an_unknown_api_address_is_a_404_problem_not_the_sites_page(db, api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.data["type"].endswith("/api/v1/docs/#problem-not-found")
    assert response.data["detail"] == "Nothing here: see the API's documentation for its addresses."


def test_an_api_address_without_its_slash_is_still_redirected_to_it(db, api):
    response = api.get("/api/v1/cases")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/cases/")
