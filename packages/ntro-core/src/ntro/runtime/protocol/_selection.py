"""Choosing the runtime backend: explicit, environment, then what is installed.

Order (first match wins):

1. :func:`set_runtime` was called;
2. ``NTRO_RUNTIME=<name>`` names an installed backend;
3. ``temporal`` when ``TEMPORAL_HOST`` is set and that backend is installed;
4. ``local`` when installed;
5. otherwise :class:`~ntro.workflow.exceptions.RuntimeNotAvailableError`
   saying what to install.

Backends are found through the entry-point group ``ntro.runtimes``. The
choice is made lazily, once, and cached until :func:`reset_runtime`.
"""

from __future__ import annotations

import logging
import os
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

import attrs

from ntro.runtime.protocol._errors import RuntimeNotAvailableError

if TYPE_CHECKING:
    from ntro.runtime.protocol._runtime import Runtime

ENTRY_POINT_GROUP = "ntro.runtimes"
INSTALL_HINT = {
    "local": 'pip install "ntro-core[local]"',
    "temporal": 'pip install "ntro-core[temporal]"',
}

_log = logging.getLogger("ntro.workflow")
_selected: Runtime | None = None
_selected_reason = ""


@attrs.frozen
class Selection:
    """Which backend would be chosen, and the rule that chose it."""

    name: str
    reason: str


def installed_runtimes() -> dict[str, EntryPoint]:
    """Return the installed backends by name, from the ``ntro.runtimes`` entry points.

    Where two distributions publish the same name, the one earlier on
    ``sys.path`` wins, as it would for an import.
    """
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
    return found


def _none_installed_message() -> str:
    return (
        "no ntro runtime backend is installed; install one with "
        f"{INSTALL_HINT['local']} (in-process) or {INSTALL_HINT['temporal']} (Temporal)"
    )


def describe_selection(installed: dict[str, EntryPoint] | None = None) -> Selection:
    """Return the backend the rules would select now, without loading it.

    Raises:
        RuntimeNotAvailableError: No rule selects an installed backend.
    """
    if _selected is not None:
        return Selection(_selected.name, _selected_reason)
    found = installed_runtimes() if installed is None else installed
    env_name = os.environ.get("NTRO_RUNTIME", "").strip()
    if env_name:
        if env_name in found:
            return Selection(env_name, f"NTRO_RUNTIME={env_name}")
        names = ", ".join(sorted(found)) or "none"
        hint = f"; install it with {INSTALL_HINT[env_name]}" if env_name in INSTALL_HINT else ""
        raise RuntimeNotAvailableError(
            f"NTRO_RUNTIME={env_name!r} names no installed runtime backend (installed: {names}){hint}; "
            "set NTRO_RUNTIME to an installed backend or unset it"
        )
    host = os.environ.get("TEMPORAL_HOST", "").strip()
    if host and "temporal" in found:
        return Selection("temporal", f"TEMPORAL_HOST={host} is set and the temporal backend is installed")
    if "local" in found:
        why = "the default backend" if not host else "TEMPORAL_HOST is set but the temporal backend is not installed"
        return Selection("local", f"{why}; runs in-process")
    if found:
        names = ", ".join(sorted(found))
        raise RuntimeNotAvailableError(
            f"no rule selects a runtime backend (installed: {names}): TEMPORAL_HOST is not set and the local "
            f"backend is not installed; set NTRO_RUNTIME to one of {names}, set TEMPORAL_HOST, or "
            f"{INSTALL_HINT['local']}"
        )
    raise RuntimeNotAvailableError(_none_installed_message())


def load_runtime(name: str) -> Runtime:
    """Instantiate the installed backend called ``name``.

    Raises:
        RuntimeNotAvailableError: No backend of that name is installed, or it
            cannot be imported (its own dependencies are missing).
    """
    found = installed_runtimes()
    ep = found.get(name)
    if ep is None:
        names = ", ".join(sorted(found)) or "none"
        hint = INSTALL_HINT.get(name, "check the name")
        raise RuntimeNotAvailableError(f"no runtime backend named {name!r} is installed (installed: {names}); {hint}")
    try:
        factory = ep.load()
    except ImportError as exc:
        raise RuntimeNotAvailableError(
            f"the {name!r} runtime backend cannot be imported ({exc}); reinstall it with "
            f"{INSTALL_HINT.get(name, 'pip')}"
        ) from exc
    runtime: Runtime = factory()
    return runtime


def _announce(runtime: Runtime, reason: str) -> None:
    _log.info("ntro.workflow: %s runtime active (%s)", runtime.name, reason)


def get_runtime() -> Runtime:
    """Return the selected runtime, choosing and caching it on first use.

    Never call this from workflow code to decide behaviour: the facades
    already dispatch to the runtime that drives the workflow.

    Raises:
        RuntimeNotAvailableError: No backend is installed, or ``NTRO_RUNTIME``
            names one that is not.
    """
    global _selected, _selected_reason
    if _selected is None:
        choice = describe_selection()
        runtime = load_runtime(choice.name)
        _selected, _selected_reason = runtime, choice.reason
        _announce(runtime, choice.reason)
    return _selected


def set_runtime(runtime: Runtime | str) -> Runtime:
    """Select ``runtime`` (an instance, or an installed backend's name) from now on.

    Safe at any time: decorators only record metadata, so classes defined
    before the call run on the new runtime too.

    Returns:
        The runtime now selected.
    """
    global _selected, _selected_reason
    chosen = load_runtime(runtime) if isinstance(runtime, str) else runtime
    _selected, _selected_reason = chosen, "set_runtime() was called"
    _announce(chosen, _selected_reason)
    return chosen


def reset_runtime() -> None:
    """Forget the selected runtime; the next :func:`get_runtime` chooses again."""
    global _selected, _selected_reason
    _selected, _selected_reason = None, ""


def selected_runtime() -> Runtime | None:
    """Return the runtime selected so far, without selecting one."""
    return _selected
