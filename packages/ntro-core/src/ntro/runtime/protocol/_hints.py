"""Display hints and upload slots: the parts of a pending action a UI reads.

Each record reads its published dict with ``from_wire`` and, where the
runbook's base class publishes it, writes it back with ``to_wire``; keys it
does not know, and known keys whose value it cannot read, are kept in
``extra`` so nothing is lost on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

import attrs

__all__ = ["Column", "Dataset", "DisplayHint", "Feedback", "HintAction", "SignalTarget", "UploadSlot"]


_SKIP: Any = object()
"""What a reader returns for a value it cannot read (the value is then kept in ``extra``)."""


def _of(kind: type) -> Callable[[Any], Any]:
    """A reader that takes a value of ``kind`` (``object``: anything; a bool is never an ``int``)."""
    if kind is object:
        return lambda value: value
    if kind is int:
        return lambda value: value if isinstance(value, int) and not isinstance(value, bool) else _SKIP
    if kind is Mapping:  # a dict, nearly always: spare the ABC's check
        return lambda value: value if type(value) is dict or isinstance(value, Mapping) else _SKIP
    return lambda value: value if isinstance(value, kind) else _SKIP


def _same(value: Any) -> Any:
    return value


class _Record:
    """A record read from its published dict key by key, the rest kept as its ``extra``.

    ``_KEYS`` lists ``(field, key, read, write)``: ``read`` turns the value of
    ``key`` into ``field`` (or returns ``_SKIP``: the value is kept in
    ``extra``, as a null always is); ``write`` turns the field back.
    ``to_wire`` writes the known keys in that order, then ``extra``, so
    ``from_wire(w).to_wire() == w`` for every dict ``w``.
    """

    __slots__ = ()
    _KEYS: ClassVar[tuple[tuple[str, str, Callable[[Any], Any], Callable[[Any], Any]], ...]]
    _BY_KEY: ClassVar[dict[str, tuple[str, Callable[[Any], Any]]]]
    _WRITE: ClassVar[tuple[tuple[str, str, Callable[[Any], Any] | None], ...]]
    extra: Mapping[str, Any]

    def __init_subclass__(cls) -> None:
        cls._BY_KEY = {key: (field, read) for field, key, read, _ in cls._KEYS}
        cls._WRITE = tuple((field, key, None if write is _same else write) for field, key, _, write in cls._KEYS)

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> Self:
        """Read the published dict."""
        by_key = cls._BY_KEY
        fields: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in wire.items():
            known = by_key.get(key)
            if known is not None and value is not None:
                typed = known[1](value)
                if typed is not _SKIP:
                    fields[known[0]] = typed
                    continue
            extra[key] = value
        return cls(**fields, extra=extra)  # type: ignore[call-arg]  # the attrs records take their fields by name

    def to_wire(self) -> dict[str, Any]:
        """Return the published dict (values the runbook owns are shared, not copied)."""
        wire: dict[str, Any] = {}
        extra = self.extra
        for field, key, write in self._WRITE:
            value = getattr(self, field)
            if value is not None:
                wire[key] = value if write is None else write(value)
            elif key in extra:
                wire[key] = extra[key]
        if extra:
            for key, value in extra.items():
                wire.setdefault(key, value)
        return wire


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, (list, tuple)) else ()


@attrs.frozen
class SignalTarget:
    """The signal that answers a gate, and the workflow it goes to.

    Attributes:
        name: The signal's name (``args.signal_name``; ``user_action`` for a review).
        workflow_id: The workflow that takes it (``args.signal_task_id``);
            ``None`` for the workflow that advertises the gate.
    """

    name: str
    workflow_id: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> SignalTarget | None:
        """Read ``{signal_name, signal_task_id?}`` (an action's or a slot's ``args``); ``None`` without a name."""
        name = args.get("signal_name")
        if not isinstance(name, str) or not name:
            return None
        target = args.get("signal_task_id")
        return cls(name, str(target) if target else None)


@attrs.frozen
class UploadSlot:
    """One upload asked for: a ``submit_file`` action, or one slot of ``submit_files``.

    Attributes:
        source: The source asked for (``args.source``, e.g. ``trial-balance``), if named.
        signal: The signal that delivers the upload, if the slot names one.
        status: ``"pending"``, ``"completed"`` or ``"failed"`` (a ``submit_file`` is pending).
        label: What people read for it (a slot's ``label``).
        schema_slug: The schema the document is read with, if named.
        description: A longer text, if the slot has one.
        tenant: ``args.tenant_id_or_slug``, if given.
        entity: ``args.entity_id_or_slug``, if given.
        args: The slot's (or the action's) ``args`` as published.
        wire: The slot as published (for a ``submit_file``: empty).
    """

    source: str | None
    signal: SignalTarget | None
    status: str = "pending"
    label: str | None = None
    schema_slug: str | None = None
    description: str | None = None
    tenant: str | None = None
    entity: str | None = None
    args: Mapping[str, Any] = attrs.field(factory=dict)
    wire: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def name(self) -> str | None:
        """How the upload is named to people and on the command line (its source, else its signal's name)."""
        return self.source or (self.signal.name if self.signal is not None else None)

    @property
    def target(self) -> str | None:
        """The workflow that takes the upload (``args.signal_task_id``), named even without a signal name."""
        value = self.args.get("signal_task_id")
        return str(value) if value else None

    @classmethod
    def from_wire(cls, slot: Mapping[str, Any]) -> UploadSlot:
        """Read a slot of a ``MULTI_FILE_UPLOAD``'s ``config.expected``."""
        return cls._read(slot, slot)

    @classmethod
    def of_action(cls, action: Mapping[str, Any]) -> UploadSlot:
        """Read the one upload a ``submit_file`` action asks for (its ``args``, ``label``, ``description``)."""
        return cls._read(action, {})

    @classmethod
    def _read(cls, where: Mapping[str, Any], wire: Mapping[str, Any]) -> UploadSlot:
        args = _mapping(where.get("args"))
        status = where.get("status")
        return cls(
            source=_text(args.get("source")) or _text(where.get("source")),
            signal=SignalTarget.from_args(args),
            status="pending" if status is None else str(status),
            label=_text(where.get("label")),
            schema_slug=_text(args.get("schema_slug")) or _text(where.get("schema_slug")),
            description=_text(where.get("description")),
            tenant=_text(args.get("tenant_id_or_slug")),
            entity=_text(args.get("entity_id_or_slug")),
            args=args,
            wire=wire,
        )

    @staticmethod
    def wire_for(spec: Mapping[str, Any], *, source: str, signal: SignalTarget) -> dict[str, Any]:
        """Return the pending slot published for ``spec`` (a runbook's expected source): ``{**spec, status, args}``."""
        slot = dict(spec)
        slot["status"] = "pending"
        slot["args"] = {
            "source": source,
            "schema_slug": spec.get("schema_slug"),
            "signal_task_id": signal.workflow_id,
            "signal_name": signal.name,
        }
        return slot


@attrs.frozen
class HintAction:
    """A button a display hint offers: one of its ``actions``, ``footer_actions`` or ``row_actions``.

    Attributes:
        kind: What pressing it sends (``approve``, ``reject``, ``edit_cell``, ``reject_row``...).
        label: Its text.
        primary: Whether it is the main one.
        icon: An icon name, if any.
        columns: For ``edit_cell``: the columns it may edit (empty: not said).
    """

    kind: str
    label: str
    primary: bool = False
    icon: str | None = None
    columns: tuple[str, ...] = ()

    @classmethod
    def all_from(cls, value: Any) -> tuple[HintAction, ...]:
        """Read a list of ``{kind, label?, primary?, icon?, columns?}`` (entries without a kind are skipped)."""
        found = []
        for item in value if isinstance(value, list) else ():
            kind = _text(_mapping(item).get("kind"))
            if kind is not None:
                found.append(
                    cls(
                        kind,
                        _text(item.get("label")) or kind.replace("_", " "),
                        item.get("primary") is True,
                        _text(item.get("icon")),
                        _texts(item.get("columns")),
                    )
                )
        return tuple(found)


@attrs.frozen
class Column:
    """A column of a ``DATA_TABLE``: a name, or ``{key, label?, type?, editable?}``.

    Attributes:
        key: The row field it shows.
        label: Its heading.
        type: A type hint for rendering (``money``, ``date``...), if given.
        editable: Whether it may be corrected, when the hint says (``None``: not said).
    """

    key: str
    label: str
    type: str | None = None
    editable: bool | None = None

    @classmethod
    def all_from(cls, value: Any) -> tuple[Column, ...]:
        """Read a ``columns`` list (names or mappings; entries without a key are skipped)."""
        found = []
        for item in value if isinstance(value, list) else ():
            if isinstance(item, str):
                found.append(cls(item, item))
                continue
            spec = _mapping(item)
            key = _text(spec.get("key")) or _text(spec.get("field")) or _text(spec.get("name"))
            if key is not None:
                editable = spec.get("editable")
                found.append(
                    cls(
                        key,
                        _text(spec.get("label")) or key,
                        _text(spec.get("type")),
                        editable if isinstance(editable, bool) else None,
                    )
                )
        return tuple(found)


@attrs.frozen
class Dataset:
    """A table of a ``DATA_TABLE``: ``{key, label?, data_key?, columns?}``.

    Attributes:
        key: Its name.
        label: Its heading.
        data_key: Where its rows are in the review's payload (defaults to ``key``).
        columns: Its columns, if listed.
    """

    key: str
    label: str
    data_key: str
    columns: tuple[Column, ...] = ()


@attrs.frozen
class Feedback(_Record):
    """What a runbook tells the person at its gate (``set_user_feedback``): ``{kind, level, payload}``.

    Attributes:
        kind: What it is about (``ingest``, ``row_action``...).
        level: ``info``, ``warning`` or ``error`` (``None``: not said, read it as ``info``).
        payload: The details (JSON data).
        extra: Keys kept as they came (see the module's notes).
    """

    _KEYS = (
        ("kind", "kind", _of(str), _same),
        ("level", "level", _of(str), _same),
        ("payload", "payload", _of(object), _same),
    )

    kind: str | None = None
    level: str | None = None
    payload: Any = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class DisplayHint(_Record):
    """How a UI shows a gate or a finished step: ``{component, config}``.

    The typed properties read ``config``, which stays as the runbook wrote it.

    Attributes:
        component: ``FILE_UPLOAD``, ``MULTI_FILE_UPLOAD``, ``DATA_TABLE``,
            ``APPROVAL_FORM``, ``SUMMARY``, ``REPORT_PREVIEW``... (any string: a
            reader shows an unknown one plainly).
        config: The component's settings (``None`` when the hint has none).
        extra: Keys kept as they came.
    """

    _KEYS = (("component", "component", _of(str), _same), ("config", "config", _of(Mapping), _same))

    component: str | None = None
    config: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    def with_config(self, **changes: Any) -> DisplayHint:
        """Return the hint with ``config`` updated by ``changes`` (a new dict; the runbook's is left alone)."""
        return attrs.evolve(self, config={**(self.config or {}), **changes})

    def _get(self, key: str) -> Any:
        return self.config.get(key) if self.config is not None else None

    @property
    def title(self) -> str | None:
        """``config.title``."""
        return _text(self._get("title"))

    @property
    def subtitle(self) -> str | None:
        """``config.subtitle``."""
        return _text(self._get("subtitle"))

    @property
    def instructions(self) -> str | None:
        """``config.instructions``."""
        return _text(self._get("instructions"))

    @property
    def accept(self) -> tuple[str, ...]:
        """The file types an upload accepts, as MIME types or ``.ext`` (``config.accept``); empty for any."""
        return _texts(self._get("accept"))

    @property
    def max_size_mb(self) -> float | None:
        """The largest upload accepted, in MB (``config.max_size_mb``)."""
        value = self._get("max_size_mb")
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    @property
    def multiple(self) -> bool:
        """Whether several files may be uploaded at once (``config.multiple``)."""
        return self._get("multiple") is True

    @property
    def data_key(self) -> str | None:
        """Where a ``DATA_TABLE``'s rows are in the payload (``config.data_key``), when it has one table."""
        return _text(self._get("data_key"))

    @property
    def columns(self) -> tuple[Column, ...]:
        """``config.columns``."""
        return Column.all_from(self._get("columns"))

    @property
    def datasets(self) -> tuple[Dataset, ...]:
        """The tables of a ``DATA_TABLE`` (``config.datasets``)."""
        found = []
        datasets = self._get("datasets")
        for item in datasets if isinstance(datasets, list) else ():
            spec = _mapping(item)
            key = _text(spec.get("key")) or _text(spec.get("data_key"))
            if key is not None:
                label = _text(spec.get("label")) or key
                found.append(
                    Dataset(key, label, _text(spec.get("data_key")) or key, Column.all_from(spec.get("columns")))
                )
        return tuple(found)

    @property
    def actions(self) -> tuple[HintAction, ...]:
        """The answers offered as buttons (``config.actions``, else ``config.footer_actions``)."""
        return HintAction.all_from(self._get("actions")) or HintAction.all_from(self._get("footer_actions"))

    @property
    def row_actions(self) -> tuple[HintAction, ...]:
        """What may be done to one row while the review is open (``config.row_actions``)."""
        return HintAction.all_from(self._get("row_actions"))

    @property
    def allow_corrections(self) -> bool:
        """Whether the review takes ``corrections`` with its answer (``config.allow_corrections``)."""
        return self._get("allow_corrections") is True

    @property
    def editable_columns(self) -> tuple[str, ...]:
        """The columns a person may correct.

        The columns marked ``editable``; else those an ``edit_cell`` row
        action names; else, when corrections are allowed, every column listed.
        """
        columns = self.columns + tuple(c for d in self.datasets for c in d.columns)
        marked = tuple(c.key for c in columns if c.editable)
        if marked or any(c.editable is not None for c in columns):
            return marked
        named = tuple(k for a in self.row_actions if a.kind == "edit_cell" for k in a.columns)
        if named:
            return named
        return tuple(dict.fromkeys(c.key for c in columns)) if self.allow_corrections else ()

    @property
    def feedback(self) -> Feedback | None:
        """``config.feedback``, set while the gate is open."""
        value = self._get("feedback")
        return Feedback.from_wire(value) if isinstance(value, Mapping) else None

    @property
    def slots(self) -> tuple[UploadSlot, ...]:
        """The upload slots of a ``MULTI_FILE_UPLOAD`` (``config.expected``)."""
        expected = self._get("expected")
        return (
            tuple(UploadSlot.from_wire(s) for s in expected if isinstance(s, Mapping))
            if isinstance(expected, list)
            else ()
        )
