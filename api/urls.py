"""The API's addresses under the namespace "api": the read API (/api/v1/…, read-only), its documentation
page, and the page where a user manages their personal API tokens."""

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, include, path, re_path, resolve

from api.main import api
from api.pages import docs, tokens
from api.problems import problem_response, read_only

app_name = "api"


def _read_only(patterns):
    """The API's URL patterns, each view answering 405 (a problem) to anything but GET and HEAD."""
    for pattern in patterns:
        pattern.callback = read_only(pattern.callback)
    return patterns


def not_found(request, rest=""):
    """Any other address under /api/: a 404 problem, as the API's other refusals, not the site's HTML
    page. Without its trailing slash, an address that has one is redirected to it, as APPEND_SLASH
    does elsewhere (this pattern matches first)."""
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            found = resolve(request.path_info + "/")
        except Resolver404:
            found = None
        if found is not None and found.url_name != "not_found":
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return problem_response(request, "not-found", "Nothing here: see the API's documentation for its addresses.")


urlpatterns = [
    path("api/v1/docs/", docs.documentation, name="docs"),
    path("api/v1/", include(_read_only(api.urls[0]))),
    re_path(r"^api/(?P<rest>.*)$", not_found, name="not_found"),
    path("account/api-tokens/", tokens.tokens, name="tokens"),
    path("account/api-tokens/<int:token_id>/revoke/", tokens.revoke, name="revoke_token"),
]
