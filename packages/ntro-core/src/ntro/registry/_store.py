"""The registry's store: files under one root of an fsspec URL, in the registry's own terms.

The fsspec plumbing — opening a URL with one-line errors, writing a file so it
is never half there, the content hash — is the document store's
(:mod:`ntro.documents`), shared. What the registry adds:

* :meth:`Store.create` writes a file only when it does not exist yet, in one
  step: a hard link on a local directory, the ``xb`` open mode elsewhere
  (checked afterwards where a store may not honour it); that is how a
  publish commits;
* every failure to open, read or write the store is one
  :class:`StoreUnreachableError` line naming the URL.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from ntro.documents._fs import (
    ATOMIC_WRITES,
    content_hash,
    is_local,
    open_filesystem,
    protocols_of,
    reason,
    redacted,
    write_whole,
)
from ntro.workflow.exceptions import NtroError

__all__ = ["Store", "StoreUnreachableError", "content_hash", "open_store"]

T = TypeVar("T")


class StoreUnreachableError(NtroError, OSError):
    """The store cannot be opened, read or written; the message says which and why."""


def open_store(url: str, what: str = "store") -> Store:
    """Open the store at ``url``: a local path (``./registry``, ``~/registry``) or any fsspec URL.

    Nothing is read or written yet; a store that does not exist is created by
    its first write.

    Args:
        url: Where the store lives.
        what: What the store is, for messages (``registry``).

    Raises:
        StoreUnreachableError: The URL is empty or cannot be used (an unknown
            protocol, a package that is not installed, no bucket), or a
            filesystem that connects as it is made cannot be reached.
    """
    if not url or not url.strip():
        raise StoreUnreachableError(
            f"the {what} URL is empty; give a directory or an fsspec URL such as s3://bucket/path"
        )
    if "\0" in url:
        raise StoreUnreachableError(f"{url!r} is not a usable {what} URL (it holds a NUL byte)")
    target = url.strip()
    if "://" not in target:  # a plain path: ~ and relative paths as the shell means them
        target = str(Path(target).expanduser().absolute())
    fs, root = open_filesystem(
        target, {}, what=what, config_error=StoreUnreachableError, unavailable_error=StoreUnreachableError
    )
    return Store(fs, root or "/", url, what)


class Store:
    """Files under one root of an fsspec filesystem, addressed by ``/``-separated relative paths.

    Args:
        fs: The fsspec filesystem.
        root: The root path on it.
        url: The URL as the user gave it (for messages).
        what: What the store is, for messages.
    """

    def __init__(self, fs: Any, root: str, url: str, what: str) -> None:
        self.fs = fs
        self.root = root
        self.url = redacted(url)
        self.what = what
        self.local = is_local(fs)
        self.atomic = protocols_of(fs)[0] in ATOMIC_WRITES

    def path(self, relative: str) -> str:
        """The full path of ``relative`` on the filesystem."""
        return f"{self.root}/{relative}" if relative else self.root

    def _guard(self, action: str, work: Callable[[], T]) -> T:
        try:
            return work()
        except (FileNotFoundError, FileExistsError):
            raise
        except StoreUnreachableError:
            raise
        except Exception as exc:
            raise StoreUnreachableError(f"cannot {action} the {self.what} at {self.url}: {reason(exc)}") from None

    # -- reading -----------------------------------------------------------------------------

    def read(self, relative: str) -> bytes:
        """Return the bytes of a file.

        Raises:
            FileNotFoundError: There is no such file.
            StoreUnreachableError: The store cannot be read.
        """
        data: bytes = self._guard("read", lambda: self.fs.cat_file(self.path(relative)))
        return data

    def exists(self, relative: str) -> bool:
        """Whether a file or directory exists."""
        return bool(self._guard("read", lambda: self.fs.exists(self.path(relative))))

    def names(self, relative: str) -> list[str]:
        """The names directly under a directory, sorted (none when it does not exist)."""

        def ls() -> list[str]:
            try:
                entries = self.fs.ls(self.path(relative), detail=False)
            except FileNotFoundError:
                return []
            base = self.path(relative).rstrip("/") + "/"
            return sorted({str(e).rstrip("/").removeprefix(base).split("/")[0] for e in entries} - {""})

        if self.local:
            for place in (self.root, self.path(relative)):
                if os.path.exists(place) and not os.path.isdir(place):
                    raise StoreUnreachableError(
                        f"cannot read the {self.what} at {self.url}: {place} is not a directory"
                    )
            if not os.path.isdir(self.path(relative)):
                return []
        return self._guard("read", ls)

    def files(self, relative: str = "") -> list[str]:
        """Every file under a directory, as paths relative to it, sorted."""

        def find() -> list[str]:
            base = self.path(relative).rstrip("/") + "/"
            return sorted(str(p).removeprefix(base) for p in self.fs.find(self.path(relative)))

        return self._guard("read", find)

    # -- writing -----------------------------------------------------------------------------

    def write(self, relative: str, data: bytes) -> None:
        """Write a file whole, replacing what was there, in one step."""
        full = self.path(relative)
        self._guard("write to", lambda: write_whole(self.fs, full, data, atomic=self.atomic))

    def create(self, relative: str, data: bytes) -> bool:
        """Write a file only when it does not exist yet, in one step; return whether it was written."""
        full = self.path(relative)
        if self.local:
            return self._guard("write to", lambda: _link_into_place(full, data))

        def create_remote() -> bool:
            parent = full.rsplit("/", 1)[0]
            with contextlib.suppress(Exception):
                self.fs.makedirs(parent, exist_ok=True)
            try:
                with self.fs.open(full, "xb") as out:
                    out.write(data)
            except FileExistsError:
                return False
            except (NotImplementedError, ValueError):  # a store without exclusive creation
                if self.fs.exists(full):
                    return False
                self.fs.pipe_file(full, data)
            return bytes(self.fs.cat_file(full)) == data  # someone else's file under the same name: not ours

        return self._guard("write to", create_remote)

    def remove(self, relative: str) -> None:
        """Remove a file or a directory tree; nothing when it is absent."""

        def rm() -> None:
            full = self.path(relative)
            if self.fs.exists(full):
                self.fs.rm(full, recursive=True)

        self._guard("remove from", rm)


def _link_into_place(full: str, data: bytes) -> bool:
    """Create the local file ``full`` holding ``data`` unless it exists, in one step; return whether it did."""
    target = Path(full)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_beside(target) as temporary:
        temporary.write_bytes(data)
        try:
            os.link(temporary, target)  # atomic, and refuses an existing name
        except FileExistsError:
            return False
    return True


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        yield temporary
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
