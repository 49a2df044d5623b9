"""ntro 0.1.2's database helpers of ``ntro.ingest``, which this SDK does not carry over.

They read and wrote the hosted platform's tables through its closed data
plane (``ntro.data``). Importing one names the reason instead of Python's
bare "cannot import name".
"""

from __future__ import annotations

from typing import NoReturn

__all__ = ["DATABASE_HELPERS", "not_carried_over"]

DATABASE_HELPERS: dict[str, str] = {
    "insert_submitted_record": "ntro.ingest.records",
    "fetch_submitted_document_by_id": "ntro.ingest.documents",
    "fetch_latest_submitted_document": "ntro.ingest.documents",
    "insert_extracted_document": "ntro.ingest.documents",
    "insert_submitted_document": "ntro.ingest.documents",
    "list_submitted_documents": "ntro.ingest.documents",
}
"""Each helper's name and the 0.1.2 module that defined it."""


def not_carried_over(module: str, name: str) -> NoReturn:
    """Raise the ``ImportError`` for a database helper ``name`` looked up in ``module``.

    Raises:
        ImportError: Always (``AttributeError`` when ``name`` was never a helper there).
    """
    home = DATABASE_HELPERS.get(name)
    if home is None or module not in (home, "ntro.ingest"):
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    raise ImportError(
        f"{module}.{name} is not part of this SDK: in ntro 0.1.2 it used the hosted platform's "
        "database (ntro.data); do the storage in an activity of your own "
        "(see 'Not carried over' in Migrating from ntro 0.1.2)",
        name=module,
    )
