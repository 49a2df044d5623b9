"""The feedback models an ingesting runbook shows people, as ntro 0.1.2 shaped them.

A runbook builds an :class:`IngestOutcome` for each upload or submission it
processes and passes it to ``NtroWorkflow.set_user_feedback(kind="ingest",
payload=...)`` while its upload gate is open, so whoever answers the gate can
see how the last upload went and how far the step has got.
"""

from __future__ import annotations

from typing import Literal

import pydantic

__all__ = ["IngestIssueSummary", "IngestOutcome", "IngestProgressSnapshot", "IngestStatus"]

IngestStatus = Literal["success", "partial", "empty", "failed"]
"""How one submission went: every row accepted (``success``), some rejected
(``partial``), rows parsed but none accepted (``empty``), or not processed
(``failed``)."""


class IngestIssueSummary(pydantic.BaseModel):
    """How many rows were rejected for one reason.

    Attributes:
        reason: Why they were rejected, for people (not empty).
        count: How many rows (zero or more).
    """

    reason: str = pydantic.Field(min_length=1)
    count: int = pydantic.Field(ge=0, default=0)


class IngestProgressSnapshot(pydantic.BaseModel):
    """How far a step that waits for accepted rows has got.

    Attributes:
        accepted_rows: Rows accepted so far.
        target_rows: Rows the step waits for before it moves on.
    """

    accepted_rows: int = pydantic.Field(ge=0, default=0)
    target_rows: int = pydantic.Field(ge=0, default=0)


class IngestOutcome(pydantic.BaseModel):
    """What came of one submission (an uploaded file, a batch of rows).

    ``progress`` takes an :class:`IngestProgressSnapshot` or a mapping of
    its fields (``{"accepted_rows": 3, "target_rows": 5}``).

    Attributes:
        source_ref: What was submitted (a file name, a document id), if known.
        parsed_rows: Rows read from it.
        accepted_rows: Rows accepted.
        rejected_rows: Rows rejected.
        status: See :data:`IngestStatus`; ``success`` by default.
        message: One line for people, if any.
        reasons: Why rows were rejected, one entry per reason.
        progress: How far the waiting step has got, if it counts rows.
    """

    source_ref: str | None = None
    parsed_rows: int = pydantic.Field(ge=0, default=0)
    accepted_rows: int = pydantic.Field(ge=0, default=0)
    rejected_rows: int = pydantic.Field(ge=0, default=0)
    status: IngestStatus = "success"
    message: str | None = None
    reasons: list[IngestIssueSummary] = pydantic.Field(default_factory=list)
    progress: IngestProgressSnapshot | None = None

    @classmethod
    def from_counts(
        cls,
        *,
        parsed_rows: int,
        accepted_rows: int,
        message: str | None = None,
        source_ref: str | None = None,
        reasons: list[IngestIssueSummary] | None = None,
        target_rows: int | None = None,
    ) -> IngestOutcome:
        """Build the outcome of a submission from its row counts.

        The rows not accepted are the rejected ones. The status is ``empty``
        when rows were parsed but none accepted, ``partial`` when some were
        rejected, else ``success``. Negative counts are taken as zero.

        Args:
            parsed_rows: Rows read from the submission.
            accepted_rows: Rows accepted.
            message: One line for people.
            source_ref: What was submitted.
            reasons: Why rows were rejected.
            target_rows: When given, ``progress`` is set to the accepted rows
                out of this many.

        Returns:
            The outcome.
        """
        parsed = max(parsed_rows, 0)
        accepted = max(accepted_rows, 0)
        rejected = max(parsed_rows - accepted_rows, 0)
        status: IngestStatus
        if accepted_rows <= 0 and parsed_rows > 0:
            status = "empty"
        elif rejected > 0:
            status = "partial"
        else:
            status = "success"
        progress = None
        if target_rows is not None:
            progress = IngestProgressSnapshot(accepted_rows=accepted, target_rows=max(target_rows, 0))
        return cls(
            source_ref=source_ref,
            parsed_rows=parsed,
            accepted_rows=accepted,
            rejected_rows=rejected,
            status=status,
            message=message,
            reasons=reasons or [],
            progress=progress,
        )
