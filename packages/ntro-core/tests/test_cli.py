"""The ntro command: discovery of subcommands, one-line errors, runtimes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest

from ntro.cli import main

BOTH = {"local": "fake_ntro_backends:FakeLocal", "temporal": "fake_ntro_backends:FakeTemporal"}


def test_help_lists_runtimes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "runtimes" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("ntro 0.")


def test_unknown_command_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["bogus"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice: 'bogus'" in err


def test_runtimes_lists_backends_and_the_rule(
    fake_backends: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    fake_backends(**BOTH)
    assert main(["runtimes"]) == 0
    out = capsys.readouterr().out
    assert "* local" in out and "temporal" in out
    assert "selected: local (the default backend; runs in-process)" in out


def test_runtimes_json(
    fake_backends: Callable[..., None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_backends(**BOTH)
    monkeypatch.setenv("TEMPORAL_HOST", "localhost:7233")
    assert main(["runtimes", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["selected"] == "temporal"
    assert "TEMPORAL_HOST=localhost:7233" in data["reason"]


def test_runtimes_with_a_bogus_name_is_one_line(
    fake_backends: Callable[..., None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_backends(**BOTH)
    monkeypatch.setenv("NTRO_RUNTIME", "bogus")
    assert main(["runtimes"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ntro: error: NTRO_RUNTIME='bogus'") and err.count("\n") == 1


def test_installed_script_runs_without_traceback() -> None:
    """The real console script, as a user runs it, in this environment."""
    proc = subprocess.run([sys.executable, "-m", "ntro.cli", "runtimes"], capture_output=True, text=True)
    assert "Traceback" not in proc.stderr
    if proc.returncode == 0:
        assert "selected:" in proc.stdout
    else:
        assert proc.returncode == 1
        assert 'pip install "ntro-core[local]"' in proc.stderr
