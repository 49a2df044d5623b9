"""Memory after rounds of finished local runs: it must come back to the first round's level.

Usage: python bench/memory_rounds.py [--rounds 10] [--runs 10000] [--client]

Each round starts ``--runs`` workflows of five activities concurrently on one
LocalRuntime (or through the local client with payload parity, ``--client``),
waits for all of them, collects garbage and prints the memory traced by
tracemalloc and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import time
import tracemalloc

from ntro.workflow import activity, runbook


@activity.defn(name="bench.step")
async def step(x: int) -> int:
    return x + 1


@runbook.defn(slug="bench-five-steps")
class FiveStepsWorkflow:
    @runbook.run
    async def run(self, x: int) -> int:
        for _ in range(5):
            x = await runbook.execute_activity(step, x)
        return x


async def one_round(runs: int, use_client: bool, state: dict[str, object]) -> None:
    if use_client:
        client = state["client"]
        handles = [await client.start_workflow(FiveStepsWorkflow, i) for i in range(runs)]  # type: ignore[attr-defined]
        results = await asyncio.gather(*(h.result() for h in handles))
    else:
        from ntro.runtime.local import start_local

        runtime = state["runtime"]
        handles = [await start_local(FiveStepsWorkflow, i, runtime=runtime) for i in range(runs)]  # type: ignore[arg-type]
        results = await asyncio.gather(*(h.result() for h in handles))
    assert results[-1] == runs - 1 + 5
    del handles, results


async def main(rounds: int, runs: int, use_client: bool) -> list[dict[str, float]]:
    from ntro.runtime.local import LocalRuntime
    from ntro.runtime.protocol import ClientOptions, open_client

    state: dict[str, object] = {}
    figures: list[dict[str, float]] = []
    tracemalloc.start()
    async with open_client("local", ClientOptions(payload_parity=True)) as client:
        state["client"] = client
        state["runtime"] = LocalRuntime()
        for index in range(rounds):
            started = time.perf_counter()
            await one_round(runs, use_client, state)
            took = time.perf_counter() - started
            gc.collect()
            current, _peak = tracemalloc.get_traced_memory()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            figures.append({"round": index + 1, "traced_mib": current / 2**20, "peak_rss_mib": rss, "seconds": took})
            print(
                f"round {index + 1:2d}: traced {current / 2**20:7.2f} MiB, peak RSS {rss:7.1f} MiB, {took:.2f} s",
                flush=True,
            )
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--client", action="store_true", help="through the local client, with payload parity")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON here")
    opts = parser.parse_args()
    out = asyncio.run(main(opts.rounds, opts.runs, opts.client))
    first, last = out[0]["traced_mib"], out[-1]["traced_mib"]
    print(f"after round 1: {first:.2f} MiB; after round {len(out)}: {last:.2f} MiB; growth {last - first:+.2f} MiB")
    if opts.json:
        with open(opts.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=2)
