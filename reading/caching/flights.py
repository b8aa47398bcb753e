"""One rendering of a page at a time: the readers who ask for a page while another request renders it
for the cache wait for that rendering instead of making their own.

After an approval every reader's next page is new. Without this, the readers who open the same page
in the seconds its first rendering takes (or while the tasks worker renders it: reading.views.warming)
each render it too, and on a busy server those renderings share the processor and take all the longer,
each reader waiting for as many renderings as arrived together. With it, the first request claims the
rendering (a short entry in the cache, `claim`), and the others poll the cache for the rendering it
stores (`wait_for`), served to them as any cache hit is (the same key: the same audience, page
permissions, data version and address, so nothing is shared that a hit would not share). A claim that
ends without a stored rendering (a page that is not stored: a refused parameter, an error) releases the
waiters, who then render for themselves; a claim left by a process that died expires after
CLAIM_SECONDS. The cache's `add` is atomic with Redis; with the file cache two requests may both claim
in the same instant, which costs a second rendering, as before.
"""

import time

from django.core.cache import cache

CLAIM_PREFIX = "rendering:"
# How long a claim holds at most (a rendering taking longer lets the waiters render for themselves):
# gunicorn's worker timeout (gunicorn.conf.py), beyond which the rendering request is ended anyway.
CLAIM_SECONDS = 30
# How often a waiting request looks for the rendering (a stat of its file with the file cache).
POLL_SECONDS = 0.05


def claim(key):
    """Whether this request claimed the rendering of the page stored under `key` (else another has it)."""
    return cache.add(CLAIM_PREFIX + key, 1, CLAIM_SECONDS)


def release(key):
    cache.delete(CLAIM_PREFIX + key)


def wait_for(key):
    """The rendering stored under `key` once the request that claimed it stored it, or None when that
    request ended without storing one or its claim expired."""
    deadline = time.monotonic() + CLAIM_SECONDS
    while time.monotonic() < deadline:
        stored = cache.get(key)
        if stored is not None:
            return stored
        if cache.get(CLAIM_PREFIX + key) is None:
            return cache.get(key)  # stored just before the claim was released, or nothing
        time.sleep(POLL_SECONDS)
    return None
