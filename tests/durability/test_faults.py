"""Harsher faults on Temporal: the server SIGKILLed, signals with no worker, children, an activity in flight.

Every test runs ``bundles/fault-steps`` on a real dev server keeping its state
in a SQLite file, with ``ntro worker`` processes. Each activity appends
``start|done <workflow id>/<activity id> <attempt> <pid>`` to a ledger file.
At the fault, the activities the server's histories show completed are
noted; the run must then finish with the same result as without the fault,
and none of those activities may run again (one ``start`` line each, from
the process they ran in before the fault).

In the server test, ``ntro workflow start --wait`` and ``ntro workflow result
--wait`` wait (as processes) while the server is SIGKILLed and started again
on its database and port; both must print the result and exit 0.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from ntro_servers import child_env, free_port
from temporalio.api.enums.v1 import EventType

from ntro.workflow.bundle import load_bundle

pytestmark = [pytest.mark.temporal, pytest.mark.slow, pytest.mark.asyncio(loop_scope="function")]

BUNDLE = Path(__file__).parent / "bundles" / "fault-steps"
WAIT = 90.0  # seconds: bounds every wait


@pytest.fixture(scope="module")
def workflow_cls() -> Any:
    return load_bundle(BUNDLE).workflow_cls


def _input(ledger: Path, **fields: Any) -> Any:
    load_bundle(BUNDLE)  # once: then its package imports
    from _ntro_bundle_fault_steps.models import FaultInput

    return FaultInput(ledger=str(ledger), **fields)


def _values(steps: int) -> list[int]:
    return [i * i + 1 for i in range(steps)]


def _expected(steps: int, signals: Sequence[int] = (), children: int = 0, child_steps: int = 2) -> dict[str, Any]:
    values, totals = _values(steps), [sum(_values(child_steps))] * children
    return {
        "values": values,
        "signals": sorted(signals),
        "children": totals,
        "total": sum(values) + sum(signals) + sum(totals),
    }


# -- the ledger and the histories --------------------------------------------------------------


def _ledger(path: Path) -> list[tuple[str, str, int, int]]:
    """``(start|done, <workflow id>/<activity id>, attempt, pid)`` per line."""
    lines = path.read_text().splitlines() if path.exists() else []
    return [(what, name, int(attempt), int(pid)) for what, name, attempt, pid in (line.split() for line in lines)]


async def _completed(client: Any, workflow_id: str) -> set[str]:
    """``<workflow id>/<activity id>`` of every activity completed in the run's history, and in its children's."""
    scheduled: dict[int, str] = {}
    done: set[str] = set()
    children: list[str] = []
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled[event.event_id] = event.activity_task_scheduled_event_attributes.activity_id
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            done.add(f"{workflow_id}/{scheduled[event.activity_task_completed_event_attributes.scheduled_event_id]}")
        elif event.event_type == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
            children.append(event.child_workflow_execution_started_event_attributes.workflow_execution.workflow_id)
    for child in children:
        done |= await _completed(client, child)
    return done


async def _until(what: str, check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + WAIT
    while not await check():
        assert time.monotonic() < deadline, f"{what}: not within {WAIT}s"
        await asyncio.sleep(0.05)


async def _until_completed(client: Any, workflow_id: str, count: int) -> set[str]:
    """Wait until ``count`` activities of the run (and its children) have completed; return them."""
    found: set[str] = set()

    async def enough() -> bool:
        nonlocal found
        found = await _completed(client, workflow_id)
        return len(found) >= count

    await _until(f"{count} activities of {workflow_id} completed", enough)
    return found


def _assert_nothing_ran_again(ledger: list[tuple[str, str, int, int]], before: set[str], pid: int) -> None:
    """Each activity completed before the fault started once, in process ``pid``, and was done once."""
    starts = Counter(name for what, name, _, _ in ledger if what == "start")
    dones = Counter(name for what, name, _, _ in ledger if what == "done")
    for name in before:
        assert (starts[name], dones[name]) == (1, 1), f"{name} completed before the fault and ran again: {ledger}"
        assert {p for _, n, _, p in ledger if n == name} == {pid}, ledger


async def _assert_every_completed_was_done(client: Any, workflow_id: str, path: Path) -> set[str]:
    """Every activity completed in the final histories has a ``done`` line; return them."""
    completed = await _completed(client, workflow_id)
    done = {name for what, name, _, _ in _ledger(path) if what == "done"}
    assert completed <= done, (completed - done, _ledger(path))
    return completed


# -- the ntro commands, as processes -----------------------------------------------------------


async def _ntro(env: dict[str, str], *argv: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ntro.cli",
        *argv,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _stderr_line(proc: asyncio.subprocess.Process, text: str) -> str:
    assert proc.stderr is not None
    seen: list[str] = []
    while True:
        line = (await asyncio.wait_for(proc.stderr.readline(), WAIT)).decode()
        assert line, f"the command ended ({await proc.wait()}) without printing {text!r}; it printed {seen}"
        seen.append(line)
        if text in line:
            return line


def _connected(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds an established TCP connection to ``port`` (read from Linux's /proc)."""
    sockets: set[str] = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():  # the caller knows the process runs
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            sockets.add(target[len("socket:[") : -1])
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            remote, state, inode = fields[2], fields[3], fields[9]
            if state == "01" and inode in sockets and int(remote.rsplit(":", 1)[1], 16) == port:
                return True
    return False


async def _finished(proc: asyncio.subprocess.Process) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(proc.communicate(), WAIT)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


# -- the tests ---------------------------------------------------------------------------------


async def test_a_server_killed_mid_run_loses_nothing_and_the_waiting_commands_print_the_result(
    tmp_path: Path, server_process: Any, start_worker: Any
) -> None:
    ledger, database, port = tmp_path / "ledger.txt", tmp_path / "temporal.db", free_port()
    workflow_id, queue = "faults-server-kill", "faults-server-kill"
    # After its first step the run waits for a signal, so both commands are surely waiting before it goes on;
    # durable timers of 2 s between steps: the kill falls while one is pending, with no activity in flight.
    request = _input(ledger, steps=4, pause_seconds=2.0, signals=1)
    server = server_process(database, port)
    client = await server.client()
    env = child_env(server.host)
    worker = await start_worker("fault-steps", server.host, queue)
    try:
        start = await _ntro(
            env,
            *("workflow", "start", "fault-steps", "--wait", "--id", workflow_id, "--task-queue", queue),
            *("--bundles", str(BUNDLE), "--input", request.model_dump_json()),
        )
        await _stderr_line(start, f"started fault-steps as workflow {workflow_id}")
        result = await _ntro(env, "workflow", "result", workflow_id, "--wait")

        async def result_is_connected() -> bool:
            assert result.returncode is None, await _finished(result)
            return _connected(result.pid, port)

        await _until("ntro workflow result --wait connected", result_is_connected)
        await _until_completed(client, workflow_id, 1)
        await client.get_workflow_handle(workflow_id).signal("add", 3)
        before = await _until_completed(client, workflow_id, 2)
        assert server.kill() == -9
        # Same database, same port: the worker and both commands reconnect by themselves.
        client = await server_process(database, port).client()
        started, waited = await asyncio.gather(_finished(start), _finished(result))
        assert len(await _assert_every_completed_was_done(client, workflow_id, ledger)) == 4
    finally:
        code = worker.stop()
    assert code == 0
    for rc, out, err in (started, waited):
        assert rc == 0, err
        assert json.loads(out) == _expected(4, [3])
    entries = _ledger(ledger)
    _assert_nothing_ran_again(entries, before, worker.pid)
    assert [what for what, *_ in entries] == ["start", "done"] * 4, entries  # nothing else was in flight


async def test_signals_sent_while_no_worker_runs_are_taken_by_the_next_worker(
    tmp_path: Path, workflow_cls: Any, start_server: Any, start_worker: Any
) -> None:
    ledger, queue, signals = tmp_path / "ledger.txt", "faults-signals", [5, 7, 11]
    async with await start_server(database=tmp_path / "temporal.db") as env:
        host = env.client.service_client.config.target_host
        first = await start_worker("fault-steps", host, queue)
        try:
            handle = await env.client.start_workflow(
                workflow_cls.run,
                _input(ledger, steps=3, pause_seconds=0.2, signals=len(signals)),
                id="faults-signals",
                task_queue=queue,
            )
            before = await _until_completed(env.client, handle.id, 1)

            async def waiting_for_signals() -> bool:  # the first step is done and the workflow task after it too
                events = [e.event_type async for e in handle.fetch_history_events()]
                done = events.index(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
                return EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED in events[done:]

            await _until("the run waits for its signals", waiting_for_signals)
        finally:
            assert first.kill() == -9
        for value in signals:
            await handle.signal("add", value)
        second = await start_worker("fault-steps", host, queue)
        try:
            result = await asyncio.wait_for(handle.result(), WAIT)
            await _assert_every_completed_was_done(env.client, handle.id, ledger)
        finally:
            assert second.stop() == 0
    assert result.model_dump() == _expected(3, signals)
    entries = _ledger(ledger)
    _assert_nothing_ran_again(entries, before, first.pid)
    assert Counter(pid for what, _, _, pid in entries if what == "done") == {first.pid: 1, second.pid: 2}, entries


async def test_a_parent_and_its_children_finish_after_their_worker_dies(
    tmp_path: Path, workflow_cls: Any, start_server: Any, start_worker: Any
) -> None:
    ledger, queue = tmp_path / "ledger.txt", "faults-children"
    async with await start_server(database=tmp_path / "temporal.db") as env:
        host = env.client.service_client.config.target_host
        first = await start_worker("fault-steps", host, queue)
        try:
            handle = await env.client.start_workflow(
                workflow_cls.run,
                _input(ledger, steps=1, pause_seconds=0.5, children=2, child_steps=3),
                id="faults-children",
                task_queue=queue,
            )
            # The parent's step and at least two of its children's: the children are under way.
            before = await _until_completed(env.client, handle.id, 3)
        finally:
            assert first.kill() == -9
        second = await start_worker("fault-steps", host, queue)
        try:
            result = await asyncio.wait_for(handle.result(), WAIT)
            completed = await _assert_every_completed_was_done(env.client, handle.id, ledger)
        finally:
            assert second.stop() == 0
    assert result.model_dump() == _expected(1, children=2, child_steps=3)
    assert len(completed) == 1 + 2 * 3
    assert any(":fault-steps:" in name for name in before), before  # a child's step had completed
    _assert_nothing_ran_again(_ledger(ledger), before, first.pid)


async def test_an_activity_in_flight_when_its_worker_dies_runs_again_in_the_next(
    tmp_path: Path, workflow_cls: Any, start_server: Any, start_worker: Any
) -> None:
    ledger, release, queue = tmp_path / "ledger.txt", tmp_path / "release", "faults-in-flight"
    async with await start_server(database=tmp_path / "temporal.db") as env:
        host = env.client.service_client.config.target_host
        first = await start_worker("fault-steps", host, queue)
        try:
            handle = await env.client.start_workflow(
                workflow_cls.run,
                _input(ledger, steps=3, pause_seconds=0.2, hold_step=1, release=str(release)),
                id="faults-in-flight",
                task_queue=queue,
            )
            before = await _until_completed(env.client, handle.id, 1)

            async def held() -> bool:  # the second step started and waits for the release
                return [what for what, *_ in _ledger(ledger)] == ["start", "done", "start"]

            await _until("the second step is in flight", held)
        finally:
            assert first.kill() == -9
        release.touch()
        second = await start_worker("fault-steps", host, queue)
        try:
            result = await asyncio.wait_for(handle.result(), WAIT)
            await _assert_every_completed_was_done(env.client, handle.id, ledger)
        finally:
            assert second.stop() == 0
    assert result.model_dump() == _expected(3)
    entries = _ledger(ledger)
    _assert_nothing_ran_again(entries, before, first.pid)
    held_name = entries[2][1]
    attempts = [(what, attempt, pid) for what, name, attempt, pid in entries if name == held_name]
    # Its first attempt died with the first worker; a later one ran, once, in the second worker.
    assert attempts[0] == ("start", 1, first.pid), entries
    assert [(what, pid) for what, attempt, pid in attempts[1:]] == [("start", second.pid), ("done", second.pid)]
    assert attempts[1][1] > 1, entries
