"""Accounts: an administrator lifting the login lock of a user (django-axes), logged."""

import logging

from axes.utils import reset

logger = logging.getLogger("measures.accounts")


def lift_login_lock(*, user, by):
    """Clear the failed logins recorded for `user`'s username (from every address), which lifts a lock on
    it, and return how many attempt records were cleared (0: it was not locked). Logged on
    "measures.accounts" with the administrator `by`; the admin action also writes it to the user's
    history. A lock of an address is lifted with manage.py axes_reset_ip."""
    username = user.get_username()
    cleared = reset(username=username)
    logger.warning("Login lock of “%s” lifted by %s (%s failed-login record(s) cleared)", username, by, cleared)
    return cleared
