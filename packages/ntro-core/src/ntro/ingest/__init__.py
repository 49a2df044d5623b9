"""ntro.ingest: the feedback models an ingesting runbook shows people (ntro 0.1.2's names).

Runbooks pass them to ``NtroWorkflow.set_user_feedback(kind="ingest", payload=...)``
while a gate is open, so the UI can say how an upload went::

    from ntro.workflow import IngestIssueSummary, IngestOutcome, IngestProgressSnapshot

    self.set_user_feedback(
        kind="ingest",
        payload=IngestOutcome(
            status="partial",
            progress=IngestProgressSnapshot(received=12, accepted=11, rejected=1, expected=20),
            issues=[IngestIssueSummary(code="bad_date", message="date is not a date", rows=["R-7"])],
        ),
        level="warning",
    )

They are pydantic models; ``set_user_feedback`` stores their JSON form.
ntro 0.1.2's fields were not published; these are this project's.
"""

from __future__ import annotations

from typing import Any, Literal

import pydantic

__all__ = ["IngestIssueSummary", "IngestOutcome", "IngestProgressSnapshot"]


class IngestIssueSummary(pydantic.BaseModel):
    """One kind of problem found in what was ingested.

    Attributes:
        code: A short machine-readable code (``bad_date``, ``duplicate``...).
        message: What is wrong, for people.
        severity: ``info``, ``warning`` or ``error``.
        count: How many rows or documents have it.
        rows: Ids of (some of) the rows that have it.
    """

    code: str
    message: str
    severity: Literal["info", "warning", "error"] = "warning"
    count: int = 1
    rows: list[str] = pydantic.Field(default_factory=list)


class IngestProgressSnapshot(pydantic.BaseModel):
    """How far an ingest has got.

    Attributes:
        received: Rows or documents received so far.
        accepted: Those accepted.
        rejected: Those rejected.
        expected: How many are expected in all, when known.
    """

    received: int = 0
    accepted: int = 0
    rejected: int = 0
    expected: int | None = None

    @property
    def complete(self) -> bool:
        """Whether everything expected has arrived (never, when nothing is expected)."""
        return self.expected is not None and self.received >= self.expected


class IngestOutcome(pydantic.BaseModel):
    """Where an ingest stands: its status, progress and problems.

    Attributes:
        status: ``pending`` (waiting for input), ``partial``, ``complete`` or ``failed``.
        progress: The counts so far.
        issues: The problems found, one entry per kind.
        message: One line for people, if any.
    """

    # TEMPORARY (harness branch): 0.1.2's fields are accepted until the compat helper's IngestOutcome lands.
    model_config = pydantic.ConfigDict(extra="allow")

    status: Literal["pending", "partial", "complete", "failed", "success", "empty"] = "pending"
    progress: IngestProgressSnapshot | dict[str, Any] = pydantic.Field(default_factory=IngestProgressSnapshot)
    issues: list[IngestIssueSummary] = pydantic.Field(default_factory=list)
    message: str | None = None
