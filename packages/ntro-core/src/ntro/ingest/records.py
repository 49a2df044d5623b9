"""Rows submitted at the ingest stage (ntro 0.1.2's ``ntro.ingest.records``).

Only the model is carried over; 0.1.2's ``insert_submitted_record`` wrote it
to the hosted platform's database and is not part of this SDK.
"""

from __future__ import annotations

from typing import Any

import pydantic

from ntro.ingest._not_carried import not_carried_over

__all__ = ["SubmittedRecord"]


class SubmittedRecord(pydantic.BaseModel):
    """One structured row submitted by a person or an agent, with no file behind it.

    Attributes:
        id: The record's id.
        entity_slug: The entity it belongs to.
        task_id: The run it was submitted to, if any.
        kind: What kind of row it is (``expense``...), if said.
        source_ref: Where it came from (a mapping), if known.
        data: The row itself.
        received_at: When it arrived (ISO 8601), if known.
    """

    id: str
    entity_slug: str
    task_id: str | None = None
    kind: str | None = None
    source_ref: dict[str, Any] | None = None
    data: dict[str, Any]
    received_at: str | None = None


def __getattr__(name: str) -> Any:
    not_carried_over(__name__, name)
