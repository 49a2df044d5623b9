"""``ntro console``: serve the web console until SIGINT or SIGTERM.

::

    ntro console examples/runbooks/nav-monthly --child examples/runbooks/document-ingest
    ntro console --runtime temporal examples/runbooks/nav-monthly --host temporal:7233 --token alice=...

With ``--runtime local`` (the default) the runs live in this process; with
``--runtime temporal`` the console connects with ``ntro worker``'s options and
the bundles given are the ones offered on the start page. It binds
127.0.0.1 unless told otherwise, and refuses any other interface without a
token.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from ntro.cli import CommandError, add_documents_option, documents_from_args
from ntro.console._config import (
    DEFAULT_PORT,
    LOCAL_HOSTS,
    LOOPBACK,
    TOKENS_ENV,
    ConsoleConfig,
    Token,
    is_loopback,
    parse_token,
    tokens_from_env,
)
from ntro.console._engine import add_engine_options, client_options
from ntro.workflow.exceptions import RuntimeNotAvailableError

__all__ = ["CONSOLE_COMMAND", "ConsoleCommand"]

FORM_ALLOWANCE = 2**20
"""Bytes a request may carry besides its document (the form's other fields and the multipart framing)."""


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535; 0 picks a free one)")
    return value


def _tokens(args: argparse.Namespace) -> list[Token]:
    try:
        tokens = [parse_token(text) for text in args.token or ()]
        tokens += tokens_from_env(os.environ)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    names: dict[str, str] = {}
    for token in tokens:
        if names.setdefault(token.secret, token.name) != token.name:
            raise CommandError(
                f"tokens {names[token.secret]!r} and {token.name!r} have the same secret; give each its own"
            )
    return tokens


def _load(paths: Sequence[str]) -> list[Any]:
    from ntro.workflow.bundle import BundleError, load_bundle

    bundles: list[Any] = []
    for path in paths:
        try:
            bundle = load_bundle(path)
        except BundleError as exc:
            raise CommandError(str(exc)) from None
        if all(b.path != bundle.path for b in bundles):
            bundles.append(bundle)
    return bundles


class ConsoleCommand:
    """``ntro console [BUNDLE...]``: a web page to start runs, watch them and answer their gates."""

    help = "serve a web console to start runbooks, watch their runs and answer their gates (uploads, reviews)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the console's arguments."""
        parser.add_argument(
            "bundles",
            nargs="*",
            metavar="BUNDLE",
            help="runbook bundles people may start (hosted in this process with --runtime local)",
        )
        parser.add_argument(
            "--child",
            action="append",
            default=[],
            metavar="BUNDLE",
            help="a bundle a runbook starts as a child by slug (hosted, not offered on the start page; repeatable)",
        )
        parser.add_argument(
            "--bind",
            default=LOOPBACK,
            metavar="ADDRESS",
            help=f"the interface to serve on (default {LOOPBACK}: this machine only; any other needs --token)",
        )
        parser.add_argument(
            "--port",
            type=_port,
            default=DEFAULT_PORT,
            help=f"the port (default {DEFAULT_PORT}; 0 picks a free one, and the URL printed says which)",
        )
        parser.add_argument(
            "--token",
            action="append",
            metavar="NAME=SECRET",
            help=f"who may use the console (repeatable); NAME is recorded with each answer [env {TOKENS_ENV}: "
            "NAME=SECRET pairs separated by commas]",
        )
        add_documents_option(parser)
        add_engine_options(parser)

    def config(self, args: argparse.Namespace) -> ConsoleConfig:
        """Check the arguments and return what the console serves (no server is started).

        Raises:
            CommandError: A token is malformed, the interface is not loopback
                and no token is given, the engine is not installed, a bundle
                does not load, or the engine's settings are incomplete.
        """
        tokens = _tokens(args)
        if not is_loopback(args.bind) and not tokens:
            raise CommandError(
                f"--bind {args.bind} serves other machines, so the console needs at least one token: "
                f"--token NAME=SECRET (or {TOKENS_ENV}); without one it binds {LOOPBACK} only"
            )
        from ntro.runtime.protocol import require_clients

        try:
            require_clients(args.runtime)
        except RuntimeNotAvailableError as exc:
            raise CommandError(str(exc), exit_code=1) from None
        bundles = _load(args.bundles)
        children = [c for c in _load(args.child) if all(c.path != b.path for b in bundles)]
        options = client_options(args, bundles, children)
        documents = documents_from_args(args)
        allowed = None if tokens else (*LOCAL_HOSTS, args.bind)
        return ConsoleConfig(
            runtime=args.runtime,
            client_options=options,
            bundles=bundles,
            children=children,
            tokens=tokens,
            documents=documents,
            max_upload_bytes=documents.max_size + FORM_ALLOWANCE,
            allowed_hosts=allowed,
        )

    def run(self, args: argparse.Namespace) -> int:
        """Serve until SIGINT or SIGTERM; return 0 after a clean shutdown."""
        config = self.config(args)
        listener = _listen(args.bind, args.port)
        return asyncio.run(_serve(config, listener, args.bind))


def _listen(bind: str, port: int) -> socket.socket:
    """Bind the listening socket now, so a taken port is one line before anything starts."""
    try:
        infos = socket.getaddrinfo(bind.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CommandError(f"--bind {bind}: not an address of this machine ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise CommandError(f"cannot serve on {bind}:{port}: {exc.strerror or exc}", exit_code=1) from None
    sock.set_inheritable(False)
    return sock


def _url(bind: str, port: int) -> str:
    host = bind
    if bind in ("0.0.0.0", "::", ""):
        host = "127.0.0.1" if bind != "::" else "[::1]"
    elif ":" in bind and not bind.startswith("["):
        host = f"[{bind}]"
    return f"http://{host}:{port}/"


async def _serve(config: ConsoleConfig, listener: socket.socket, bind: str) -> int:
    from ntro.console._app import create_app, engine_words
    from ntro.runtime.protocol import open_client

    port = listener.getsockname()[1]
    async with open_client(config.runtime, config.client_options) as client:
        app = create_app(config, client=client)
        slugs = ", ".join(b.slug for b in config.bundles) or "none (runs are started elsewhere)"
        who = f"tokens: {', '.join(t.name for t in config.tokens)}" if config.tokens else "no tokens: this machine only"
        server = _server(
            app,
            f"ntro console: serving {_url(bind, port)} ({engine_words(client)}; runbooks: {slugs}; {who}); "
            "SIGINT or SIGTERM stops it",
        )
        await server.serve(sockets=[listener])
    print("ntro console: stopped", file=sys.stderr, flush=True)
    return 0


def _server(app: Any, announcement: str) -> Any:
    """A uvicorn server that says where it serves once it accepts, and stops on SIGINT/SIGTERM.

    Server-sent event streams end when it stops, so open pages do not hold
    the shutdown up; the signal is not raised again afterwards (uvicorn's
    default), so the command ends with 0 after a clean stop.
    """
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                print(announcement, file=sys.stderr, flush=True)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            app.state.console.stopping.set()
            await super().shutdown(sockets=sockets)

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self._stop)
            try:
                yield
            finally:
                for signum in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(signum)

        def _stop(self) -> None:
            self.force_exit = self.should_exit  # a second signal: stop waiting for connections
            self.should_exit = True

    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
        proxy_headers=False,
        server_header=False,
    )
    return Server(config)


CONSOLE_COMMAND = ConsoleCommand()
"""The ``ntro console`` command (entry point ``ntro.commands``: ``console``)."""
