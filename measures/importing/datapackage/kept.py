"""A case's data package kept in the cache for its data version: the whole case by nature, it is
built once per version, period and audience, then served as stored (and built ahead of readers by the
pages' warming task after a write, reading.views.warming)."""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from measures.importing.datapackage.build import build_package

MEASURES_DIR = Path(__file__).resolve().parents[2]  # measures/: the models, the state layer and this package


@functools.cache
def code_fingerprint():
    """A hash of the domain's code (measures/, migrations aside), which computes every table of a
    package: a deployment of other code never serves a package the old code built. Once per process."""
    digest = hashlib.sha256(settings.PAGE_CACHE_SALT.encode())
    for path in sorted(MEASURES_DIR.rglob("*.py")):
        if "migrations" not in path.parts:
            digest.update(str(path.relative_to(MEASURES_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def package_key(case, *, as_of, as_of_rule, known_on, authors):
    """The cache key of `case`'s package at its current data version (case.data_version and
    data_changed_at, which every write to the case bumps: services.touch_cases), as of `as_of` (by
    `as_of_rule`), as known on `known_on` (or None), with or without the authors' names, on the site's
    date (as the pages: staleness counts to today) and by this code."""
    parts = [
        code_fingerprint(),
        str(case.pk),
        str(case.data_version),
        case.data_changed_at.isoformat() if case.data_changed_at else "",
        as_of.isoformat(),
        as_of_rule,
        known_on.isoformat() if known_on else "",
        "authors" if authors else "anonymous",
        timezone.localdate().isoformat(),
        str(settings.STALE_AFTER_DAYS),
    ]
    return "package:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def kept_case_package(case, *, as_of, as_of_rule, known_on=None, authors=True):
    """The zip bytes of `build_package([(case, as_of, as_of_rule)], known_on=…, name=case.slug,
    title=case.name, authors=…)`: from the cache when this version of the case's package was built
    already (its `created` time is then when it was built), else built and kept there for
    settings.PAGE_CACHE_SECONDS. No query when kept; `build_package`'s when not."""
    key = package_key(case, as_of=as_of, as_of_rule=as_of_rule, known_on=known_on, authors=authors)
    data = cache.get(key)
    if data is None:
        data = build_package(
            [(case, as_of, as_of_rule)], known_on=known_on, name=case.slug, title=case.name, authors=authors
        )
        cache.set(key, data, settings.PAGE_CACHE_SECONDS)
    return data
