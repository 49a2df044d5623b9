"""ntro.runtime.temporal: run ntro runbooks on a Temporal cluster.

Importing this module makes code running inside a Temporal workflow or
activity recognised, so the ``runbook``/``activity`` facades dispatch here.
The backend is *armed* — every ``@runbook.defn`` class and ``@activity.defn``
function, past and future, also bound to temporalio's decorators — when it is
first used: a :class:`TemporalRuntime`, an :class:`NtroPlugin` (so every worker
and replayer) or a client. Importing it alone (as the ``ntro`` command does to
list its subcommands) costs no temporalio import.

Typical use, once per deployment::

    from temporalio.client import Client
    from temporalio.worker import Worker
    from ntro.runtime.temporal import NtroPlugin

    client = await Client.connect("temporal:7233", plugins=[NtroPlugin()])
    worker = Worker(client, task_queue="runbooks", workflows=[NavMonthlyWorkflow], activities=[...])

or, for runbook bundles, the ``ntro worker`` command.

The client side (``ntro.clients``: ``temporal``) is ``open_client``, which
yields a ``TemporalClient``: start, describe, answer and collect runs, as on
every engine (see ``ntro.runtime.protocol``); it also offers time control,
replay checking and run events. ``BACKEND_INFO`` (``ntro.backends``) tells
ntro, without importing temporalio, that ``TEMPORAL_HOST`` selects this
backend and which of temporalio's parts need care.

Another command that connects the way ``ntro worker`` does (``ntro console
--runtime temporal``) takes the same options with
:func:`add_connection_options` and reads them with :func:`settings_from_args`.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from ntro.runtime.protocol import add_throwaway_import_check, lazy_exports, register_ambient_detector, selected_runtime
from ntro.runtime.temporal._binding import TemporalBindingError

if TYPE_CHECKING:
    from ntro.runtime.protocol import Runtime
    from ntro.runtime.temporal._backend import BACKEND_INFO
    from ntro.runtime.temporal._client import TemporalClient, open_client
    from ntro.runtime.temporal._connect import (
        ConnectionSettings,
        add_connection_options,
        default_task_queue,
        settings_from_args,
    )
    from ntro.runtime.temporal._converter import ntro_data_converter
    from ntro.runtime.temporal._errors import NtroFailureConverter
    from ntro.runtime.temporal._handle import TemporalWorkflowHandle
    from ntro.runtime.temporal._plugin import NtroPlugin
    from ntro.runtime.temporal._runtime import TemporalChildHandle, TemporalRuntime
    from ntro.runtime.temporal._sandbox import PASSTHROUGH_MODULES
    from ntro.runtime.temporal._session import (
        QueryTimeoutError,
        TemporalUnavailableError,
        UnknownQueryError,
        UnknownUpdateError,
    )

__all__ = [
    "BACKEND_INFO",
    "PASSTHROUGH_MODULES",
    "ConnectionSettings",
    "NtroFailureConverter",
    "NtroPlugin",
    "QueryTimeoutError",
    "TemporalBindingError",
    "TemporalChildHandle",
    "TemporalClient",
    "TemporalRuntime",
    "TemporalUnavailableError",
    "TemporalWorkflowHandle",
    "UnknownQueryError",
    "UnknownUpdateError",
    "add_connection_options",
    "default_task_queue",
    "ntro_data_converter",
    "open_client",
    "settings_from_args",
]

_LAZY: dict[str, str] = {
    "BACKEND_INFO": "ntro.runtime.temporal._backend",
    "TemporalRuntime": "ntro.runtime.temporal._runtime",
    "TemporalChildHandle": "ntro.runtime.temporal._runtime",
    "NtroPlugin": "ntro.runtime.temporal._plugin",
    "ntro_data_converter": "ntro.runtime.temporal._converter",
    "NtroFailureConverter": "ntro.runtime.temporal._errors",
    "PASSTHROUGH_MODULES": "ntro.runtime.temporal._sandbox",
    "TemporalClient": "ntro.runtime.temporal._client",
    "TemporalWorkflowHandle": "ntro.runtime.temporal._handle",
    "TemporalUnavailableError": "ntro.runtime.temporal._session",
    "UnknownQueryError": "ntro.runtime.temporal._session",
    "UnknownUpdateError": "ntro.runtime.temporal._session",
    "QueryTimeoutError": "ntro.runtime.temporal._session",
    "open_client": "ntro.runtime.temporal._client",
    "ConnectionSettings": "ntro.runtime.temporal._connect",
    "add_connection_options": "ntro.runtime.temporal._connect",
    "default_task_queue": "ntro.runtime.temporal._connect",
    "settings_from_args": "ntro.runtime.temporal._connect",
}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)


_ambient: Runtime | None = None


def _detect_temporal() -> Runtime | None:
    """Return the Temporal runtime when temporalio runs the current code, else ``None``.

    Cheap by design (it runs on every facade call outside a local driver):
    until temporalio's workflow module is imported, nothing can be a Temporal workflow.
    """
    workflow = sys.modules.get("temporalio.workflow")
    if workflow is None:
        return None
    if not workflow.in_workflow():
        activity = sys.modules.get("temporalio.activity")
        if activity is None or not activity.in_activity():
            return None
    selected = selected_runtime()
    if selected is not None and selected.name == "temporal":
        return selected
    global _ambient
    if _ambient is None:
        from ntro.runtime.temporal._runtime import TemporalRuntime

        _ambient = TemporalRuntime()
    return _ambient


def _in_sandbox() -> bool:
    """Whether the current code runs in temporalio's workflow sandbox (a throwaway re-import)."""
    workflow = sys.modules.get("temporalio.workflow")
    return workflow is not None and bool(workflow.unsafe.in_sandbox())


add_throwaway_import_check(_in_sandbox)
register_ambient_detector(_detect_temporal)
