"""The matrix's columns kept between renderings: each case's column (`state.compare_cases`'s
`column_cache`) in Django's cache, and the last ones read or computed in this process's memory."""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from reading.caching import KeptInMemory

APP_DIR = Path(__file__).resolve().parent.parent  # reading/


@functools.cache
def columns_fingerprint():
    """A hash of the domain code that computes the matrix's columns (the measures' models, querysets
    and state layer), for `ColumnCache`'s keys: new code that computes a column otherwise never reads
    one kept by the old, and a deployment of other code (pages, templates) keeps them, so its first
    reader of the matrix does not compute every column. Computed once per process."""
    digest = hashlib.sha256(settings.PAGE_CACHE_SALT.encode())
    domain = APP_DIR.parent / "measures"
    paths = [*(domain / "state").rglob("*.py"), *(domain / "models").rglob("*.py"), domain / "querysets.py"]
    for path in sorted(paths):
        digest.update(str(path.relative_to(domain)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ColumnCache:
    """The cache in which `state.compare_cases` keeps each case's column of the matrix (its
    `column_cache`): Django's cache, under keys hashed with the fingerprint of the code that computes
    them (`columns_fingerprint`), so that new code never reads columns computed otherwise by the old,
    and a deployment of other code keeps them. Each key already names the case's
    data version, its as-of date and the known-on date (`state.compare.columns.column_key`), so a
    column kept under it never changes: this process also keeps the columns it read or computed last
    in memory (`kept_columns`), which saves reading and unpickling fifty of them from the shared cache
    at each rendering of the matrix at 100× the data."""

    def _key(self, key):
        return "column:" + hashlib.sha256(f"{columns_fingerprint()}\x1f{key}".encode()).hexdigest()[:32]

    def get_many(self, keys):
        hashed = {self._key(key): key for key in keys}
        found = {}
        for hashed_key, key in hashed.items():
            value = kept_columns.get(hashed_key)
            if value is not None:
                found[key] = value
        missing = [hashed_key for hashed_key, key in hashed.items() if key not in found]
        if missing:
            for hashed_key, value in cache.get_many(missing).items():
                kept_columns.put(hashed_key, value)
                found[hashed[hashed_key]] = value
        return found

    def set_many(self, values):
        hashed = {self._key(key): value for key, value in values.items()}
        for hashed_key, value in hashed.items():
            kept_columns.put(hashed_key, value)
        cache.set_many(hashed, settings.PAGE_CACHE_SECONDS)


# A column holds a case's measures' levels and dates (a few kilobytes at 100× the data): 2,000 of them
# are forty views of fifty cases, some megabytes per server process.
kept_columns = KeptInMemory(budget=2000)
