"""Where the console puts uploaded documents: the one module that knows the document store.

Until ``ntro.documents`` lands in core, this is a stand-in: a content-addressed
directory whose files' paths are sent as refs (the examples' activities read
local paths). It is replaced by ``ntro.documents`` and ``ntro.client``'s
document answer when those are merged.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["add_documents_option", "documents_from_args", "store_document"]


def add_documents_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--documents URL``: where uploads are put."""
    parser.add_argument("--documents", metavar="URL", help="the document store uploads go into [env NTRO_DOCUMENTS]")


def documents_from_args(args: argparse.Namespace) -> Any:
    """Return the store ``--documents`` names (a directory, for now)."""
    url = getattr(args, "documents", None) or os.environ.get("NTRO_DOCUMENTS") or ""
    path = url.removeprefix("file://") if url else str(Path(tempfile.gettempdir()) / "ntro-console-documents")
    return Path(path)


def store_document(store: Any, data: bytes, filename: str, content_type: str) -> str:
    """Put ``data`` into ``store`` and return its ref; the file name is metadata only, never a path."""
    root = Path(store) if store is not None else Path(tempfile.gettempdir()) / "ntro-console-documents"
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(filename).suffix.lower()
    suffix = suffix if suffix.isascii() and suffix[1:].isalnum() and len(suffix) <= 10 else ""
    target = root / digest[:2] / f"{digest}{suffix}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        partial.replace(target)
    return str(target)
