"""``# noqa`` comments: a bare one silences every code on its line, ``# noqa: CODE[,CODE]`` the listed ones."""

from __future__ import annotations

import re

__all__ = ["NoqaMap"]

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[a-z]+[0-9]+(?:[\s,]+[a-z]+[0-9]+)*))?", re.IGNORECASE)
_SPLIT = re.compile(r"[\s,]+")
_ALL: frozenset[str] = frozenset({""})


class NoqaMap:
    """Answers whether a code is suppressed on a line of one source text."""

    def __init__(self, lines: list[str]) -> None:
        """Index the ``# noqa`` comments of ``lines`` (the source split into lines) lazily."""
        self._lines = lines
        self._cache: dict[int, frozenset[str] | None] = {}

    def _codes(self, line: int) -> frozenset[str] | None:
        if line not in self._cache:
            text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
            found = _NOQA.search(text) if "noqa" in text.lower() else None
            if found is None:
                self._cache[line] = None
            elif found.group("codes"):
                self._cache[line] = frozenset(c.upper() for c in _SPLIT.split(found.group("codes")) if c)
            else:
                self._cache[line] = _ALL
        return self._cache[line]

    def suppressed(self, code: str, *lines: int) -> bool:
        """Return whether ``code`` is silenced by a ``# noqa`` on any of ``lines``.

        A listed code also silences the codes it is a prefix of (``NTR1`` covers ``NTR101``).
        """
        for line in lines:
            codes = self._codes(line)
            if codes is not None and (codes is _ALL or code.startswith(tuple(codes))):
                return True
        return False
