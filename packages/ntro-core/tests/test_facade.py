"""Decorators record runtime-neutral metadata; calls dispatch to the driving runtime."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from ntro.runtime.protocol import bind_driver, get_runtime, set_runtime, unbind_driver
from ntro.runtime.protocol._definitions import activity_definition, workflow_definition
from ntro.runtime.protocol._naming import class_name_for_slug, slug_for_class_name
from ntro.runtime.protocol._options import ActivityOptions, to_timedelta
from ntro.workflow import (
    RetryPolicy,
    WorkflowError,
    activity,
    get_registered,
    list_registered_slugs,
    register_workflow,
    runbook,
)
from ntro.workflow.exceptions import NotInWorkflowError


@activity.defn(name="demo.load")
async def load(period: str) -> str:
    return period


@activity.defn
def plain(x: int) -> int:
    return x


@runbook.defn
class FacadeProbeWorkflow:
    @runbook.signal
    def tb_submitted(self, payload: dict[str, Any]) -> None: ...

    @runbook.signal(name="renamed")
    def other(self) -> None: ...

    @runbook.query
    def status(self) -> str:
        return "ok"

    @runbook.run
    async def run(self, period: str) -> str:
        return await runbook.execute_activity(load, period, start_to_close_timeout=60)


@runbook.defn(slug="custom-slug", name="CustomType")
class OddlyNamed:
    @runbook.run
    async def run(self) -> None: ...


def test_defn_records_a_runtime_neutral_definition() -> None:
    defn = workflow_definition(FacadeProbeWorkflow)
    assert defn.slug == "facade-probe"
    assert defn.name == "FacadeProbeWorkflow"
    assert defn.run_method == "run"
    assert sorted(defn.signals) == ["renamed", "tb_submitted"]
    assert defn.signals["renamed"].method_name == "other"
    assert list(defn.queries) == ["status"]
    # Recording only: the class is returned unchanged, with no runtime attributes
    # (unless the Temporal backend was imported in this process: it binds at decoration time once armed).
    if "ntro.runtime.temporal" not in sys.modules:
        assert not any(a.startswith("__temporal") for a in vars(FacadeProbeWorkflow))


def test_defn_registers_the_slug() -> None:
    assert get_registered("facade-probe") is FacadeProbeWorkflow
    assert get_registered("custom-slug") is OddlyNamed
    assert workflow_definition(OddlyNamed).name == "CustomType"
    assert {"facade-probe", "custom-slug"} <= set(list_registered_slugs())


def test_register_workflow_by_hand() -> None:
    class Anything:
        pass

    register_workflow("by-hand", Anything)
    assert get_registered("by-hand") is Anything
    with pytest.raises(ValueError):
        register_workflow("", Anything)


def test_activity_defn_records_the_name_and_the_legacy_flag() -> None:
    d = activity_definition(load)
    assert d is not None and d.name == "demo.load" and d.is_async
    p = activity_definition(plain)
    assert p is not None and p.name == "plain" and not p.is_async
    assert getattr(load, "__ntro_activity_defn") is True


@pytest.mark.parametrize(
    ("cls_name", "slug"),
    [
        ("NavMonthlyWorkflow", "nav-monthly"),
        ("DocumentIngestWorkflow", "document-ingest"),
        ("HTTPImportWorkflow", "http-import"),
        ("Expense", "expense"),
        ("Workflow", "workflow"),
    ],
)
def test_slugs(cls_name: str, slug: str) -> None:
    assert slug_for_class_name(cls_name) == slug


def test_class_name_for_slug() -> None:
    assert class_name_for_slug("nav-monthly") == "NavMonthlyWorkflow"
    assert class_name_for_slug("expense_processor") == "ExpenseProcessorWorkflow"


def test_a_class_without_run_method_is_rejected_clearly() -> None:
    with pytest.raises(TypeError, match=r"has no @runbook\.run method"):

        @runbook.defn
        class NoRun:
            pass


def test_a_sync_run_method_is_rejected_clearly() -> None:
    with pytest.raises(TypeError, match="must be 'async def'"):

        @runbook.defn
        class SyncRun:
            @runbook.run
            def run(self) -> None: ...


class _Recorder:
    """A minimal runtime, driving code through the contextvar like a backend would."""

    name = "recorder"

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def in_workflow(self) -> bool:
        return True

    def in_activity(self) -> bool:
        return False

    async def execute_activity(
        self, fn: Callable[..., Any] | str, args: tuple[Any, ...], options: ActivityOptions
    ) -> Any:
        self.calls.append(("activity", fn, args, options))
        return "done"

    async def wait_condition(self, predicate: Callable[[], bool], timeout: timedelta | None) -> None:
        self.calls.append(("wait", timeout))

    async def sleep(self, duration: timedelta) -> None:
        self.calls.append(("sleep", duration))


async def test_calls_dispatch_to_the_driving_runtime_with_normalised_options() -> None:
    rec = _Recorder()
    token = bind_driver(rec)  # type: ignore[arg-type]
    try:
        assert await FacadeProbeWorkflow().run("2026-10") == "done"
        await runbook.execute_activity(load, args=["a", "b"], retry_policy=RetryPolicy(maximum_attempts=3))
        await runbook.wait_condition(lambda: True, timeout=1.5)
        await runbook.sleep(timedelta(days=3))
    finally:
        unbind_driver(token)
    _kind, fn, args, options = rec.calls[0]
    assert fn is load and args == ("2026-10",)
    assert options.start_to_close_timeout == timedelta(seconds=60)
    assert rec.calls[1][2] == ("a", "b") and rec.calls[1][3].retry_policy.maximum_attempts == 3
    assert rec.calls[2] == ("wait", timedelta(seconds=1.5))
    assert rec.calls[3] == ("sleep", timedelta(days=3))


async def test_set_runtime_after_decoration_is_safe() -> None:
    """FacadeProbeWorkflow was decorated at import; a runtime chosen now still drives it."""
    rec = _Recorder()
    set_runtime(rec)  # type: ignore[arg-type]
    assert get_runtime() is rec
    token = bind_driver(rec)  # type: ignore[arg-type]
    try:
        assert await FacadeProbeWorkflow().run("2026-11") == "done"
    finally:
        unbind_driver(token)
    assert rec.calls[0][2] == ("2026-11",)


async def test_outside_a_workflow_calls_fail_the_same_way_whatever_is_selected() -> None:
    """A selected runtime does not drive code outside a run: no backend is asked, none can differ."""
    rec = _Recorder()
    set_runtime(rec)  # type: ignore[arg-type]
    with pytest.raises(NotInWorkflowError, match=r"runbook.execute_activity\(\) was called from outside any workflow"):
        await FacadeProbeWorkflow().run("2026-11")
    for call in (runbook.info, runbook.now, runbook.random, runbook.uuid4):
        with pytest.raises(NotInWorkflowError):
            call()
    assert rec.calls == []
    assert runbook.in_workflow() is False


async def test_one_argument_or_args_not_both() -> None:
    set_runtime(_Recorder())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not both"):
        await runbook.start_child_workflow("x", 1, args=[2])


def test_durations() -> None:
    assert to_timedelta(90) == timedelta(seconds=90)
    assert to_timedelta(timedelta(hours=1)) == timedelta(hours=1)
    assert to_timedelta(None) is None
    with pytest.raises(TypeError, match="timeout must be a timedelta or a number of seconds"):
        to_timedelta("soon", what="timeout")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        to_timedelta(-1)


def test_retry_policy_backoff() -> None:
    policy = RetryPolicy(initial_interval=1, backoff_coefficient=2, maximum_interval=timedelta(seconds=5))
    assert [policy.delay_before(n).total_seconds() for n in (2, 3, 4, 5)] == [1, 2, 4, 5]
    with pytest.raises(ValueError):
        RetryPolicy(backoff_coefficient=0.5)


def test_workflow_error_is_one_plain_class() -> None:
    err = WorkflowError("bad input", type="BadInput", non_retryable=True)
    assert WorkflowError.__mro__[1] is Exception
    assert (err.message, err.type, err.non_retryable) == ("bad input", "BadInput", True)
    assert WorkflowError("x").type == "WorkflowError"
    import pickle

    clone = pickle.loads(pickle.dumps(err))
    assert (clone.message, clone.type, clone.non_retryable) == ("bad input", "BadInput", True)


def test_import_never_pulls_temporalio_nor_pydantic() -> None:
    """Importing the facades stays cheap: no temporalio, and pydantic only once a payload is converted."""
    import subprocess

    code = (
        "import ntro.workflow as w, ntro.runtime.protocol; w.runbook; w.NtroWorkflow; import sys; "
        "print('temporalio' in sys.modules, 'pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_run_local_without_the_backend_names_the_extra() -> None:
    import importlib.util

    import ntro.workflow as w

    if importlib.util.find_spec("ntro.runtime.local") is None:
        with pytest.raises(ImportError, match=r'pip install "ntro-core\[local\]"'):
            w.run_local  # noqa: B018
    else:
        assert callable(w.run_local)


def test_unknown_attribute() -> None:
    import ntro.workflow as w

    with pytest.raises(AttributeError):
        w.no_such_thing  # type: ignore[attr-defined] # noqa: B018


def test_steps_need_the_ntroworkflow_base_and_say_so() -> None:
    with pytest.raises(TypeError, match=r"has @runbook.step methods \(_load\) but does not derive from NtroWorkflow"):

        @runbook.defn(slug="facade-steps-without-base")
        class StepsWithoutBase:
            @runbook.step(name="load", title="Load")
            async def _load(self) -> None: ...

            @runbook.run
            async def run(self) -> None: ...


async def test_a_step_says_when_super_init_was_forgotten() -> None:
    from ntro.workflow import NtroWorkflow

    @runbook.defn(slug="facade-forgot-super")
    class ForgotSuper(NtroWorkflow):
        def __init__(self) -> None:
            self.x = 1

        @runbook.step(name="load", title="Load")
        async def _load(self) -> None: ...

        @runbook.run
        async def run(self) -> None:
            await self._load()

    with pytest.raises(TypeError, match=r"ForgotSuper.__init__ does not call super\(\).__init__\(\)"):
        await ForgotSuper().run()
