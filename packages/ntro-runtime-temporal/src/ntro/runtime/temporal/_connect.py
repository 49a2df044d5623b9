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
            client_cert=_read(self.tls_cert, "--tls-cert"),
            client_private_key=_read(self.tls_key, "--tls-key"),
            server_root_ca_cert=_read(self.tls_ca, "--tls-ca"),
            domain=self.tls_server_name,
        )


def _read(path: Path | None, option: str) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{option} {path}: cannot be read ({exc.strerror or exc})") from None


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


def _reason(exc: BaseException) -> str:
    text = str(exc)
    lowered = text.lower()
    if "connection refused" in lowered:
        return "connection refused (is the server running, and is the port right?)"
    if "dns error" in lowered or "name or service not known" in lowered:
        return "the host name does not resolve"
    if "certificate" in lowered or "tls" in lowered or "handshake" in lowered:
        return "TLS handshake failed (check --tls-ca, --tls-cert, --tls-key and --tls-server-name)"
    text = text.removeprefix("Failed client connect: ").strip().splitlines()[0] if text.strip() else type(exc).__name__
    return text[:200]


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
        return await asyncio.wait_for(
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
