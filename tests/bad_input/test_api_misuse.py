"""API misuse: facade calls outside a workflow on every runtime, wrong things given to run_local, a forgotten super().

A call that cannot work raises ntro's own exception (or a ``TypeError``)
whose message is one line saying what is wrong and what to do, on every
runtime: no temporalio-private exception, no "no workflow registered for
slug None". The same mistakes inside a bundle end ``ntro workflow run`` in
one line.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ntro_bad_input import LEAKS, refused

from ntro.runtime.protocol import reset_runtime, set_runtime
from ntro.workflow import NtroWorkflow, activity, run_local, runbook
from ntro.workflow.exceptions import NotInWorkflowError

pytest.importorskip("ntro.runtime.local", reason="run_local needs LocalRuntime")


def _misused(call: Callable[[], Any], exception: type[BaseException], *words: str) -> str:
    """Make ``call`` (awaiting what it returns) and check it raises ``exception``, in one clear ntro line."""

    async def attempt() -> Any:
        result = call()
        if inspect.isawaitable(result):
            result = await result
        return result

    with pytest.raises(exception) as info:
        asyncio.run(attempt())
    message = str(info.value)
    assert len(message.splitlines()) == 1, message
    assert type(info.value).__module__.split(".")[0] in ("ntro", "builtins"), type(info.value)
    for leak in LEAKS:
        assert leak not in message, message
    for word in words:
        assert word in message, message
    return message


# -- facade calls outside a workflow, on every runtime -------------------------------------------------------

FACADE: dict[str, Callable[[], Any]] = {
    "runbook.now": runbook.now,
    "runbook.info": runbook.info,
    "runbook.random": runbook.random,
    "runbook.uuid4": runbook.uuid4,
    "runbook.patched": lambda: runbook.patched("v2"),
    "runbook.deprecate_patch": lambda: runbook.deprecate_patch("v2"),
    "runbook.sleep": lambda: runbook.sleep(1),
    "runbook.wait_condition": lambda: runbook.wait_condition(lambda: True),
    "runbook.continue_as_new": lambda: runbook.continue_as_new(),
    "runbook.execute_activity": lambda: runbook.execute_activity("some.activity"),
    "runbook.execute_child_workflow": lambda: runbook.execute_child_workflow("some-slug"),
    "runbook.start_child_workflow": lambda: runbook.start_child_workflow("some-slug"),
    "activity.info": activity.info,
    "activity.heartbeat": lambda: activity.heartbeat("progress"),
}


def _runtime(name: str) -> Any:
    if name == "local":
        from ntro.runtime.local import LocalRuntime

        return LocalRuntime()
    from ntro.runtime.temporal import TemporalRuntime

    return TemporalRuntime()


@pytest.fixture(params=["none", "local", pytest.param("temporal", marks=pytest.mark.temporal)])
def runtime(request: pytest.FixtureRequest) -> Iterator[str]:
    """The runtime selected while the call is made: none at all, LocalRuntime, or TemporalRuntime."""
    if request.param != "none":
        set_runtime(_runtime(request.param))
    yield str(request.param)
    reset_runtime()


@pytest.mark.parametrize("call", list(FACADE))
def test_a_facade_call_outside_a_workflow(runtime: str, call: str) -> None:
    where = "outside an activity" if call.startswith("activity.") else "outside any workflow"
    _misused(FACADE[call], NotInWorkflowError, f"{call}() was called", where)


# -- what run_local is given ----------------------------------------------------------------------------------


@runbook.defn(slug="misuse-hello")
class MisuseHelloWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self) -> str:
        return "hello"


@runbook.defn(slug="misuse-no-super")
class MisuseNoSuperWorkflow(NtroWorkflow):
    def __init__(self) -> None:  # forgot super().__init__()
        self.count = 0

    @runbook.step(name="count", title="Count")
    async def _count(self) -> int:
        self.count += 1
        return self.count

    @runbook.run
    async def run(self) -> int:
        return await self._count()


class NotAWorkflow:
    async def run(self) -> str:
        return "never"


RUN_LOCAL = [
    pytest.param(lambda: run_local(None), TypeError, ["not NoneType"], id="none"),
    pytest.param(
        lambda: run_local(MisuseHelloWorkflow()),
        TypeError,
        ["an instance of MisuseHelloWorkflow was given", "pass the class itself"],
        id="an-instance",
    ),
    pytest.param(lambda: run_local(42), TypeError, ["not int (42)"], id="a-number"),
    pytest.param(lambda: run_local(print), TypeError, ["not builtin_function_or_method"], id="a-function"),
    pytest.param(lambda: run_local(""), Exception, ["the workflow slug is empty"], id="an-empty-slug"),
    pytest.param(lambda: run_local("no-such-slug"), Exception, ["no workflow registered for slug"], id="unknown-slug"),
    pytest.param(lambda: run_local(NotAWorkflow), TypeError, ["decorate the class with @runbook.defn"], id="plain"),
    pytest.param(
        lambda: run_local(MisuseHelloWorkflow, "unexpected"),
        TypeError,
        ["takes 1 positional argument but 2 were given"],
        id="an-argument-too-many",
    ),
    pytest.param(
        lambda: run_local(MisuseHelloWorkflow, 1, args=[2]),
        TypeError,
        ["either one positional argument or args=[...]"],
        id="arg-and-args",
    ),
    pytest.param(
        lambda: run_local(MisuseNoSuperWorkflow),
        TypeError,
        ["MisuseNoSuperWorkflow.__init__ does not call super().__init__()"],
        id="no-super-init",
    ),
]


@pytest.mark.parametrize(("call", "exception", "words"), RUN_LOCAL)
def test_what_run_local_is_given(call: Callable[[], Any], exception: type[BaseException], words: list[str]) -> None:
    _misused(call, exception, *words)


# -- decorators on the wrong things ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "words"),
    [
        pytest.param(lambda: runbook.defn(42), "@runbook.defn decorates a class, not int", id="defn-a-number"),
        pytest.param(lambda: activity.defn(42), "@activity.defn decorates a function, not int", id="activity-defn"),
        pytest.param(lambda: runbook.signal(42), "decorates a method, not int", id="signal-a-number"),
        pytest.param(
            lambda: runbook.defn(type("NoRunWorkflow", (), {})), "has no @runbook.run method", id="defn-without-run"
        ),
    ],
)
def test_a_decorator_on_the_wrong_thing(call: Callable[[], Any], words: str) -> None:
    _misused(call, TypeError, words)


# -- the same mistakes in a bundle, through ntro workflow run ---------------------------------------------------

IN_A_BUNDLE = [
    pytest.param(
        """
        @runbook.defn
        class CLASS(NtroWorkflow):
            def __init__(self) -> None:
                self.total = 0

            @runbook.step(name="add", title="Add")
            async def _add(self) -> int:
                return 1

            @runbook.run
            async def run(self) -> int:
                return await self._add()
        """,
        "does not call super().__init__()",
        id="no-super-init",
    ),
    pytest.param(
        """
        @runbook.defn
        class CLASS:
            @runbook.run
            async def run(self) -> str:
                return activity.info().activity_type
        """,
        "activity.info() was called outside an activity",
        id="activity-call-in-a-workflow",
    ),
    pytest.param(
        """
        @runbook.defn
        class CLASS:
            @runbook.run
            async def run(self) -> str:
                return await runbook.execute_child_workflow(None)
        """,
        "a workflow is a @runbook.defn class or a registered slug",
        id="child-none",
    ),
    pytest.param(
        """
        @runbook.defn
        class CLASS:
            @runbook.run
            async def run(self) -> str:
                return await runbook.execute_child_workflow("")
        """,
        "the workflow slug is empty",
        id="child-empty-slug",
    ),
]


@pytest.mark.parametrize(("source", "words"), IN_A_BUNDLE)
def test_a_mistake_in_a_bundle(
    bundle: Callable[..., str], request: pytest.FixtureRequest, source: str, words: str
) -> None:
    slug = f"misuse-{request.node.callspec.id}"  # a slug (and a class) of its own per case
    class_name = "".join(part.capitalize() for part in slug.split("-")) + "Workflow"
    path = bundle(slug, source.replace("CLASS", class_name))
    refused(["workflow", "run", path, "-q"], "workflow failed", words, code=1)
