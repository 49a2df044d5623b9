"""``--documents URL``: the document store of the commands that answer uploads or host activities."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ntro.cli._app import CommandError

if TYPE_CHECKING:
    from ntro.documents import DocumentStore

__all__ = ["add_documents_option", "documents_from_args"]


def add_documents_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--documents URL`` to ``parser``: the store uploads are put into and activities read from."""
    parser.add_argument(
        "--documents",
        metavar="URL",
        help="the document store that uploads go into and activities read from: a directory, or a URL such as "
        "s3://BUCKET/PREFIX; the answering side and the workers must use the same one [env NTRO_DOCUMENTS, "
        "default: ntro/documents in your data directory]",
    )


def documents_from_args(args: argparse.Namespace) -> DocumentStore:
    """Return the store ``--documents`` names, else the default store (``NTRO_DOCUMENTS``).

    A command that hosts activities (``ntro worker``, ``ntro workflow run``)
    also makes it the process's default store
    (:func:`ntro.documents.set_default_store`), so the activities'
    :mod:`ntro.documents` calls read the same store.

    Raises:
        CommandError: The URL, or ``NTRO_DOCUMENTS``, cannot be used (exit 2),
            or the store cannot be reached while it is opened (exit 1).
    """
    from ntro import documents

    url = getattr(args, "documents", None)
    try:
        return documents.DocumentStore(url) if url is not None else documents.default_store()
    except documents.DocumentStoreConfigError as exc:
        raise CommandError(str(exc)) from None
    except documents.DocumentError as exc:
        raise CommandError(str(exc), exit_code=1) from None
