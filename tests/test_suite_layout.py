"""The test suite mirrors the packages (tests/measures/, tests/workspace/, tests/reading/, tests/reports/),
and a test module never imports another: shared helpers live in tests/helpers.py, fixtures in conftest.py."""

import ast

from tests.helpers import ROOT

TESTS = ROOT / "tests"


def _test_modules():
    return sorted(TESTS.rglob("test_*.py"))


def test_no_test_module_imports_another():
    found = []
    for path in _test_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name.split(".")[-1].startswith("test_") for name in names if name.startswith("tests")):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], "import from tests/helpers.py instead"


def test_each_test_folder_is_named_after_a_package_of_the_project():
    folders = sorted(p for p in TESTS.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert folders
    for folder in folders:
        assert (folder / "__init__.py").exists(), folder
        assert (ROOT / folder.name / "__init__.py").exists(), f"tests/{folder.name}/ mirrors no package"
