"""What a publish takes from a bundle directory, and the checks it makes first."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ntro.registry._records import RegistryError
from ntro.registry._store import content_hash
from ntro.workflow.bundle import BundleError, read_frontmatter

__all__ = ["bundle_files", "bundle_hash", "check_bundle", "check_version"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules"})


def bundle_files(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """Return the files a publish of the bundle at ``path`` takes, by ``/``-separated relative path.

    Every file under the directory is taken, except hidden ones (a name
    starting with ``.``), byte-code (``__pycache__``, ``*.pyc``) and
    ``node_modules``. Symbolic links are followed.

    Raises:
        BundleError: The directory cannot be read.
    """
    root = Path(path)
    found: dict[str, bytes] = {}

    def walk(directory: Path, prefix: str, seen: frozenset[Path]) -> None:
        try:
            entries = sorted(directory.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            raise BundleError(f"{directory}: cannot be read ({exc.strerror or exc})") from None
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name in _SKIPPED_DIRS or name.endswith((".pyc", ".pyo")):
                continue
            relative = f"{prefix}{name}"
            try:
                if entry.is_dir():
                    real = entry.resolve()
                    if real in seen:
                        raise BundleError(f"{entry}: a directory link loops back into the bundle; remove it")
                    walk(entry, relative + "/", seen | {real})
                elif entry.is_file():
                    found[relative] = entry.read_bytes()
            except OSError as exc:
                raise BundleError(f"{entry}: cannot be read ({exc.strerror or exc})") from None

    walk(root, "", frozenset({root.resolve()}))
    return found


def bundle_hash(hashes: Mapping[str, str]) -> str:
    """``sha256:<hex>`` over the sorted ``path NUL file-sha256`` lines of a bundle's files."""
    listing = "".join(f"{path}\0{digest}\n" for path, digest in sorted(hashes.items()))
    return "sha256:" + content_hash(listing.encode("utf-8"))


def check_bundle(root: Path) -> tuple[str, str, dict[str, Any]]:
    """Return the slug, the name and the frontmatter of the bundle at ``root``, after its structure checks."""
    if not root.is_dir():
        what = "no such directory" if not root.exists() else "not a directory"
        raise BundleError(f"{root}: {what}; pass the path of a runbook bundle directory")
    runbook_md = root / "runbook.md"
    if not runbook_md.is_file():
        raise BundleError(f"{root}: not a runbook bundle (no runbook.md)")
    meta, _ = read_frontmatter(runbook_md)
    slug = meta.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise BundleError(f"{runbook_md}: slug {slug!r} is not valid; use lowercase letters, digits and dashes")
    for needed in ("templates/__init__.py", "templates/workflow.py"):
        if not (root / needed).is_file():
            raise BundleError(f"{root}: no {needed}; a bundle's workflow code lives in templates/")
    return slug, str(meta.get("name") or slug), meta


def check_version(version: str) -> str:
    """Return ``version`` when it can name a version.

    Raises:
        RegistryError: It cannot.
    """
    if not _VERSION.match(version):
        raise RegistryError(
            f"version {version!r} is not valid; use letters, digits, '.', '_', '+' and '-' (e.g. 1.4.0), "
            "at most 64 characters, starting with a letter or digit"
        )
    return version
