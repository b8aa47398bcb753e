"""Who is asking: a personal API token (`Authorization: Bearer <token>`), else the browser session, else
nobody; and how often they may ask (a rate limit per token, per account, per address)."""

import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from api import access
from api.problems import Problem
from measures import services


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: `user` (an account, or AnonymousUser) and, when it sent one, the id of
    its token (requests with a token are throttled per token)."""

    user: object
    token_id: int | None = None

    @property
    def throttle_key(self):
        if self.token_id is not None:
            return f"token:{self.token_id}"
        if self.user.is_authenticated:
            return f"user:{self.user.pk}"
        return None

    def __str__(self):
        return self.throttle_key or "anonymous"


class TokenOrSession(HttpBearer):
    """A token when the request sends an Authorization header (a bad one is refused, 401, even with a
    session: a script must learn its token is wrong), else the session's user, else anonymous (which
    reads what anonymous visitors may: `access.readable_cases`). Sets `request.user` to the token's
    user, so that permissions read as on the pages."""

    def __call__(self, request):
        caller = self.identify(request)
        request.user = caller.user
        # Refusals before parameters (api.access.admit), then the parameters this address does not take.
        access.admit(request)
        if (unknown := getattr(request, "api_unknown_parameters", None)) is not None:
            raise unknown
        return caller

    def identify(self, request):
        header = request.headers.get("Authorization")
        if header is None:
            user = getattr(request, "user", None) or AnonymousUser()
            return Caller(user)
        scheme, _, secret = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Problem("invalid-token", "The Authorization header must be “Bearer <token>”.")
        return self.authenticate(request, secret.strip())

    def authenticate(self, request, token):
        found = services.user_for_api_token(token)
        if found is None:
            raise Problem(
                "invalid-token",
                "This token is unknown or revoked, or its account is inactive: create a token on your API tokens page.",
            )
        user, token_id = found
        request.user = user
        return Caller(user, token_id)


class CallerRateThrottle(SimpleRateThrottle):
    """At most API_REQUESTS_PER_MINUTE requests a minute per token, per logged-in account (requests with
    its session), or per address (anonymous requests); counted in Django's cache, so every server
    process shares the count when the cache is shared (the file cache, Redis)."""

    scope = "api"
    cache_format = "api-throttle:%(ident)s"

    def __init__(self):
        # The rate is read on every request (allow_request), so that a changed setting applies at once.
        self.rate = None

    def allow_request(self, request):
        self.num_requests, self.duration = settings.API_REQUESTS_PER_MINUTE, 60
        return super().allow_request(request)

    def get_cache_key(self, request):
        caller = getattr(request, "auth", None)
        ident = caller.throttle_key if isinstance(caller, Caller) else None
        return self.cache_format % {"ident": ident or f"address:{self.get_ident(request)}"}

    def wait(self):
        """Seconds until the oldest counted request leaves the minute (so one more is allowed)."""
        if not self.history:
            return self.duration
        return max(1, math.ceil(self.duration - (self.now - self.history[-1])))
