"""A parent that starts a child by slug and reads its pydantic result (sandbox-importable)."""

from __future__ import annotations

import pydantic

from ntro.workflow import runbook


class Tally(pydantic.BaseModel):
    """The child's result."""

    total: int


@runbook.defn(slug="slug-tally-child")
class TallyChild:
    """Return a model."""

    @runbook.run
    async def run(self, n: int) -> Tally:
        """Total 0..n-1."""
        return Tally(total=sum(range(n)))


@runbook.defn(slug="slug-tally-parent")
class TallyParent:
    """Start the child by slug and use its result as the class this module defines."""

    @runbook.run
    async def run(self, n: int) -> dict[str, object]:
        """Report what the child returned."""
        result = await runbook.execute_child_workflow("slug-tally-child", n)
        return {"is_tally": isinstance(result, Tally), "total": Tally.model_validate(result).total}
