"""The :class:`Finding` record the lint reports."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding"]


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One reported violation, ordered by path, line, column and code.

    Attributes:
        path: The file, as it was given or found while walking a directory.
        line: 1-based line number.
        column: 1-based column number.
        code: The rule code, e.g. ``NTR101``.
        message: What is wrong and the deterministic alternative.
    """

    path: str
    line: int
    column: int
    code: str
    message: str

    def format(self) -> str:
        """Return the flake8-style line ``path:line:col: CODE message``."""
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"
