"""A store addressed by an fsspec URL: open it with clear errors, write atomically, hash content.

This is the plumbing the registry needs from "a directory by default,
``s3://`` and the like": one small class over an fsspec filesystem, so the
registry code never speaks fsspec itself. The documents store (``ntro.documents``)
keeps its bytes in the same kind of store; once it lands, this module is the one
place to point at its plumbing instead.

Guarantees:

* :meth:`Store.write` replaces a file in one step on a local directory (a
  temporary file renamed over it), and with the filesystem's own whole-object
  put elsewhere (object stores write an object whole or not at all);
* :meth:`Store.create` writes a file only when it does not exist yet, in one
  step: a hard link on a local directory, the ``xb`` open mode elsewhere
  (checked afterwards where a store may not honour it);
* every failure to reach the store is one :class:`~ntro.registry.RegistryUnreachableError`
  line naming the URL.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from ntro.workflow.exceptions import NtroError

__all__ = ["Store", "StoreUnreachableError", "content_hash", "open_store"]

T = TypeVar("T")

_MISSING_BACKENDS = {
    "s3": "s3fs",
    "s3a": "s3fs",
    "gs": "gcsfs",
    "gcs": "gcsfs",
    "az": "adlfs",
    "abfs": "adlfs",
    "abfss": "adlfs",
    "sftp": "paramiko",
    "ssh": "paramiko",
}


class StoreUnreachableError(NtroError, OSError):
    """The store cannot be opened, read or written; the message says which and why."""


def content_hash(data: bytes) -> str:
    """Return the SHA-256 of ``data`` as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip().splitlines()
    return text[0] if text and text[0] else type(exc).__name__


def _protocol(url: str) -> str:
    return url.split("://", 1)[0].lower() if "://" in url else "file"


def open_store(url: str, what: str = "store") -> Store:
    """Open the store at ``url``: a local path (``./registry``, ``file:///srv/registry``) or any fsspec URL.

    Nothing is read or written yet; a store that does not exist is created by
    its first write.

    Args:
        url: Where the store lives.
        what: What the store is, for messages (``registry``, ``documents store``).

    Raises:
        StoreUnreachableError: The URL is empty, names no known protocol, or
            the package for its protocol is not installed.
    """
    if not url or not url.strip():
        raise StoreUnreachableError(
            f"the {what} URL is empty; give a directory or an fsspec URL such as s3://bucket/path"
        )
    if "\0" in url:
        raise StoreUnreachableError(f"{url!r} is not a usable {what} URL (it holds a NUL byte)")
    from fsspec.core import url_to_fs

    protocol = _protocol(url)
    local = Path(url).expanduser() if protocol == "file" and "://" not in url else None
    try:
        fs, root = url_to_fs(str(local.absolute()) if local is not None else url)
    except ImportError:
        package = _MISSING_BACKENDS.get(protocol)
        hint = f"pip install {package}" if package else f"install the fsspec package for {protocol}://"
        raise StoreUnreachableError(
            f"cannot open the {what} at {url}: {protocol}:// needs a package ({hint})"
        ) from None
    except ValueError as exc:
        raise StoreUnreachableError(f"cannot open the {what} at {url}: {_reason(exc)}") from None
    except Exception as exc:  # a backend's own failure to set up (bad credentials, a bad host name...)
        raise StoreUnreachableError(f"cannot reach the {what} at {url}: {_reason(exc)}") from None
    return Store(fs, str(root).rstrip("/") or "/", url, what)


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
        self.url = url
        self.what = what
        protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
        self.local = protocol in ("file", "local")

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
            raise StoreUnreachableError(f"cannot {action} the {self.what} at {self.url}: {_reason(exc)}") from None

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
        if self.local:
            self._guard("write to", lambda: self._local_write(full, data, exclusive=False))
            return
        self._guard("write to", lambda: self.fs.pipe_file(full, data))

    def create(self, relative: str, data: bytes) -> bool:
        """Write a file only when it does not exist yet, in one step; return whether it was written."""
        full = self.path(relative)
        if self.local:
            return self._guard("write to", lambda: self._local_write(full, data, exclusive=True))

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

    @staticmethod
    def _local_write(full: str, data: bytes, *, exclusive: bool) -> bool:
        """Write a temporary file beside ``full``, then put it in place in one step; return whether it was."""
        target = Path(full)
        target.parent.mkdir(parents=True, exist_ok=True)
        with _temporary_beside(target) as temporary:
            temporary.write_bytes(data)
            if not exclusive:
                os.replace(temporary, target)
                return True
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
