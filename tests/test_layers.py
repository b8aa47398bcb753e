"""The layers of docs/architecture.md, held against the code: no module imports from a layer above its own,
no module outside migrations is over 600 lines, and no package holds more than 12 modules side by side."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("measures", "workspace", "reading", "reports", "api", "alerts", "tracker")

# (module prefix, layer): the longest matching prefix decides. A module may import its own layer and lower.
LAYERS = (
    ("measures.lib", 0),  # pure rules: quoting, dates, text; nothing of the ORM
    ("measures.querysets", 1),
    ("measures.models", 1),
    ("measures.roles", 1),
    ("measures.apps", 3),  # the app's config connects the receivers, the services' too (a renamed account)
    ("measures.state", 2),  # the state calculus: reads only
    ("measures.services", 3),  # every write
    ("measures.intake", 3),
    ("measures.importing", 3),
    ("measures.search", 3),  # the search index: written with every write, read by the pages
    ("measures.management", 4),
    ("measures", 1),
    ("reading", 5),  # front ends own no models and import the domain
    ("workspace", 5),
    ("api", 5),
    ("alerts", 5),
    ("reports", 6),  # the report draws the reading pages' charts
    ("tracker", 7),  # settings and root URLs put the front ends together
)
# Front ends of one layer do not import each other.
SIBLINGS_APART = ("reading", "workspace", "api", "alerts")
MAX_LINES = 600
MAX_MODULES = 12


def layer_of(module):
    for prefix, layer in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return None


def project_modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield module, path


def imports_of(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno


def upward_imports():
    found = []
    for module, path in project_modules():
        own = layer_of(module)
        top = module.split(".")[0]
        for imported, line in imports_of(path):
            if imported.split(".")[0] not in PACKAGES:
                continue
            theirs = layer_of(imported)
            if theirs is None or own is None:
                continue
            other_top = imported.split(".")[0]
            sideways = top != other_top and top in SIBLINGS_APART and other_top in SIBLINGS_APART
            if theirs > own or sideways:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return sorted(set(found))


def test_no_module_imports_from_a_layer_above_its_own():
    assert upward_imports() == []


def test_the_layer_rule_catches_an_upward_import(tmp_path, monkeypatch):
    """The check can fail: a domain module that imported a page would be named."""
    (tmp_path / "measures" / "state").mkdir(parents=True)
    (tmp_path / "measures" / "state" / "bad.py").write_text("from reading.views import dashboard\n")
    (tmp_path / "reading").mkdir()
    (tmp_path / "reading" / "fine.py").write_text("from measures.state import case_state\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert upward_imports() == [
        "measures/state/bad.py:1 imports reading.views",
        "measures/state/bad.py:1 imports reading.views.dashboard",
    ]


MODULES = list(project_modules())


@pytest.mark.parametrize("module, path", MODULES, ids=[module for module, _ in MODULES])
def test_no_module_is_over_600_lines(module, path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it where its sections are"


def test_no_package_holds_more_than_12_modules_side_by_side():
    crowded = {}
    for package in PACKAGES:
        for folder in [ROOT / package, *(ROOT / package).rglob("*")]:
            if not folder.is_dir() or "migrations" in folder.parts or "__pycache__" in folder.parts:
                continue
            entries = [
                p
                for p in folder.iterdir()
                if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").exists()
            ]
            if len(entries) > MAX_MODULES:
                crowded[str(folder.relative_to(ROOT))] = len(entries)
    assert crowded == {}
