"""Versioning: change a runbook that has runs in flight, with ``runbook.patched``.

The month-end close posts the journal (v1). A later version checks the FX
rates first (v2): behind a patch, so a run started on v1 and replayed on v2
keeps its v1 history. Once no run from before the change is left, v3 keeps
only the new code, with ``runbook.deprecate_patch`` where the ``if`` was.

In a real deploy each version replaces the previous one under the same class
name; they are three classes here only so one module shows all of them.
"""

from __future__ import annotations

from ntro.runtime.protocol import WorkflowClient
from ntro.workflow import activity, runbook


@activity.defn(name="long_running.post_journal")
async def post_journal(period: str) -> str:
    """Post the period's closing journal."""
    return f"posted the journal of {period}"


@activity.defn(name="long_running.check_fx_rates")
async def check_fx_rates(period: str) -> str:
    """Check the period's FX rates against the reference source."""
    return f"checked the FX rates of {period}"


@runbook.defn(slug="lr-close-v1")
class CloseV1:
    """The close as first deployed."""

    @runbook.run
    async def run(self, period: str) -> list[str]:
        """Post the journal."""
        return [await runbook.execute_activity(post_journal, period)]


@runbook.defn(slug="lr-close-v2")
class CloseV2:
    """The close after a change: an FX check before posting, behind a patch."""

    @runbook.run
    async def run(self, period: str) -> list[str]:
        """Check the FX rates (runs started after the change only), then post the journal."""
        done = []
        if runbook.patched("fx-check"):
            done.append(await runbook.execute_activity(check_fx_rates, period))
        done.append(await runbook.execute_activity(post_journal, period))
        return done


@runbook.defn(slug="lr-close-v3")
class CloseV3:
    """Once no run from before the change is left: the new code only, the patch deprecated."""

    @runbook.run
    async def run(self, period: str) -> list[str]:
        """Check the FX rates, then post the journal."""
        runbook.deprecate_patch("fx-check")
        done = [await runbook.execute_activity(check_fx_rates, period)]
        done.append(await runbook.execute_activity(post_journal, period))
        return done


async def close_on_each_version(client: WorkflowClient, period: str) -> dict[str, list[str]]:
    """Run a fresh close on each version and return what each did."""
    done = {}
    for version in (CloseV1, CloseV2, CloseV3):
        handle = await client.start_workflow(version, period)
        done[version.__name__] = await handle.result()
    return done
