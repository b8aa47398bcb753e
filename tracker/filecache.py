"""Django's file cache (settings.CACHES without REDIS_URL), with the entries read often answered from
memory while their files are unchanged: `KeptFileBasedCache`.

Every request of a logged-in reader reads its session, its account and its tokens, the case's row and
the page from the cache, and an anonymous visitor's the case's published-version pointer: with Django's
FileBasedCache each is an open, two unpickles and a decompression (docs/performance.md, “Figures
behind the code”, measured it against an `os.stat`), where this one stats the file and unpickles
the value kept while the entry has not changed.
"""

import os
import pickle
import tempfile
import threading
import time
import zlib
from collections import OrderedDict

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

_MISSING = object()


class KeptFileBasedCache(FileBasedCache):
    """FileBasedCache whose `get` answers an entry it read before from memory for as long as the entry's
    path still names the file it was read from (one `os.stat`), whichever process wrote it.

    That rests on an entry's file never changing in place, which this class ensures rather than
    assumes: `set` writes a new file and renames it over the old one (`os.replace`), `touch` sets the
    value again the same way (Django's rewrites the expiry in place), `delete`, `clear` and culling
    remove the file. A file read is kept open while its entry is kept (`kept_files`), so that no other
    file can take its inode number: the same (device, inode) at the path means the same entry. The
    format of an entry's file (its expiry pickled, then its value pickled and compressed, as Django's
    own) is written and read here, not by Django's code, so a Django upgrade that changes its own
    format cannot make the two disagree; tests/test_filecache.py holds these rules against the
    installed Django.

    The memory keeps the value's pickle, not the value: each `get` unpickles it again and answers a
    value of its own, as FileBasedCache does (a caller that changes it changes no one else's). Only
    values whose pickle is at most KEEP_BYTES are kept, at most MAX_KEPT of them and KEPT_BUDGET bytes
    in all per process, the least recently read let go first (its file closed)."""

    KEEP_BYTES = 512 * 1024  # a session, an account, a case row, a token, a pointer; a page of a large case
    KEPT_BUDGET = 32 * 1024 * 1024
    MAX_KEPT = 256  # each holds a file descriptor

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._paths = {}  # (key, version) -> the entry's path (hashing the key costs more than the stat)

    def _path(self, key, version):
        found = self._paths.get((key, version))
        if found is None:
            if len(self._paths) >= 4 * self.MAX_KEPT:
                self._paths.clear()
            found = self._paths[(key, version)] = self._key_to_file(key, version)
        return found

    def get(self, key, default=None, version=None):
        path = self._path(key, version)
        try:
            status = os.stat(path)
        except FileNotFoundError:
            kept_files.let_go(path)
            return default
        pickled = kept_files.get(path, (status.st_dev, status.st_ino), time.time())
        if pickled is not None:
            return pickle.loads(pickled)
        return self._read(path, default)

    def _read(self, path, default):
        try:
            file = open(path, "rb")  # noqa: SIM115 (kept open while its entry is kept: the class's docstring)
        except FileNotFoundError:
            kept_files.let_go(path)
            return default
        try:
            status = os.fstat(file.fileno())
            try:
                expiry = pickle.load(file)
            except EOFError:
                expiry = 0  # an empty file is expired, as for Django's
            if expiry is not None and expiry < time.time():
                file.close()
                kept_files.let_go(path)
                _remove(path)
                return default
            pickled = zlib.decompress(file.read())
            value = pickle.loads(pickled)
        except BaseException:
            file.close()
            raise
        if len(pickled) <= self.KEEP_BYTES:
            kept_files.keep(path, (status.st_dev, status.st_ino), expiry, pickled, file, self)
        else:
            file.close()
        return value

    def has_key(self, key, version=None):
        return self.get(key, _MISSING, version) is not _MISSING

    def _write_content(self, file, timeout, value):
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._createdir()  # the folder may have been removed
        path = self._path(key, version)
        self._cull()
        descriptor, temporary = tempfile.mkstemp(dir=self._dir)
        try:
            with open(descriptor, "wb") as file:
                self._write_content(file, timeout, value)
            os.replace(temporary, path)  # a new file (a new inode) at the path, atomically
        except BaseException:
            _remove(temporary)
            raise

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        value = self.get(key, _MISSING, version)
        if value is _MISSING:
            return False
        self.set(key, value, timeout, version)
        return True

    def delete(self, key, version=None):
        path = self._path(key, version)
        kept_files.let_go(path)
        return self._delete(path)

    def clear(self):
        kept_files.let_go_under(self._dir)
        super().clear()


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


class _KeptFiles:
    """The entries KeptFileBasedCache answers from memory, for the whole process (Django makes a cache
    backend per thread; they share these): path -> ((device, inode), expiry, pickle, open file)."""

    def __init__(self):
        self.entries = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, path, identity, now):
        """The pickle kept for `path` if it was read from the file of `identity` and has not expired."""
        kept = self.entries.get(path)
        if kept is None or kept[0] != identity or (kept[1] is not None and kept[1] <= now):
            return None
        with self.lock:
            # Still kept, so its file was open during the stat (an entry leaves `entries` before its
            # file closes): no other file could have had that inode.
            if self.entries.get(path) is not kept:
                return None
            self.entries.move_to_end(path)
        return kept[2]

    def keep(self, path, identity, expiry, pickled, file, backend):
        closing = []
        with self.lock:
            previous = self.entries.pop(path, None)
            if previous is not None:
                self.size -= len(previous[2])
                closing.append(previous[3])
            self.entries[path] = (identity, expiry, pickled, file)
            self.size += len(pickled)
            while self.entries and (self.size > backend.KEPT_BUDGET or len(self.entries) > backend.MAX_KEPT):
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped[2])
                closing.append(dropped[3])
        for file in closing:
            file.close()

    def let_go(self, path):
        with self.lock:
            previous = self.entries.pop(path, None)
            if previous is not None:
                self.size -= len(previous[2])
        if previous is not None:
            previous[3].close()

    def let_go_under(self, folder):
        with self.lock:
            paths = [path for path in self.entries if path.startswith(folder + os.sep)]
        for path in paths:
            self.let_go(path)

    def clear(self):
        """Let every entry go (tests)."""
        with self.lock:
            entries = list(self.entries.values())
            self.entries.clear()
            self.size = 0
        for entry in entries:
            entry[3].close()


kept_files = _KeptFiles()
