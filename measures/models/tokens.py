"""Personal API tokens: a user's key to the read API (api/), stored as a hash and shown once."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from measures.lib import text

# What every token starts with, so that one pasted where it should not be is recognisable (and secret
# scanners can find it): "dtk_" and 43 URL-safe characters (256 random bits).
TOKEN_PREFIX = "dtk_"
# How many characters of a token are kept in clear, so that its owner can tell tokens apart in the list.
SHOWN_CHARACTERS = 10


def token_digest(secret):
    """The SHA-256 (hex) a token is stored as. A token is 256 random bits, so a fast hash is enough: no
    dictionary or brute force reaches it (unlike a password, which needs a slow hash)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A personal token: whoever sends it (`Authorization: Bearer <token>`) reads the API as its user,
    with that user's role; it never writes (the API is read-only). Only its SHA-256 is stored; the
    token itself is shown once, when it is created (services.create_api_token). Revoked tokens stay
    listed (when, by whom they were last used) and are refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        max_length=100, validators=[text.single_line], help_text="What it is for, e.g. “R scripts on my laptop”."
    )
    shown = models.CharField(max_length=SHOWN_CHARACTERS, help_text="Its first characters, to tell tokens apart.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token (hex).")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True, help_text="To the hour: a use is noted once an hour.")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="api_token_name_not_empty"),
        ]

    def __str__(self):
        return f"{self.name} ({self.shown}…)"

    @property
    def is_active(self):
        return self.revoked_at is None
