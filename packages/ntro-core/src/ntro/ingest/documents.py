"""Uploaded files and what was extracted from them (ntro 0.1.2's ``ntro.ingest.documents``).

Only the models are carried over; 0.1.2's ``fetch_*``, ``insert_*`` and
``list_submitted_documents`` read and wrote the hosted platform's database and
are not part of this SDK.
"""

from __future__ import annotations

from typing import Any

import pydantic

from ntro.ingest._not_carried import not_carried_over

__all__ = ["ExtractedDocument", "SubmittedDocument"]


class SubmittedDocument(pydantic.BaseModel):
    """One uploaded file, with its bytes.

    Attributes:
        id: The document's id (the ``document_ref`` runbooks pass around).
        entity_slug: The entity it belongs to.
        period: The period it is for (``YYYY-MM``), if said.
        source: Which expected document it is (``bank-statement``...).
        filename: The uploaded file's name.
        content_type: Its media type.
        data_bytes: Its content.
        uploaded_at: When it was uploaded (ISO 8601), if known.
        task_id: The run it was uploaded to, if any.
    """

    id: str
    entity_slug: str
    period: str | None = None
    source: str
    filename: str
    content_type: str
    data_bytes: bytes
    uploaded_at: str | None = None
    task_id: str | None = None


class ExtractedDocument(pydantic.BaseModel):
    """The typed data extracted from one submitted document, after review.

    Attributes:
        id: The extraction's id.
        entity_slug: The entity it belongs to.
        period: The period it is for (``YYYY-MM``).
        source: Which expected document it is.
        document_ref: The :class:`SubmittedDocument` it was extracted from.
        schema_slug: The extraction schema used.
        payload: The extracted fields.
        corrections: The corrections people made in review.
        task_id: The run that extracted it, if any.
    """

    id: str
    entity_slug: str
    period: str
    source: str
    document_ref: str
    schema_slug: str
    payload: dict[str, Any]
    corrections: list[dict[str, Any]]
    task_id: str | None = None


def __getattr__(name: str) -> Any:
    not_carried_over(__name__, name)
