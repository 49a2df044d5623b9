"""The runbook registry: immutable, content-hashed bundle versions in a store, and the bindings.

Layout of a registry (every path relative to its URL)::

    log/00000001.json        one publish each: slug, version, content hash, files
    log/00000002.json        (the N-th entry is revision N)
    bundles/<sha256>/...     the files of each published bundle, by content hash
    bindings/<id>.json       a runbook bound to an entity (and a schedule)

A publish writes the bundle's files under ``bundles/<content hash>/`` and then
commits the version with one step: creating the next ``log/`` entry, which
fails when another publish took that number (the publish then takes the next
one, or is refused when the version now exists). Nothing is visible before
that step; a publish that fails removes the files it wrote. Log entries are
never rewritten and bundle files are addressed by their content, so a
published version never changes.

**Revision** ``N`` is the snapshot "slug -> version" after the ``N``-th publish:
every runbook at the version it had then. Workers serve revisions (see
``ntro worker --registry``), so a parent and the children it starts by slug
always run one consistent set of bundles.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from ntro.registry._files import bundle_files, bundle_hash, check_bundle, check_version
from ntro.registry._records import (
    Binding,
    LoadedRevision,
    PublishedVersion,
    RegistryError,
    RegistryUnreachableError,
    Revision,
    VersionExistsError,
    check_binding_id,
)
from ntro.registry._store import Store, StoreUnreachableError, content_hash, open_store
from ntro.workflow.bundle import Bundle, BundleError, load_bundle

__all__ = ["REGISTRY_ENV", "Registry", "default_registry_url", "open_registry"]

REGISTRY_ENV = "NTRO_REGISTRY"
"""Environment variable naming the registry when ``--registry`` is not given."""

_LOG_NAME = re.compile(r"^(\d{8,})\.json$")
_COMMIT_ATTEMPTS = 20


def default_registry_url() -> str:
    """The registry used when none is given: ``$NTRO_REGISTRY``, else ``~/.local/share/ntro/registry``.

    The second honours ``XDG_DATA_HOME``.
    """
    given = os.environ.get(REGISTRY_ENV, "").strip()
    if given:
        return given
    data = os.environ.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return str(Path(data) / "ntro" / "registry")


def open_registry(url: str | None = None) -> Registry:
    """Open the registry at ``url`` (default: :func:`default_registry_url`).

    Nothing is read yet; a registry that does not exist is empty, and is
    created by its first publish.

    Raises:
        RegistryUnreachableError: The URL cannot be opened (an unknown protocol,
            a backend package that is not installed).
    """
    chosen = url if url is not None else default_registry_url()
    try:
        store = open_store(chosen, "registry")
    except StoreUnreachableError as exc:
        raise RegistryUnreachableError(str(exc)) from None
    return Registry(store)


def _frontmatter_version(root: Path, meta: Mapping[str, Any]) -> str:
    given = meta.get("version")
    if given is None or str(given).strip() == "":
        raise RegistryError(f"{root}: no version to publish; give --version V, or set version: in runbook.md")
    return str(given).strip()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- the registry ------------------------------------------------------------------------------


class Registry:
    """A runbook registry in a store.

    Make one with :func:`open_registry`. Its layout::

        log/00000001.json        one publish each: slug, version, content hash, files
        bundles/<sha256>/...     the files of each published bundle, by content hash
        bindings/<id>.json       a runbook bound to an entity (and a schedule)

    The N-th log entry is revision N. Log entries are read once and kept: they never change.
    """

    def __init__(self, store: Any) -> None:  # a Store: open_registry makes it (the store is not public)
        self._store: Store = store
        self._entries: dict[int, PublishedVersion] = {}

    @property
    def url(self) -> str:
        """The registry's URL, as given."""
        return self._store.url

    def _unreachable(self, exc: StoreUnreachableError) -> RegistryUnreachableError:
        return RegistryUnreachableError(str(exc))

    def _read_json(self, relative: str) -> Any:
        try:
            data = self._store.read(relative)
        except StoreUnreachableError as exc:
            raise self._unreachable(exc) from None
        try:
            return json.loads(data)
        except ValueError:
            raise RegistryError(f"the registry at {self.url} has a damaged file: {relative} is not JSON") from None

    # -- the log -----------------------------------------------------------------------------

    def _log_numbers(self) -> list[int]:
        try:
            names = self._store.names("log")
        except StoreUnreachableError as exc:
            raise self._unreachable(exc) from None
        return sorted(int(m.group(1)) for m in map(_LOG_NAME.match, names) if m)

    def _entry(self, number: int) -> PublishedVersion:
        known = self._entries.get(number)
        if known is not None:
            return known
        relative = f"log/{number:08d}.json"
        data = self._read_json(relative)
        try:
            entry = PublishedVersion.from_json(data)
        except (KeyError, TypeError, ValueError):
            raise RegistryError(
                f"the registry at {self.url} has a damaged file: {relative} is not a log entry"
            ) from None
        if entry.revision != number:
            raise RegistryError(
                f"the registry at {self.url} has a damaged file: {relative} says revision {entry.revision}"
            )
        self._entries[number] = entry
        return entry

    def published(self) -> list[PublishedVersion]:
        """Every published version, in the order they were published.

        A version published again under the same slug and version by a racing
        publisher (on a store without exclusive writes) counts once: the first.
        """
        seen: set[tuple[str, str]] = set()
        found: list[PublishedVersion] = []
        for number in self._log_numbers():
            entry = self._entry(number)
            if (entry.slug, entry.version) not in seen:
                seen.add((entry.slug, entry.version))
                found.append(entry)
        return found

    def slugs(self) -> list[str]:
        """The slugs with at least one published version, sorted."""
        return sorted({v.slug for v in self.published()})

    def versions(self, slug: str) -> list[PublishedVersion]:
        """The versions of ``slug``, oldest first (the last is the newest)."""
        return [v for v in self.published() if v.slug == slug]

    def get(self, slug: str, version: str | None = None) -> PublishedVersion:
        """Return ``slug`` at ``version`` (default: its newest version).

        Raises:
            RegistryError: The registry has no such slug or version.
        """
        versions = self.versions(slug)
        if not versions:
            known = ", ".join(self.slugs()) or "none"
            raise RegistryError(f"the registry at {self.url} has no runbook {slug!r} (it has: {known})")
        if version is None:
            return versions[-1]
        for found in versions:
            if found.version == version:
                return found
        listing = ", ".join(v.version for v in versions)
        raise RegistryError(f"the registry at {self.url} has no version {version!r} of {slug} (it has: {listing})")

    # -- revisions -----------------------------------------------------------------------------

    def revisions(self) -> list[Revision]:
        """Every revision, oldest first."""
        current: dict[str, PublishedVersion] = {}
        found: list[Revision] = []
        seen: set[tuple[str, str]] = set()
        for number in self._log_numbers():
            entry = self._entry(number)
            if (entry.slug, entry.version) in seen:
                continue
            seen.add((entry.slug, entry.version))
            current[entry.slug] = entry
            found.append(Revision(number=number, runbooks=MappingProxyType(dict(current))))
        return found

    def latest_revision(self) -> Revision | None:
        """The newest revision, or ``None`` when nothing is published."""
        revisions = self.revisions()
        return revisions[-1] if revisions else None

    def revision(self, revision_id: str) -> Revision:
        """Return the revision with this id (``r3-1a2b3c4d``), or number (``r3``, ``3``).

        Raises:
            RegistryError: There is no such revision.
        """
        given = revision_id.strip()
        for found in self.revisions():
            if given in (found.id, f"r{found.number}", str(found.number)):
                return found
        raise RegistryError(f"the registry at {self.url} has no revision {revision_id!r}")

    def revision_for(self, slug: str, version: str | None = None) -> Revision:
        """The revision a run of ``slug`` takes.

        That is the newest revision, or, with ``version``, the revision the
        publish of that version made: that version with the other runbooks as
        they were then, which is where a pinned binding's runs go.

        Raises:
            RegistryError: The registry has no such slug or version.
        """
        published = self.get(slug, version)
        return self.revisions()[-1] if version is None else self.revision(f"r{published.revision}")

    # -- publishing ----------------------------------------------------------------------------

    def publish(self, path: str | os.PathLike[str], *, version: str | None = None) -> PublishedVersion:
        """Publish the bundle in directory ``path``, all or nothing.

        The bundle is checked for its structure only (``runbook.md`` with a
        valid slug, ``templates/__init__.py``, ``templates/workflow.py``):
        ``ntro workflow create`` validates, lints and imports it first.

        Args:
            path: The bundle directory.
            version: The version to publish it as (default: ``version:`` in its ``runbook.md``).

        Returns:
            The published version.

        Raises:
            BundleError: The directory is not a bundle, or cannot be read.
            RegistryError: No version is given and ``runbook.md`` has none, or it is not valid.
            VersionExistsError: That version of the runbook is published already.
            RegistryUnreachableError: The registry cannot be read or written
                (what was written for this publish is removed again).
        """
        root = Path(path)
        slug, version, name = self.check_publishable(root, version)
        files = bundle_files(root)
        hashes = {relative: content_hash(data) for relative, data in files.items()}
        digest = bundle_hash(hashes)
        folder = f"bundles/{digest.removeprefix('sha256:')}"
        try:
            fresh_root = not self._store.exists("")
            fresh_folder = fresh_root or not self._store.exists(folder)
        except StoreUnreachableError as exc:
            raise self._unreachable(exc) from None
        try:
            for relative, data in files.items():
                self._store.write(f"{folder}/{relative}", data)
            return self._commit(slug, version, name, digest, hashes)
        except BaseException as exc:
            self._undo(fresh_root, fresh_folder, folder)
            if isinstance(exc, StoreUnreachableError) and not isinstance(exc, RegistryError):
                raise self._unreachable(exc) from None
            raise

    def check_publishable(self, path: str | os.PathLike[str], version: str | None = None) -> tuple[str, str, str]:
        """Check what :meth:`publish` checks before it writes anything; return the slug, version and name.

        Raises:
            BundleError: The directory is not a bundle.
            RegistryError: There is no version to publish, or it is not valid.
            VersionExistsError: That version is published already.
            RegistryUnreachableError: The registry cannot be read.
        """
        root = Path(path)
        slug, name, meta = check_bundle(root)
        version = check_version(version if version is not None else _frontmatter_version(root, meta))
        self._refuse_existing(slug, version)
        return slug, version, name

    def find_published(self, path: str | os.PathLike[str], version: str | None = None) -> PublishedVersion | None:
        """The published version the bundle at ``path`` already is: same slug, version and content; else ``None``.

        Raises:
            BundleError: The directory is not a bundle.
            RegistryError: There is no version, or it is not valid.
            RegistryUnreachableError: The registry cannot be read.
        """
        root = Path(path)
        slug, _, meta = check_bundle(root)
        version = check_version(version if version is not None else _frontmatter_version(root, meta))
        digest = bundle_hash({relative: content_hash(data) for relative, data in bundle_files(root).items()})
        for found in self.versions(slug):
            if found.version == version and found.content_hash == digest:
                return found
        return None

    def _refuse_existing(self, slug: str, version: str) -> None:
        for found in self.versions(slug):
            if found.version == version:
                raise VersionExistsError(
                    f"{slug} {version} is already published to {self.url} (revision {found.revision}, "
                    f"{found.short_hash}); published versions never change: publish a new version (--version)"
                )

    def _commit(self, slug: str, version: str, name: str, digest: str, hashes: Mapping[str, str]) -> PublishedVersion:
        for _ in range(_COMMIT_ATTEMPTS):
            numbers = self._log_numbers()
            number = (numbers[-1] if numbers else 0) + 1
            entry = PublishedVersion(
                slug=slug,
                version=version,
                revision=number,
                content_hash=digest,
                files=MappingProxyType(dict(hashes)),
                published_at=_now(),
                name=name,
            )
            data = (json.dumps(entry.to_json(), indent=2, sort_keys=True) + "\n").encode()
            if self._store.create(f"log/{number:08d}.json", data):
                self._entries[number] = entry
                return entry
            self._refuse_existing(slug, version)  # the publish that took the number may have been this version
        raise RegistryError(f"could not publish {slug} {version} to {self.url}: other publishes kept taking its place")

    def _undo(self, fresh_root: bool, fresh_folder: bool, folder: str) -> None:
        try:
            if fresh_root:
                self._store.remove("")
            elif fresh_folder:
                self._store.remove(folder)
        except (StoreUnreachableError, OSError):  # the store is gone: nothing it holds is visible either
            pass

    # -- reading bundles -------------------------------------------------------------------------

    def read_files(self, published: PublishedVersion) -> dict[str, bytes]:
        """Return the files of a published version, each checked against its hash.

        Raises:
            RegistryError: A file is missing, or its bytes do not match its hash.
            RegistryUnreachableError: The registry cannot be read.
        """
        folder = f"bundles/{published.content_hash.removeprefix('sha256:')}"
        found: dict[str, bytes] = {}
        for relative, digest in sorted(published.files.items()):
            try:
                data = self._store.read(f"{folder}/{relative}")
            except FileNotFoundError:
                raise RegistryError(
                    f"the registry at {self.url} has lost {relative} of {published.slug} {published.version}"
                ) from None
            except StoreUnreachableError as exc:
                raise self._unreachable(exc) from None
            if content_hash(data) != digest:
                raise RegistryError(
                    f"{relative} of {published.slug} {published.version} in the registry at {self.url} "
                    "does not match its content hash: the file was changed after it was published"
                )
            found[relative] = data
        return found

    def materialize(self, published: PublishedVersion, into: str | os.PathLike[str]) -> Path:
        """Write a published version's files into ``into/<slug>-<hash>/`` (once) and return that directory.

        The directory appears whole or not at all (it is written under a
        temporary name, then renamed), so processes sharing ``into`` never see
        half a bundle.

        Raises:
            RegistryError: A file is missing or does not match its hash.
            RegistryUnreachableError: The registry cannot be read.
        """
        base = Path(into)
        target = base / f"{published.slug}-{published.content_hash.removeprefix('sha256:')[:16]}"
        if target.is_dir():
            return target
        files = self.read_files(published)
        staging = base / f".{target.name}.{uuid.uuid4().hex[:12]}"
        try:
            for relative, data in files.items():
                destination = staging / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(data)
            try:
                staging.rename(target)
            except OSError:
                if not target.is_dir():
                    raise
        except OSError as exc:
            raise RegistryError(
                f"cannot write {published.slug} {published.version} into {base}: {exc.strerror or exc}"
            ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def load(self, published: PublishedVersion, cache: str | os.PathLike[str]) -> Bundle:
        """Materialize a published version under ``cache`` and import it with :func:`~ntro.workflow.bundle.load_bundle`.

        Each version is imported once per process under a package name of its
        own, so two versions of one runbook live side by side.

        Raises:
            BundleError: The bundle does not load here (a module that fails to import...).
            RegistryError: Its files cannot be read from the registry.
        """
        return load_bundle(self.materialize(published, cache))

    def load_revision(self, revision: Revision, cache: str | os.PathLike[str]) -> LoadedRevision:
        """Import every bundle of ``revision``; the ones that fail are reported, not raised."""
        bundles: dict[str, Bundle] = {}
        failures: dict[str, str] = {}
        for slug, published in sorted(revision.runbooks.items()):
            try:
                bundles[slug] = self.load(published, cache)
            except RegistryUnreachableError:
                raise
            except (BundleError, RegistryError) as exc:
                failures[slug] = str(exc)
        return LoadedRevision(revision, MappingProxyType(bundles), MappingProxyType(failures))

    # -- bindings ----------------------------------------------------------------------------------

    def bindings(self) -> list[Binding]:
        """Every binding, by id."""
        try:
            names = self._store.names("bindings")
        except StoreUnreachableError as exc:
            raise self._unreachable(exc) from None
        return [self.binding(name.removesuffix(".json")) for name in names if name.endswith(".json")]

    def binding(self, binding_id: str) -> Binding:
        """Return the binding ``binding_id``.

        Raises:
            RegistryError: There is none.
        """
        check_binding_id(binding_id)
        relative = f"bindings/{binding_id}.json"
        try:
            data = self._read_json(relative)
        except FileNotFoundError:
            raise RegistryError(f"the registry at {self.url} has no binding {binding_id!r}") from None
        try:
            return Binding.from_json(data)
        except (KeyError, TypeError, ValueError):
            raise RegistryError(f"the registry at {self.url} has a damaged file: {relative} is not a binding") from None

    def add_binding(self, binding: Binding) -> Binding:
        """Record ``binding``; return it (with ``created_at`` set when it was empty).

        Raises:
            RegistryError: A binding with its id exists, or its id is not valid.
            RegistryUnreachableError: The registry cannot be written.
        """
        check_binding_id(binding.id)
        if not binding.created_at:
            binding = attrs.evolve(binding, created_at=_now())
        data = (json.dumps(binding.to_json(), indent=2, sort_keys=True) + "\n").encode()
        try:
            created = self._store.create(f"bindings/{binding.id}.json", data)
        except StoreUnreachableError as exc:
            raise self._unreachable(exc) from None
        if not created:
            raise RegistryError(
                f"a binding with id {binding.id!r} exists in {self.url}; remove it first, or pick another --binding"
            )
        return binding

    def remove_binding(self, binding_id: str) -> None:
        """Forget the binding ``binding_id`` (its schedule is the caller's to delete first).

        Raises:
            RegistryError: There is none.
        """
        self.binding(binding_id)
        try:
            self._store.remove(f"bindings/{binding_id}.json")
        except StoreUnreachableError as exc:
            raise self._unreachable(exc) from None
