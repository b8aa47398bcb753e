"""bin/bench-crowd's report: per page, and the slowest reads with how long after an approval they came."""

import importlib.machinery
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_crowd():
    loader = importlib.machinery.SourceFileLoader("bench_crowd_script", str(ROOT / "bin" / "bench-crowd"))
    spec = importlib.util.spec_from_loader("bench_crowd_script", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_a_read_is_placed_after_the_last_approval_before_it():
    crowd = load_crowd()
    assert crowd._since_last([10.0, 20.0, 30.0], 25.5) == 5.5
    assert crowd._since_last([10.0], 4.0) is None
    assert crowd._since_last([], 4.0) is None


def test_the_report_lists_each_page_and_the_slowest_reads():
    crowd = load_crowd()
    result = {
        "seconds": 60,
        "load": [1.0, 2.0],
        "reads": 2,
        "reads_per_second": 2 / 60,
        "p50": 0.1,
        "p95": 0.9,
        "longest": 0.9,
        "pages": {"measure page": {"n": 2, "p50": 0.5, "p95": 0.9, "longest": 0.9, "hits": 1}},
        "slowest": [
            {
                "seconds": 0.9,
                "page": "measure page",
                "path": "/cases/x/measures/3/",
                "page_cache": "miss",
                "after_approval": 0.4,
            },
            {
                "seconds": 0.1,
                "page": "measure page",
                "path": "/cases/x/measures/1/",
                "page_cache": None,
                "after_approval": None,
            },
        ],
        "writes": {},
        "lost": 0,
        "reviews": {},
        "reviews_lost": 0,
        "errors": {},
        "workers": [1, 1],
    }
    text = crowd.describe("sqlite", 100, result)
    assert "measure page       n=2     median 500 ms, p95 900 ms, longest 900 ms, 1 from the page cache" in text
    assert "the 2 slowest reads:" in text
    assert "900 ms  measure page     /cases/x/measures/3/  (page cache: miss; 0.4 s after an approval)" in text
    assert "(page cache: not stored; before any approval)" in text
