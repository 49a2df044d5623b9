"""The runbook registry, on a directory and on ``memory://``: publish, versions, revisions, bindings.

Nothing here runs a workflow (no backend is needed); loading imports bundles only.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fsspec
import pytest
from fsspec.implementations.memory import MemoryFileSystem

from ntro.registry import (
    Binding,
    Registry,
    RegistryError,
    RegistryUnreachableError,
    VersionExistsError,
    binding_input,
    bundle_files,
    open_registry,
)
from ntro.workflow.bundle import BundleError, InputError

RUNBOOK_MD = """\
---
slug: {slug}
name: Greeter
version: {version}
state: DRAFT
author: tests
---
Says hello.
"""

WORKFLOW = """\
from __future__ import annotations

from pydantic import BaseModel

from ntro.workflow import NtroWorkflow, runbook


class Ctx(BaseModel):
    entity_slug: str = "nobody"
    greeting: str = "hello"


@runbook.defn(slug="{slug}")
class {cls}(NtroWorkflow):
    @runbook.run
    async def run(self, ctx: Ctx) -> str:
        return "{answer} " + ctx.entity_slug
"""

PLAIN_WORKFLOW = """\
from ntro.workflow import NtroWorkflow, runbook


@runbook.defn(slug="{slug}")
class {cls}(NtroWorkflow):
    @runbook.run
    async def run(self, count: int) -> int:
        return count
"""


def _cls(slug: str) -> str:
    return "".join(part.title() for part in slug.split("-")) + "Workflow"


@pytest.fixture
def make_bundle(tmp_path: Path) -> Callable[..., Path]:
    """``make_bundle(slug, version, answer="v1", workflow=WORKFLOW)``: a bundle directory of its own."""

    def make(slug: str = "greeter", version: str = "1", answer: str = "v1", workflow: str = WORKFLOW) -> Path:
        root = tmp_path / "src" / f"{slug}-{version}-{uuid.uuid4().hex[:6]}"
        (root / "templates").mkdir(parents=True)
        (root / "runbook.md").write_text(RUNBOOK_MD.format(slug=slug, version=version))
        (root / "templates" / "__init__.py").write_text("")
        (root / "templates" / "workflow.py").write_text(workflow.format(slug=slug, cls=_cls(slug), answer=answer))
        return root

    return make


@pytest.fixture(params=["directory", "memory"])
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh registry: a directory, or a ``memory://`` store."""
    if request.param == "directory":
        yield str(tmp_path / "registry")
        return
    name = f"memory://ntro-tests/{uuid.uuid4().hex}"
    yield name
    fs = fsspec.filesystem("memory")
    if fs.exists(name.removeprefix("memory://")):
        fs.rm(name.removeprefix("memory://"), recursive=True)


def _stored(url: str) -> list[str]:
    fs, root = fsspec.core.url_to_fs(url)
    if not fs.exists(root):
        return []
    return sorted(str(p).removeprefix(root.rstrip("/") + "/") for p in fs.find(root))


# -- publish and read ------------------------------------------------------------------------------


def test_publish_makes_a_version_a_revision_and_a_content_hash(
    registry_url: str, make_bundle: Callable[..., Path]
) -> None:
    bundle = make_bundle(version="1.0")
    registry = open_registry(registry_url)
    published = registry.publish(bundle)

    assert (published.slug, published.version, published.revision, published.name) == ("greeter", "1.0", 1, "Greeter")
    files = bundle_files(bundle)
    assert sorted(published.files) == ["runbook.md", "templates/__init__.py", "templates/workflow.py"]
    assert published.files == {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    listing = "".join(f"{p}\0{hashlib.sha256(d).hexdigest()}\n" for p, d in sorted(files.items()))
    assert published.content_hash == "sha256:" + hashlib.sha256(listing.encode()).hexdigest()

    again = open_registry(registry_url)  # another process's view: read from the store
    assert again.versions("greeter") == [published]
    assert again.get("greeter") == published
    assert again.read_files(published) == files
    assert [r.describe() for r in again.revisions()] == ["greeter 1.0"]


def test_versions_and_revisions_follow_the_order_of_publishing(
    registry_url: str, make_bundle: Callable[..., Path]
) -> None:
    registry = open_registry(registry_url)
    v1 = registry.publish(make_bundle(version="1"))
    registry.publish(make_bundle(slug="other", version="7", workflow=PLAIN_WORKFLOW))
    v2 = registry.publish(make_bundle(version="2", answer="v2"))

    assert [v.version for v in registry.versions("greeter")] == ["1", "2"]
    assert registry.get("greeter").version == "2"
    assert registry.get("greeter", "1") == v1
    assert registry.slugs() == ["greeter", "other"]
    revisions = registry.revisions()
    assert [(r.number, r.describe()) for r in revisions] == [
        (1, "greeter 1"),
        (2, "greeter 1, other 7"),
        (3, "greeter 2, other 7"),
    ]
    assert len({r.id for r in revisions}) == 3 and all(r.id.startswith(f"r{r.number}-") for r in revisions)
    assert registry.revision_for("greeter", "1").number == 1  # the revision its publish made
    assert registry.revision_for("other").number == 3  # the newest
    assert registry.revision_for("other", "7").number == 2
    assert registry.revision(revisions[0].id) == revisions[0]
    assert registry.revision("r2") == revisions[1]
    assert registry.latest_revision() == revisions[2]
    assert v2.revision == 3


def test_the_same_content_has_the_same_hash_and_is_stored_once(
    registry_url: str, make_bundle: Callable[..., Path]
) -> None:
    registry = open_registry(registry_url)
    first = registry.publish(make_bundle(version="1"))
    same = registry.publish(make_bundle(version="1.1"))  # another directory, same files but runbook.md's version
    assert first.content_hash != same.content_hash  # runbook.md differs (its version line)
    copy = make_bundle(version="1")
    twin = registry.publish(copy, version="1-copy")  # the very same files as the first
    assert twin.content_hash == first.content_hash
    folders = {path.split("/")[1] for path in _stored(registry_url) if path.startswith("bundles/")}
    assert len(folders) == 2


def test_a_published_version_is_refused_again_and_never_changes(
    registry_url: str, make_bundle: Callable[..., Path]
) -> None:
    registry = open_registry(registry_url)
    published = registry.publish(make_bundle(version="1"))
    before = {path: open_registry(registry_url)._store.read(path) for path in _stored(registry_url)}

    with pytest.raises(VersionExistsError, match=r"greeter 1 is already published .*revision 1"):
        registry.publish(make_bundle(version="1", answer="changed"))
    with pytest.raises(VersionExistsError):
        open_registry(registry_url).publish(make_bundle(version="2", answer="changed"), version="1")

    assert {path: open_registry(registry_url)._store.read(path) for path in _stored(registry_url)} == before
    assert open_registry(registry_url).versions("greeter") == [published]


def test_find_published_knows_a_bundle_by_its_content(registry_url: str, make_bundle: Callable[..., Path]) -> None:
    registry = open_registry(registry_url)
    bundle = make_bundle(version="1")
    assert registry.find_published(bundle) is None
    published = registry.publish(bundle)
    assert registry.find_published(bundle) == published
    assert registry.find_published(bundle, "2") is None  # another version
    (bundle / "templates" / "workflow.py").write_text((bundle / "templates" / "workflow.py").read_text() + "\n")
    assert registry.find_published(bundle) is None  # the same version, other content


def test_a_changed_file_in_the_store_is_caught(registry_url: str, make_bundle: Callable[..., Path]) -> None:
    registry = open_registry(registry_url)
    published = registry.publish(make_bundle(version="1"))
    folder = published.content_hash.removeprefix("sha256:")
    registry._store.write(f"bundles/{folder}/templates/workflow.py", b"print('tampered')\n")
    with pytest.raises(RegistryError, match="does not match its content hash"):
        registry.read_files(published)


def test_materialize_writes_the_files_once_and_load_imports_versions_side_by_side(
    tmp_path: Path, registry_url: str, make_bundle: Callable[..., Path]
) -> None:
    registry = open_registry(registry_url)
    v1 = registry.publish(make_bundle(version="1", answer="one"))
    v2 = registry.publish(make_bundle(version="2", answer="two"))
    cache = tmp_path / "cache"
    place = registry.materialize(v1, cache)
    assert registry.materialize(v1, cache) == place
    assert (place / "templates" / "workflow.py").read_text().count('"one "') == 1
    assert [p.name for p in cache.iterdir()] == [place.name]  # no staging directory left behind

    first, second = registry.load(v1, cache), registry.load(v2, cache)
    assert first.workflow_cls is not second.workflow_cls
    assert first.workflow_cls.__module__ != second.workflow_cls.__module__
    assert registry.load(v1, cache).workflow_cls is first.workflow_cls  # imported once per process


def test_load_revision_reports_a_bundle_that_does_not_import(
    tmp_path: Path, registry_url: str, make_bundle: Callable[..., Path]
) -> None:
    registry = open_registry(registry_url)
    registry.publish(make_bundle(version="1"))
    registry.publish(make_bundle(slug="broken", version="1", workflow="import not_a_module_anywhere\n"))
    loaded = registry.load_revision(registry.revisions()[-1], tmp_path / "cache")
    assert list(loaded.bundles) == ["greeter"]
    assert list(loaded.failures) == ["broken"]
    assert "No module named 'not_a_module_anywhere'" in loaded.failures["broken"]


# -- all or nothing ----------------------------------------------------------------------------------


class FlakyMemory(MemoryFileSystem):
    """The memory store, failing every write after ``writes_left`` of them (a store that goes away mid-publish)."""

    protocol = "ntro-flaky"
    store: dict[str, Any] = {}  # noqa: RUF012 - the same class-level store MemoryFileSystem keeps, of its own
    pseudo_dirs = [""]  # noqa: RUF012
    writes_left = 0

    def _spend(self) -> None:
        if FlakyMemory.writes_left <= 0:
            raise ConnectionResetError(104, "Connection reset by peer")
        FlakyMemory.writes_left -= 1

    def pipe_file(self, path: str, value: bytes, *args: Any, **kwargs: Any) -> Any:
        self._spend()
        return super().pipe_file(path, value, *args, **kwargs)

    def open(self, path: str, mode: str = "rb", *args: Any, **kwargs: Any) -> Any:
        if "r" not in mode:
            self._spend()
        return super().open(path, mode, *args, **kwargs)


fsspec.register_implementation("ntro-flaky", FlakyMemory, clobber=True)


@pytest.mark.parametrize("writes", [0, 1, 2, 3])
def test_a_publish_that_fails_part_way_leaves_nothing(writes: int, make_bundle: Callable[..., Path]) -> None:
    url = f"ntro-flaky://{uuid.uuid4().hex}"
    FlakyMemory.writes_left = writes  # 3 files, then the log entry: every failure point
    with pytest.raises(RegistryUnreachableError, match=rf"cannot write to the registry at {url}: .*reset by peer"):
        open_registry(url).publish(make_bundle(version="1"))
    assert _stored(url) == []
    assert open_registry(url).versions("greeter") == []


@pytest.mark.parametrize("writes", [0, 2, 3])
def test_a_failed_publish_leaves_what_was_published_before(writes: int, make_bundle: Callable[..., Path]) -> None:
    url = f"ntro-flaky://{uuid.uuid4().hex}"
    FlakyMemory.writes_left = 100
    first = open_registry(url).publish(make_bundle(version="1"))
    before = _stored(url)
    FlakyMemory.writes_left = writes
    with pytest.raises(RegistryUnreachableError):
        open_registry(url).publish(make_bundle(version="2", answer="v2"))
    assert _stored(url) == before
    assert open_registry(url).versions("greeter") == [first]


def test_a_directory_registry_never_shows_a_half_written_file(tmp_path: Path, make_bundle: Callable[..., Path]) -> None:
    registry = open_registry(str(tmp_path / "registry"))
    registry.publish(make_bundle(version="1"))
    leftovers = [p for p in (tmp_path / "registry").rglob("*") if p.name.startswith(".")]
    assert leftovers == []  # temporary files are renamed or linked into place, then removed


# -- bad bundles, bad versions, unreachable registries ---------------------------------------------


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda b: (b / "runbook.md").unlink(), "no runbook.md"),
        (lambda b: (b / "templates" / "workflow.py").unlink(), "no templates/workflow.py"),
        (lambda b: (b / "runbook.md").write_text("---\nslug: Bad Slug\nversion: 1\n---\n"), "slug 'Bad Slug'"),
        (lambda b: (b / "runbook.md").write_text("no frontmatter\n"), "no YAML frontmatter"),
    ],
)
def test_a_bad_bundle_is_refused_before_anything_is_written(
    registry_url: str, make_bundle: Callable[..., Path], damage: Callable[[Path], Any], words: str
) -> None:
    bundle = make_bundle(version="1")
    damage(bundle)
    with pytest.raises(BundleError, match=words):
        open_registry(registry_url).publish(bundle)
    assert _stored(registry_url) == []


def test_a_missing_or_bad_version_is_refused(registry_url: str, make_bundle: Callable[..., Path]) -> None:
    bundle = make_bundle(version="1")
    (bundle / "runbook.md").write_text("---\nslug: greeter\nname: Greeter\n---\n")
    with pytest.raises(RegistryError, match="no version to publish; give --version V"):
        open_registry(registry_url).publish(bundle)
    with pytest.raises(RegistryError, match="version 'one two' is not valid"):
        open_registry(registry_url).publish(bundle, version="one two")
    assert _stored(registry_url) == []


def test_a_registry_that_cannot_be_reached_is_one_error(tmp_path: Path, make_bundle: Callable[..., Path]) -> None:
    with pytest.raises(RegistryUnreachableError, match="Protocol not known: nosuch"):
        open_registry("nosuch://registry")
    with pytest.raises(RegistryUnreachableError, match=r'not installed: pip install "ntro-core\[gcs\]"'):
        open_registry("gs://bucket/registry")
    with pytest.raises(RegistryUnreachableError, match=r"the registry URL 's3://' names no bucket"):
        open_registry("s3://")
    with pytest.raises(RegistryUnreachableError, match="the registry URL is empty"):
        open_registry(" ")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    under_a_file = open_registry(str(blocker / "registry"))
    with pytest.raises(RegistryUnreachableError, match=f"cannot write to the registry at {blocker}/registry"):
        under_a_file.publish(make_bundle(version="1"))
    with pytest.raises(RegistryUnreachableError, match="is not a directory"):
        open_registry(str(blocker)).versions("greeter")


def test_an_empty_registry_reads_as_empty(tmp_path: Path) -> None:
    registry = open_registry(str(tmp_path / "nothing-here"))
    assert registry.published() == [] and registry.revisions() == [] and registry.bindings() == []
    assert registry.latest_revision() is None
    with pytest.raises(RegistryError, match="has no runbook 'greeter' \\(it has: none\\)"):
        registry.get("greeter")
    assert not (tmp_path / "nothing-here").exists()


def test_a_damaged_log_entry_is_one_error(tmp_path: Path, make_bundle: Callable[..., Path]) -> None:
    registry = open_registry(str(tmp_path / "registry"))
    registry.publish(make_bundle(version="1"))
    (tmp_path / "registry" / "log" / "00000002.json").write_text("{not json")
    with pytest.raises(RegistryError, match=r"log/00000002\.json is not JSON"):
        open_registry(str(tmp_path / "registry")).published()


def test_the_default_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NTRO_REGISTRY", str(tmp_path / "from-env"))
    assert open_registry().url == str(tmp_path / "from-env")
    monkeypatch.delenv("NTRO_REGISTRY")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert open_registry().url == str(tmp_path / "data" / "ntro" / "registry")


# -- bindings ----------------------------------------------------------------------------------------


def _binding(**changes: Any) -> Binding:
    fields: dict[str, Any] = {
        "id": "greeter-acme",
        "slug": "greeter",
        "entity": "acme",
        "input": {"entity_slug": "acme"},
        "version": "1",
        "revision": "r1-00000000",
    }
    fields.update(changes)
    return Binding(**fields)


def test_bindings_are_recorded_listed_and_removed(registry_url: str) -> None:
    registry = open_registry(registry_url)
    added = registry.add_binding(_binding(pinned=True, every=3600, task_queue="runbooks"))
    registry.add_binding(_binding(id="greeter-globex", entity="globex", cron="0 6 * * 1-5"))
    assert added.created_at
    reread = open_registry(registry_url)
    assert [b.id for b in reread.bindings()] == ["greeter-acme", "greeter-globex"]
    assert reread.binding("greeter-acme") == added
    assert reread.binding("greeter-acme").scheduled and not _binding().scheduled
    with pytest.raises(RegistryError, match="a binding with id 'greeter-acme' exists"):
        reread.add_binding(_binding())
    reread.remove_binding("greeter-acme")
    assert [b.id for b in open_registry(registry_url).bindings()] == ["greeter-globex"]
    with pytest.raises(RegistryError, match="has no binding 'greeter-acme'"):
        reread.remove_binding("greeter-acme")
    with pytest.raises(RegistryError, match="binding id 'no way' is not valid"):
        reread.add_binding(_binding(id="no way"))


def test_binding_input_puts_the_entity_in_and_checks_the_model(
    tmp_path: Path, make_bundle: Callable[..., Path]
) -> None:
    registry = open_registry(str(tmp_path / "registry"))
    cls = registry.load(registry.publish(make_bundle(slug="entity-greeter")), tmp_path / "cache").workflow_cls
    value = binding_input(cls, "acme", '{"greeting": "hi"}')
    assert (value.entity_slug, value.greeting) == ("acme", "hi")
    assert binding_input(cls, "acme", None).entity_slug == "acme"
    assert binding_input(cls, "acme", {"entity_slug": "acme"}).entity_slug == "acme"
    with pytest.raises(InputError, match="entity_slug 'globex' is not the binding's entity 'acme'"):
        binding_input(cls, "acme", {"entity_slug": "globex"})
    with pytest.raises(InputError, match="greeting: Input should be a valid string"):
        binding_input(cls, "acme", {"greeting": 3})
    with pytest.raises(InputError, match="--input is not valid JSON"):
        binding_input(cls, "acme", "{")

    plain = registry.load(
        registry.publish(make_bundle(slug="counter", workflow=PLAIN_WORKFLOW)), tmp_path / "cache"
    ).workflow_cls
    assert binding_input(plain, "acme", "3") == 3  # no entity_slug field: the input as given
    assert binding_input(plain, "acme", 3) == 3
    with pytest.raises(InputError, match="needs input"):
        binding_input(plain, "acme", None)


def test_log_entries_are_plain_json(tmp_path: Path, make_bundle: Callable[..., Path]) -> None:
    """The registry is readable without ntro: one JSON file per publish."""
    registry: Registry = open_registry(str(tmp_path / "registry"))
    published = registry.publish(make_bundle(version="1"))
    entry = json.loads((tmp_path / "registry" / "log" / "00000001.json").read_text())
    assert entry == {**published.to_json(), "format": 1}
