"""Uploaded files waiting for the analyst's review, between the upload and the save.

An upload whose type we take is kept under MEDIA_ROOT/intake-staging/ with a random name while the
tasks worker reads it (measures.intake.jobs) and until the analyst saves the source or leaves. The
review form carries a signed token naming the staged file and the user who uploaded
it, so nobody else can claim it and its name cannot be forged. Staged files older than a day are
removed whenever a new file is staged.
"""

import hashlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing

from measures.intake.extract import IntakeError

_SALT = "measures.intake.staging"
MAX_AGE_SECONDS = 24 * 3600


@dataclass
class Original:
    """An uploaded document: its name as uploaded, its bytes and its type sniffed from its content."""

    name: str
    data: bytes
    doc_type: str

    @property
    def size(self):
        return len(self.data)

    @property
    def sha256(self):
        return hashlib.sha256(self.data).hexdigest()


def _folder():
    folder = Path(settings.MEDIA_ROOT) / "intake-staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _remove_stale(folder):
    limit = time.time() - MAX_AGE_SECONDS
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def stage(original, *, user_id):
    """Keep `original` until the review is saved; returns the token the review form carries."""
    folder = _folder()
    _remove_stale(folder)
    key = uuid.uuid4().hex
    (folder / f"{key}.upload").write_bytes(original.data)
    return signing.dumps({"key": key, "name": original.name, "type": original.doc_type, "user": user_id}, salt=_SALT)


def load(token, *, user_id):
    """The Original a token names. Raises IntakeError when the token is forged, another user's,
    or older than a day (the file is gone)."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        raise IntakeError("The uploaded file has expired or is not yours: upload it again.") from None
    if data.get("user") != user_id:
        raise IntakeError("The uploaded file has expired or is not yours: upload it again.")
    path = _folder() / f"{data['key']}.upload"
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise IntakeError("The uploaded file has expired: upload it again.") from None
    return Original(name=data["name"], data=content, doc_type=data["type"])


def discard(token):
    """Remove the staged file of a token (after the source is saved)."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return
    (_folder() / f"{data['key']}.upload").unlink(missing_ok=True)
