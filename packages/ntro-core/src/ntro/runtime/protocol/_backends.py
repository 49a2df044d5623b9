"""What a backend tells ntro about itself without loading its engine (optional).

A backend may publish a :class:`BackendInfo` under the entry-point group
``ntro.backends``, beside its ``ntro.runtimes`` and ``ntro.clients`` entries::

    [project.entry-points."ntro.backends"]
    mine = "ntro.runtime.mine:BACKEND_INFO"

The module it names must be cheap to import (it must not import the engine's
own library): runtime selection reads every installed backend's record, and
the ``ntro`` command reads them when it starts a run and when it exits. A
backend without a record gets :data:`NO_INFO`: the environment never selects
it, and nothing about it needs special care.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points

import attrs

__all__ = [
    "BACKEND_ENTRY_POINT_GROUP",
    "NO_INFO",
    "BackendInfo",
    "backend_info",
    "environment_choice",
    "loaded_backend_infos",
]

BACKEND_ENTRY_POINT_GROUP = "ntro.backends"
"""The entry-point group under which backends publish their :class:`BackendInfo`."""

_log = logging.getLogger("ntro.workflow")


@attrs.frozen
class BackendInfo:
    """What ntro may know about a backend before (or without) loading it.

    Attributes:
        selected_by: Called with the environment (``os.environ``); returns why
            the environment selects this backend (``"MYENGINE_HOST=h:7233 is
            set"``), or ``None`` when it does not. Runtime selection asks it
            after ``NTRO_RUNTIME`` and before the default backend. It must be
            cheap and must not raise.
        engine_loggers: The loggers of the engine's own library, whose
            warnings (a failed task, each with its traceback) the one error
            line of ``ntro workflow run`` already sums up: the command keeps
            them quiet unless ``-v`` is given.
        unsafe_to_finalise: Native modules of the engine that can crash the
            interpreter while it finalises, after the work is done: once one
            of them is loaded, the ``ntro`` command ends its process without
            finalising (its output flushed first).
    """

    selected_by: Callable[[Mapping[str, str]], str | None] | None = None
    engine_loggers: tuple[str, ...] = ()
    unsafe_to_finalise: tuple[str, ...] = ()


NO_INFO = BackendInfo()
"""The record of a backend that publishes none."""


def _published() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=BACKEND_ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
    return found


def _load(ep: EntryPoint) -> BackendInfo:
    try:
        info = ep.load()
    except Exception as exc:  # a broken record must not stop other backends from being chosen
        _log.warning("the %s backend's %s entry point cannot be loaded (%s)", ep.name, BACKEND_ENTRY_POINT_GROUP, exc)
        return NO_INFO
    if not isinstance(info, BackendInfo):
        _log.warning("the %s backend's %s entry point is not a BackendInfo", ep.name, BACKEND_ENTRY_POINT_GROUP)
        return NO_INFO
    return info


def backend_info(name: str) -> BackendInfo:
    """Return the record the backend ``name`` publishes, or :data:`NO_INFO`."""
    ep = _published().get(name)
    return NO_INFO if ep is None else _load(ep)


def loaded_backend_infos() -> dict[str, BackendInfo]:
    """Return the records of the backends whose record's module this process has already imported.

    Imports nothing: a backend this process never used has nothing to say
    about it (the ``ntro`` command asks at exit).
    """
    return {name: _load(ep) for name, ep in _published().items() if ep.module in sys.modules}


def environment_choice(names: Iterable[str], environ: Mapping[str, str]) -> tuple[str, str] | None:
    """Return the first of ``names`` (sorted) whose record says ``environ`` selects it, with the reason.

    Returns:
        ``(name, reason)``, or ``None`` when the environment selects none of them.
    """
    published = _published()
    for name in sorted(names):
        ep = published.get(name)
        rule = None if ep is None else _load(ep).selected_by
        reason = rule(environ) if rule is not None else None
        if reason:
            return name, reason
    return None
