from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ntro.runtime.protocol import reset_runtime

FAKE_MODULE = """
from ntro.runtime.protocol import BackendInfo

class _Fake:
    name = "?"
    def __init__(self):
        self.created = True

class FakeLocal(_Fake):
    name = "local"

class FakeTemporal(_Fake):
    name = "temporal"

class FakeOther(_Fake):
    name = "other"

class Broken:
    def __init__(self):
        raise AssertionError("never instantiated")

def _from_env(variable):
    def selected_by(environ):
        value = environ.get(variable, "").strip()
        return f"{variable}={value} is set" if value else None
    return selected_by

TEMPORAL_INFO = BackendInfo(selected_by=_from_env("TEMPORAL_HOST"))
OTHER_INFO = BackendInfo(selected_by=_from_env("OTHER_ENGINE_URL"), unsafe_to_finalise=("fake_native_bridge",))
NOT_A_RECORD = object()
"""


@pytest.fixture(autouse=True)
def _fresh_selection(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("NTRO_RUNTIME", raising=False)
    monkeypatch.delenv("TEMPORAL_HOST", raising=False)
    reset_runtime()
    yield
    reset_runtime()


@pytest.fixture
def fake_backends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Install a real distribution (dist-info + module) publishing ``ntro.runtimes`` entry points.

    ``infos`` (name -> target) are its ``ntro.backends`` entry points. It goes
    first on sys.path, so its names shadow installed backends of the same name;
    ``install`` returns that directory.
    """

    def install(*, infos: dict[str, str] | None = None, **backends: str) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        (root / "fake_ntro_backends.py").write_text(FAKE_MODULE)
        dist = root / "fake_ntro_backends-1.0.dist-info"
        dist.mkdir(exist_ok=True)
        (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-ntro-backends\nVersion: 1.0\n")
        lines = "\n".join(f"{name} = {target}" for name, target in backends.items())
        records = "\n".join(f"{name} = {target}" for name, target in (infos or {}).items())
        (dist / "entry_points.txt").write_text(
            textwrap.dedent(f"[ntro.runtimes]\n{lines}\n\n[ntro.backends]\n{records}\n")
        )
        monkeypatch.syspath_prepend(str(root))
        return root

    return install
