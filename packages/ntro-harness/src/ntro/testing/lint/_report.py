"""Output formats: flake8-style text, JSON with a summary, and GitHub Actions annotations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

from ntro.cli import to_json_text
from ntro.testing.lint._findings import Finding
from ntro.testing.lint._rules import RULES

__all__ = ["FORMATS", "Format", "render"]

Format = Literal["text", "json", "github"]
FORMATS: tuple[Format, ...] = ("text", "json", "github")
"""The names ``--format`` accepts."""

JSON_VERSION = 1


def _text(findings: Sequence[Finding]) -> str:
    return "".join(f"{finding.format()}\n" for finding in findings)


def _json(findings: Sequence[Finding], files: int) -> str:
    by_code = Counter(finding.code for finding in findings)
    document = {
        "version": JSON_VERSION,
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "code": f.code,
                "rule": RULES[f.code].name,
                "message": f.message,
            }
            for f in findings
        ],
        "summary": {
            "files": files,
            "findings": len(findings),
            "by_code": dict(sorted(by_code.items())),
        },
    }
    return to_json_text(document, "the findings") + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(findings: Sequence[Finding]) -> str:
    return "".join(
        f"::error file={_escape_property(f.path)},line={f.line},col={f.column},title={_escape_property(f.code)}"
        f"::{_escape_data(f.message)}\n"
        for f in findings
    )


def render(findings: Sequence[Finding], fmt: Format = "text", *, files: int = 0) -> str:
    """Render ``findings`` in one of :data:`FORMATS`.

    * ``text``: one ``path:line:col: CODE message`` line per finding.
    * ``json``: ``{"version": 1, "findings": [{path, line, column, code, rule,
      message}], "summary": {files, findings, by_code}}``.
    * ``github``: one ``::error file=...,line=...,col=...,title=CODE::message``
      workflow command per finding, which GitHub Actions shows on the diff.

    Args:
        findings: What to render, in order.
        fmt: The format name.
        files: How many files were linted (reported in the JSON summary).

    Returns:
        The text to print, ending with a newline unless it is empty.
    """
    if fmt == "json":
        return _json(findings, files)
    if fmt == "github":
        return _github(findings)
    return _text(findings)
