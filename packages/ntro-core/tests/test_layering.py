"""ntro-core is layered downwards: ``ntro.workflow`` is built on ``ntro.runtime.protocol``, never the other way.

Each check runs in a fresh interpreter, so what it sees imported is what the
import itself brought in.
"""

from __future__ import annotations

import json
import subprocess
import sys

import ntro.runtime.protocol as protocol
import ntro.workflow as workflow
import ntro.workflow.exceptions as exceptions
import ntro.workflow.registry as registry


def _imported_after(code: str) -> list[str]:
    """The ``ntro`` modules and ``importlib.metadata`` loaded once ``code`` has run in a fresh interpreter."""
    probe = (
        f"import sys, json\n{code}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('ntro.', 'importlib.metadata')))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded: list[str] = json.loads(out.stdout)
    return loaded


def test_the_whole_protocol_loads_without_ntro_workflow() -> None:
    loaded = _imported_after("import ntro.runtime.protocol as p\nfor name in p.__all__: getattr(p, name)")
    assert "ntro.runtime.protocol._client" in loaded  # every name was loaded
    assert [m for m in loaded if m == "ntro.workflow" or m.startswith("ntro.workflow.")] == []


def test_one_part_of_the_protocol_loads_alone() -> None:
    """The errors (which ``ntro.workflow.exceptions`` and the CLI import) bring neither the client nor selection."""
    loaded = _imported_after("from ntro.workflow.exceptions import WorkflowError")
    assert "ntro.runtime.protocol._errors" in loaded
    for other in ("_client", "_selection", "_payloads", "_definitions", "_runtime"):
        assert f"ntro.runtime.protocol.{other}" not in loaded
    assert "importlib.metadata" not in loaded


def test_what_ntro_workflow_hands_on_is_the_protocols_own() -> None:
    for name in ("RetryPolicy", "ActivityOptions", "ChildWorkflowOptions", "WorkflowInfo", "ActivityInfo"):
        assert getattr(workflow, name) is getattr(protocol, name), name
    for name in exceptions.__all__:
        if name in protocol.__all__:
            assert getattr(exceptions, name) is getattr(protocol, name), name
    assert exceptions.ApplicationError is protocol.WorkflowError
    assert issubclass(exceptions.ActivityError, protocol.NtroError)


def test_a_subclass_of_ntroworkflow_may_have_steps() -> None:
    """The protocol knows the base class by the marker it sets, without importing it."""

    @workflow.runbook.defn(slug="layering-steps")
    class StepsWorkflow(workflow.NtroWorkflow):
        @workflow.runbook.step(name="one", title="One")
        async def one(self) -> None: ...

        @workflow.runbook.run
        async def run(self) -> None: ...

    assert protocol.workflow_definition(StepsWorkflow).slug == "layering-steps"
    registry.unregister_workflow("layering-steps")
