"""ShareLink: a signed, read-only link to a case shared by link (an embargoed case), with an expiry date.

The link's address carries its id signed with the site's SECRET_KEY (`django.core.signing`, salt
SHARE_LINK_SALT): it cannot be guessed or altered, and it is checked against this row on every page,
so that an administrator can revoke it, and it stops working after `expires_on` or when the case is
no longer "shared by link". Links are never deleted: a revoked or expired one stays on record.
"""

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from measures.lib import text
from measures.models.cases import Case

SHARE_LINK_SALT = "measures.share-link"


class ShareLinkQuerySet(models.QuerySet):
    def valid_on(self, day):
        """Links neither revoked nor expired on `day` (a date in the site's time zone)."""
        return self.filter(revoked_at__isnull=True, expires_on__gte=day)


class ShareLink(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="share_links")
    note = models.CharField(
        validators=[text.single_line],
        max_length=200,
        blank=True,
        help_text="Whom it was given to and why (shown to administrators only).",
    )
    expires_on = models.DateField(help_text="The last day on which the link opens the case.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="share_link_revoked_after_created",
            ),
        ]

    def __str__(self):
        return f"Share link {self.pk} to {self.case} (until {self.expires_on})"

    def get_absolute_url(self):
        return reverse("measures:shared_link", args=[self.token])

    @property
    def token(self):
        return signing.dumps(self.pk, salt=SHARE_LINK_SALT)

    @staticmethod
    def pk_from_token(token):
        """The link id a token carries, or None when it was not signed here or was altered."""
        try:
            pk = signing.loads(token, salt=SHARE_LINK_SALT)
        except signing.BadSignature:
            return None
        return pk if isinstance(pk, int) else None

    def state_on(self, day):
        """ "valid", "revoked" or "expired" on `day`."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_on < day else "valid"
