"""The process's default store, and the module-level functions that use it.

``sample:`` refs never touch a store: they are read from the ``samples``
directory given, so a runbook reading the harness's samples needs no store,
no fsspec and no ``NTRO_DOCUMENTS``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from ntro.documents._store import (
    DOCUMENTS_ENV,
    MAX_SIZE_ENV,
    SAMPLES,
    DocumentInfo,
    DocumentStore,
    Samples,
    is_sample,
)

__all__ = ["default_store", "default_url", "exists", "open", "put", "read", "set_default_store", "stat"]

_chosen: list[DocumentStore] = []  # set_default_store's store, when one was set
_from_env: dict[tuple[str, str], DocumentStore] = {}  # the store the environment names, made once per setting


def _data_home() -> Path:
    """The user's data directory: ``%LOCALAPPDATA%``, ``~/Library/Application Support`` or ``$XDG_DATA_HOME``."""
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")


def default_url() -> str:
    """Return the URL of the store the environment names: ``NTRO_DOCUMENTS``, else a directory of the user's.

    Without ``NTRO_DOCUMENTS`` the store is the directory ``ntro/documents`` in
    the user's data directory: ``$XDG_DATA_HOME`` (``~/.local/share``) on
    Linux, ``~/Library/Application Support`` on macOS, ``%LOCALAPPDATA%`` on
    Windows. It is made on the first :func:`put`. Any process of the same
    user on the same machine finds it; a worker elsewhere does not.
    """
    return os.environ.get(DOCUMENTS_ENV, "").strip() or (_data_home() / "ntro" / "documents").as_uri()


def default_store() -> DocumentStore:
    """Return the store the module-level functions use.

    It is the store :func:`set_default_store` set, else the one
    :func:`default_url` names (remade when ``NTRO_DOCUMENTS`` or
    ``NTRO_DOCUMENTS_MAX_MB`` changes).

    Raises:
        DocumentStoreConfigError: The URL or the size limit cannot be used.
    """
    if _chosen:
        return _chosen[0]
    key = (default_url(), os.environ.get(MAX_SIZE_ENV, ""))
    store = _from_env.get(key)
    if store is None:
        store = DocumentStore(key[0])
        _from_env.clear()
        _from_env[key] = store
    return store


def set_default_store(store: DocumentStore | str | None) -> DocumentStore | None:
    """Make ``store`` (or the store at a URL) the one the module-level functions use, in this process.

    ``ntro worker --documents URL`` does this before it hosts activities, so
    they read the store the answering side writes. ``None`` goes back to
    ``NTRO_DOCUMENTS``. To set a store for a while, put back what this returns::

        previous = documents.set_default_store(store)
        try:
            ...
        finally:
            documents.set_default_store(previous)

    Returns:
        The store set before, or ``None`` when the environment named it.

    Raises:
        DocumentStoreConfigError: ``store`` is a URL that cannot be used (the default store is unchanged).
    """
    chosen = DocumentStore(store) if isinstance(store, str) else store
    previous = _chosen[0] if _chosen else None
    _chosen.clear()
    if chosen is not None:
        _chosen.append(chosen)
    return previous


def _reader(ref: str) -> DocumentStore | Samples:
    """Who reads ``ref``: the samples for a ``sample:`` ref (no store needed), else the default store."""
    return SAMPLES if is_sample(ref) else default_store()


def put(
    data: bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes],
    filename: str | None = None,
    content_type: str | None = None,
) -> str:
    """Store a document in the default store and return its ref (see :meth:`DocumentStore.put`)."""
    return default_store().put(data, filename, content_type)


def open(ref: str, *, samples: str | os.PathLike[str] | None = None) -> IO[bytes]:  # noqa: A001
    """Open a document of the default store, or a bundled sample (see :meth:`DocumentStore.open`)."""
    return _reader(ref).open(ref, samples=samples)


def read(ref: str, *, samples: str | os.PathLike[str] | None = None) -> bytes:
    """Return the bytes of a document of the default store, or of a bundled sample (see :meth:`DocumentStore.read`)."""
    return _reader(ref).read(ref, samples=samples)


def stat(ref: str, *, samples: str | os.PathLike[str] | None = None) -> DocumentInfo:
    """Return what the default store knows about a document, or a sample's (see :meth:`DocumentStore.stat`)."""
    return _reader(ref).stat(ref, samples=samples)


def exists(ref: str, *, samples: str | os.PathLike[str] | None = None) -> bool:
    """Whether the default store holds ``ref``, or the samples have it (see :meth:`DocumentStore.exists`)."""
    return _reader(ref).exists(ref, samples=samples)
