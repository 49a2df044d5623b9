"""The errors of :mod:`ntro.documents`: one family, each a one-line message for people."""

from __future__ import annotations

from ntro.workflow.exceptions import NtroError

__all__ = [
    "DocumentError",
    "DocumentNotFoundError",
    "DocumentStoreConfigError",
    "DocumentStoreUnavailableError",
    "DocumentTooLargeError",
]


class DocumentError(NtroError):
    """Base class of the document store's errors; ``str(error)`` is one line that says what to do."""


class DocumentStoreConfigError(DocumentError, ValueError):
    """The store's settings are wrong: a bad URL, a protocol whose package is missing, a bad size limit.

    Nothing was read or written. The message names the setting, and the
    extra to install when a protocol needs one (``pip install "ntro-core[s3]"``).
    """


class DocumentStoreUnavailableError(DocumentError, OSError):
    """The store cannot be reached, or refuses to be read or written (no bucket, no permission, no network).

    Retrying may help once the store is back; nothing half-written was left behind.
    """


class DocumentNotFoundError(DocumentError, LookupError):
    """No document has that ref in this store (or it is no ref at all, or names no bundled sample).

    Retrying does not help: a ref is store-relative, so check that the
    reading side uses the store the document was put into.
    """


class DocumentTooLargeError(DocumentError, ValueError):
    """The document is larger than the store's size limit; nothing was written."""
