"""fsspec plumbing shared by the stores of ntro-core: the document store and the runbook registry.

* :func:`open_filesystem` opens an fsspec URL, each way it can fail one line
  that names the store (a missing package names the extra to install);
* :func:`write_whole` writes a file so that its path never holds part of it;
* :func:`content_hash` is the SHA-256 both stores address content by;
* :func:`reason` and :func:`redacted` say what went wrong, and where, without a password.

fsspec is imported when a filesystem is first opened, never when this module is.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "ATOMIC_WRITES",
    "BUCKETS",
    "EXTRAS",
    "content_hash",
    "open_filesystem",
    "is_local",
    "protocols_of",
    "reason",
    "redacted",
    "write_whole",
]

ATOMIC_WRITES = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "memory"})
"""Protocols where one write is atomic: an object store's PUT, or a dict entry in memory."""

BUCKETS = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss"})
"""Protocols whose URL must name a bucket (or container)."""

EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs"}
"""The ntro-core extra that installs a protocol's package."""


def content_hash(data: bytes) -> str:
    """The SHA-256 of ``data``, as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def reason(exc: BaseException) -> str:
    """What went wrong, in a few words: an OS error's own words, or the first line of the message."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    lines = text.strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def redacted(url: str) -> str:
    """``url`` without a password in it (``ftp://me:secret@host`` -> ``ftp://me:***@host``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def protocols_of(fs: Any) -> tuple[str, ...]:
    """The protocols a filesystem answers to (its first one is its own)."""
    return (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)


def is_local(fs: Any) -> bool:
    """Whether ``fs`` is this machine's own filesystem (a directory, as ``file://``)."""
    from fsspec.implementations.local import LocalFileSystem

    return isinstance(fs, LocalFileSystem)


def open_filesystem(
    url: str,
    options: dict[str, Any],
    *,
    what: str,
    config_error: type[Exception],
    unavailable_error: type[Exception],
) -> tuple[Any, str]:
    """Return the fsspec filesystem and the root path of ``url``.

    Args:
        url: A directory or an fsspec URL.
        options: Storage options for the filesystem.
        what: What the store is, for messages (``document store``, ``registry``).
        config_error: Raised when the URL cannot be used.
        unavailable_error: Raised when a filesystem that connects as it is made cannot.

    Raises:
        config_error: An unknown protocol, a package that is not installed, no bucket.
        unavailable_error: A filesystem that connects as it is made (SFTP, FTP...) cannot be reached.
    """
    from fsspec.core import url_to_fs

    shown = redacted(url)
    protocol = url.split("://", 1)[0].lower() if "://" in url else "file"
    try:
        fs, root = url_to_fs(url, **options)
    except ImportError as exc:
        extra = EXTRAS.get(protocol)
        how = f'pip install "ntro-core[{extra}]"' if extra else reason(exc)
        raise config_error(f"the {what} {shown} needs a package that is not installed: {how}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise config_error(f"the {what} URL {shown!r} cannot be used: {reason(exc)}") from None
    except Exception as exc:  # a filesystem that connects when it is made (SFTP, FTP...)
        raise unavailable_error(f"the {what} {shown} cannot be reached: {reason(exc)}") from exc
    first = protocols_of(fs)[0]
    if first in BUCKETS and not str(root).strip("/"):
        raise config_error(f"the {what} URL {shown!r} names no bucket: give {first}://BUCKET[/PREFIX]")
    return fs, str(root).rstrip("/")


def write_whole(fs: Any, path: str, data: bytes, *, atomic: bool) -> None:
    """Write ``data`` at ``path`` so that ``path`` never holds part of it.

    On a store whose writes are atomic (``atomic``: an object store, memory)
    that is one write. Elsewhere (a directory, SFTP...) the bytes go to a
    temporary name beside ``path`` and are renamed into place; the temporary
    file is removed if anything fails.
    """
    if atomic:
        fs.pipe_file(path, data)
        return
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    temporary = f"{path}.{uuid.uuid4().hex}.part"
    try:
        fs.pipe_file(temporary, data)
        fs.mv(temporary, path)
    except BaseException:
        try:
            fs.rm_file(temporary)
        except Exception:  # it was never created, or the store is gone: nothing more to do
            pass
        raise
