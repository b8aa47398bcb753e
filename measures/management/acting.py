"""`--user` for the commands that write: the audit log (and the History pages) name who ran them."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def add_user_argument(parser):
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        help="The account on whose behalf the command writes: the audit log and the History pages name it "
        "(without it they record the command with no user).",
    )


def acting_user(username):
    """The active account `username`, or None when no --user was given; CommandError for an unknown or
    inactive account (nothing is written then)."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--user: there is no account “{username}”.")
    if not user.is_active:
        raise CommandError(f"--user: the account “{username}” is inactive.")
    return user
