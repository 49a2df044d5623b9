"""A registry on a laptop: ``ntro workflow create``, ``versions`` and ``bindings`` with no cluster, and
``ntro workflow run SLUG`` running a published version in-process.

The bundles are the deploy tests' (``tests/deploy/bundles``): ``deploy-review``
starts ``deploy-check`` by slug, and each says which version's code ran.
"""

from __future__ import annotations

import json
import os
import re
from importlib.util import find_spec
from pathlib import Path

import pytest

from ntro.cli import main
from ntro.registry import open_registry

REPO = Path(__file__).resolve().parents[2]
BUNDLES = REPO / "tests" / "deploy" / "bundles"
ACME = json.dumps({"entity_slug": "acme"})

needs_create = pytest.mark.skipif(
    find_spec("ntro.runtime.temporal") is None or find_spec("ntro.testing") is None,
    reason="ntro workflow create comes with ntro-runtime-temporal and checks bundles with ntro-harness",
)


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty registry directory; no cluster is configured."""
    for name in ("TEMPORAL_HOST", "TEMPORAL_ADDRESS", "NTRO_REGISTRY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "registry"


def ntro(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, err


@needs_create
def test_create_versions_and_bindings_need_no_cluster(capsys: pytest.CaptureFixture[str], registry: Path) -> None:
    where = ["--registry", str(registry)]
    out, _ = ntro(capsys, "workflow", "create", "--path", str(BUNDLES / "check-v1"), *where)
    first = open_registry(str(registry)).latest_revision()
    assert first is not None
    assert out == (
        f"published deploy-check 1.0 to {registry} as revision {first.id} "
        f"({first.runbooks['deploy-check'].short_hash})\n"
    )
    out, _ = ntro(
        capsys, "workflow", "create", "--path", str(BUNDLES / "review-v1"), *where, "--entity", "acme", "--pin"
    )
    second = open_registry(str(registry)).latest_revision()
    assert second is not None and second.number == 2
    assert out.splitlines()[1] == (
        f"bound deploy-review to entity acme as binding deploy-review-acme: its runs stay on 1.0 (revision {second.id})"
    )
    ntro(capsys, "workflow", "create", "--path", str(BUNDLES / "review-v2"), *where)
    out, _ = ntro(capsys, "workflow", "create", "--path", str(BUNDLES / "review-v1"), *where, "--entity", "globex")
    assert out.splitlines() == [
        "deploy-review 1.0 is published already, with the same content (revision r2); binding it",
        "bound deploy-review to entity globex as binding deploy-review-globex: each run takes the newest version",
    ]

    out, _ = ntro(capsys, "workflow", "versions", *where)
    lines = [re.sub(r"\s+", " ", line) for line in out.splitlines()]
    assert [line.split(" sha256:")[0] for line in lines] == [
        "deploy-check 1.0 revision 1",
        "deploy-review 1.0 revision 2",
        "deploy-review 2.0 revision 3",
    ]
    assert [line.endswith("newest") for line in lines] == [True, False, True]
    out, _ = ntro(capsys, "workflow", "versions", "deploy-review", *where, "--json")
    assert [(v["version"], v["newest"]) for v in json.loads(out)] == [("1.0", False), ("2.0", True)]

    out, _ = ntro(capsys, "workflow", "bindings", *where)
    assert [re.sub(r"\s+", " ", line) for line in out.splitlines()] == [
        f"deploy-review-acme deploy-review acme 1.0 (pinned: revision {second.id}) no schedule",
        "deploy-review-globex deploy-review globex newest no schedule",
    ]
    binding, _ = json.loads(ntro(capsys, "workflow", "bindings", *where, "--json")[0])
    assert (binding["input"], binding["pinned"], binding["revision"]) == (
        {"entity_slug": "acme", "batch": "batch", "needs_review": True},
        True,
        second.id,
    )
    out, _ = ntro(capsys, "workflow", "bindings", "--remove", "deploy-review-acme", *where)
    assert out == "removed binding deploy-review-acme\n"
    ntro(capsys, "workflow", "bindings", "--remove", "deploy-review-globex", *where)
    assert ntro(capsys, "workflow", "bindings", *where)[0] == f"no bindings in {registry}\n"


def _publish_all(registry: Path) -> None:
    for bundle in ("check-v1", "review-v1", "check-v2", "review-v2"):
        open_registry(str(registry)).publish(BUNDLES / bundle)


def test_run_a_published_version_with_its_revisions_children(
    capsys: pytest.CaptureFixture[str], registry: Path
) -> None:
    _publish_all(registry)
    revisions = open_registry(str(registry)).revisions()

    out, err = ntro(capsys, "workflow", "run", "deploy-review", "--registry", str(registry), "--input", ACME)
    assert err.splitlines()[0] == f"ntro: deploy-review 2.0 from {registry} (revision {revisions[3].id})"
    assert json.loads(out)[3] == "checked batch with deploy-check v2"  # the newest revision: v2 and its v2 child

    out, err = ntro(capsys, "workflow", "run", "deploy-review", "--registry", str(registry), "--version", "1.0",
                    "--input", ACME, "--quiet")  # fmt: skip
    assert err == ""
    assert json.loads(out)[:2] == ["deploy-review v1 for acme", "prepared batch with v1 in " + str(os.getpid())]
    assert json.loads(out)[3] == "checked batch with deploy-check v1"  # the child as it was when 1.0 was published


def test_a_slug_runs_from_ntro_registry_and_a_directory_is_still_a_directory(
    capsys: pytest.CaptureFixture[str], registry: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _publish_all(registry)
    monkeypatch.setenv("NTRO_REGISTRY", str(registry))
    monkeypatch.chdir(tmp_path)
    out, _ = ntro(capsys, "workflow", "run", "deploy-check", "--input", '"b1"', "-q")
    assert json.loads(out) == {"text": "checked b1 with deploy-check v2", "version": 2}
    out, _ = ntro(capsys, "workflow", "run", str(BUNDLES / "check-v1"), "--input", '"b2"', "-q")
    assert json.loads(out) == "checked b2 with deploy-check v1"
