"""The registry's records: published versions, revisions, bindings, and its errors."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from ntro.registry._store import StoreUnreachableError, content_hash
from ntro.workflow.bundle import Bundle
from ntro.workflow.exceptions import NtroError

__all__ = [
    "ENTITY_FIELD",
    "FORMAT",
    "Binding",
    "LoadedRevision",
    "PublishedVersion",
    "RegistryError",
    "RegistryUnreachableError",
    "Revision",
    "VersionExistsError",
    "binding_input",
    "check_binding_id",
    "pinned_revisions",
]

FORMAT = 1
"""The version of the registry's layout, written into every log entry and binding."""

_BINDING_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class RegistryError(NtroError):
    """A registry operation cannot be done; the message says why, in one line."""


class RegistryUnreachableError(RegistryError, StoreUnreachableError):
    """The registry's store cannot be opened, read or written."""


class VersionExistsError(RegistryError):
    """The version being published is already in the registry (published versions never change)."""


@attrs.frozen
class PublishedVersion:
    """One published version of a runbook: immutable.

    Attributes:
        slug: The runbook's slug.
        version: Its version (``--version``, or ``version:`` in ``runbook.md``).
        revision: The number of the revision its publish made.
        content_hash: ``sha256:<hex>`` over the bundle's files (see :func:`bundle_files`).
        files: Every file of the bundle (``/``-separated paths) and the SHA-256 of its bytes.
        published_at: When it was published (ISO 8601, UTC).
        name: The human name from ``runbook.md`` (the slug when absent).
    """

    slug: str
    version: str
    revision: int
    content_hash: str
    files: Mapping[str, str]
    published_at: str
    name: str

    @property
    def short_hash(self) -> str:
        """The content hash as people read it, ``sha256:`` and 12 hex digits."""
        return self.content_hash[: len("sha256:") + 12]

    def to_json(self) -> dict[str, Any]:
        """Return the record as JSON-ready data (what the log entry holds)."""
        return {
            "format": FORMAT,
            "revision": self.revision,
            "slug": self.slug,
            "version": self.version,
            "name": self.name,
            "content_hash": self.content_hash,
            "published_at": self.published_at,
            "files": dict(self.files),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PublishedVersion:
        """Build the record from a log entry's data.

        Raises:
            KeyError, TypeError, ValueError: The data is not a log entry.
        """
        files = data["files"]
        if not isinstance(files, Mapping):
            raise TypeError("files is not a mapping")
        return cls(
            slug=str(data["slug"]),
            version=str(data["version"]),
            revision=int(data["revision"]),
            content_hash=str(data["content_hash"]),
            files=MappingProxyType({str(k): str(v) for k, v in files.items()}),
            published_at=str(data["published_at"]),
            name=str(data.get("name") or data["slug"]),
        )


@attrs.frozen
class Revision:
    """The registry after its ``number``-th publish: every runbook at the version it had then.

    Attributes:
        number: 1 for the first publish, 2 for the second...
        runbooks: Each slug's version in this revision.
    """

    number: int
    runbooks: Mapping[str, PublishedVersion]

    @property
    def id(self) -> str:
        """``r<number>-<8 hex digits>``: the number, and a digest of the versions it holds.

        This is the Temporal build id of the revision; the digest keeps two
        registries' (or a wiped and refilled registry's) revision 3 apart.
        """
        lines = sorted(f"{slug} {v.version} {v.content_hash}" for slug, v in self.runbooks.items())
        return f"r{self.number}-{content_hash(chr(10).join(lines).encode())[:8]}"

    def describe(self) -> str:
        """``hello 2, other 1``: the slugs and versions it holds."""
        return ", ".join(f"{slug} {v.version}" for slug, v in sorted(self.runbooks.items()))


@attrs.frozen
class Binding:
    """A runbook bound to an entity, optionally on a schedule.

    Attributes:
        id: The binding's id (also the id of its schedule).
        slug: The runbook.
        entity: The entity it is bound to (its slug goes into the run's input
            when the input model has an ``entity_slug`` field).
        input: Each run's input, as JSON-ready data (``None``: no input).
        version: The runbook's version when it was bound.
        revision: The id of the registry's revision when it was bound.
        pinned: Whether runs stay on ``revision`` (``--pin``); otherwise each run
            takes the newest version.
        cron: The schedule's cron expression, if it has one.
        every: The schedule's interval in seconds, if it has one.
        task_queue: The task queue its runs go to, when it has a schedule.
        created_at: When it was made (ISO 8601, UTC).
    """

    id: str
    slug: str
    entity: str
    input: Any
    version: str
    revision: str
    pinned: bool = False
    cron: str | None = None
    every: int | None = None
    task_queue: str | None = None
    created_at: str = ""

    @property
    def scheduled(self) -> bool:
        """Whether the binding has a schedule."""
        return self.cron is not None or self.every is not None

    def to_json(self) -> dict[str, Any]:
        """Return the binding as JSON-ready data (what ``bindings/<id>.json`` holds)."""
        return {"format": FORMAT, **attrs.asdict(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Binding:
        """Build a binding from its JSON data.

        Raises:
            KeyError, TypeError, ValueError: The data is not a binding.
        """
        every = data.get("every")
        return cls(
            id=str(data["id"]),
            slug=str(data["slug"]),
            entity=str(data["entity"]),
            input=data.get("input"),
            version=str(data["version"]),
            revision=str(data["revision"]),
            pinned=bool(data.get("pinned", False)),
            cron=None if data.get("cron") is None else str(data["cron"]),
            every=None if every is None else int(every),
            task_queue=None if data.get("task_queue") is None else str(data["task_queue"]),
            created_at=str(data.get("created_at", "")),
        )


@attrs.frozen
class LoadedRevision:
    """A revision's bundles, imported into this process.

    Attributes:
        revision: The revision.
        bundles: The bundles that loaded, by slug.
        failures: Why each of the others did not (one line each), by slug.
    """

    revision: Revision
    bundles: Mapping[str, Bundle]
    failures: Mapping[str, str]


def check_binding_id(binding_id: str) -> str:
    """Return ``binding_id`` when it can name a binding (and its schedule).

    Raises:
        RegistryError: It cannot.
    """
    if not _BINDING_ID.match(binding_id):
        raise RegistryError(
            f"binding id {binding_id!r} is not valid; use letters, digits, '.', '_' and '-', at most 100 characters"
        )
    return binding_id


def pinned_revisions(bindings: Sequence[Binding]) -> set[str]:
    """The ids of the revisions that pinned bindings keep."""
    return {b.revision for b in bindings if b.pinned}


ENTITY_FIELD = "entity_slug"
"""The input field a binding's entity goes into, when the runbook's input model has it."""


def binding_input(workflow_cls: type, entity: str, raw: Any) -> Any:
    """Return the input of a binding's runs, validated against the runbook's input model.

    When the model (a pydantic model) has an ``entity_slug`` field, the
    entity's slug goes there; an input that names another entity is refused.

    Args:
        workflow_cls: The runbook's workflow class.
        entity: The entity's slug.
        raw: The input as JSON text, already-parsed data, or ``None``.

    Raises:
        InputError: The input is not JSON, names another entity, or does not fit the model.
    """
    from ntro.workflow.bundle import InputError, input_model, parse_input, parse_json

    model = input_model(workflow_cls)
    fields = getattr(model, "model_fields", None)
    if not (isinstance(fields, Mapping) and ENTITY_FIELD in fields):
        return parse_input(workflow_cls, raw)
    data = parse_json(raw, "--input") if isinstance(raw, (str, bytes, bytearray)) else raw
    data = {} if data is None else data
    if isinstance(data, dict):
        named = data.get(ENTITY_FIELD)
        if named is not None and named != entity:
            raise InputError(
                f"the input's {ENTITY_FIELD} {named!r} is not the binding's entity {entity!r}; "
                f"leave {ENTITY_FIELD} out of --input (the entity fills it)"
            )
        data = {**data, ENTITY_FIELD: entity}
    return parse_input(workflow_cls, data)
