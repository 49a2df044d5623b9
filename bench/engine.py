"""The one place where this project and ntro 0.1.2 differ for the benchmarks.

The benchmark runbooks (``workflows.py``) and the figures (``figures.py``)
are the same source for both; they start runs only through this module.
Both versions have ``run_local(cls, arg)``; the differences kept here:

* a runtime with payload parity, and a handle to signal a run, exist only
  here (``LocalRuntime(payload_parity=...)``, ``start_local``);
* ntro 0.1.2 has no handle: a signal is a plain call of the handler on the
  workflow object, so :func:`start` builds that object itself and hands it
  to 0.1.2's ``run_local`` (which calls ``cls()``) through a factory.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect
from typing import Any

from ntro.workflow import run_local


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


ANCHOR = _version("ntro-core") is None and _version("ntro") is not None
"""True under ntro 0.1.2 (the anchor), False under this project."""

ENGINE = f"ntro {_version('ntro')}" if ANCHOR else f"ntro-core {_version('ntro-core')}"
"""The engine measured, as reported."""

MODES = ("raw",) if ANCHOR else ("raw", "parity")
"""How values are passed: ``raw`` hands objects over; ``parity`` converts them as Temporal does."""


def versions() -> dict[str, str | None]:
    """Return the versions of the packages that matter here."""
    names = ("ntro",) if ANCHOR else ("ntro-core", "ntro-runtime-local", "ntro-runtime-temporal", "ntro-harness")
    return {name: _version(name) for name in (*names, "temporalio", "pydantic")}


def new_runtime(mode: str = "raw") -> Any:
    """Return the runtime to run on in ``mode`` (``None`` under 0.1.2: its one global LocalRuntime)."""
    if mode not in MODES:
        raise SystemExit(f"mode {mode!r} is not available on {ENGINE} (available: {', '.join(MODES)})")
    if ANCHOR:
        return None
    from ntro.runtime.local import LocalRuntime

    return LocalRuntime(payload_parity=mode == "parity")


async def run(cls: type, arg: Any, runtime: Any) -> Any:
    """Run a workflow to completion and return its result."""
    if ANCHOR:
        return await run_local(cls, arg)
    return await run_local(cls, arg, runtime=runtime)


class Handle:
    """A started run: signal it, wait for its result."""

    def __init__(self, handle: Any = None, instance: Any = None, task: asyncio.Task[Any] | None = None) -> None:
        self._handle = handle
        self._instance = instance
        self._task = task

    async def signal(self, name: str) -> None:
        """Send the signal ``name`` (no argument)."""
        if self._handle is not None:
            await self._handle.signal(name)
            return
        outcome = getattr(self._instance, name)()
        if inspect.isawaitable(outcome):
            await outcome

    async def result(self) -> Any:
        """Wait for the run's result."""
        if self._handle is not None:
            return await self._handle.result()
        assert self._task is not None
        return await self._task


async def start(cls: type, arg: Any, runtime: Any) -> Handle:
    """Start a workflow and return its :class:`Handle`."""
    if ANCHOR:
        instance = cls()
        task = asyncio.get_running_loop().create_task(run_local(lambda: instance, arg))
        return Handle(instance=instance, task=task)
    from ntro.runtime.local import start_local

    return Handle(handle=await start_local(cls, arg, runtime=runtime))
