"""What a backend publishes under ``ntro.backends``, and what the ``ntro`` command does with it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from ntro.runtime.protocol import NO_INFO, BackendInfo, backend_info, loaded_backend_infos

OTHER = {"other": "fake_ntro_backends:FakeOther"}
OTHER_INFO = {"other": "fake_ntro_backends:OTHER_INFO"}


def test_a_backend_without_a_record_gets_the_empty_one(fake_backends: Callable[..., Path]) -> None:
    fake_backends(**OTHER)
    assert backend_info("other") is NO_INFO
    assert BackendInfo() == NO_INFO
    assert NO_INFO.selected_by is None and NO_INFO.engine_loggers == () and NO_INFO.unsafe_to_finalise == ()


def test_only_records_already_imported_are_read_at_exit(fake_backends: Callable[..., Path]) -> None:
    fake_backends(**OTHER, infos=OTHER_INFO)
    sys.modules.pop("fake_ntro_backends", None)
    assert "other" not in loaded_backend_infos()  # reading them imported nothing
    assert "fake_ntro_backends" not in sys.modules
    assert backend_info("other").unsafe_to_finalise == ("fake_native_bridge",)  # this loads it
    assert loaded_backend_infos()["other"].unsafe_to_finalise == ("fake_native_bridge",)
    sys.modules.pop("fake_ntro_backends", None)


# The ntro command's entry point, run in a fresh interpreter: whether it ends without finalising shows
# in whether an atexit handler runs.
_PROBE = """
import atexit, sys, types
atexit.register(lambda: print("finalised", flush=True))
if "use" in sys.argv:
    import fake_ntro_backends  # the backend was used in this process
if "native" in sys.argv:
    sys.modules["fake_native_bridge"] = types.ModuleType("fake_native_bridge")
sys.argv = ["ntro", "workflow", "run", "no-such-bundle"]  # one error line; no backend's record is read
from ntro.cli._app import entry
entry()
"""


def _finalised(site: Path, *flags: str) -> bool:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *sys.path])}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *flags], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert proc.stderr.startswith("ntro: error: "), proc.stderr
    return "finalised" in proc.stdout


def test_the_command_ends_without_finalising_once_a_used_backend_loaded_what_its_record_names(
    fake_backends: Callable[..., Path],
) -> None:
    site = fake_backends(**OTHER, infos=OTHER_INFO)
    assert _finalised(site)
    assert _finalised(site, "use")  # the backend was used, its native module not loaded
    assert _finalised(site, "native")  # the module is loaded, but not through a backend that names it
    assert not _finalised(site, "use", "native")
