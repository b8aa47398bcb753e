"""Measured figures (milliseconds, microseconds, seconds) live in docs/performance.md, where a new
measurement replaces them; the code's comments and docstrings say why and point there."""

import pathlib
import re
import tokenize

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("measures", "workspace", "reading", "reports", "tracker", "api", "alerts")
# A duration: "0.8 s", "15 ms", "40 µs". A configured timeout is a setting, not a measurement.
DURATION = re.compile(r"(?<![\w.])\d[\d,.]*(?:\s?(?:ms|µs)|\ss)\b")


def comments_and_docstrings(path):
    """(line number, text) of every comment and string literal standing as a statement (docstrings)."""
    with tokenize.open(path) as source:
        tokens = list(tokenize.generate_tokens(source.readline))
    for index, token in enumerate(tokens):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string
        elif token.type == tokenize.STRING and (
            index == 0 or tokens[index - 1].type in (tokenize.INDENT, tokenize.NEWLINE, tokenize.NL, tokenize.DEDENT)
        ):
            yield token.start[0], token.string


def measured_figures(paths, root=ROOT):
    """["path:line: figure"] for each measured duration in the comments and docstrings of `paths`."""
    found = []
    for path in paths:
        for line, text in comments_and_docstrings(path):
            for match in DURATION.finditer(text):
                if "timeout" not in text[max(0, match.start() - 30) : match.start()]:
                    found.append(f"{path.relative_to(root)}:{line}: {match.group()}")
    return found


def project_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_comment_or_docstring_carries_a_measured_duration():
    assert measured_figures(project_files()) == []


def test_a_measured_duration_in_a_comment_is_found(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        '"""Rendered once (about 60 ms)."""\n\nTIMEOUT = 5  # the busy timeout (5 s) is a setting\n'
        "x = 1  # took 0.2 s at 100×\nlabel = 'not a comment: 3 ms'\n"
    )
    assert measured_figures([module], root=tmp_path) == ["module.py:1: 60 ms", "module.py:4: 0.2 s"]
