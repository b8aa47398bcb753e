"""Signed tokens in links that work without logging in: the one-click unsubscribe link of every mail,
a user's private feed address, and the link that lifts a user's login lock. Signed with SECRET_KEY
(django.core.signing, HMAC-SHA256): a token cannot be forged or moved to another subscription or user
without the key."""

from django.core import signing

UNSUBSCRIBE_SALT = "alerts.unsubscribe"
FEED_SALT = "alerts.feed"


def unsubscribe_token(subscription):
    """The token of `subscription`'s unsubscribe link: its id and its user's, signed."""
    return signing.dumps([subscription.pk, subscription.user_id], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """(subscription id, user id) from a token; None when it is not one we signed."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        return None
    return tuple(value)


def feed_token(user):
    return signing.dumps(user.pk, salt=FEED_SALT)


def read_feed_token(token):
    """The user id of a feed token, or None."""
    try:
        value = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


UNLOCK_SALT = "alerts.unlock"


def unlock_token(user):
    """The token of the link that lifts `user`'s login lock: its id and the fingerprint of its failed
    logins now (measures.services.accounts.login_lock_fingerprint), signed and timestamped."""
    from measures.services.accounts import login_lock_fingerprint

    return signing.dumps([user.pk, login_lock_fingerprint(user)], salt=UNLOCK_SALT, compress=True)


def read_unlock_token(token, *, max_age):
    """(user id, fingerprint) from a token signed at most `max_age` seconds ago; None when it is not one
    we signed, or older. Whether it is still the account's (not used, no new failure) is for the caller."""
    try:
        value = signing.loads(token, salt=UNLOCK_SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str)):
        return None
    return tuple(value)
