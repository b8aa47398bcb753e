"""bin/bench's cache of databases: its key follows the schema and the demo-data generator."""

import importlib.machinery
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_bench():
    loader = importlib.machinery.SourceFileLoader("bench_script", str(ROOT / "bin" / "bench"))
    spec = importlib.util.spec_from_loader("bench_script", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_cache_key_reads_the_generator_package(monkeypatch, tmp_path):
    """The generator is a package (measures/importing/demo_data/): the key is computed from its modules
    (it once read a demo_data.py that no longer exists, and the bench stopped before measuring), and
    a change to one of them changes the key, so that the cached databases are rebuilt."""
    bench = load_bench()
    key = bench.cache_key()
    assert len(key) == 12 and int(key, 16) >= 0

    copy = tmp_path / "repo"
    for part in ("measures/migrations", "measures/importing/demo_data", "fixtures"):
        for path in sorted((ROOT / part).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                target = copy / path.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    monkeypatch.setattr(bench, "ROOT", copy)
    monkeypatch.setattr(bench, "CASE_FILE", copy / bench.CASE_FILE.relative_to(ROOT))
    assert bench.cache_key() == key
    module = sorted((copy / "measures/importing/demo_data").glob("*.py"))[-1]
    module.write_text(module.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert bench.cache_key() != key
