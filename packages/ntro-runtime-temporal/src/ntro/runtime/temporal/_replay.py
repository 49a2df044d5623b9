"""Replaying finished histories in the sandbox, to catch non-deterministic runbooks.

The Temporal client's :class:`~ntro.runtime.protocol.ReplayCheck` capability
(:meth:`~ntro.runtime.temporal.TemporalClient.check_replay`): the harness
replays every run it finished on Temporal through it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import temporalio.client
from temporalio.worker import Replayer

__all__ = ["replay_histories"]

# One replayer per set of workflows: building its sandbox is the costly part.
_REPLAYERS: dict[tuple[type, ...], Replayer] = {}


async def replay_histories(
    client: temporalio.client.Client, workflow_ids: Sequence[str], workflows: Sequence[type]
) -> str | None:
    """Replay the history of each of ``workflow_ids`` with ``workflows`` in temporalio's sandboxed ``Replayer``.

    Returns:
        ``None`` when every history replays; otherwise one paragraph naming the
        workflow that did not and why (temporalio's non-determinism message).
    """
    from ntro.runtime.temporal._plugin import NtroPlugin

    key = tuple(workflows)
    replayer = _REPLAYERS.get(key)
    if replayer is None:
        replayer = _REPLAYERS[key] = Replayer(workflows=list(workflows), plugins=[NtroPlugin()])
    for workflow_id in workflow_ids:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        failure = result.replay_failure
        if failure is not None:
            return (
                f"non-deterministic: the history of {workflow_id} does not replay on this code: "
                f"{_reason(failure)}. Workflow code must make the same calls in the same order on every "
                "run (see ntro workflow lint)"
            )
    return None


def _reason(failure: BaseException) -> str:
    text = str(failure)
    match = re.search(r"Nondeterminism error: ([^\"]+)", text)
    if match:
        return match.group(1).strip().rstrip(".")
    first = text.strip().splitlines()[0] if text.strip() else type(failure).__name__
    return first[:300]
