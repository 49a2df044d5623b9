"""Measure every figure of the design's performance section against its anchor, in one run.

Usage: python bench/run.py --anchor-python PATH [--quick] [--docs]

``nox -s bench`` runs this in this project's venv, with ``--anchor-python``
naming the Python of a separate venv holding ntro 0.1.2 from PyPI (it ships
``ntro/__init__.py``, so it never shares a venv with our packages). Each
figure is measured by ``figures.py`` in a subprocess of the right venv, ours
and the anchor one after the other, so both see the same machine at the same
time. The driver prints the table (figure, ours, anchor, ratio, target, met),
writes ``bench/results.json`` (with the machine: CPUs, Python, package
versions) and the scaling curves as PNG charts in ``bench/charts/``; with
``--docs`` it also refreshes the table and charts of the docs page
(``docs/guide/benchmarks.rst``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DOCS_TABLE = ROOT / "docs/guide/benchmarks-results.inc"
DOCS_CHARTS = ROOT / "docs/_static/bench"

# The scaling sizes: concurrent workflows, activities per workflow, waiting workflows,
# workflows waiting in the background of the latency figure.
WORKFLOW_COUNTS = (1_000, 10_000, 50_000)
ACTIVITY_COUNTS = (1, 5, 20)
WAITING_COUNTS = (1_000, 10_000, 20_000)
BACKGROUND_COUNTS = (0, 1_000, 5_000)

# How many times the timed local figures take turns between the anchor and ours.
ROUNDS = 3
# "Flat" cost per workflow: the largest count may cost at most this much more per workflow than the smallest.
FLAT = 1.5
# "Back to baseline": memory blocks that may remain after round 10 beyond those after round 1
# (nine rounds of 10,000 finished runs: far below one block per run).
ROUNDS_SLACK_BLOCKS = 100


@dataclass(frozen=True)
class Job:
    """One figure to measure on one engine."""

    key: str
    engine: str  # "ours" or "anchor"
    figure: str
    args: tuple[str, ...] = ()


def plan(quick: bool) -> list[Job]:
    """Return the jobs of one run (``quick``: tiny sizes, to try the machinery).

    Each anchor runs next to ours. The timed local figures take turns
    :data:`ROUNDS` times (anchor, ours, anchor, ours...); the driver takes the
    median of the turns, so a busy moment of a shared machine weighs on both.
    """
    shrink = 20 if quick else 1
    jobs: list[Job] = []

    def reps(n: int) -> str:
        return "1" if quick else str(n)

    def paired(key: str, figure: str, *args: str, parity: bool = True, rounds: int = 1) -> None:
        group = [
            Job(f"{key}/anchor", "anchor", figure, args),
            Job(f"{key}/ours-raw", "ours", figure, (*args, "--mode", "raw")),
        ]
        if parity:
            group.append(Job(f"{key}/ours-parity", "ours", figure, (*args, "--mode", "parity")))
        jobs.extend(group * (1 if quick else rounds))

    calls = str(50_000 // shrink)
    paired("overhead", "activity-overhead", "--calls", calls, "--repeats", reps(3), rounds=ROUNDS)
    timed = ("--timeout", "--calls", str(20_000 // shrink), "--repeats", "1")
    paired("overhead-timeout", "activity-overhead", *timed, parity=False, rounds=ROUNDS)
    for background in BACKGROUND_COUNTS:
        samples = str({0: 200, 1_000: 100}.get(background, 50) // (10 if quick else 1))
        args = ("--samples", samples, "--background", str(background // shrink))
        paired(f"latency-{background}", "signal-latency", *args, parity=background == 0)
    for statement in ("module", "runbook"):
        args = ("--statement", statement, "--repeats", reps(5))
        jobs.extend(
            [
                Job(f"import-{statement}/anchor", "anchor", "import-time", args),
                Job(f"import-{statement}/ours", "ours", "import-time", args),
            ]
            * (1 if quick else ROUNDS)
        )
    for count in WORKFLOW_COUNTS:
        # A round of 1,000 lasts tens of milliseconds: enough repeats to see past a busy moment;
        # every size takes turns with the anchor, as a shared machine's busy moments come and go.
        repeats = {1_000: 15, 10_000: 3}.get(count, 1)
        rounds = ROUNDS
        args = ("--workflows", str(count // shrink), "--repeats", reps(repeats))
        paired(f"concurrent-{count}x5", "concurrent", *args, rounds=rounds)
    for activities in ACTIVITY_COUNTS:
        if activities != 5:
            args = ("--workflows", str(10_000 // shrink), "--activities", str(activities), "--repeats", "1")
            paired(f"concurrent-10000x{activities}", "concurrent", *args, rounds=ROUNDS)
    for count in WAITING_COUNTS:  # memory: the same in every turn
        paired(f"gate-memory-{count}", "gate-memory", "--workflows", str(count // shrink), parity=count == 10_000)
    rounds = ("--workflows", str(10_000 // shrink), "--rounds", "3" if quick else "10")
    jobs.append(Job("memory-rounds/ours-raw", "ours", "memory-rounds", (*rounds, "--mode", "raw")))
    jobs.append(Job("memory-rounds/ours-client", "ours", "memory-rounds", (*rounds, "--mode", "client")))
    jobs.append(Job("harness-local/ours", "ours", "harness-local", ("--runs", "3" if quick else "20")))
    jobs.append(Job("harness-temporal/ours", "ours", "harness-temporal", ("--runs", "3" if quick else "20")))
    throughput = ("--workflows", "10" if quick else "30", "--repeats", reps(5))
    jobs.append(Job("worker-throughput/ours", "ours", "worker-throughput", throughput))
    return jobs


def merge(turns: list[dict[str, Any]]) -> dict[str, Any]:
    """One figure's result from its turns: the median of each number, and the turns themselves."""
    if len(turns) == 1:
        return turns[0]
    merged: dict[str, Any] = {}
    for name, value in turns[0].items():
        values = [t.get(name) for t in turns]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            merged[name] = statistics.median(values)
        else:
            merged[name] = value
    merged["turns"] = turns
    return merged


def run_job(job: Job, python: str) -> dict[str, Any]:
    """Run one figure in ``python``'s venv and return what it printed."""
    # Local figures must run locally: nothing in the environment may select another engine.
    env = {k: v for k, v in os.environ.items() if k not in ("TEMPORAL_HOST", "NTRO_RUNTIME")}
    proc = subprocess.run(
        [python, str(BENCH / "figures.py"), job.figure, *job.args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        return {"error": f"exit {proc.returncode}: {tail}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# -- the table -------------------------------------------------------------------------------------
Results = dict[str, dict[str, Any]]


def _get(results: Results, key: str, name: str) -> float | None:
    found = results.get(key, {})
    value = found.get(name)
    return float(value) if isinstance(value, int | float) else None


def _growth(results: Results, key: str) -> float | None:
    blocks, objects = _get(results, key, "growth_blocks"), _get(results, key, "growth_objects")
    if blocks is None or objects is None:
        return None
    # Live objects must not grow at all; blocks may move by a little slack.
    return blocks if objects <= 0 else float("inf")


def _flatness(results: Results, engine: str) -> float | None:
    small = _get(results, f"concurrent-{WORKFLOW_COUNTS[0]}x5/{engine}", "per_workflow_us")
    large = _get(results, f"concurrent-{WORKFLOW_COUNTS[-1]}x5/{engine}", "per_workflow_us")
    return large / small if small and large else None


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure of the design, its anchor and its target.

    ``check`` is what the target bounds: ``ratio<=``/``ratio>=`` bound ours
    divided by the anchor, ``ours<``/``ours<=`` bound ours itself; ``None``
    reports without a target. ``extra`` rows go beyond the design's table.
    """

    figure: str
    unit: str
    ours: Callable[[Results], float | None]
    anchor: Callable[[Results], float | None] | str
    target: str
    check: str | None
    limit: float = 0.0
    extra: bool = False
    notes: str = field(default="")


def _at(key: str, name: str) -> Callable[[Results], float | None]:
    return lambda results: _get(results, key, name)


ROWS: tuple[Row, ...] = (
    Row(
        "runbook.execute_activity overhead, local (raw)",
        "µs/call",
        _at("overhead/ours-raw", "per_call_us"),
        _at("overhead/anchor", "per_call_us"),
        "<= 1/3 of ntro 0.1.2",
        "ratio<=",
        1 / 3,
    ),
    Row(
        "runbook.execute_activity overhead, local (payload parity)",
        "µs/call",
        _at("overhead/ours-parity", "per_call_us"),
        _at("overhead/anchor", "per_call_us"),
        "<= 1/3 of ntro 0.1.2",
        "ratio<=",
        1 / 3,
    ),
    Row(
        "runbook.execute_activity overhead with start_to_close_timeout, local (raw)",
        "µs/call",
        _at("overhead-timeout/ours-raw", "per_call_us"),
        _at("overhead-timeout/anchor", "per_call_us"),
        "<= 1/3 of ntro 0.1.2",
        "ratio<=",
        1 / 3,
        extra=True,
    ),
    Row(
        "signal-to-resume latency of a gate, local: median",
        "ms",
        _at("latency-0/ours-raw", "median_ms"),
        _at("latency-0/anchor", "median_ms"),
        "< 0.1 ms",
        "ours<",
        0.1,
    ),
    Row(
        "signal-to-resume latency of a gate, local: p99",
        "ms",
        _at("latency-0/ours-raw", "p99_ms"),
        _at("latency-0/anchor", "p99_ms"),
        "(reported)",
        None,
    ),
    Row(
        "signal-to-resume latency of a gate, local (payload parity): median",
        "ms",
        _at("latency-0/ours-parity", "median_ms"),
        _at("latency-0/anchor", "median_ms"),
        "< 0.1 ms",
        "ours<",
        0.1,
        extra=True,
    ),
    Row(
        "import ntro.workflow (fresh interpreter)",
        "ms",
        _at("import-module/ours", "ms"),
        _at("import-module/anchor", "ms"),
        "<= 1/10 of ntro 0.1.2",
        "ratio<=",
        0.1,
    ),
    Row(
        "from ntro.workflow import activity, run_local, runbook (fresh interpreter)",
        "ms",
        _at("import-runbook/ours", "ms"),
        _at("import-runbook/anchor", "ms"),
        "<= 1/10 of ntro 0.1.2",
        "ratio<=",
        0.1,
        extra=True,
    ),
    *(
        Row(
            f"{count:,} local workflows x 5 activities, concurrent: cost per workflow",
            "µs",
            _at(f"concurrent-{count}x5/ours-raw", "per_workflow_us"),
            _at(f"concurrent-{count}x5/anchor", "per_workflow_us"),
            ">= 2x ntro 0.1.2's throughput",
            "ratio<=",
            0.5,
        )
        for count in WORKFLOW_COUNTS
    ),
    Row(
        f"cost per workflow at {WORKFLOW_COUNTS[-1]:,} / at {WORKFLOW_COUNTS[0]:,} workflows",
        "x",
        lambda r: _flatness(r, "ours-raw"),
        lambda r: _flatness(r, "anchor"),
        f"flat: <= {FLAT}x",
        "ours<=",
        FLAT,
    ),
    Row(
        "10,000 local workflows waiting at a gate: memory per workflow",
        "bytes",
        _at("gate-memory-10000/ours-raw", "bytes_per_workflow"),
        _at("gate-memory-10000/anchor", "bytes_per_workflow"),
        "<= ntro 0.1.2",
        "ratio<=",
        1.0,
    ),
    Row(
        "memory after 10 rounds of 10,000 finished runs (LocalRuntime): growth since round 1",
        "blocks",
        lambda r: _growth(r, "memory-rounds/ours-raw"),
        "—",
        f"no growth (<= {ROUNDS_SLACK_BLOCKS} blocks, no live object)",
        "ours<=",
        ROUNDS_SLACK_BLOCKS,
    ),
    Row(
        "memory after 10 rounds of 10,000 finished runs (local client): growth since round 1",
        "blocks",
        lambda r: _growth(r, "memory-rounds/ours-client"),
        "—",
        f"no growth (<= {ROUNDS_SLACK_BLOCKS} blocks, no live object)",
        "ours<=",
        ROUNDS_SLACK_BLOCKS,
    ),
    Row(
        "resident set after 10 rounds of 10,000 finished runs (LocalRuntime): growth since round 1",
        "MiB",
        _at("memory-rounds/ours-raw", "growth_rss_mib"),
        "—",
        "(reported)",
        None,
        extra=True,
    ),
    Row(
        "harness scenario, local mode (anchor: raw await of the same steps)",
        "ms",
        _at("harness-local/ours", "harness_ms"),
        _at("harness-local/ours", "raw_await_ms"),
        "< 5 ms",
        "ours<",
        5.0,
    ),
    Row(
        "harness scenario, Temporal mode (anchor: raw temporalio, time-skipping test server)",
        "ms",
        _at("harness-temporal/ours", "harness_ms"),
        _at("harness-temporal/ours", "raw_ms"),
        "<= 1.5x raw temporalio",
        "ratio<=",
        1.5,
    ),
    Row(
        "Temporal worker throughput with the facade (anchor: raw temporalio, same dev server)",
        "workflows/s",
        _at("worker-throughput/ours", "facade_per_s"),
        _at("worker-throughput/ours", "raw_per_s"),
        ">= 0.95x raw temporalio",
        "ratio>=",
        0.95,
    ),
)


def evaluate(results: Results) -> list[dict[str, Any]]:
    """Return the table's rows as plain values (None where a figure is missing)."""
    table = []
    for row in ROWS:
        ours = row.ours(results)
        anchor = row.anchor(results) if callable(row.anchor) else None
        ratio = ours / anchor if ours is not None and anchor else None
        met: bool | None = None
        if row.check is not None and ours is not None:
            if row.check == "ratio<=":
                met = ratio is not None and ratio <= row.limit
            elif row.check == "ratio>=":
                met = ratio is not None and ratio >= row.limit
            elif row.check == "ours<":
                met = ours < row.limit
            elif row.check == "ours<=":
                met = ours <= row.limit
        table.append(
            {
                "figure": row.figure,
                "unit": row.unit,
                "ours": ours,
                "anchor": anchor if callable(row.anchor) else row.anchor,
                "ratio": ratio,
                "target": row.target,
                "met": met,
                "extra": row.extra,
            }
        )
    return table


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if value == float("inf"):
        return "grows"
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _fmt_ratio(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:#.3g}"


def _cells(entry: dict[str, Any]) -> list[str]:
    unit = entry["unit"]
    figure = entry["figure"] + (" [extra]" if entry["extra"] else "")
    met = {True: "met", False: "NOT MET", None: "—"}[entry["met"]]
    ratio = "—" if entry["ratio"] is None else f"{_fmt_ratio(entry['ratio'])}x"
    anchor = _fmt(entry["anchor"])
    anchor = anchor if anchor in ("—", "n/a") else f"{anchor} {unit}"
    return [figure, f"{_fmt(entry['ours'])} {unit}", anchor, ratio, entry["target"], met]


HEADER = ["figure", "ours", "anchor", "ratio", "target", "met"]


def text_table(table: list[dict[str, Any]]) -> str:
    """The table as fixed-width text."""
    rows = [HEADER, *(_cells(e) for e in table)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# -- scaling curves and charts ---------------------------------------------------------------------
ENGINES = {"ours-raw": "ntro (raw)", "ours-parity": "ntro (payload parity)", "anchor": "ntro 0.1.2"}


def scaling(results: Results) -> dict[str, Any]:
    """The curves: each local figure against the number of workflows and of activities per workflow."""

    def series(keys: list[str], name: str) -> dict[str, list[float | None]]:
        return {engine: [_get(results, f"{k}/{engine}", name) for k in keys] for engine in ENGINES}

    def rounds(key: str, name: str) -> list[float]:
        return [r[name] for r in results.get(key, {}).get("rounds", [])]

    return {
        "concurrent_by_workflows": {
            "x": list(WORKFLOW_COUNTS),
            "per_workflow_us": series([f"concurrent-{n}x5" for n in WORKFLOW_COUNTS], "per_workflow_us"),
        },
        "concurrent_by_activities": {
            "x": list(ACTIVITY_COUNTS),
            "per_workflow_us": series([f"concurrent-10000x{k}" for k in ACTIVITY_COUNTS], "per_workflow_us"),
        },
        "gate_memory_by_workflows": {
            "x": list(WAITING_COUNTS),
            "bytes_per_workflow": series([f"gate-memory-{n}" for n in WAITING_COUNTS], "bytes_per_workflow"),
        },
        "latency_by_waiting_workflows": {
            "x": list(BACKGROUND_COUNTS),
            "median_ms": series([f"latency-{n}" for n in BACKGROUND_COUNTS], "median_ms"),
            "p99_ms": series([f"latency-{n}" for n in BACKGROUND_COUNTS], "p99_ms"),
        },
        "memory_rounds": {
            "x": list(range(1, len(rounds("memory-rounds/ours-raw", "blocks")) + 1)),
            "blocks": {m: rounds(f"memory-rounds/ours-{m}", "blocks") for m in ("raw", "client")},
            "rss_mib": {m: rounds(f"memory-rounds/ours-{m}", "rss_mib") for m in ("raw", "client")},
        },
    }


def charts(curves: dict[str, Any], out: Path) -> list[Path]:
    """Draw the scaling curves as PNG files in ``out``; return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(fig: Any, name: str) -> None:
        path = out / f"{name}.png"
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)

    def lines(ax: Any, x: list[int], by_engine: dict[str, list[float | None]], log: bool = False) -> None:
        for engine, label in ENGINES.items():
            points = [(a, b) for a, b in zip(x, by_engine.get(engine, []), strict=False) if b is not None]
            if points:
                ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
        ax.grid(True, alpha=0.3)
        ax.legend()
        if log:
            ax.set_yscale("log")
        else:
            ax.set_ylim(bottom=0)

    curve = curves["concurrent_by_workflows"]
    fig, ax = plt.subplots(figsize=(6, 4))
    lines(ax, curve["x"], curve["per_workflow_us"])
    ax.set_xscale("log")
    ax.set(
        title="Concurrent local workflows (5 activities each)",
        xlabel="workflows started at once",
        ylabel="time per workflow (µs of CPU)",
    )
    save(fig, "concurrent_by_workflows")

    curve = curves["concurrent_by_activities"]
    fig, ax = plt.subplots(figsize=(6, 4))
    lines(ax, curve["x"], curve["per_workflow_us"])
    ax.set(
        title="10,000 concurrent local workflows",
        xlabel="activities per workflow",
        ylabel="time per workflow (µs of CPU)",
    )
    save(fig, "concurrent_by_activities")

    curve = curves["gate_memory_by_workflows"]
    fig, ax = plt.subplots(figsize=(6, 4))
    lines(ax, curve["x"], curve["bytes_per_workflow"])
    ax.set_xscale("log")
    ax.set(
        title="Local workflows waiting at a gate",
        xlabel="workflows waiting",
        ylabel="memory per workflow (bytes, tracemalloc)",
    )
    save(fig, "gate_memory_by_workflows")

    curve = curves["latency_by_waiting_workflows"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, name, title in ((axes[0], "median_ms", "median"), (axes[1], "p99_ms", "p99")):
        lines(ax, curve["x"], curve[name], log=True)
        ax.set(
            title=f"Signal-to-resume latency of a gate, {title}",
            xlabel="other workflows waiting meanwhile",
            ylabel="ms",
        )
    save(fig, "latency_by_waiting_workflows")

    curve = curves["memory_rounds"]
    if curve["x"]:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        for ax, name, label in (
            (axes[0], "blocks", "memory blocks held, since before round 1"),
            (axes[1], "rss_mib", "resident set (MiB)"),
        ):
            for mode, text in (("raw", "LocalRuntime (raw)"), ("client", "local client (payload parity)")):
                values = curve[name][mode]
                if values:
                    ax.plot(curve["x"][: len(values)], values, marker="o", label=text)
            ax.grid(True, alpha=0.3)
            ax.legend()
            ax.set_ylim(bottom=0)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set(title="After each round of finished runs", xlabel="round", ylabel=label)
        save(fig, "memory_rounds")
    return written


# -- the docs page's table ---------------------------------------------------------------------------
def docs_table(table: list[dict[str, Any]], machine: dict[str, Any], wall: float) -> str:
    """The table and the machine, as reStructuredText included by docs/guide/benchmarks.rst."""
    out = [
        ".. This file is written by ``python bench/run.py --docs`` (``nox -s bench -- --docs``): do not edit.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 40 12 12 8 18 8",
        "",
    ]
    for cells in [HEADER, *(_cells(e) for e in table)]:
        for column, cell in enumerate(cells):
            escaped = cell.replace("*", "\\*")
            out.append(f"   {'  -' if column else '* -'} {escaped}")
    ours, anchor = machine.get("ours", {}), machine.get("anchor", {})
    versions = ", ".join(f"{k} {v}" for k, v in ours.get("versions", {}).items() if v)
    out += [
        "",
        f"Measured on {machine.get('date', '?')} at commit {machine.get('commit') or '?'}: "
        f"{ours.get('cpu_count', '?')} CPUs "
        f"({ours.get('cpu_model') or 'unknown model'}), {ours.get('platform', '?')}, "
        f"Python {ours.get('python', '?')}; {versions}; anchor: ntro "
        f"{anchor.get('versions', {}).get('ntro', 'n/a')} (Python {anchor.get('python', 'n/a')}). "
        f"Load average at the start: {ours.get('load_average', '?')}. The whole run took {wall / 60:.1f} minutes.",
        "",
    ]
    return "\n".join(out)


def _commit() -> str | None:
    """The commit measured (``+dirty`` when the working tree differs from it), if this is a git checkout."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True)
    except OSError:
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anchor-python", help="the Python of the venv holding ntro 0.1.2 (else: no anchors)")
    parser.add_argument("--ours-python", default=sys.executable, help="the Python of this project's venv")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and one repeat: tries the machinery")
    parser.add_argument("--only", action="append", default=[], help="run only the jobs whose key starts so")
    parser.add_argument("--out", type=Path, default=BENCH / "results.json")
    parser.add_argument("--charts", type=Path, default=BENCH / "charts")
    parser.add_argument("--docs", action="store_true", help="also refresh the docs page's table and charts")
    opts = parser.parse_args()
    pythons = {"ours": opts.ours_python, "anchor": opts.anchor_python}
    started = time.perf_counter()
    machine: dict[str, Any] = {"date": datetime.date.today().isoformat(), "commit": _commit()}
    for engine, python in pythons.items():
        if python:
            machine[engine] = run_job(Job(f"machine/{engine}", engine, "machine"), python)
    turns: dict[str, list[dict[str, Any]]] = {}
    failures: list[str] = []
    jobs = [j for j in plan(opts.quick) if not opts.only or any(j.key.startswith(p) for p in opts.only)]
    for index, job in enumerate(jobs, 1):
        python = pythons[job.engine]
        if not python:
            continue
        job_started = time.perf_counter()
        print(f"[{index}/{len(jobs)}] {job.key} ...", end=" ", file=sys.stderr, flush=True)
        result = run_job(job, python)
        print(f"{time.perf_counter() - job_started:.1f}s", file=sys.stderr, flush=True)
        if "error" in result:
            failures.append(job.key)
            print(f"  failed: {result['error']}", file=sys.stderr)
            continue
        turns.setdefault(job.key, []).append({"args": list(job.args), **result})
    results: Results = {key: merge(found) for key, found in turns.items()}
    wall = time.perf_counter() - started
    table = evaluate(results)
    curves = scaling(results)
    print(text_table(table))
    print(
        f"\n{sum(e['met'] is True for e in table)} met, {sum(e['met'] is False for e in table)} not met; "
        f"{wall / 60:.1f} minutes"
    )
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": machine,
        "wall_seconds": wall,
        "quick": opts.quick,
        "table": table,
        "scaling": curves,
        "figures": results,
        "failures": failures,
    }
    opts.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    try:
        drawn = charts(curves, opts.charts)
    except ImportError:
        print("matplotlib is not installed: no charts", file=sys.stderr)
        drawn = []
    print(f"wrote {opts.out.relative_to(ROOT) if opts.out.is_relative_to(ROOT) else opts.out} and {len(drawn)} charts")
    if opts.docs:
        DOCS_TABLE.write_text(docs_table(table, machine, wall), encoding="utf-8")
        DOCS_CHARTS.mkdir(parents=True, exist_ok=True)
        for path in drawn:
            shutil.copy(path, DOCS_CHARTS / path.name)
        print(f"refreshed {DOCS_TABLE.relative_to(ROOT)} and {DOCS_CHARTS.relative_to(ROOT)}")
    if failures:
        print(f"failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
