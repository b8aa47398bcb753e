"""tracker.filecache.KeptFileBasedCache, the file cache of a deployment without REDIS_URL: an entry read
before is answered without opening its file while the file is the same, any change made through
another backend instance (another server process; Django's own FileBasedCache too) is seen at the next
read, and the rules this rests on hold for the installed Django."""

import os
import pickle
import time

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from tracker import filecache
from tracker.filecache import KeptFileBasedCache, kept_files


@pytest.fixture
def opened(monkeypatch):
    """The entries' files the backend opens to read, in order."""
    paths = []
    real_open = open

    def spy(path, mode="r", *args, **kwargs):
        if mode == "rb":
            paths.append(path)
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(filecache, "open", spy, raising=False)
    return paths


@pytest.fixture
def backend(tmp_path):
    return KeptFileBasedCache(str(tmp_path), {})


@pytest.fixture
def other(tmp_path):
    """Another server process's backend on the same folder: Django's own."""
    return FileBasedCache(str(tmp_path), {})


def test_an_entry_read_again_while_its_file_is_unchanged_is_not_opened(backend, opened):
    backend.set("session", {"user": 7, "links": [1, 2]})
    first = backend.get("session")
    assert len(opened) == 1
    again = backend.get("session")
    assert again == first == {"user": 7, "links": [1, 2]} and len(opened) == 1
    # A value of its own at each read, as FileBasedCache answers: changing one changes no other.
    again["links"].append(3)
    assert backend.get("session") == {"user": 7, "links": [1, 2]}


def test_a_change_by_another_process_is_seen_at_the_next_read(backend, other, opened):
    backend.set("pointer", ("1:4:0.0", 0.0))
    assert backend.get("pointer") == ("1:4:0.0", 0.0)
    other.set("pointer", "not published")
    assert backend.get("pointer") == "not published" and len(opened) == 2
    assert other.get("pointer") == "not published"  # and Django's backend reads what this one wrote
    other.delete("pointer")
    assert backend.get("pointer") is None and backend.get("pointer", "none") == "none"
    assert not backend.has_key("pointer")
    backend.set("pointer", "again")
    assert other.get("pointer") == "again" and backend.has_key("pointer")


def test_an_expired_entry_is_not_answered_from_memory(backend, monkeypatch):
    backend.set("token", "abc", timeout=60)
    assert backend.get("token") == "abc"
    later = time.time() + 61
    monkeypatch.setattr(filecache.time, "time", lambda: later)
    assert backend.get("token") is None
    assert not os.listdir(backend._dir)  # removed, as FileBasedCache removes an expired entry


def test_set_touch_and_delete_never_change_a_file_in_place(backend, tmp_path):
    """The rule an answer from memory rests on: the entry's path names a new file after every change."""
    backend.set("entry", 1, timeout=60)
    (path,) = tmp_path.iterdir()
    identity = os.stat(path).st_ino
    with open(path, "rb"):  # held open, as a kept entry's file is: its inode cannot be reused
        backend.set("entry", 2, timeout=60)
        assert os.stat(path).st_ino != identity and backend.get("entry") == 2
        identity = os.stat(path).st_ino
        assert backend.touch("entry", timeout=600)
        assert os.stat(path).st_ino != identity and backend.get("entry") == 2
        backend.delete("entry")
        assert not path.exists() and backend.get("entry") is None
    assert not backend.touch("entry")


def test_djangos_own_file_cache_writes_a_new_file_too(other, backend, tmp_path):
    """Another process may run Django's FileBasedCache (a management command with other settings): its
    set renames a new file over the entry's, so the kept entry is let go."""
    backend.set("entry", "mine")
    assert backend.get("entry") == "mine"
    (path,) = tmp_path.iterdir()
    with open(path, "rb"):
        identity = os.stat(path).st_ino
        other.set("entry", "theirs")
        assert os.stat(path).st_ino != identity
    assert backend.get("entry") == "theirs"


def test_the_entry_format_is_djangos(backend, other):
    """The expiry pickled, then the value pickled and compressed: what each writes, the other reads."""
    other.set("written-by-django", {"a": 1}, timeout=None)
    backend.set("written-here", {"b": 2}, timeout=None)
    assert backend.get("written-by-django") == {"a": 1}
    assert other.get("written-here") == {"b": 2}
    with open(backend._key_to_file("written-here"), "rb") as file:
        assert pickle.load(file) is None  # no expiry


def test_large_values_are_read_from_their_file_and_few_files_are_kept_open(tmp_path, opened, monkeypatch):
    monkeypatch.setattr(KeptFileBasedCache, "KEEP_BYTES", 1000)
    monkeypatch.setattr(KeptFileBasedCache, "MAX_KEPT", 3)
    backend = KeptFileBasedCache(str(tmp_path), {})
    backend.set("page", b"x" * 5000)
    backend.get("page")
    backend.get("page")
    assert len(opened) == 2  # over KEEP_BYTES: read from its file each time
    for name in "abcde":
        backend.set(name, name)
        assert backend.get(name) == name
    assert len(kept_files.entries) == 3  # the least recently read let go, their files closed
    assert backend.get("a") == "a" and len(opened) == 2 + 5 + 1
    backend.clear()
    assert not kept_files.entries and backend.get("b") is None
