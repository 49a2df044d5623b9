"""The ntro command: discovery of subcommands, one-line errors, runtimes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from ntro.cli import main, to_json_text

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
    fake_backends(**BOTH, infos={"temporal": "fake_ntro_backends:TEMPORAL_INFO"})
    monkeypatch.setenv("TEMPORAL_HOST", "localhost:7233")
    assert main(["runtimes", "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert out == to_json_text(data) + "\n"  # printed the one way every command prints JSON
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


NEEDS_A_CLUSTER = "schedules run on Temporal Schedules and need a cluster"


def test_schedules_say_they_need_a_cluster() -> None:
    """``ntro schedule`` as installed here, with no cluster configured: one line saying schedules need one.

    Without the Temporal backend (the core and local legs) the group is not installed and the line says
    what to install; with it, the command runs and asks for a cluster.
    """
    from importlib.util import find_spec

    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    proc = subprocess.run(
        [sys.executable, "-m", "ntro.cli", "schedule", "create", "hello", "--id", "x", "--every", "1h"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert NEEDS_A_CLUSTER in proc.stderr
    if find_spec("ntro.runtime.temporal") is None:
        assert proc.returncode == 1
        assert proc.stderr.startswith("ntro: error: 'ntro schedule' is not installed: ")
        assert 'pip install "ntro-core[temporal]"' in proc.stderr and "ntro worker" in proc.stderr
    else:
        assert proc.returncode == 2
        assert "TEMPORAL_HOST=host:port" in proc.stderr


def test_a_missing_command_group_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever is installed: with no ``schedule.*`` command published, ``ntro schedule ...`` says what to install."""
    import ntro.cli._app as app

    published = app._discover()
    monkeypatch.setattr(app, "_discover", lambda: [found for found in published if found[0][0] != "schedule"])
    for argv in (["schedule"], ["schedule", "list", "--json"], ["schedule", "--help"], ["-v", "schedule", "--x"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err == (
            "ntro: error: 'ntro schedule' is not installed: schedules run on Temporal Schedules and need a cluster: "
            "pip install \"ntro-core[temporal]\", then host your runbooks on the cluster with 'ntro worker PATH...'\n"
        )
    with pytest.raises(SystemExit):
        main(["--help"])
    assert " schedule " not in capsys.readouterr().out  # not listed: not installed


def test_the_console_when_it_is_not_installed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without ntro-console, ``ntro console`` says what to install (and ``--help`` does not list it)."""
    import ntro.cli._app as app

    published = app._discover()
    monkeypatch.setattr(app, "_discover", lambda: [found for found in published if found[0][0] != "console"])
    assert main(["console", "examples/runbooks/nav-monthly"]) == 1
    assert capsys.readouterr().err == (
        "ntro: error: 'ntro console' is not installed: the web console where people start runs and answer their "
        'gates: pip install "ntro-core[console]"\n'
    )
    with pytest.raises(SystemExit):
        main(["--help"])
    assert " console " not in capsys.readouterr().out
