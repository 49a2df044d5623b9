"""Payloads Temporal cannot carry: ``ntro workflow run`` fails on them locally as it would on Temporal.

``ntro workflow run`` runs with payload parity (``LocalRuntime(payload_parity=True)``
behind the local client): every activity argument and result, child
argument and result and the run's own result goes through the JSON
conversion Temporal uses. A value with no JSON form (``object()``, a
function, a lock...) fails the run, in one line naming the value's type;
a value Temporal converts (a set becomes a list) is converted the same
way. The temporal cases run the same bundle on a dev server and compare.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from ntro_bad_input import Outcome, clean_env, refused, write_bundle

from ntro.cli import main

WORKFLOW = """
from .activities import give, take


@runbook.defn
class PayloadProbeWorkflow:
    @runbook.run
    async def run(self, probe: dict) -> Any:
        where, kind = probe["where"], probe["kind"]
        if where == "activity-result":
            return await runbook.execute_activity(give, kind)
        if where == "activity-argument":
            return await runbook.execute_activity(take, _value(kind))
        if where == "child-argument":
            return await runbook.execute_child_workflow(PayloadProbeWorkflow, _value(kind))
        if where == "child-result":
            return await runbook.execute_child_workflow(
                PayloadProbeWorkflow, {"where": "workflow-result", "kind": kind}
            )
        return _value(kind)


def _value(kind: str) -> Any:
    from .activities import value

    return value(kind)
"""

ACTIVITIES = """
import threading


class Plain:
    pass


def _numbers():
    yield 1


def value(kind: str) -> Any:
    return {
        "object": lambda: object(),
        "function": lambda: (lambda: 1),
        "class": lambda: Plain,
        "instance": lambda: Plain(),
        "generator": lambda: _numbers(),
        "lock": lambda: threading.Lock(),
        "nested": lambda: {"rows": [1, 2, {"cell": object()}]},
        "set-of-objects": lambda: {"members": [object()]},
        "set": lambda: {3, 1, 2},
        "tuple": lambda: (1, "a"),
    }[kind]()


@activity.defn(name="payload_probe.give")
async def give(kind: str) -> Any:
    return value(kind)


@activity.defn(name="payload_probe.take")
async def take(anything: Any) -> str:
    return "taken"
"""

UNCARRIABLE = {
    "object": "a value of type object",
    "function": "a value of type function",
    "class": "a value of type type",
    "instance": "a value of type Plain",
    "lock": "a value of type lock",
    "nested": "a value of type dict",
    "set-of-objects": "a value of type dict",
}
PLACES = {
    "activity-result": list(UNCARRIABLE),
    "activity-argument": ["object", "function", "lock", "nested"],
    "child-argument": ["object", "instance"],
    "child-result": ["object", "class"],
    "workflow-result": ["object", "function", "lock", "set-of-objects"],
}
CASES = [pytest.param(where, kind, id=f"{where}-{kind}") for where, kinds in PLACES.items() for kind in kinds]


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("payloads")
    yield str(write_bundle(root, "payload-probe", WORKFLOW, ACTIVITIES))


def _run(bundle: str, where: str, kind: str, *extra: str) -> list[str]:
    return ["workflow", "run", bundle, "-q", "--input", json.dumps({"where": where, "kind": kind}), *extra]


@pytest.mark.parametrize(("where", "kind"), CASES)
def test_a_value_temporal_cannot_carry_fails_the_run(probe: str, where: str, kind: str) -> None:
    got = refused(_run(probe, where, kind), "workflow failed", "cannot be carried as a payload", code=1)
    assert UNCARRIABLE[kind] in got.line


@pytest.mark.parametrize(
    ("where", "kind", "expected"),
    [
        pytest.param("workflow-result", "set", [1, 2, 3], id="set-result"),
        pytest.param("activity-result", "set", [1, 2, 3], id="set-from-an-activity"),
        pytest.param("workflow-result", "tuple", [1, "a"], id="tuple-result"),
        pytest.param("activity-result", "generator", [1], id="generator-from-an-activity"),
    ],
)
def test_a_value_temporal_converts_is_converted_alike(
    probe: str, capsys: pytest.CaptureFixture[str], where: str, kind: str, expected: Any
) -> None:
    """Not bad input: what Temporal converts (a set to a list) converts the same way locally."""
    assert main(_run(probe, where, kind)) == 0
    assert json.loads(capsys.readouterr().out) == expected


# -- the same on Temporal -----------------------------------------------------------------------------
#
# On Temporal a value with no JSON form fails in workflow code, so the workflow task fails and is retried
# until the code is fixed (and an activity's result fails the attempt, retried by Temporal's default policy);
# ``ntro workflow run --runtime temporal`` sees the crash and says so in one line. Both engines name the
# value's type in the converter's words. Real processes: what reaches stderr is the point.

ON_TEMPORAL = [
    pytest.param("workflow-result", "object", id="workflow-result-object"),
    pytest.param("activity-argument", "function", id="activity-argument-function"),
]


def _converter_words(outcome: Outcome) -> str:
    """The converter's own words for the value, the same on both engines."""
    return outcome.line[outcome.line.index("Unable to serialize") :]


@pytest.mark.temporal
@pytest.mark.parametrize(("where", "kind"), ON_TEMPORAL)
def test_temporal_refuses_the_same_values(probe: str, dev_host: str, where: str, kind: str) -> None:
    local = refused(_run(probe, where, kind), "cannot be carried as a payload", code=1)
    remote = refused(
        _run(probe, where, kind, "--runtime", "temporal"),
        "workflow failed",
        "crashed in its workflow code",
        code=1,
        env=clean_env(TEMPORAL_HOST=dev_host),
    )
    assert remote.line.endswith(_converter_words(local)), (local.line, remote.line)


@pytest.mark.temporal
def test_temporal_converts_a_set_the_same_way(probe: str, dev_host: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ntro.cli", *_run(probe, "workflow-result", "set", "--runtime", "temporal")],
        env=clean_env(TEMPORAL_HOST=dev_host),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [1, 2, 3]


@pytest.mark.temporal
@pytest.mark.parametrize("kind", sorted(UNCARRIABLE))
def test_temporalio_converter_refuses_what_ours_refuses(probe: str, kind: str) -> None:
    """Every value refused above is refused by temporalio's own pydantic converter too (no server needed)."""
    from temporalio.contrib.pydantic import pydantic_data_converter

    from ntro.runtime.protocol import DEFAULT_PAYLOAD_CONVERTER, PayloadError

    value = _probe_values(probe)(kind)
    with pytest.raises(PayloadError):
        DEFAULT_PAYLOAD_CONVERTER.to_payload(value)
    with pytest.raises(Exception, match="Unable to serialize unknown type"):
        pydantic_data_converter.payload_converter.to_payloads([value])


def _probe_values(probe: str) -> Any:
    from ntro.workflow.bundle import load_bundle

    module = sys.modules[load_bundle(probe).workflow_cls.__module__.rsplit(".", 1)[0] + ".activities"]
    return module.value
