"""Scenarios: how the harness answers a run's gates and which activities it mocks.

A :class:`Scenario` is ntro 0.1.2's (``Scenario("happy", approve_reviews=True)``)
plus what its harness could not do: per-upload payload fields, activity mocks,
and an explicit sequence of review decisions (what exploration walks).

Built-ins are :data:`HAPPY` and :data:`REJECT_ALL`. A bundle adds its own in
``tests/scenarios.py``, a plain Python file::

    from ntro.testing import REAL, Scenario

    SCENARIOS = [
        Scenario("late_upload", uploads={"bank-statement": {"document_ref": "sample:bank-statement"}}),
        Scenario("real_parse", mocks={"document_ingest.parse_document": REAL}),
    ]

:func:`load_scenarios` reads that file (``SCENARIOS`` when present, else every
module-level :class:`Scenario`), and :func:`select_scenarios` picks scenarios
by name.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any, Final, Literal

import attrs

from ntro.workflow.exceptions import NtroError

__all__ = [
    "BUILT_IN_SCENARIOS",
    "HAPPY",
    "REAL",
    "REJECT_ALL",
    "SCENARIOS_FILE",
    "Scenario",
    "ScenarioError",
    "load_scenarios",
    "select_scenarios",
]

SCENARIOS_FILE: Final = Path("tests") / "scenarios.py"
"""Where a bundle keeps its custom scenarios, relative to the bundle directory."""

Decision = Literal["approve", "reject"]

_DECISIONS: Final[Mapping[str, Decision]] = {
    "approve": "approve",
    "approved": "approve",
    "reject": "reject",
    "rejected": "reject",
}


class ScenarioError(NtroError, ValueError):
    """A scenario is malformed, a scenarios file cannot be loaded, or a scenario name is unknown."""


class _Real:
    """The type of :data:`REAL`."""

    _instance: _Real | None = None

    def __new__(cls) -> _Real:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "REAL"

    def __reduce__(self) -> str:
        return "REAL"


REAL: Final = _Real()
"""A mock value meaning "run the real activity": ``Scenario(..., mocks={"x.fetch": REAL})``."""


def _decision(value: object, where: str) -> Decision:
    found = _DECISIONS.get(value) if isinstance(value, str) else None
    if found is None:
        raise ScenarioError(f"{where}: a review is answered with 'approve' or 'reject', not {value!r}")
    return found


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


def _overrides(value: Mapping[str, str] | None) -> Mapping[str, Decision]:
    return MappingProxyType(
        {str(step): _decision(answer, f"review_overrides[{step!r}]") for step, answer in (value or {}).items()}
    )


Corrections = Mapping[str, tuple[Mapping[str, Any], ...]]


def _corrections(value: Mapping[str, Sequence[Mapping[str, Any]]] | None) -> Corrections:
    found: dict[str, tuple[Mapping[str, Any], ...]] = {}
    for step, items in (value or {}).items():
        if isinstance(items, Mapping) or not isinstance(items, Iterable):
            raise ScenarioError(f"corrections[{step!r}] must be a list of corrections (mappings), not {items!r}")
        entries = tuple(items)
        for entry in entries:
            if not isinstance(entry, Mapping):
                raise ScenarioError(f"corrections[{step!r}]: each correction is a mapping, not {entry!r}")
        found[str(step)] = entries
    return MappingProxyType(found)


def _nested(name: str, value: Mapping[str, Mapping[str, Any]] | None) -> Mapping[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for key, fields in (value or {}).items():
        if not isinstance(fields, Mapping):
            raise ScenarioError(f"{name}[{key!r}] must be a mapping of payload fields, not {fields!r}")
        found[str(key)] = MappingProxyType(dict(fields))
    return MappingProxyType(found)


def _signal_payloads(value: Mapping[str, Mapping[str, Any]] | None) -> Mapping[str, Mapping[str, Any]]:
    return _nested("extra_signal_payloads", value)


def _uploads(value: Mapping[str, Mapping[str, Any]] | None) -> Mapping[str, Mapping[str, Any]]:
    return _nested("uploads", value)


def _decisions(value: Sequence[str] | None) -> tuple[Decision, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        raise ScenarioError(f"decisions is a sequence of 'approve'/'reject', not the string {value!r}")
    return tuple(_decision(answer, f"decisions[{i}]") for i, answer in enumerate(value))


def _check_name(instance: Scenario, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(f"a scenario needs a non-empty name, not {value!r}")


@attrs.frozen(eq=True)
class Scenario:
    """How the harness plays the people a run waits for, and which activities it mocks.

    ``Scenario("happy", approve_reviews=True)`` works as in ntro 0.1.2.
    Scenarios are immutable and hashable (the mappings are read-only views
    and left out of the hash).

    Attributes:
        name: The name ``--scenario`` selects it by.
        approve_reviews: The answer to reviews nothing else decides: approve
            (``True``) or reject (``False``).
        review_overrides: Per step id, the answer to that step's review:
            ``"approve"`` or ``"reject"`` (0.1.2's ``"approved"`` /
            ``"rejected"`` are accepted and normalised).
        corrections: Per step id, the corrections sent with that step's review.
        extra_signal_payloads: Per signal name, fields merged into the payload
            of the uploads answered with that signal (0.1.2).
        uploads: Per upload source (the pending action's ``args.source``),
            payload fields such as ``document_ref``, ``filename`` or
            ``content_type``; they win over ``extra_signal_payloads``.
        mocks: Per activity name, what the activity returns: a value, a
            callable taking the activity's arguments (sync or async), or
            :data:`REAL` to run the real activity. Activities not listed return
            an automatic fake of their return type.
        decisions: The review answers in the order the reviews come, used by
            exploration. Where given it wins over ``review_overrides`` and
            ``approve_reviews`` for the reviews it covers.
        description: One line saying what the scenario checks, for reports.
    """

    name: str = attrs.field(validator=_check_name)
    approve_reviews: bool = True
    review_overrides: Mapping[str, Decision] = attrs.field(factory=dict, converter=_overrides, hash=False)
    corrections: Corrections = attrs.field(factory=dict, converter=_corrections, hash=False)
    extra_signal_payloads: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, converter=_signal_payloads, hash=False
    )
    uploads: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict, converter=_uploads, hash=False)
    mocks: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping, hash=False)
    decisions: tuple[Decision, ...] | None = attrs.field(default=None, converter=_decisions)
    description: str = ""

    def decision_for(self, step_id: str | None, index: int) -> Decision:
        """Return the answer to a review.

        Args:
            step_id: The step the review belongs to, if known.
            index: How many reviews the run has answered before this one (from 0).

        Returns:
            ``decisions[index]`` when the scenario lists that many decisions,
            else the step's override, else ``approve_reviews``.
        """
        if self.decisions is not None and 0 <= index < len(self.decisions):
            return self.decisions[index]
        if step_id is not None and step_id in self.review_overrides:
            return self.review_overrides[step_id]
        return "approve" if self.approve_reviews else "reject"

    def response_for_review(self, step_id: str | None) -> Literal["approved", "rejected"]:
        """Return the answer to ``step_id``'s review in ntro 0.1.2's words.

        ``decisions`` is not consulted: 0.1.2 had none.

        Returns:
            ``"approved"`` or ``"rejected"``.
        """
        if step_id is not None and step_id in self.review_overrides:
            decision = self.review_overrides[step_id]
        else:
            decision = "approve" if self.approve_reviews else "reject"
        return "approved" if decision == "approve" else "rejected"

    def corrections_for(self, step_id: str | None) -> list[dict[str, Any]]:
        """Return the corrections to send with ``step_id``'s review (copies; empty when none)."""
        if step_id is None:
            return []
        return [dict(entry) for entry in self.corrections.get(step_id, ())]

    def upload_fields(self, source: str | None, signal_name: str) -> dict[str, Any]:
        """Return the payload fields this scenario sets for an upload.

        Args:
            source: The source asked for (the pending action's ``args.source``), if any.
            signal_name: The signal that answers the upload.

        Returns:
            ``extra_signal_payloads[signal_name]`` updated with ``uploads[source]``.
        """
        fields = dict(self.extra_signal_payloads.get(signal_name, {}))
        if source is not None:
            fields.update(self.uploads.get(source, {}))
        return fields


HAPPY: Final = Scenario("happy", approve_reviews=True, description="approve every review")
"""Approve every review."""

REJECT_ALL: Final = Scenario("reject_all", approve_reviews=False, description="reject every review")
"""Reject every review."""

BUILT_IN_SCENARIOS: Final[Mapping[str, Scenario]] = MappingProxyType({"happy": HAPPY, "reject_all": REJECT_ALL})
"""The built-in scenarios by name, in the order they run: happy, reject_all."""


# -- tests/scenarios.py --------------------------------------------------------------------


def _error_location(exc: BaseException, path: Path) -> str:
    if isinstance(exc, SyntaxError) and exc.lineno is not None:
        return f"{path}:{exc.lineno}"
    resolved = path.resolve()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        try:
            if Path(frame.filename).resolve() == resolved:
                return f"{path}:{frame.lineno}"
        except OSError:  # pragma: no cover - an unreadable frame path
            continue
    return str(path)


def _import_file(path: Path) -> ModuleType:
    digest = hashlib.sha1(str(path.resolve()).encode(), usedforsecurity=False).hexdigest()[:10]
    module_name = f"_ntro_scenarios_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py path always has a loader
        raise ScenarioError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pydantic look their module up while it runs
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        message = f"{type(exc).__name__}: {exc.msg if isinstance(exc, SyntaxError) else exc}"
        raise ScenarioError(f"{_error_location(exc, path)}: cannot load the scenarios ({message})") from exc
    return module


def _collected(module: ModuleType, path: Path) -> list[Scenario]:
    declared = vars(module).get("SCENARIOS")
    if declared is None:
        found: list[Scenario] = []
        for value in vars(module).values():
            if isinstance(value, Scenario) and not any(value is seen for seen in found):
                if any(value is built_in for built_in in BUILT_IN_SCENARIOS.values()):
                    continue  # imported, not defined here
                found.append(value)
        return found
    if isinstance(declared, Mapping):
        items: list[Scenario] = []
        for key, value in declared.items():
            if not isinstance(value, Scenario):
                raise ScenarioError(f"{path}: SCENARIOS[{key!r}] is a {type(value).__name__}, not a Scenario")
            if key != value.name:
                raise ScenarioError(
                    f"{path}: SCENARIOS[{key!r}] is named {value.name!r}; use the scenario's name as its key"
                )
            items.append(value)
        return items
    if isinstance(declared, (str, bytes)) or not isinstance(declared, Iterable):
        raise ScenarioError(f"{path}: SCENARIOS must be a list of Scenario objects (or a name -> Scenario mapping)")
    items = []
    for index, value in enumerate(declared):
        if not isinstance(value, Scenario):
            raise ScenarioError(f"{path}: SCENARIOS[{index}] is a {type(value).__name__}, not a Scenario")
        items.append(value)
    return items


def load_scenarios(bundle_dir: str | Path) -> dict[str, Scenario]:
    """Return the scenarios a bundle can run: the built-ins, then the bundle's own.

    The bundle's own come from ``<bundle_dir>/tests/scenarios.py`` when it
    exists: its ``SCENARIOS`` (a sequence of :class:`Scenario`, or a mapping
    name -> Scenario), else every module-level :class:`Scenario` defined there.
    A custom scenario named like a built-in replaces it.

    Args:
        bundle_dir: The runbook bundle directory.

    Returns:
        The scenarios by name, built-ins first (happy, reject_all), then the
        custom ones in the order the file defines them.

    Raises:
        ScenarioError: The file cannot be imported (the message names the file
            and line), holds something that is not a Scenario, or defines two
            scenarios with the same name.
    """
    scenarios: dict[str, Scenario] = dict(BUILT_IN_SCENARIOS)
    path = Path(bundle_dir) / SCENARIOS_FILE
    if not path.is_file():
        return scenarios
    module = _import_file(path)
    seen: set[str] = set()
    for scenario in _collected(module, path):
        if scenario.name in seen:
            raise ScenarioError(f"{path}: two scenarios are named {scenario.name!r}; give each its own name")
        seen.add(scenario.name)
        scenarios[scenario.name] = scenario
    return scenarios


def select_scenarios(available: Mapping[str, Scenario], names: Iterable[str] | None) -> list[Scenario]:
    """Return the scenarios named ``names``, in that order (all of ``available`` when none are named).

    Args:
        available: Scenarios by name (as :func:`load_scenarios` returns them).
        names: The names asked for; ``None`` or empty selects every scenario.

    Returns:
        The selected scenarios; a name given twice is run once.

    Raises:
        ScenarioError: A name is not in ``available`` (the message lists those that are).
    """
    wanted = list(dict.fromkeys(names or ()))
    if not wanted:
        return list(available.values())
    selected: list[Scenario] = []
    for name in wanted:
        scenario = available.get(name)
        if scenario is None:
            listing = ", ".join(available) or "none"
            raise ScenarioError(f"unknown scenario {name!r}; available: {listing}")
        selected.append(scenario)
    return selected
