"""The Temporal backend's BackendInfo (``ntro.backends``): what ntro knows of it without importing temporalio."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ntro.runtime.protocol import backend_info, describe_selection, installed_runtimes, reset_runtime
from ntro.runtime.temporal import BACKEND_INFO
from ntro.runtime.temporal._backend import selected_by


def test_it_is_published_under_ntro_backends() -> None:
    assert backend_info("temporal") is BACKEND_INFO
    assert BACKEND_INFO.engine_loggers == ("temporalio",)
    assert BACKEND_INFO.unsafe_to_finalise == ("temporalio.bridge.temporal_sdk_bridge",)


def test_temporal_host_selects_it() -> None:
    assert selected_by({"TEMPORAL_HOST": "temporal.internal:7233"}) == "TEMPORAL_HOST=temporal.internal:7233 is set"
    assert selected_by({"TEMPORAL_HOST": "  "}) is None
    assert selected_by({}) is None


def test_selection_names_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NTRO_RUNTIME", raising=False)
    monkeypatch.setenv("TEMPORAL_HOST", "temporal.internal:7233")
    reset_runtime()
    choice = describe_selection({"temporal": installed_runtimes()["temporal"]})
    assert (choice.name, choice.reason) == (
        "temporal",
        "TEMPORAL_HOST=temporal.internal:7233 is set and the temporal backend is installed",
    )


def test_reading_it_imports_no_temporalio() -> None:
    """Selection reads every installed backend's record: the Temporal one must stay cheap."""
    probe = (
        "import json, sys\n"
        "from ntro.runtime.protocol import backend_info\n"
        "info = backend_info('temporal')\n"
        "print(json.dumps([info.selected_by({'TEMPORAL_HOST': 'h:1'}), "
        "sorted(m for m in sys.modules if m == 'temporalio' or m.startswith('temporalio.'))]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == ["TEMPORAL_HOST=h:1 is set", []]
