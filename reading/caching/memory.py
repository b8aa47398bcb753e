"""Values kept in this process's memory besides the shared cache: renderings by page stamp, the
matrix's columns, case versions (a key names its data version, so a value kept is never stale)."""

import threading
from collections import OrderedDict


class KeptInMemory:
    """Values by key in this process's memory, up to `budget` (the sum of `weigh(value)` over the values
    kept; 1 each by default), the least recently used dropped first; a value heavier than the whole
    budget is not kept. Thread-safe. For values that never change under their key (a key names its
    data version), so that a value kept is never stale; `clear()` empties it (tests)."""

    def __init__(self, budget, weigh=None):
        self.budget = budget
        self.weigh = weigh or (lambda value: 1)
        self.size = 0
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key, value):
        """Keep `value` under `key` and return what is kept for `key` (the value kept first, if any)."""
        weight = self.weigh(value)
        if weight > self.budget:
            return value
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
            self.entries[key] = value
            self.size += weight
            while self.size > self.budget:
                _, dropped = self.entries.popitem(last=False)
                self.size -= self.weigh(dropped)
        return value

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0


class _Renderings(KeptInMemory):
    """The anonymous visitors' renderings most asked for, kept in this process's memory as well as in
    the shared cache, by page stamp (the ETag: the data version, code, URL, day and audience are in it,
    so one stamp's rendering never changes) up to `budget` bytes of content, least recently served
    dropped first. It saves the shared cache's read and decompression of the page on each hit; whether
    the case is still published, and at which version, is still read from the shared cache (the
    pointer) at every request, so a write or an unpublishing on another server or
    process takes effect at once all the same. Each entry also keeps its answer's headers, built once
    (`_answer`)."""

    def __init__(self, budget):
        super().__init__(budget, weigh=lambda kept: len(kept.content))

    def put(self, stamp, stored):
        """Keep `stored` (the shared cache's {"content", "headers"}) and return what is kept for `stamp`."""
        return super().put(stamp, _Kept(stored))


class _Kept:
    """A rendering kept in memory, with the headers of its answer once built (for one Last-Modified and
    one CSP setting: `prepared`, a ResponseHeaders' inner dict), and of its 304 (`not_modified`)."""

    __slots__ = ("content", "headers", "not_modified", "prepared")

    def __init__(self, stored):
        self.content = stored["content"]
        self.headers = stored["headers"]
        self.prepared = None
        self.not_modified = None
