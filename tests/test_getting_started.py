"""What a newcomer types first: README commands, manage.py without Django, `make help`, /cases/."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_docs_never_tell_to_run_a_bare_python(doc):
    # A bare `python` is the system's (no Django, maybe no `python` at all): use .venv/bin/python.
    bare = [
        line
        for line in doc.read_text(encoding="utf-8").splitlines()
        if re.search(r"(?<![/\w.-])python manage\.py", line)
    ]
    assert bare == []


def test_manage_py_without_django_says_how_to_run_it():
    # -S: without site-packages, as a system Python without Django would be.
    result = subprocess.run([sys.executable, "-S", "manage.py", "check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Django is not installed" in result.stderr
    assert ".venv/bin/python manage.py check" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_target():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE).group(1).split()
    shown = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True).stdout
    listed = set(re.findall(r"^make ([\w-]+)", shown, re.MULTILINE))
    assert set(phony) - {"help"} <= listed, shown


def test_cases_redirects_to_the_case_list(reader_client):
    response = reader_client.get("/cases/?as_of=2024-01-31")
    assert response.status_code == 302
    assert response.url == reverse("measures:case_list") + "?as_of=2024-01-31"
