"""The API's addresses under the namespace "api": the read API (/api/v1/…, read-only), its documentation
page, and the page where a user manages their personal API tokens."""

from django.urls import include, path

from api.main import api
from api.pages import docs, tokens
from api.problems import read_only

app_name = "api"


def _read_only(patterns):
    """The API's URL patterns, each view answering 405 (a problem) to anything but GET and HEAD."""
    for pattern in patterns:
        pattern.callback = read_only(pattern.callback)
    return patterns


urlpatterns = [
    path("api/v1/docs/", docs.documentation, name="docs"),
    path("api/v1/", include(_read_only(api.urls[0]))),
    path("account/api-tokens/", tokens.tokens, name="tokens"),
    path("account/api-tokens/<int:token_id>/revoke/", tokens.revoke, name="revoke_token"),
]
