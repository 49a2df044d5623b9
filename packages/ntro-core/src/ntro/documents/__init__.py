"""ntro.documents: uploaded documents in one store that the answering side and the workers share.

An upload gate is answered with a *ref*, never with the file: whoever
answers puts the file into the store first, then sends the ref it got back;
the activity that reads the document opens the same store and reads the ref::

    from ntro import documents

    ref = documents.put("statement.csv")        # 'sha256:9f86d0...'
    data = documents.read(ref)                 # the bytes, in any process that opens the same store
    info = documents.stat(ref)                 # filename, content_type, size

The store is an fsspec URL: ``NTRO_DOCUMENTS`` (or ``--documents`` on the
``ntro`` commands that answer uploads or host activities), by default the
directory ``ntro/documents`` in the user's data directory. ``s3://BUCKET/PREFIX``
(``pip install "ntro-core[s3]"``), ``gs://BUCKET/PREFIX`` (``"ntro-core[gcs]"``)
and ``memory://NAME`` work the same way, so a team points its workers and
its console at one bucket.

Refs are ``sha256:<hex>`` of the bytes, relative to the store: the same bytes
put twice are stored once, and a worker resolves a ref in *its* store, which
must be the one the document was put into. ``sample:<name>`` refs (what the
harness and ``ntro workflow run`` send) are read from the ``samples``
directory a runbook passes, and need no store.

Every error is a :class:`DocumentError` whose message is one line: the store
cannot be reached, no document has that ref, the document is over the size
limit (25 MB unless ``NTRO_DOCUMENTS_MAX_MB`` says otherwise), or the URL
cannot be used. Nothing half-written is ever left in the store.

Importing this module does not import fsspec; making the first store does.
"""

from __future__ import annotations

from ntro.documents._default import (
    default_store,
    default_url,
    exists,
    open,  # noqa: A004
    put,
    read,
    set_default_store,
    stat,
)
from ntro.documents._errors import (
    DocumentError,
    DocumentNotFoundError,
    DocumentStoreConfigError,
    DocumentStoreUnavailableError,
    DocumentTooLargeError,
)
from ntro.documents._store import (
    DEFAULT_MAX_SIZE,
    DOCUMENTS_ENV,
    MAX_SIZE_ENV,
    SAMPLE_PREFIX,
    DocumentInfo,
    DocumentStore,
    guess_content_type,
)

__all__ = [
    "DEFAULT_MAX_SIZE",
    "DOCUMENTS_ENV",
    "MAX_SIZE_ENV",
    "SAMPLE_PREFIX",
    "DocumentError",
    "DocumentInfo",
    "DocumentNotFoundError",
    "DocumentStore",
    "DocumentStoreConfigError",
    "DocumentStoreUnavailableError",
    "DocumentTooLargeError",
    "default_store",
    "default_url",
    "exists",
    "guess_content_type",
    "open",
    "put",
    "read",
    "set_default_store",
    "stat",
]
