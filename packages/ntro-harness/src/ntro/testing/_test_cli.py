"""``ntro workflow test DIR``: run a runbook bundle through its scenarios on one engine or several.

Exit status: 0 when every scenario passes (and the determinism lint is
clean), 1 when any fails, 2 for usage errors (a wrong directory, scenario
name, runtime or option).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
from pathlib import Path
from typing import Any

from ntro.cli import CommandError

__all__ = ["TEST_COMMAND", "TestCommand"]


class TestCommand:
    """``ntro workflow test DIR``: scenarios on any installed engine, or several compared, with reports."""

    help = "run a runbook bundle through its scenarios on any installed engine (or several, compared), with reports"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the arguments of ``ntro workflow test``."""
        parser.add_argument("bundle", metavar="DIR", help="the runbook bundle directory")
        parser.add_argument("--child", action="append", default=[], metavar="DIR", help="a child bundle (repeatable)")
        parser.add_argument(
            "--scenario",
            "-s",
            action="append",
            default=[],
            metavar="NAME",
            help="a scenario to run (repeatable; default: every built-in and tests/scenarios.py scenario)",
        )
        from ntro.runtime.protocol import DEFAULT_BACKEND
        from ntro.testing._engines import RUNTIME_SPEC_HELP

        parser.add_argument("--runtime", default=DEFAULT_BACKEND, metavar="NAME[,NAME]", help=RUNTIME_SPEC_HELP)
        parser.add_argument(
            "--explore",
            action="store_true",
            help="also walk every approve/reject path of the runbook's reviews, from the bundle's happy scenario "
            "(or from each --scenario), its uploads and mocks applying on every path",
        )
        parser.add_argument("--max-paths", type=int, default=None, metavar="N", help="paths --explore walks (32)")
        parser.add_argument(
            "--input", metavar="JSON|@FILE", help="the run method's input (default: the model's defaults)"
        )
        parser.add_argument("--timeout", type=float, default=30.0, metavar="S", help="seconds per scenario (30)")
        parser.add_argument("--json", action="store_true", help="print the JSON report instead of the human one")
        parser.add_argument("--junit", metavar="PATH", help="also write a JUnit XML report")
        parser.add_argument("--html", metavar="PATH", help="also write an HTML report with a step timeline")
        parser.add_argument("--no-lint", action="store_true", help="skip the determinism lint")
        parser.add_argument("--workflow-class", metavar="NAME", help="the class (default: <CamelSlug>Workflow)")

    def run(self, args: argparse.Namespace) -> int:
        """Run the scenarios, print the report, write the report files; return the exit code."""
        from ntro.cli import read_input_text
        from ntro.testing._engines import select_engines
        from ntro.testing._scenarios import ScenarioError, load_scenarios, select_scenarios
        from ntro.workflow.bundle import BundleError, InputError, load_bundle, parse_input
        from ntro.workflow.exceptions import RuntimeNotAvailableError

        if not math.isfinite(args.timeout) or args.timeout <= 0:
            raise CommandError(f"--timeout must be more than 0 seconds, and finite, not {args.timeout:g}")
        if args.max_paths is not None and args.max_paths < 1:
            raise CommandError(f"--max-paths must be at least 1, not {args.max_paths}")
        for option, path in (("--junit", args.junit), ("--html", args.html)):
            if path is not None and not Path(path).expanduser().resolve().parent.is_dir():
                raise CommandError(f"{option} {path}: its directory does not exist")
        try:
            bundle = load_bundle(args.bundle, workflow_class=args.workflow_class)
            children = [load_bundle(child) for child in args.child]
            value = parse_input(bundle.workflow_cls, read_input_text(args.input))
            available = load_scenarios(bundle.path)
            scenarios = select_scenarios(available, args.scenario or None)
        except (BundleError, InputError, ScenarioError) as exc:
            raise CommandError(str(exc)) from None
        try:
            runtimes = select_engines(args.runtime)  # before any scenario runs, not after the first engine's
        except (RuntimeNotAvailableError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        lint_failed = False
        if not args.no_lint:
            lint_failed = _lint([bundle.path, *(c.path for c in children)])
        # --explore walks from the bundle's own happy scenario (tests/scenarios.py may replace the built-in),
        # or from each scenario named.
        bases = scenarios if args.scenario else [available["happy"]]
        results = asyncio.run(self._run_all(args, bundle, children, value, scenarios, runtimes, bases))
        return _report(args, results, bundle.slug) or (1 if lint_failed else 0)

    async def _run_all(
        self,
        args: argparse.Namespace,
        bundle: Any,
        children: list[Any],
        value: Any,
        scenarios: list[Any],
        runtimes: Any,
        bases: list[Any],
    ) -> list[Any]:
        from ntro.testing._harness import WorkflowHarness
        from ntro.testing._parity import parity_results
        from ntro.testing._suite import DEFAULT_MAX_PATHS, explore, run_scenarios
        from ntro.workflow.exceptions import RuntimeNotAvailableError

        activities: list[Any] = []
        for b in (bundle, *children):
            activities += [fn for fn in b.activities if fn not in activities]
        by_runtime: dict[str, list[Any]] = {}
        truncated = False
        for runtime in runtimes:
            harness = WorkflowHarness(
                bundle.workflow_cls,
                runtime=runtime,
                child_workflows=[c.workflow_cls for c in children],
                activities=activities,
                timeout=args.timeout,
            )
            try:
                async with harness:
                    found = await run_scenarios(harness, scenarios, input=value, on_result=_progress)
                    for base in bases if args.explore else ():
                        paths, cut = await explore(
                            harness,
                            input=value,
                            base=base,
                            max_paths=args.max_paths or DEFAULT_MAX_PATHS,
                            on_result=_progress,
                        )
                        found += paths
                        truncated = truncated or cut
            except RuntimeNotAvailableError as exc:
                raise CommandError(str(exc), exit_code=2) from None
            by_runtime[runtime] = found
        if truncated:
            print("ntro: --explore stopped at --max-paths; some decision paths were not walked", file=sys.stderr)
        return parity_results(by_runtime)


def _progress(result: Any) -> None:
    mark = "✓" if result.status == "completed" else "✗"
    print(f"{mark} {result.scenario} [{result.runtime}] {result.duration_s:.2f}s", file=sys.stderr, flush=True)


def _lint(paths: list[Path]) -> bool:
    """Run the determinism lint; print findings on stderr; return whether any were found."""
    from ntro.testing.lint import lint_paths

    findings = list(lint_paths([str(p) for p in paths]))
    for finding in findings:
        print(f"lint: {finding.format()}", file=sys.stderr)
    if findings:
        print(f"ntro: the determinism lint found {len(findings)} problem(s); --no-lint skips it", file=sys.stderr)
    return bool(findings)


def _report(args: argparse.Namespace, results: list[Any], slug: str) -> int:
    from ntro.testing import report

    sys.stdout.write(report.json(results) if args.json else report.human(results))
    sys.stdout.flush()
    renders: tuple[tuple[str | None, Any], ...] = (
        (args.junit, lambda r: report.junit(r, suite_name=f"ntro workflow test {slug}", classname=slug)),
        (args.html, lambda r: report.html(r, title=f"{slug}: ntro workflow test")),
    )
    for path, render in renders:
        if path is None:
            continue
        try:
            Path(path).expanduser().write_text(render(results), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror or exc}", exit_code=1) from None
    return 0 if all(r.status == "completed" for r in results) else 1


TEST_COMMAND = TestCommand()
"""The ``workflow.test`` entry point of the ``ntro.commands`` group."""
