"""Binding ntro's records to temporalio's decorators, without a server."""

from __future__ import annotations

import ntro_temporal_testflows as flows
import pytest
import temporalio.activity
import temporalio.workflow

from ntro.runtime.protocol import Runtime, driving_runtime
from ntro.runtime.temporal import TemporalBindingError, TemporalRuntime
from ntro.runtime.temporal._binding import require_bound, require_bound_activity
from ntro.workflow import activity, runbook


def test_classes_are_temporal_workflows_at_decoration_time() -> None:
    defn = temporalio.workflow._Definition.must_from_class(flows.MainFlow)
    assert defn.name == "MainFlow"
    assert defn.run_fn is flows.MainFlow.run
    # handlers declared on a plain base class are seen on the subclass
    assert set(defn.signals) == {"answer"}
    assert set(defn.queries) == {"current_answer"}


def test_ntro_workflow_base_handlers_are_bound() -> None:
    defn = temporalio.workflow._Definition.must_from_class(flows.GateFlow)
    assert {"current_pending_action", "current_steps", "step_snapshots", "current_ui_state"} <= set(defn.queries)
    assert set(defn.signals) == {"user_action", "document_submitted"}


def test_a_class_temporalio_rejects_still_imports_and_says_why_later() -> None:
    @runbook.defn(slug="binding-local-class")
    class LocalClass:
        @runbook.run
        async def run(self) -> None:
            return None

    # a class defined in a function is not hostable (temporalio needs it importable by name)
    with pytest.raises(TemporalBindingError, match="Local classes unsupported"):
        require_bound(LocalClass)


def test_activities_are_bound_by_registered_name() -> None:
    defn = temporalio.activity._Definition.must_from_callable(flows.greet)
    assert defn.name == "tflows.greet"
    assert require_bound_activity(flows.add) == "tflows.add"


def test_a_rejected_activity_does_not_break_its_module() -> None:
    def kw_only(*, a: int) -> int:
        return a

    activity.defn(name="binding.kw_only")(kw_only)  # no exception at decoration time
    with pytest.raises(TemporalBindingError, match="keyword-only"):
        require_bound_activity(kw_only)


def test_undecorated_things_are_refused_clearly() -> None:
    class Plain:
        pass

    with pytest.raises(TemporalBindingError, match=r"decorate it with @runbook\.defn"):
        require_bound(Plain)
    with pytest.raises(TemporalBindingError, match=r"decorate it with @activity\.defn"):
        require_bound_activity(lambda: None)


def test_temporal_runtime_implements_the_protocol() -> None:
    runtime = TemporalRuntime()
    assert isinstance(runtime, Runtime)
    assert runtime.name == "temporal"
    assert not runtime.in_workflow()
    assert not runtime.in_activity()


def test_outside_temporal_nothing_is_detected() -> None:
    assert driving_runtime() is None


def test_a_function_marked_as_an_ntro_activity_is_bound_when_hosted() -> None:
    """Harness mocks and spies carry an ActivityDefinition without going through @activity.defn."""
    from ntro.runtime.protocol import ACTIVITY_ATTR, ActivityDefinition

    async def double(x: int) -> int:
        return 2 * x

    setattr(double, ACTIVITY_ATTR, ActivityDefinition(name="binding.marked-double", fn=double, is_async=True))
    assert require_bound_activity(double) == "binding.marked-double"
    assert double.__temporal_activity_definition.name == "binding.marked-double"  # type: ignore[attr-defined]


def test_importing_the_backend_does_not_import_temporalio() -> None:
    """The ntro command imports the backend to list its subcommands: that must not cost a temporalio import."""
    import subprocess
    import sys

    code = "import ntro.runtime.temporal, sys; print('temporalio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
