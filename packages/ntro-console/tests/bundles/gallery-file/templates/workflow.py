"""gallery-file: take one upload, sent to this child by its parent's MULTI_FILE_UPLOAD slot."""

from __future__ import annotations

from typing import Any

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class GalleryFileWorkflow(NtroWorkflow):
    """Waits for ``document_submitted``, advertising nothing: the parent's slot asks for the file."""

    def __init__(self) -> None:
        super().__init__()
        self._submission: dict[str, Any] | None = None

    @runbook.signal
    async def document_submitted(self, payload: dict[str, Any]) -> None:
        """The file is stored: ``payload["document_ref"]`` says where."""
        self._submission = dict(payload)

    @runbook.run
    async def run(self, ctx: dict[str, Any]) -> dict[str, Any]:
        """Return the source, and the uploaded file's name and ref."""
        await runbook.wait_condition(lambda: self._submission is not None)
        submission = self._submission or {}
        return {
            "source": ctx.get("source"),
            "filename": submission.get("filename"),
            "ref": submission.get("document_ref"),
        }
