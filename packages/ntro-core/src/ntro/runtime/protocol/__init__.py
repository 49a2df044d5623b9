"""The contract between the ``ntro.workflow`` facades and a runtime backend.

A backend has two sides, each published under an entry-point group:

* the workflow side, a class implementing :class:`Runtime`, under
  ``ntro.runtimes``; the ``runbook``/``activity`` facades delegate to it;
* the client side, a factory returning a :class:`WorkflowClient`, under
  ``ntro.clients``; ``ntro workflow run``, the operations commands and the
  harness drive runs through it::

    [project.entry-points."ntro.runtimes"]
    local = "ntro.runtime.local:LocalRuntime"

    [project.entry-points."ntro.clients"]
    local = "ntro.runtime.local:open_client"

Everything a backend needs is public here and defined once: the definition
records the decorators leave, options and info records, the errors backends
raise, binder registration, slug resolution, default child ids, the shape of
an activity failure and the error type names. ``ntro.workflow`` (the facades,
``NtroWorkflow``, the modules runbook code imports) is built on this package
and hands on what runbook code uses; this package never imports it.

The facades ask which runtime drives the current workflow (see
:func:`driving_runtime`) and delegate to it. Outside any workflow a call
that needs one raises :class:`~ntro.workflow.exceptions.NotInWorkflowError`,
the same on every runtime, before any backend is asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ntro.runtime.protocol._lazy import lazy_exports

if TYPE_CHECKING:
    from ntro.runtime.protocol._actions import (
        PENDING_ACTION_KINDS,
        REVIEW_DECISIONS,
        REVIEW_SIGNAL,
        ROW_ACTION,
        SLOT_STATUSES,
        DrillChild,
        PendingAction,
        split_answer,
    )
    from ntro.runtime.protocol._client import (
        CLIENT_ENTRY_POINT_GROUP,
        RUN_EVENT_KINDS,
        RUNBOOK_QUERIES,
        RUNBOOK_STATE_QUERY,
        ChildRun,
        ClientFactory,
        ClientOptions,
        RunbookState,
        RunEvent,
        RunEventSource,
        RunObserver,
        StepState,
        WorkflowClient,
        WorkflowDescription,
        WorkflowHandle,
        WorkflowStatus,
        installed_clients,
        open_client,
        require_clients,
        runbook_state,
    )
    from ntro.runtime.protocol._definitions import (
        ACTIVITY_ATTR,
        ActivityDefinition,
        Binder,
        HandlerDefinition,
        WorkflowDefinition,
        activity_definition,
        add_binder,
        add_throwaway_import_check,
        defined_activities,
        defined_workflows,
        find_activity,
        handler_definition,
        maybe_workflow_definition,
        remove_binder,
        workflow_definition,
    )
    from ntro.runtime.protocol._errors import (
        NotInWorkflowError,
        NtroError,
        RuntimeNotAvailableError,
        UpdateFailedError,
        WorkflowAlreadyStartedError,
        WorkflowError,
        WorkflowFailedError,
        WorkflowNotFoundError,
    )
    from ntro.runtime.protocol._hints import (
        Column,
        Dataset,
        DisplayHint,
        Feedback,
        HintAction,
        SignalTarget,
        UploadSlot,
    )
    from ntro.runtime.protocol._info import ActivityInfo, WorkflowInfo
    from ntro.runtime.protocol._options import (
        DEFAULT_ACTIVITY_OPTIONS,
        DEFAULT_CHILD_OPTIONS,
        ActivityOptions,
        ChildWorkflowOptions,
        Duration,
        RetryPolicy,
        to_timedelta,
    )
    from ntro.runtime.protocol._payloads import (
        DEFAULT_PAYLOAD_CONVERTER,
        FunctionHints,
        Payload,
        PayloadConverter,
        PayloadError,
        function_hints,
    )
    from ntro.runtime.protocol._runtime import (
        ChildWorkflowHandle,
        LoggerLike,
        Runtime,
        bind_driver,
        driving_runtime,
        register_ambient_detector,
        unbind_driver,
    )
    from ntro.runtime.protocol._selection import (
        ENTRY_POINT_GROUP,
        INSTALL_HINT,
        Selection,
        describe_selection,
        get_runtime,
        installed_runtimes,
        load_runtime,
        reset_runtime,
        selected_runtime,
        set_runtime,
    )
    from ntro.runtime.protocol._shared import (
        ErrorType,
        activity_failure,
        check_workflow_id,
        default_child_id,
        resolve_workflow,
        update_failure,
    )

__all__ = [
    "ACTIVITY_ATTR",
    "CLIENT_ENTRY_POINT_GROUP",
    "DEFAULT_ACTIVITY_OPTIONS",
    "DEFAULT_CHILD_OPTIONS",
    "DEFAULT_PAYLOAD_CONVERTER",
    "ENTRY_POINT_GROUP",
    "INSTALL_HINT",
    "PENDING_ACTION_KINDS",
    "REVIEW_DECISIONS",
    "REVIEW_SIGNAL",
    "ROW_ACTION",
    "RUNBOOK_QUERIES",
    "RUNBOOK_STATE_QUERY",
    "RUN_EVENT_KINDS",
    "SLOT_STATUSES",
    "ActivityDefinition",
    "ActivityInfo",
    "ActivityOptions",
    "Binder",
    "ChildRun",
    "ChildWorkflowHandle",
    "ChildWorkflowOptions",
    "ClientFactory",
    "ClientOptions",
    "Column",
    "Dataset",
    "DisplayHint",
    "DrillChild",
    "Duration",
    "ErrorType",
    "Feedback",
    "FunctionHints",
    "HandlerDefinition",
    "HintAction",
    "LoggerLike",
    "NotInWorkflowError",
    "NtroError",
    "Payload",
    "PayloadConverter",
    "PayloadError",
    "PendingAction",
    "RetryPolicy",
    "RunEvent",
    "RunEventSource",
    "RunObserver",
    "RunbookState",
    "Runtime",
    "RuntimeNotAvailableError",
    "Selection",
    "SignalTarget",
    "StepState",
    "UpdateFailedError",
    "UploadSlot",
    "WorkflowAlreadyStartedError",
    "WorkflowClient",
    "WorkflowDefinition",
    "WorkflowDescription",
    "WorkflowError",
    "WorkflowFailedError",
    "WorkflowHandle",
    "WorkflowInfo",
    "WorkflowNotFoundError",
    "WorkflowStatus",
    "activity_definition",
    "activity_failure",
    "add_binder",
    "add_throwaway_import_check",
    "bind_driver",
    "check_workflow_id",
    "default_child_id",
    "defined_activities",
    "defined_workflows",
    "describe_selection",
    "driving_runtime",
    "find_activity",
    "function_hints",
    "get_runtime",
    "handler_definition",
    "installed_clients",
    "installed_runtimes",
    "lazy_exports",
    "load_runtime",
    "maybe_workflow_definition",
    "open_client",
    "register_ambient_detector",
    "remove_binder",
    "require_clients",
    "reset_runtime",
    "resolve_workflow",
    "runbook_state",
    "selected_runtime",
    "set_runtime",
    "split_answer",
    "to_timedelta",
    "unbind_driver",
    "update_failure",
    "workflow_definition",
]

# Each name loads with its module on first use: importing one part of the
# protocol does not import the others.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "ntro.runtime.protocol._actions": (
        "PENDING_ACTION_KINDS",
        "REVIEW_DECISIONS",
        "REVIEW_SIGNAL",
        "ROW_ACTION",
        "SLOT_STATUSES",
        "DrillChild",
        "PendingAction",
        "split_answer",
    ),
    "ntro.runtime.protocol._hints": (
        "Column",
        "Dataset",
        "DisplayHint",
        "Feedback",
        "HintAction",
        "SignalTarget",
        "UploadSlot",
    ),
    "ntro.runtime.protocol._client": (
        "CLIENT_ENTRY_POINT_GROUP",
        "RUNBOOK_QUERIES",
        "RUNBOOK_STATE_QUERY",
        "RUN_EVENT_KINDS",
        "ChildRun",
        "ClientFactory",
        "ClientOptions",
        "RunEvent",
        "RunEventSource",
        "RunObserver",
        "RunbookState",
        "StepState",
        "WorkflowClient",
        "WorkflowDescription",
        "WorkflowHandle",
        "WorkflowStatus",
        "installed_clients",
        "open_client",
        "require_clients",
        "runbook_state",
    ),
    "ntro.runtime.protocol._errors": (
        "NotInWorkflowError",
        "NtroError",
        "RuntimeNotAvailableError",
        "UpdateFailedError",
        "WorkflowAlreadyStartedError",
        "WorkflowError",
        "WorkflowFailedError",
        "WorkflowNotFoundError",
    ),
    "ntro.runtime.protocol._payloads": (
        "DEFAULT_PAYLOAD_CONVERTER",
        "FunctionHints",
        "Payload",
        "PayloadConverter",
        "PayloadError",
        "function_hints",
    ),
    "ntro.runtime.protocol._runtime": (
        "ChildWorkflowHandle",
        "LoggerLike",
        "Runtime",
        "bind_driver",
        "driving_runtime",
        "register_ambient_detector",
        "unbind_driver",
    ),
    "ntro.runtime.protocol._selection": (
        "ENTRY_POINT_GROUP",
        "INSTALL_HINT",
        "Selection",
        "describe_selection",
        "get_runtime",
        "installed_runtimes",
        "load_runtime",
        "reset_runtime",
        "selected_runtime",
        "set_runtime",
    ),
    "ntro.runtime.protocol._shared": (
        "ErrorType",
        "activity_failure",
        "check_workflow_id",
        "default_child_id",
        "resolve_workflow",
        "update_failure",
    ),
    "ntro.runtime.protocol._definitions": (
        "ACTIVITY_ATTR",
        "ActivityDefinition",
        "Binder",
        "HandlerDefinition",
        "WorkflowDefinition",
        "activity_definition",
        "add_binder",
        "add_throwaway_import_check",
        "defined_activities",
        "defined_workflows",
        "find_activity",
        "handler_definition",
        "maybe_workflow_definition",
        "remove_binder",
        "workflow_definition",
    ),
    "ntro.runtime.protocol._info": ("ActivityInfo", "WorkflowInfo"),
    "ntro.runtime.protocol._options": (
        "DEFAULT_ACTIVITY_OPTIONS",
        "DEFAULT_CHILD_OPTIONS",
        "ActivityOptions",
        "ChildWorkflowOptions",
        "Duration",
        "RetryPolicy",
        "to_timedelta",
    ),
}

__getattr__, __dir__ = lazy_exports(
    __name__, {name: module for module, names in _EXPORTS.items() for name in names}, __all__
)
