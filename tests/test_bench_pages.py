"""bin/bench times every download the dashboard offers, not only its first: the commitments CSV had no
row, so its cost at 10× and 100× was never measured (docs/performance.md)."""

import ast
import importlib.machinery
import importlib.util

from reading.views.cases import COMMITMENTS_CSV
from tests.helpers import ROOT


def _timed_urls():
    tree = ast.parse((ROOT / "bin" / "bench").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "READING":
            return [row.elts[2].value for row in node.value.elts]
    raise AssertionError("bin/bench has no READING list")


def test_every_download_of_the_dashboard_is_benched():
    urls = _timed_urls()
    for export in ("csv", COMMITMENTS_CSV):
        assert f"/cases/{{slug}}/?_export={export}" in urls


def test_the_cache_key_reads_the_files_that_exist():
    # It read measures/importing/demo_data.py, which became a package: the bench stopped at once.
    loader = importlib.machinery.SourceFileLoader("bench", str(ROOT / "bin" / "bench"))
    spec = importlib.util.spec_from_loader("bench", loader)
    bench = importlib.util.module_from_spec(spec)
    loader.exec_module(bench)
    assert len(bench.cache_key()) == 12
