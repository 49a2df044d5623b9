"""The examples of the "Long-running runbooks" guide, run as the guide shows them.

Every example under ``docs/examples/long_running`` runs here on LocalRuntime
(the local leg, without temporalio) and on Temporal's time-skipping test
server (the temporal leg), and returns what ``docs/guide/long-running.rst``
says it returns.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import pytest_asyncio

EXAMPLES = Path(__file__).parents[2] / "docs/examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))  # the Temporal sandbox re-imports the examples by module name

from long_running import cancellation, heartbeats, periods, updates, versioning  # noqa: E402

from ntro.runtime.protocol import ClientOptions, WorkflowClient, WorkflowStatus, open_client  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

WORKFLOWS = [
    versioning.CloseV1,
    versioning.CloseV2,
    versioning.CloseV3,
    heartbeats.LoadBatch,
    cancellation.ExportLedger,
    updates.SpendingLimit,
    periods.MonthlyClose,
]
ACTIVITIES = [
    versioning.post_journal,
    versioning.check_fx_rates,
    heartbeats.load_rows,
    cancellation.export_ledger,
    updates.count_payments_over,
    periods.close_month,
]
LOOKS = 600  # bounded polling: look at most this many times before giving up


def _temporal_available() -> bool:
    return bool(os.environ.get("NTRO_REQUIRE_TEMPORAL")) or importlib.util.find_spec("temporalio") is not None


@pytest.fixture(
    scope="module",
    params=[
        "local",
        pytest.param(
            "temporal",
            marks=[
                pytest.mark.temporal,
                pytest.mark.skipif(not _temporal_available(), reason="the temporal leg runs the examples on Temporal"),
            ],
        ),
    ],
)
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn: ``local``, then ``temporal`` (the temporal leg only)."""
    return str(request.param)


@asynccontextmanager
async def _open(engine: str) -> AsyncIterator[WorkflowClient]:
    """A client of ``engine`` hosting every example, with time skipped (virtual time, or the test server)."""
    options = ClientOptions(workflows=WORKFLOWS, activities=ACTIVITIES, time_skipping=True)
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("TEMPORAL_"):
                patch.delenv(name)
        async with open_client(engine, options) as opened:
            yield opened


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(engine: str) -> AsyncIterator[WorkflowClient]:
    """One client per engine for the examples that leave nothing behind."""
    async with _open(engine) as opened:
        yield opened


async def test_versioning_a_new_run_takes_the_patched_path(client: WorkflowClient) -> None:
    assert await versioning.close_on_each_version(client, "2026-10") == {
        "CloseV1": ["posted the journal of 2026-10"],
        "CloseV2": ["checked the FX rates of 2026-10", "posted the journal of 2026-10"],
        "CloseV3": ["checked the FX rates of 2026-10", "posted the journal of 2026-10"],
    }


async def test_heartbeats_a_retried_attempt_resumes_where_the_last_one_got_to(client: WorkflowClient) -> None:
    assert await heartbeats.load_a_batch(client) == {
        "batch": "ledger-2026-10",
        "rows": 8,
        "attempt": 2,
        "resumed_from": 3,
    }


async def test_cancellation_reaches_the_activity_which_cleans_up(engine: str, tmp_path: Path) -> None:
    # A client of its own: Temporal's time-skipping test server keeps time from skipping for good
    # once a run closes with an activity in flight (temporalio/sdk-java#1138), so later examples
    # that sleep would wait in real time on a shared one.
    staging = tmp_path / "ledger-export.csv"
    async with _open(engine) as client:
        assert await cancellation.cancel_an_export(client, staging) == "workflow ledger-export was cancelled"
        assert (await client.get_workflow_handle("ledger-export").describe()).status is WorkflowStatus.CANCELED
        for _ in range(LOOKS):  # on Temporal the activity hears of it with its next heartbeat
            if not staging.exists():
                break
            await asyncio.sleep(0.05)
        assert not staging.exists(), "the cancelled export left its staging file"


async def test_updates_answer_refuse_and_close(client: WorkflowClient) -> None:
    assert await updates.change_the_limit(client) == [
        {"limit": 2000, "payments_over": 1},
        "refused: ValueError: the limit must be positive, not -5",
        2000,
        {"month": "2026-10", "limit": 2000, "changes": [2000]},
    ]


async def test_continue_as_new_the_caller_gets_the_last_runs_result(client: WorkflowClient) -> None:
    assert await periods.close_a_quarter(client) == {"last_closed": "2027-01", "months_closed": 3}
