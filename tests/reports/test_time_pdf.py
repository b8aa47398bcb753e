"""bin/time-pdf prints the PDF's phases, its memory and address space against the worker's budget for one
report, and with --profile the costliest functions of a render (what figures the note quotes come from)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.pdf
def test_time_pdf_prints_its_phases_memory_and_profile(tmp_path):
    pdf = tmp_path / "report.pdf"
    done = subprocess.run(
        [sys.executable, "bin/time-pdf", "--runs", "1", "--profile", "3", "--output", str(pdf)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "pakistan-iran-2024 as of 2024-01-29:" in out
    for phase in ("gather", "template", "parse", "render", "write", "total", "cpu"):
        assert f" {phase} " in out.split("median of 1 (ms):")[1].splitlines()[0]
    assert "load average before:" in out
    assert "address space:" in out and "REPORT_MAX_MEMORY_MIB" in out
    assert "one more render, profiled" in out and "tottime" in out
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_time_pdf_refuses_no_runs():
    done = subprocess.run(
        [sys.executable, "bin/time-pdf", "--runs", "0"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "--runs must be at least 1" in done.stderr
