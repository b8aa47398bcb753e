"""Text extraction in a child process with a memory and a time budget, so that no file can take the
worker (or the machine) down with it.

`extract_limited` runs `python -m measures.intake.sandbox` with the file on its standard input. The
child first caps its own address space (RLIMIT_AS: SOURCE_EXTRACT_MAX_MEMORY) and CPU time (RLIMIT_CPU),
then runs `extract` with the budgets of the settings (unpacked size, pages, characters), and writes
the document (or the refusal) as JSON on its standard output. The parent waits at most
SOURCE_EXTRACT_SECONDS (wall clock) and then kills it. A child that runs out of memory, is killed or
overruns its time is answered with an IntakeError naming that budget and its setting.

The child does not set Django up (no database, no apps): it configures only the settings the
extraction reads, so it starts in a fraction of a second and holds no connection.
"""

import datetime
import json
import resource
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from measures.intake.extract import ExtractedDocument, IntakeError, human_size

# What the child reads from the settings (their values are passed to it).
BUDGET_SETTINGS = ("SOURCE_UPLOAD_MAX_BYTES", "SOURCE_UNPACKED_MAX_BYTES", "SOURCE_MAX_PAGES", "SOURCE_MAX_CHARACTERS")
_ROOT = Path(__file__).resolve().parents[2]
# How the child reports running out of memory (a MemoryError it could still catch).
_OUT_OF_MEMORY = 3


def _over(name, what, budget, setting):
    return IntakeError(
        f"“{name}” {what}; the budget is {budget} ({setting}). Nothing was saved. Save a smaller version "
        "(the article alone, or the pages you need), or paste the text you need."
    )


def extract_limited(data, *, name):
    """`extract(data, name=name)` in a child process within SOURCE_EXTRACT_MAX_MEMORY bytes of address
    space and SOURCE_EXTRACT_SECONDS seconds. Returns an ExtractedDocument; raises IntakeError as
    `extract` does (its `peak_bytes` set), and naming the memory or time budget when the child exceeds it.

    The document's `peak_bytes` is the child's peak resident memory (bytes)."""
    seconds = settings.SOURCE_EXTRACT_SECONDS
    memory = settings.SOURCE_EXTRACT_MAX_MEMORY
    header = {
        "name": name,
        "memory": memory,
        "seconds": seconds,
        "settings": {key: getattr(settings, key) for key in BUDGET_SETTINGS},
    }
    payload = json.dumps(header).encode() + b"\n" + data
    try:
        child = subprocess.run(
            child_command(),
            input=payload,
            capture_output=True,
            timeout=seconds,
            cwd=_ROOT,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(_ROOT), "LANG": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _over(name, f"took more than {seconds} s to read", f"{seconds} s", "SOURCE_EXTRACT_SECONDS") from None
    if child.returncode == _OUT_OF_MEMORY or (child.returncode != 0 and b"MemoryError" in child.stderr):
        raise _over(name, "needs more memory to read", human_size(memory), "SOURCE_EXTRACT_MAX_MEMORY")
    if child.returncode in (-9, -24) or child.returncode == 128 + 24:  # SIGKILL, SIGXCPU
        raise _over(name, f"took more than {seconds} s to read", f"{seconds} s", "SOURCE_EXTRACT_SECONDS")
    try:
        answer = json.loads(child.stdout)
    except ValueError:
        answer = None
    if child.returncode != 0 or not isinstance(answer, dict):
        # A crash of a reading library (it may be the memory cap met inside C code): the file is refused,
        # never the worker.
        raise IntakeError(
            f"“{name}” could not be read: the reading stopped ({_last_line(child.stderr)}). Nothing was saved. "
            f"It may need more than the memory budget ({human_size(memory)}, SOURCE_EXTRACT_MAX_MEMORY): "
            "save a smaller version, or paste its text."
        )
    if "error" in answer:
        refusal = IntakeError(answer["error"])
        refusal.peak_bytes = answer["peak_bytes"]
        raise refusal
    document = document_from_json(answer["document"])
    document.peak_bytes = answer["peak_bytes"]
    return document


def child_command():
    """The command that runs the child (a function, so that tests can put a slower one in its place)."""
    return [sys.executable, "-m", "measures.intake.sandbox"]


def _last_line(stderr):
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no message"


def document_to_json(document):
    """An ExtractedDocument as a JSON-ready dict (dates as ISO strings)."""
    return {
        "doc_type": document.doc_type,
        "text": document.text,
        "title": document.title,
        "author": document.author,
        "publisher": document.publisher,
        "published_on": document.published_on.isoformat() if document.published_on else None,
        "date_hint": document.date_hint.isoformat() if document.date_hint else None,
        "notes": list(document.notes),
    }


def document_from_json(data):
    """The ExtractedDocument of `document_to_json`'s dict."""
    day = datetime.date.fromisoformat
    return ExtractedDocument(
        doc_type=data["doc_type"],
        text=data["text"],
        title=data["title"],
        author=data["author"],
        publisher=data["publisher"],
        published_on=day(data["published_on"]) if data["published_on"] else None,
        date_hint=day(data["date_hint"]) if data["date_hint"] else None,
        notes=data["notes"],
    )


def _peak_resident_bytes():
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux carries that across
    exec from the parent, so a child forked from a large worker would report the worker's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # not Linux: the best there is


def _child():
    """The child's side: the header line (JSON), then the file's bytes, on standard input."""
    stream = sys.stdin.buffer
    header = json.loads(stream.readline())
    # Caps first, before the reading libraries are loaded: the budget covers everything the child does.
    resource.setrlimit(resource.RLIMIT_AS, (header["memory"], header["memory"]))
    resource.setrlimit(resource.RLIMIT_CPU, (header["seconds"], header["seconds"] + 1))
    data = stream.read()
    settings.configure(**header["settings"])
    from measures.intake.extract import extract

    try:
        answer = {"document": document_to_json(extract(data, name=header["name"]))}
    except IntakeError as exc:
        answer = {"error": str(exc)}
    except MemoryError:
        sys.exit(_OUT_OF_MEMORY)
    answer["peak_bytes"] = _peak_resident_bytes()
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    _child()
