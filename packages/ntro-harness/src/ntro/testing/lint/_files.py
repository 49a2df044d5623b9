"""Which files a list of paths means: files as given, directories walked for ``*.py``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["SKIPPED_DIRECTORIES", "iter_python_files"]

SKIPPED_DIRECTORIES = frozenset({"__pycache__", ".venv", "venv", ".nox", ".tox", ".git", "node_modules", "build"})
"""Directory names never entered while walking (hidden directories are skipped too)."""


def _is_bundle(directory: Path) -> bool:
    return (directory / "runbook.md").is_file() and (directory / "templates").is_dir()


def _walk(directory: Path) -> Iterator[Path]:
    try:
        if _is_bundle(directory):
            directory = directory / "templates"
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(directory)) from None
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIPPED_DIRECTORIES and not entry.name.startswith("."):
                yield from _walk(directory / entry.name)
        elif entry.name.endswith(".py") and (entry.is_file() or entry.is_symlink()):
            yield directory / entry.name  # a broken or looping symlink too: linting it says it cannot be read


def iter_python_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Yield the Python files ``paths`` stand for, each once, in a stable order.

    A file is linted as given, whatever its suffix. A directory is walked for
    ``*.py`` files, skipping :data:`SKIPPED_DIRECTORIES` and hidden
    directories and not following symlinked directories; in a runbook bundle
    (a directory holding ``runbook.md`` and ``templates/``) only
    ``templates/`` is walked. A ``*.py`` symlink that is broken or loops is
    yielded, so linting it reports that it cannot be read.

    Raises:
        FileNotFoundError: A path does not exist (or is empty).
        OSError: A directory cannot be read (``filename`` names it).
    """
    seen: set[Path] = set()
    for raw in paths:
        if not os.fspath(raw).strip():  # Path("") is ".": an empty argument must not mean the current directory
            raise FileNotFoundError("an empty path was given; name a file or a directory")
        if "\0" in os.fspath(raw):
            raise FileNotFoundError(f"{os.fspath(raw)!r} is not a usable path (it holds a NUL byte)")
        path = Path(raw)
        if path.is_dir():
            found: Iterable[Path] = _walk(path)
        elif path.exists():
            found = (path,)
        elif path.is_symlink():
            raise FileNotFoundError(f"{os.fspath(raw)}: a broken symlink or a symlink loop")
        else:
            raise FileNotFoundError(f"no such file or directory: {os.fspath(raw)}")
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file
