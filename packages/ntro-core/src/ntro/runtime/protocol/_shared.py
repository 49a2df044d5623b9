"""Behaviour every backend shares: slug resolution, default child ids, failure shapes, error names.

Each of these is defined once, here, so the backends cannot drift apart.
"""

from __future__ import annotations

from typing import Final

from ntro.runtime.protocol._definitions import WorkflowDefinition, defined_workflows, maybe_workflow_definition
from ntro.runtime.protocol._errors import UpdateFailedError, WorkflowError
from ntro.runtime.protocol._registry import get_registered, list_registered_slugs

__all__ = [
    "ErrorType",
    "activity_failure",
    "check_workflow_id",
    "default_child_id",
    "resolve_workflow",
    "update_failure",
]


class ErrorType:
    """The ``type`` names of the :class:`~ntro.workflow.exceptions.WorkflowError` s that ntro raises itself.

    Match on these (``exc.type == ErrorType.UNKNOWN_WORKFLOW_SLUG``) rather
    than on message text; they are the same on every engine.
    """

    UNKNOWN_WORKFLOW_SLUG: Final = "UnknownWorkflowSlug"
    """A child workflow was started by a slug that no loaded workflow has."""

    UNKNOWN_ACTIVITY: Final = "UnknownActivity"
    """An activity was called by a name that no ``@activity.defn`` has."""

    WORKFLOW_ALREADY_STARTED: Final = "WorkflowAlreadyStarted"
    """A workflow (or child) was started with the id of one still running."""

    ACTIVITY_TIMEOUT: Final = "ActivityTimeout"
    """An activity ran out of its start-to-close, schedule-to-close or heartbeat time."""

    PAYLOAD: Final = "PayloadError"
    """A value cannot be carried as a payload (it has no JSON form)."""


def resolve_workflow(workflow: type | str) -> WorkflowDefinition:
    """Return the definition of a workflow given by class, slug or workflow type name.

    A slug is looked up in the registry first; then, as Temporal would take
    it, a workflow type name (``NavMonthlyWorkflow``) of a defined workflow.

    Raises:
        WorkflowError: Nothing answers to that name (``type="UnknownWorkflowSlug"``,
            non-retryable; the message lists the registered slugs).
        TypeError: A class was given that is not a ``@runbook.defn`` workflow, or
            something that is neither a class nor a slug (an instance, ``None``).
    """
    if isinstance(workflow, type):
        defn = maybe_workflow_definition(workflow)
        if defn is None:
            raise TypeError(f"{workflow.__qualname__} is not a workflow: decorate the class with @runbook.defn")
        return defn
    given: object = workflow  # what callers pass, whatever the hints say (None, an instance...)
    if not isinstance(given, str):
        cls_of = type(given)
        if maybe_workflow_definition(cls_of) is not None:
            raise TypeError(
                f"an instance of {cls_of.__qualname__} was given; pass the class itself ({cls_of.__qualname__}), "
                "the engine makes the instance"
            )
        raise TypeError(
            f"a workflow is a @runbook.defn class or a registered slug (a str), not {cls_of.__qualname__} "
            f"({given!r:.60})"
        )
    cls = get_registered(workflow)
    if cls is not None:
        found = maybe_workflow_definition(cls)
        if found is not None:
            return found
    for defn in reversed(defined_workflows()):
        if defn.name == workflow:
            return defn
    known = ", ".join(list_registered_slugs()) or "none"
    what = f"no workflow registered for slug {workflow!r}" if workflow.strip() else "the workflow slug is empty"
    raise WorkflowError(
        f"{what} (registered: {known}); import its module "
        "(or load its bundle) first, or call ntro.workflow.register_workflow(slug, cls)",
        type=ErrorType.UNKNOWN_WORKFLOW_SLUG,
        non_retryable=True,
    )


def default_child_id(parent_workflow_id: str, slug: str, sequence: int) -> str:
    """Return the id of the ``sequence``-th child (from 1) a run starts without an explicit id.

    ``<parent id>:<slug>:<n>`` on every engine, so ids, and what is keyed by
    them, match between LocalRuntime and Temporal.
    """
    return f"{parent_workflow_id}:{slug}:{sequence}"


def activity_failure(exc: BaseException, name: str) -> WorkflowError:
    """Return how an activity's final failure reaches workflow code, on every engine.

    A :class:`~ntro.workflow.exceptions.WorkflowError` passes through unchanged; any other
    exception becomes ``WorkflowError("activity NAME failed: ...")`` whose
    ``type`` is the exception's class name (the original class does not cross
    Temporal's wire, so neither engine keeps it).
    """
    if isinstance(exc, WorkflowError):
        return exc
    return WorkflowError(f"activity {name} failed: {exc}", type=type(exc).__name__)


def update_failure(workflow_id: str, update: str, error: BaseException) -> UpdateFailedError:
    """Return the error a caller of ``handle.update(...)`` gets when the update was refused or failed.

    ``error`` is what the validator or handler raised. A
    :class:`~ntro.workflow.exceptions.WorkflowError` is kept as the cause;
    any other exception becomes one whose ``type`` is its class name, as
    Temporal carries it.
    """
    cause = error if isinstance(error, WorkflowError) else WorkflowError(str(error), type=type(error).__name__)
    message = f"update {update} of workflow {workflow_id} failed: {cause.type}: {cause.message}"
    return UpdateFailedError(message, workflow_id=workflow_id, update=update, cause=cause)


def check_workflow_id(workflow_id: str | None) -> None:
    """Refuse a workflow id that no engine can use: empty, or only spaces (``None`` means "make one").

    Raises:
        ValueError: The id is empty or blank; the message says to give one or leave it out.
    """
    if workflow_id is not None and not workflow_id.strip():
        raise ValueError(f"the workflow id {workflow_id!r} is empty: give a non-blank id, or none for a random UUID")
