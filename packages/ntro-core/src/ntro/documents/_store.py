"""DocumentStore: content-addressed documents in one fsspec store, and the bundled samples.

Layout under the store's root (a directory, a bucket prefix...)::

    sha256/<first two hex digits>/<hex>        the bytes
    sha256/<first two hex digits>/<hex>.json   {"ref", "filename", "content_type", "size", "stored_at"}

The bytes are written first, then the metadata: a document exists once its
metadata does. Each write is atomic. On an object store (S3, GCS, Azure) and
in memory a single write is: the object appears whole or not at all. On a
filesystem-like store (a local directory, SFTP...) the bytes go to a
temporary name beside the final one and are renamed into place, and the
temporary file is removed if anything fails. fsspec is imported when the
first store is made, never when this module is.
"""

from __future__ import annotations

import glob
import json
import mimetypes
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeAlias

import attrs

from ntro.documents._errors import (
    DocumentError,
    DocumentNotFoundError,
    DocumentStoreConfigError,
    DocumentStoreUnavailableError,
    DocumentTooLargeError,
)
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

__all__ = [
    "DEFAULT_MAX_SIZE",
    "DOCUMENTS_ENV",
    "MAX_SIZE_ENV",
    "SAMPLE_PREFIX",
    "DocumentInfo",
    "DocumentStore",
    "Samples",
    "guess_content_type",
]

DOCUMENTS_ENV = "NTRO_DOCUMENTS"
"""Environment variable holding the default store's URL (see :func:`ntro.documents.default_store`)."""

MAX_SIZE_ENV = "NTRO_DOCUMENTS_MAX_MB"
"""Environment variable holding the size limit, in megabytes (2**20 bytes), of stores made without ``max_size``."""

DEFAULT_MAX_SIZE = 25 * 2**20
"""The size limit, in bytes, when neither ``max_size`` nor ``NTRO_DOCUMENTS_MAX_MB`` is given: 25 MB."""

SAMPLE_PREFIX = "sample:"
"""The prefix of a bundled-sample ref, ``sample:<name>``: what the harness and ``ntro workflow run`` send."""

_Data: TypeAlias = "bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes]"

_REF = re.compile(r"sha256:([0-9a-fA-F]{64})")
_OCTET_STREAM = "application/octet-stream"
_MB = 2**20


def guess_content_type(filename: str | None) -> str:
    """Return the media type a file name suggests, or ``application/octet-stream``.

    Args:
        filename: The file's name (only its extension matters), or ``None``.
    """
    if not filename:
        return _OCTET_STREAM
    return mimetypes.guess_type(filename)[0] or _OCTET_STREAM


@attrs.frozen
class DocumentInfo:
    """What a store knows about a document besides its bytes.

    Attributes:
        ref: The document's ref (``sha256:<hex>``, or ``sample:<name>``).
        filename: The name it was first put under (a store keeps one copy of
            the same bytes, with the first name), or ``None`` when none was given.
        content_type: Its media type, given or guessed from the name.
        size: Its size in bytes.
        stored_at: When it was first put (UTC), or ``None`` for a bundled sample.
    """

    ref: str
    filename: str | None
    content_type: str
    size: int
    stored_at: datetime | None = None


def _size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < _MB:
        return f"{size / 1024:.1f} KB"
    megabytes = size / _MB
    return f"{megabytes:g} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"


def _max_size_from_env() -> int:
    raw = os.environ.get(MAX_SIZE_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_SIZE
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = float("nan")
    if not megabytes > 0 or megabytes == float("inf"):
        raise DocumentStoreConfigError(f"{MAX_SIZE_ENV}={raw!r} is not a number of megabytes above 0")
    return max(1, int(megabytes * _MB))


def _digest(ref: str) -> str:
    """The hex digest of a store ref; one line when ``ref`` is no ref."""
    match = _REF.fullmatch(ref.strip()) if isinstance(ref, str) else None
    if match is not None:
        return match.group(1).lower()
    hint = ""
    if isinstance(ref, str) and (ref.startswith(("/", "./", "~", "file:")) or os.sep in ref):
        hint = "; a local path is no ref: put the file into the store (ntro.documents.put) and send the ref it returns"
    raise DocumentNotFoundError(
        f"{ref!r} is not a document ref: expected sha256:<64 hex digits> (or {SAMPLE_PREFIX}<name>){hint}"
    )


class Samples:
    """Reads ``sample:<name>`` refs: the runbook's bundled sample ``<name>.*`` in a samples directory.

    The harness and ``ntro workflow run`` answer an upload with
    ``sample:<source>``; a runbook that ships samples passes its samples
    directory (``samples=``) to :func:`ntro.documents.read` and its siblings,
    and reads them exactly as it reads uploaded documents.
    """

    def file(self, ref: str, *, samples: str | os.PathLike[str] | None = None) -> Path:
        """Return the sample file ``ref`` names in ``samples``.

        Raises:
            DocumentNotFoundError: No samples directory is given, or no sample has that name.
        """
        name = ref.removeprefix(SAMPLE_PREFIX)
        if samples is None:
            raise DocumentNotFoundError(
                f"{ref!r} is a bundled-sample ref (what the harness and 'ntro workflow run' send): "
                "read it with samples=<the runbook's samples directory>"
            )
        directory = Path(samples)
        matches: list[Path] = []
        if name and not name.startswith(".") and "/" not in name and "\\" not in name:
            pattern = glob.escape(name)
            matches = sorted(p for p in (directory / name, *directory.glob(f"{pattern}.*")) if p.is_file())
        if not matches:
            try:
                known = sorted({p.stem for p in directory.iterdir() if p.is_file()})
            except OSError:
                known = []
            raise DocumentNotFoundError(
                f"no bundled sample {name!r} in {directory}; samples: {', '.join(known) or 'none'}"
            )
        return matches[0]

    def open(self, ref: str, *, samples: str | os.PathLike[str] | None = None) -> IO[bytes]:
        """Open the sample ``ref`` names for reading bytes."""
        path = self.file(ref, samples=samples)
        try:
            return path.open("rb")
        except OSError as exc:
            raise DocumentStoreUnavailableError(f"the bundled sample {path} cannot be read: {reason(exc)}") from exc

    def read(self, ref: str, *, samples: str | os.PathLike[str] | None = None) -> bytes:
        """Return the bytes of the sample ``ref`` names."""
        with self.open(ref, samples=samples) as file:
            return file.read()

    def stat(self, ref: str, *, samples: str | os.PathLike[str] | None = None) -> DocumentInfo:
        """Return the sample's :class:`DocumentInfo` (its own file name; no ``stored_at``)."""
        path = self.file(ref, samples=samples)
        return DocumentInfo(
            ref=ref, filename=path.name, content_type=guess_content_type(path.name), size=path.stat().st_size
        )

    def exists(self, ref: str, *, samples: str | os.PathLike[str] | None = None) -> bool:
        """Whether ``samples`` has the sample ``ref`` names."""
        try:
            self.file(ref, samples=samples)
        except DocumentNotFoundError:
            return False
        return True


SAMPLES = Samples()
"""The one reader of ``sample:`` refs."""


def is_sample(ref: str) -> bool:
    """Whether ``ref`` is a bundled-sample ref."""
    return isinstance(ref, str) and ref.startswith(SAMPLE_PREFIX)


class DocumentStore:
    """Documents in one store, named by an fsspec URL; each put under the sha256 of its bytes.

    A ref (``sha256:<hex>``) names bytes, not a place: it is relative to the
    store, so whoever reads it must open the same store (the same bucket and
    prefix, or the same directory) as whoever put it. The same bytes put
    twice are stored once.

    Args:
        url: Where the documents live: a directory (``file:///srv/ntro/documents``
            or a plain path), ``s3://BUCKET/PREFIX``, ``gs://BUCKET/PREFIX``,
            ``memory://NAME``, or any URL fsspec understands. S3 needs
            ``pip install "ntro-core[s3]"``, GCS ``"ntro-core[gcs]"``.
        max_size: The largest document :meth:`put` accepts, in bytes
            (default: ``NTRO_DOCUMENTS_MAX_MB`` megabytes, else 25 MB).
        **storage_options: Passed to the fsspec filesystem (for S3, say,
            ``endpoint_url=``, ``key=``, ``secret=``). fsspec's own settings
            apply too, such as ``FSSPEC_S3_ENDPOINT_URL``.

    Raises:
        DocumentStoreConfigError: The URL cannot be used (an unknown protocol,
            a missing package, no bucket), or the size limit is not a positive number.
        DocumentStoreUnavailableError: A filesystem that connects as it is made
            (SFTP, FTP...) cannot be reached. Object stores and directories are
            reached on first use instead.
    """

    def __init__(self, url: str, *, max_size: int | None = None, **storage_options: Any) -> None:
        if not isinstance(url, str) or not url.strip():
            raise DocumentStoreConfigError(
                f"the document store URL is empty: give a directory, or a URL such as s3://BUCKET/PREFIX "
                f"(in {DOCUMENTS_ENV} or --documents)"
            )
        if max_size is None:
            max_size = _max_size_from_env()
        elif isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
            raise DocumentStoreConfigError(f"max_size must be a whole number of bytes above 0, not {max_size!r}")
        self.max_size = max_size
        self._fs, self._root = open_filesystem(
            url.strip(),
            storage_options,
            what="document store",
            config_error=DocumentStoreConfigError,
            unavailable_error=DocumentStoreUnavailableError,
        )
        self._atomic = protocols_of(self._fs)[0] in ATOMIC_WRITES
        local = is_local(self._fs)
        self.url = self._fs.unstrip_protocol(self._root or "/") if local else redacted(url.strip()).rstrip("/")

    url: str
    """The store's URL, for messages (a local directory as an absolute ``file://`` URL; no password)."""

    max_size: int
    """The largest document :meth:`put` accepts, in bytes."""

    def __repr__(self) -> str:
        return f"DocumentStore({self.url!r}, max_size={self.max_size})"

    # -- writing ------------------------------------------------------------------------------------

    def check_size(self, size: int, filename: str | None = None) -> None:
        """Refuse a document of ``size`` bytes now, before anything reads it, when it is over the limit.

        Args:
            size: The document's size in bytes.
            filename: Its name, for the message.

        Raises:
            DocumentTooLargeError: ``size`` is more than :attr:`max_size`.
        """
        if size > self.max_size:
            self._too_large(filename, f" ({_size_text(size)})")

    def _too_large(self, filename: str | None, how_big: str = "") -> None:
        raise DocumentTooLargeError(
            f"{filename or 'the document'}{how_big} is larger than the document store's limit of "
            f"{_size_text(self.max_size)} ({MAX_SIZE_ENV} sets it)"
        )

    def put(
        self,
        data: bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes],
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Store a document and return its ref, ``sha256:<hex>``.

        The whole document is read (up to the size limit) before anything is
        written, so a source that fails half-way leaves nothing behind. If
        the store already holds the same bytes, nothing is written and the
        same ref is returned.

        Args:
            data: The bytes, a local file's path (``str`` or a path object), or a
                binary file object read to its end.
            filename: The document's name (default: the path's or file object's
                name); only its last component is kept.
            content_type: Its media type (default: guessed from ``filename``).

        Returns:
            The ref to send (for instance as an upload's ``document_ref``).

        Raises:
            DocumentTooLargeError: It is larger than :attr:`max_size`; nothing was written.
            DocumentStoreUnavailableError: The store cannot be written; nothing half-written is left.
            DocumentError: ``data`` is a path that cannot be read, or a text file object.
        """
        content, name = self._content(data, filename)
        digest = content_hash(content)
        ref = f"sha256:{digest}"
        blob, meta = self._paths(digest)
        metadata = {
            "ref": ref,
            "filename": name,
            "content_type": content_type or guess_content_type(name),
            "size": len(content),
            "stored_at": datetime.now(UTC).isoformat(),
        }
        with self._io("written"):
            if self._fs.exists(meta) and self._holds(blob, len(content)):
                return ref  # stored already: it keeps its first name
            self._write(blob, content)
            self._write(meta, json.dumps(metadata, sort_keys=True).encode("utf-8"))
        return ref

    def _content(self, data: _Data, filename: str | None) -> tuple[bytes, str | None]:
        """The document's bytes (never more than the limit) and its name."""
        if isinstance(data, bytes | bytearray | memoryview):
            name = Path(filename).name if filename else None
            content = bytes(data)
            self.check_size(len(content), name)
            return content, name
        if isinstance(data, str | os.PathLike):
            path = Path(data).expanduser()
            name = Path(filename).name if filename else path.name
            try:
                with path.open("rb") as file:
                    self.check_size(os.fstat(file.fileno()).st_size, name)  # a file says its size: no need to read it
                    return self._bounded(file, name), name
            except OSError as exc:
                raise DocumentError(f"cannot read {path}: {reason(exc)}") from None
        given = filename or getattr(data, "name", None)
        name = Path(given).name if isinstance(given, str) and given else None
        try:
            return self._bounded(data, name), name
        except OSError as exc:  # the source broke off (a dropped upload): nothing was written
            raise DocumentError(f"cannot read {name or 'the document'}: {reason(exc)}") from None

    def _bounded(self, file: IO[bytes], name: str | None) -> bytes:
        """Read ``file`` to its end, refusing it as soon as it is over the limit."""
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = file.read(self.max_size + 1 - total)
            if not chunk:
                break
            if not isinstance(chunk, bytes | bytearray):
                raise DocumentError(f"{name or 'the file'} is open in text mode: open it in binary mode ('rb')")
            chunks.append(bytes(chunk))
            total += len(chunk)
            if total > self.max_size:
                self._too_large(name)
        return b"".join(chunks)

    def _holds(self, path: str, size: int) -> bool:
        try:
            return int(self._fs.info(path)["size"]) == size
        except FileNotFoundError:
            return False

    def _write(self, path: str, data: bytes) -> None:
        """Write ``data`` at ``path`` so that ``path`` never holds part of it."""
        write_whole(self._fs, path, data, atomic=self._atomic)

    # -- reading ------------------------------------------------------------------------------------

    def open(self, ref: str, *, samples: str | os.PathLike[str] | None = None) -> IO[bytes]:
        """Open the document ``ref`` for reading bytes (use it in a ``with`` block).

        Args:
            ref: A ref :meth:`put` returned, or a ``sample:<name>`` ref.
            samples: The directory ``sample:`` refs are read from (a runbook's
                bundled samples); without it a sample ref is not found.

        Raises:
            DocumentNotFoundError: This store has no such document, or ``ref`` is no ref.
            DocumentStoreUnavailableError: The store cannot be read.
        """
        if is_sample(ref):
            return SAMPLES.open(ref, samples=samples)
        blob, _ = self._paths(_digest(ref))
        with self._io("read"):
            try:
                file: IO[bytes] = self._fs.open(blob, "rb")
            except FileNotFoundError:
                raise self._missing(ref) from None
        return file

    def read(self, ref: str, *, samples: str | os.PathLike[str] | None = None) -> bytes:
        """Return the bytes of the document ``ref`` (see :meth:`open` for the arguments and errors)."""
        if is_sample(ref):
            return SAMPLES.read(ref, samples=samples)
        blob, _ = self._paths(_digest(ref))
        with self._io("read"):
            try:
                return bytes(self._fs.cat_file(blob))
            except FileNotFoundError:
                raise self._missing(ref) from None

    def stat(self, ref: str, *, samples: str | os.PathLike[str] | None = None) -> DocumentInfo:
        """Return what the store knows about ``ref``: name, media type, size (see :meth:`open`)."""
        if is_sample(ref):
            return SAMPLES.stat(ref, samples=samples)
        digest = _digest(ref)
        _, meta = self._paths(digest)
        with self._io("read"):
            try:
                raw = self._fs.cat_file(meta)
            except FileNotFoundError:
                raise self._missing(ref) from None
        try:
            fields = json.loads(raw)
            stored_at = fields.get("stored_at")
            return DocumentInfo(
                ref=f"sha256:{digest}",
                filename=fields.get("filename"),
                content_type=str(fields.get("content_type") or _OCTET_STREAM),
                size=int(fields["size"]),
                stored_at=datetime.fromisoformat(stored_at) if stored_at else None,
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            raise DocumentStoreUnavailableError(
                f"the metadata of {ref} in the document store {self.url} is damaged ({meta})"
            ) from None

    def exists(self, ref: str, *, samples: str | os.PathLike[str] | None = None) -> bool:
        """Whether the store holds ``ref`` (``False`` for a string that is no ref).

        Raises:
            DocumentStoreUnavailableError: The store cannot be read.
        """
        if is_sample(ref):
            return SAMPLES.exists(ref, samples=samples)
        try:
            digest = _digest(ref)
        except DocumentNotFoundError:
            return False
        _, meta = self._paths(digest)
        with self._io("read"):
            return bool(self._fs.exists(meta))

    # -- plumbing -------------------------------------------------------------------------------------

    def _paths(self, digest: str) -> tuple[str, str]:
        blob = f"{self._root}/sha256/{digest[:2]}/{digest}"
        return blob, f"{blob}.json"

    def _missing(self, ref: str) -> DocumentNotFoundError:
        return DocumentNotFoundError(
            f"no document {ref} in the document store {self.url}; a ref is relative to its store: "
            f"is this the store it was put into ({DOCUMENTS_ENV} or --documents)?"
        )

    @contextmanager
    def _io(self, doing: str) -> Iterator[None]:
        """Turn whatever the store raises into one of ours, with one line that names the store."""
        try:
            yield
        except DocumentError:
            raise
        except Exception as exc:
            raise DocumentStoreUnavailableError(
                f"the document store {self.url} cannot be {doing}: {reason(exc)}"
            ) from exc
