"""What a console serves: which engine, which runbooks, who may answer, where uploads go."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ntro.runtime.protocol import ClientOptions

if TYPE_CHECKING:
    from ntro.documents import DocumentStore

__all__ = [
    "DEFAULT_PORT",
    "LOOPBACK",
    "TOKENS_ENV",
    "ConsoleConfig",
    "Token",
    "is_loopback",
    "parse_token",
    "tokens_from_env",
]

DEFAULT_PORT = 8765
"""The port ``ntro console`` listens on by default (Temporal's dev server UI has 8233)."""

LOOPBACK = "127.0.0.1"
"""The interface ``ntro console`` binds by default: this machine only."""

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
"""The ``Host`` names of this machine, that a console without tokens answers to (not exported)."""

TOKENS_ENV = "NTRO_CONSOLE_TOKENS"
"""Environment variable with the console's tokens: ``NAME=SECRET`` pairs separated by commas or whitespace."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_SECRET = 8
"""The shortest secret a token may have (not exported: the number is in the docs)."""


@attrs.frozen
class Token:
    """A person (or a program) allowed to use the console.

    Attributes:
        name: Who it is: recorded with every answer they send and shown in the run's timeline.
        secret: What they type at the login form, or send as ``Authorization: Bearer SECRET``.
    """

    name: str
    secret: str = attrs.field(repr=False)


def parse_token(text: str) -> Token:
    """Read ``NAME=SECRET`` (what ``--token`` and :data:`TOKENS_ENV` take).

    Raises:
        ValueError: The text is not ``NAME=SECRET``, the name has characters
            other than letters, digits and ``._@-``, or the secret is shorter
            than eight characters (the message says which).
    """
    name, sep, secret = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise ValueError(f"token {_shown(text)!r} is not NAME=SECRET (e.g. alice=a-long-secret)")
    if not _NAME.match(name):
        raise ValueError(
            f"token name {name!r} may hold only letters, digits and . _ @ - (at most 64 characters); "
            "it names who answered in the timeline"
        )
    if len(secret) < MIN_SECRET or secret != secret.strip():
        raise ValueError(
            f"the secret of token {name!r} must be at least {MIN_SECRET} characters, without spaces around it"
        )
    return Token(name, secret)


def _shown(text: str) -> str:
    """``text`` with whatever follows the first ``=`` hidden, for messages."""
    name, sep, _ = text.partition("=")
    return f"{name}=***" if sep else text


def tokens_from_env(environ: Mapping[str, str]) -> list[Token]:
    """Return the tokens :data:`TOKENS_ENV` holds (none when it is unset or empty).

    Raises:
        ValueError: One of them is not a valid ``NAME=SECRET`` (see :func:`parse_token`).
    """
    raw = environ.get(TOKENS_ENV, "")
    return [parse_token(part) for part in re.split(r"[,\s]+", raw) if part]


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` serves this machine only (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@attrs.frozen(kw_only=True)
class ConsoleConfig:
    """Everything :func:`~ntro.console.create_app` needs.

    Attributes:
        runtime: The engine's name, as published under ``ntro.clients``
            (``"local"``, ``"temporal"``).
        client_options: What the engine's client is opened with: for
            LocalRuntime, the workflows and activities it hosts in-process;
            for Temporal, the connection (the worker hosts the runbooks).
        bundles: The runbook bundles (``ntro.workflow.bundle.Bundle``) a
            person may start from the console.
        children: Bundles loaded only so their slugs resolve as child
            workflows; they are not offered on the start page.
        tokens: Who may use the console. None: anyone who can reach it,
            recorded as ``local`` (allowed on a loopback interface only).
        documents: Where uploaded documents go (an :class:`ntro.documents.DocumentStore`,
            shared with the workers that read them); ``None`` for the default store.
        max_upload_bytes: The largest request body accepted (an upload and
            its form); ``ntro console`` allows the store's size limit and 1 MB.
        allowed_hosts: The ``Host`` names the console answers to without
            tokens (a page on another site cannot rebind its name to this
            machine); ``None`` answers to any host, which needs tokens.
    """

    runtime: str
    client_options: ClientOptions = attrs.field(factory=ClientOptions)
    bundles: Sequence[Any] = ()
    children: Sequence[Any] = ()
    tokens: Sequence[Token] = ()
    documents: DocumentStore | None = None
    max_upload_bytes: int = 26 * 2**20
    allowed_hosts: Sequence[str] | None = LOCAL_HOSTS

    def bundle(self, slug: str) -> Any | None:
        """The startable bundle with ``slug``, or ``None``."""
        return next((b for b in self.bundles if b.slug == slug), None)

    def slug_of(self, workflow_type: str) -> str | None:
        """The slug of the loaded bundle whose workflow class is named ``workflow_type``."""
        from ntro.runtime.protocol import maybe_workflow_definition

        for bundle in (*self.bundles, *self.children):
            defn = maybe_workflow_definition(bundle.workflow_cls)
            if workflow_type in (bundle.workflow_cls.__name__, defn.name if defn is not None else None):
                return str(bundle.slug)
        return None
