"""Connections: an unknown namespace, TLS against a plaintext server, certificate files that are not PEM, bad hosts.

Each answer is one line in plain words, never the transport's own error
text. The namespace and TLS cases run against a real dev server (one for
the session); a file that is not PEM is refused before connecting.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ntro_bad_input import INGEST, needs_temporal_commands, refused

pytestmark = [needs_temporal_commands]

EXAMPLES_DIR = str(Path(INGEST).parent)

# Every command that connects, with what it needs besides the connection options.
CONNECTING = {
    "start": ["workflow", "start", "document-ingest", "--bundles", EXAMPLES_DIR, "-i", '{"source": "bank-statement"}'],
    "worker": ["worker", INGEST],
    "list": ["workflow", "list"],
    "describe": ["workflow", "describe", "some-id"],
    "signal": ["workflow", "signal", "some-id", "note"],
    "update": ["workflow", "update", "some-id", "limit", "-i", "3"],
    "answer": ["workflow", "answer", "some-id", "approve"],
    "result": ["workflow", "result", "some-id"],
    "cancel": ["workflow", "cancel", "some-id"],
    "schedule-list": ["schedule", "list"],
    "schedule-describe": ["schedule", "describe", "some-schedule"],
}
UNKNOWN_NAMESPACE = "namespace 'no-such-namespace' does not exist on Temporal at"
NOT_TLS = "the server does not speak TLS there (a plaintext server?"


@pytest.mark.temporal
@pytest.mark.parametrize("command", list(CONNECTING))
def test_an_unknown_namespace(dev_host: str, command: str) -> None:
    got = refused(
        [*CONNECTING[command], "--host", dev_host, "--namespace", "no-such-namespace"],
        UNKNOWN_NAMESPACE,
        "check --namespace or TEMPORAL_NAMESPACE",
        code=1,
    )
    assert "(it has: default" in got.line  # what there is instead


@pytest.mark.temporal
@pytest.mark.parametrize("command", ["start", "worker", "list", "describe", "schedule-list"])
def test_tls_against_a_plaintext_server(dev_host: str, command: str) -> None:
    refused([*CONNECTING[command], "--host", dev_host, "--tls"], "cannot connect to Temporal at", NOT_TLS, code=1)


@pytest.mark.temporal
def test_tls_from_the_environment_against_a_plaintext_server(dev_host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_TLS", "true")
    refused([*CONNECTING["list"], "--host", dev_host], NOT_TLS, code=1)


@pytest.mark.temporal
def test_a_real_ca_against_a_plaintext_server(dev_host: str, tmp_path: Path) -> None:
    """A PEM file that looks right: the server's answer is what is wrong, and said so."""
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    refused([*CONNECTING["list"], "--host", dev_host, "--tls-ca", str(ca)], "cannot connect to Temporal at", code=1)


# -- certificate files, refused before connecting (no server needed) ---------------------------------------

NO_HOST = ["--host", "127.0.0.1:1"]
GARBAGE = b"this is not a certificate\n"


def _pem_cases() -> list[object]:
    cases: list[object] = []
    for command in ("list", "start", "worker", "signal"):
        cases.append(pytest.param(command, "--tls-ca", GARBAGE, "not a PEM CA certificate bundle", id=f"{command}-ca"))
    cases += [
        pytest.param("list", "--tls-ca", b"", "not a PEM CA certificate bundle", id="list-empty-ca"),
        pytest.param("list", "--tls-ca", b"\x00\xff\x10binary", "not a PEM CA certificate bundle", id="list-binary-ca"),
        pytest.param("describe", "--tls-cert", GARBAGE, "not a PEM certificate", id="describe-cert"),
        pytest.param("result", "--tls-key", GARBAGE, "not a PEM private key", id="result-key"),
    ]
    return cases


@pytest.mark.parametrize(("command", "option", "content", "words"), _pem_cases())
def test_a_certificate_file_that_is_not_pem(
    tmp_path: Path, command: str, option: str, content: bytes, words: str
) -> None:
    path = tmp_path / "file.pem"
    path.write_bytes(content)
    argv = [*CONNECTING[command], *NO_HOST, option, str(path)]
    if option in ("--tls-cert", "--tls-key"):  # mutual TLS takes both; the other one is fine
        good = tmp_path / "other.pem"
        good.write_text(
            "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
            if option == "--tls-cert"
            else "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        )
        argv += ["--tls-key" if option == "--tls-cert" else "--tls-cert", str(good)]
    refused(argv, f"{option} {path}: {words}", code=2)


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        pytest.param(["--tls-ca", "/no/such/ca.pem"], "cannot be read (No such file or directory)", id="ca-missing"),
        pytest.param(["--tls-ca", "/"], "cannot be read (Is a directory)", id="ca-directory"),
        pytest.param(["--tls-cert", "/no/cert.pem"], "needs both a client certificate and its key", id="cert-no-key"),
        pytest.param(["--tls-key", "/no/key.pem"], "needs both a client certificate and its key", id="key-no-cert"),
    ],
)
def test_certificate_options_that_cannot_work(extra: list[str], words: str) -> None:
    refused([*CONNECTING["list"], *NO_HOST, *extra], words, code=2)


def test_a_certificate_without_tls(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    argv = [*CONNECTING["list"], *NO_HOST, "--tls-cert", str(cert), "--tls-key", str(key), "--no-tls"]
    refused(argv, "a client certificate needs TLS", code=2)


def test_tls_setting_that_is_no_boolean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_TLS", "maybe")
    refused([*CONNECTING["list"], *NO_HOST], "TEMPORAL_TLS='maybe' is not a boolean", code=2)


# -- hosts ------------------------------------------------------------------------------------------------


@pytest.mark.temporal
@pytest.mark.parametrize(
    ("host", "words"),
    [
        pytest.param("127.0.0.1:1", "connection refused (is the server running", id="nothing-listening"),
        pytest.param("localhost:99999", "the port is not a valid port number", id="port-out-of-range"),
        pytest.param("not a host:7233", "it is not a valid host:port", id="spaces"),
    ],
)
def test_a_host_that_cannot_be_reached(host: str, words: str) -> None:
    refused([*CONNECTING["list"], "--host", host], "cannot connect to Temporal at", words, code=1)


@pytest.mark.parametrize("command", ["list", "worker", "start", "schedule-list"])
def test_no_host_at_all(command: str) -> None:
    refused(CONNECTING[command], "set TEMPORAL_HOST=host:port or pass --host host:port", code=2)
