"""ntro.console: a web console where people start runbooks, watch their runs and answer their gates.

``ntro console`` serves it (see ``ntro console --help``)::

    ntro console examples/runbooks/nav-monthly --child examples/runbooks/document-ingest

It is one more caller of :mod:`ntro.client`, on any engine: with
LocalRuntime the runs live in the console's process; on Temporal it connects
with ``ntro worker``'s options. Each gate renders its runbook's
``display_hint``; uploads go to the document store before the answer is
sent; every answer is logged (logger ``ntro.console``) with who sent it and
shows in the run's timeline.

From Python, :func:`create_app` returns the ASGI application, for any ASGI
server::

    from ntro.console import ConsoleConfig, create_app
    from ntro.runtime.protocol import ClientOptions

    app = create_app(ConsoleConfig(runtime="local", client_options=ClientOptions(workflows=[...]), bundles=[...]))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ntro.runtime.protocol import lazy_exports

if TYPE_CHECKING:
    from ntro.console._app import create_app
    from ntro.console._config import (
        DEFAULT_PORT,
        LOOPBACK,
        TOKENS_ENV,
        ConsoleConfig,
        Token,
        is_loopback,
        parse_token,
        tokens_from_env,
    )

__all__ = [
    "DEFAULT_PORT",
    "LOOPBACK",
    "TOKENS_ENV",
    "ConsoleConfig",
    "Token",
    "create_app",
    "is_loopback",
    "parse_token",
    "tokens_from_env",
]

_LAZY = {
    "create_app": "ntro.console._app",
    **{
        name: "ntro.console._config"
        for name in (
            "DEFAULT_PORT",
            "LOOPBACK",
            "TOKENS_ENV",
            "ConsoleConfig",
            "Token",
            "is_loopback",
            "parse_token",
            "tokens_from_env",
        )
    },
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
