"""Connecting to a Temporal cluster the way deployments do: host, namespace, TLS or an API key.

Every setting comes from a command-line option or, when the option is not
given, from an environment variable:

=====================  =============================  ==========================================
option                 environment variable           meaning
=====================  =============================  ==========================================
``--host``             ``TEMPORAL_HOST``              ``host:port`` of the frontend (required;
                       (or ``TEMPORAL_ADDRESS``)      ``TEMPORAL_ADDRESS`` is the Temporal CLI's name)
``--namespace``        ``TEMPORAL_NAMESPACE``         namespace (default ``default``)
``--tls-cert``         ``TEMPORAL_TLS_CERT``          client certificate (PEM file) for mTLS
``--tls-key``          ``TEMPORAL_TLS_KEY``           its private key (PEM file)
``--tls-ca``           ``TEMPORAL_TLS_CA``            CA bundle to verify the server (default: system roots)
``--tls-server-name``  ``TEMPORAL_TLS_SERVER_NAME``   name to verify the server certificate against
``--api-key``          ``TEMPORAL_API_KEY``           API key (Temporal Cloud), sent as a bearer token
``--tls/--no-tls``     ``TEMPORAL_TLS``               force TLS on or off; on by default when a
                                                      certificate, CA or API key is given
=====================  =============================  ==========================================
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ntro.cli import CommandError

__all__ = [
    "DEFAULT_TASK_QUEUE",
    "NO_HOST",
    "SETTING_NAMES",
    "TASK_QUEUE_ENV",
    "ConnectionSettings",
    "add_connection_options",
    "connect",
    "default_task_queue",
    "resolve_settings",
    "settings_from_args",
]

DEFAULT_TASK_QUEUE = "ntro"
"""The task queue ``ntro worker`` serves, and runs start on, when none is given."""

TASK_QUEUE_ENV = "NTRO_TASK_QUEUE"
"""Environment variable naming the default task queue."""

_log = logging.getLogger("ntro.runtime.temporal")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@attrs.frozen
class ConnectionSettings:
    """Where and how to connect, resolved from options and the environment.

    Attributes:
        host: ``host:port`` of the Temporal frontend.
        namespace: The namespace.
        tls: Whether to use TLS.
        tls_cert: Client certificate file, for mutual TLS.
        tls_key: Client private key file, for mutual TLS.
        tls_ca: CA bundle used to verify the server, or ``None`` for the system roots.
        tls_server_name: Server name to verify, or ``None`` for the host's.
        api_key: API key, or ``None``.
    """

    host: str
    namespace: str = "default"
    tls: bool = False
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_ca: Path | None = None
    tls_server_name: str | None = None
    api_key: str | None = attrs.field(default=None, repr=False)

    def describe(self) -> str:
        """Return ``host (namespace N, TLS ...)`` for messages; never shows the API key."""
        how = "mTLS" if self.tls_cert else ("TLS" if self.tls else "plaintext")
        if self.api_key:
            how += " + API key"
        return f"{self.host} (namespace {self.namespace}, {how})"

    def tls_config(self) -> Any:
        """Return the ``tls=`` argument for ``Client.connect``.

        Raises:
            CommandError: A certificate, key or CA file cannot be read.
        """
        if not self.tls:
            return False
        from temporalio.service import TLSConfig

        return TLSConfig(
            client_cert=_read(self.tls_cert, "--tls-cert", b"-----BEGIN CERTIFICATE-----", "a PEM certificate"),
            client_private_key=_read(self.tls_key, "--tls-key", b"PRIVATE KEY-----", "a PEM private key"),
            server_root_ca_cert=_read(
                self.tls_ca, "--tls-ca", b"-----BEGIN CERTIFICATE-----", "a PEM CA certificate bundle"
            ),
            domain=self.tls_server_name,
        )


def _read(path: Path | None, option: str, marker: bytes, kind: str) -> bytes | None:
    """Read a PEM file; one line when it cannot be read or is not PEM (before any connection)."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{option} {path}: cannot be read ({exc.strerror or exc})") from None
    if marker not in data:
        raise CommandError(
            f"{option} {path}: not {kind} (no '{marker.decode().strip('-')}' block in it); give the file in PEM form"
        )
    return data


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """Add the connection options (see the module docstring) to ``parser``."""
    group = parser.add_argument_group("connection (options override the environment)")
    group.add_argument("--host", help="Temporal frontend host:port [env TEMPORAL_HOST]")
    group.add_argument("--namespace", help="namespace [env TEMPORAL_NAMESPACE, default 'default']")
    group.add_argument("--tls-cert", metavar="PEM", help="client certificate for mTLS [env TEMPORAL_TLS_CERT]")
    group.add_argument("--tls-key", metavar="PEM", help="client private key for mTLS [env TEMPORAL_TLS_KEY]")
    group.add_argument("--tls-ca", metavar="PEM", help="CA bundle to verify the server [env TEMPORAL_TLS_CA]")
    group.add_argument("--tls-server-name", metavar="NAME", help="server name to verify [env TEMPORAL_TLS_SERVER_NAME]")
    group.add_argument("--api-key", help="API key, e.g. for Temporal Cloud [env TEMPORAL_API_KEY]")
    group.add_argument(
        "--tls",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="use TLS (default: on when a certificate, CA or API key is given) [env TEMPORAL_TLS]",
    )


def default_task_queue() -> str:
    """Return the task queue to use when none is given: ``NTRO_TASK_QUEUE``, else ``ntro``."""
    return os.environ.get(TASK_QUEUE_ENV, "").strip() or DEFAULT_TASK_QUEUE


def _env(name: str, environ: Mapping[str, str]) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


SETTING_NAMES = tuple(f.name for f in attrs.fields(ConnectionSettings))
"""The field names of :class:`ConnectionSettings`, as ``ClientOptions.connection`` takes them."""


NO_HOST = "no Temporal cluster given"
"""What :func:`settings_from_args` says, by default, when no host is configured."""


def settings_from_args(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None, *, no_host: str = NO_HOST
) -> ConnectionSettings:
    """Resolve :class:`ConnectionSettings` from parsed options, then the environment.

    Args:
        args: The parsed options (those of :func:`add_connection_options`).
        environ: The environment (default: ``os.environ``).
        no_host: The start of the error when no host is configured; how to
            give one follows it.

    Raises:
        CommandError: No host is given, only one of certificate and key is
            given, or ``TEMPORAL_TLS`` is not a boolean.
    """
    values = {name: getattr(args, name, None) for name in SETTING_NAMES}
    settings = resolve_settings(values, environ)
    if settings is None:
        raise CommandError(f"{no_host}: set TEMPORAL_HOST=host:port or pass --host host:port")
    return settings


def resolve_settings(
    values: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> ConnectionSettings | None:
    """Resolve :class:`ConnectionSettings` from ``values`` (field names), then the environment.

    Args:
        values: Settings by :class:`ConnectionSettings` field name; a missing
            or ``None`` value is taken from the environment.
        environ: The environment (default: ``os.environ``).

    Returns:
        The settings, or ``None`` when no host is configured anywhere.

    Raises:
        CommandError: Only one of certificate and key is given, a certificate
            is given without TLS, or ``TEMPORAL_TLS`` is not a boolean.
        TypeError: ``values`` has a key that is no setting.
    """
    given = dict(values or {})
    unknown = sorted(set(given) - set(SETTING_NAMES))
    if unknown:
        raise TypeError(
            f"unknown Temporal connection setting(s) {', '.join(unknown)}; known: {', '.join(SETTING_NAMES)}"
        )
    env = os.environ if environ is None else environ

    def pick(name: str, *variables: str) -> Any:
        value = given.get(name)
        if value is not None and value != "":
            return value
        for variable in variables:
            found = _env(variable, env)
            if found:
                return found
        return None

    host = pick("host", "TEMPORAL_HOST", "TEMPORAL_ADDRESS")
    if not host:
        return None
    cert = pick("tls_cert", "TEMPORAL_TLS_CERT")
    key = pick("tls_key", "TEMPORAL_TLS_KEY")
    if bool(cert) != bool(key):
        raise CommandError(
            "mutual TLS needs both a client certificate and its key: give --tls-cert and --tls-key "
            "(or TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY)"
        )
    ca = pick("tls_ca", "TEMPORAL_TLS_CA")
    api_key = pick("api_key", "TEMPORAL_API_KEY")
    tls: bool | None = given.get("tls")
    if tls is None:
        raw = _env("TEMPORAL_TLS", env)
        if raw is not None:
            if raw.lower() in _TRUE:
                tls = True
            elif raw.lower() in _FALSE:
                tls = False
            else:
                raise CommandError(f"TEMPORAL_TLS={raw!r} is not a boolean; use true or false")
    if tls is None:
        tls = bool(cert or ca or api_key)
    if cert and not tls:
        raise CommandError("a client certificate needs TLS: drop --no-tls / TEMPORAL_TLS=false")
    return ConnectionSettings(
        host=str(host),
        namespace=str(pick("namespace", "TEMPORAL_NAMESPACE") or "default"),
        tls=bool(tls),
        tls_cert=Path(cert) if cert else None,
        tls_key=Path(key) if key else None,
        tls_ca=Path(ca) if ca else None,
        tls_server_name=pick("tls_server_name", "TEMPORAL_TLS_SERVER_NAME"),
        api_key=api_key,
    )


# What the transport says, and what that means in plain words; the first match wins.
_REASONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("connection refused",), "connection refused (is the server running, and is the port right?)"),
    (("dns error", "name or service not known", "failed to lookup address"), "the host name does not resolve"),
    (("invalid port",), "the port is not a valid port number (1-65535)"),
    (("invalid target url", "invalid international domain name", "invalid uri"), "it is not a valid host:port"),
    (
        ("invalidcontenttype", "invalidmessage", "corruptmessage", "wrong version number", "record overflow"),
        "the server does not speak TLS there (a plaintext server? then drop --tls, --tls-ca and TEMPORAL_TLS)",
    ),
    (
        ("unknownissuer", "unknown ca", "self signed", "self-signed"),
        "the server's certificate is not signed by the CA given (--tls-ca) or a system root",
    ),
    (
        ("notvalidforname", "certificate is not valid for"),
        "the server's certificate is not for this host name (set --tls-server-name)",
    ),
    (("expired",), "a certificate has expired"),
    (("privatekeyparse", "private key"), "the client private key (--tls-key) cannot be used"),
    (
        ("certificate", "tls", "handshake"),
        "TLS handshake failed (check --tls-ca, --tls-cert, --tls-key and --tls-server-name)",
    ),
    (
        ("unauthenticated", "permission denied", "api key"),
        "the cluster refused the credentials (check --api-key or the client certificate)",
    ),
)


def _reason(exc: BaseException) -> str:
    """Say in plain words why a connection failed; the transport's own error is logged (``-v``)."""
    text = str(exc)
    _log.info("connecting failed: %s: %s", type(exc).__name__, text)
    lowered = text.lower()
    for needles, words in _REASONS:
        if any(needle in lowered for needle in needles):
            return words
    return "the connection failed (run with -v to see the transport's error)"


async def _check_namespace(client: Any, settings: ConnectionSettings) -> None:
    """Fail in one line when the namespace does not exist; any other answer lets the command go on."""
    from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, ListNamespacesRequest
    from temporalio.service import RPCError, RPCStatusCode

    try:
        await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=settings.namespace))
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            return  # not allowed to describe it, say: the command's own calls will tell
        try:
            listed = await client.workflow_service.list_namespaces(ListNamespacesRequest(page_size=20))
            names = sorted(n.namespace_info.name for n in listed.namespaces)
            there = f" (it has: {', '.join(names)})" if names else ""
        except RPCError:
            there = ""
        raise CommandError(
            f"namespace {settings.namespace!r} does not exist on Temporal at {settings.host}{there}; "
            "check --namespace or TEMPORAL_NAMESPACE",
            exit_code=1,
        ) from None


async def connect(
    settings: ConnectionSettings, *, plugins: list[Any], timeout: float = 15.0, runtime: Any = None
) -> Any:
    """Connect a ``temporalio.client.Client`` with ``settings`` and ``plugins``.

    Args:
        settings: Where and how to connect.
        plugins: Client plugins (``NtroPlugin()``).
        timeout: Seconds to wait for the cluster to answer.
        runtime: A ``temporalio.runtime.Runtime`` to use instead of the default one.

    Raises:
        CommandError: The cluster cannot be reached in ``timeout`` seconds, or refuses us.
    """
    from temporalio.client import Client

    try:
        client = await asyncio.wait_for(
            Client.connect(
                settings.host,
                namespace=settings.namespace,
                tls=settings.tls_config(),
                api_key=settings.api_key,
                plugins=plugins,
                runtime=runtime,
            ),
            timeout=timeout,
        )
        await asyncio.wait_for(_check_namespace(client, settings), timeout=timeout)
        return client
    except CommandError:
        raise
    except TimeoutError:
        raise CommandError(
            f"cannot connect to Temporal at {settings.describe()}: no answer in {timeout:g}s", exit_code=1
        ) from None
    except Exception as exc:
        raise CommandError(
            f"cannot connect to Temporal at {settings.describe()}: {_reason(exc)}", exit_code=1
        ) from None
