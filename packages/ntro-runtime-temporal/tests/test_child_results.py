"""A child started by slug hands its result over as the parent's own (sandboxed) copy of the result class."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import ntro_slug_child_flows as flows
import pytest

pytestmark = [pytest.mark.temporal, pytest.mark.asyncio(loop_scope="session")]


async def test_a_child_by_slug_returns_the_parents_copy_of_its_model(hosting: Any, task_queue: str) -> None:
    async with hosting(workflows=[flows.TallyParent, flows.TallyChild], activities=[]) as client:
        result = await client.execute_workflow(
            flows.TallyParent.run,
            5,
            id=f"slug-child-{task_queue}",
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=30),  # a failing workflow task would retry until then
        )
    assert result == {"is_tally": True, "total": 10}
