"""Paths: empty, missing, the wrong kind, unreadable, looping; and directories with nothing in them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from ntro_bad_input import (
    EXAMPLES,
    INGEST,
    REPO,
    can_drop_privileges,
    needs_harness,
    needs_temporal_commands,
    refused,
)

NO_HOST = ["--host", "127.0.0.1:1"]  # never contacted: the path is refused first

Layout = Callable[[Path], str]


def _empty_dir(root: Path) -> str:
    (root / "empty").mkdir()
    return str(root / "empty")


def _only_skipped_dirs(root: Path) -> str:
    for name in ("__pycache__", ".hidden", "build", "node_modules"):
        (root / "tree" / name).mkdir(parents=True)
        (root / "tree" / name / "code.py").write_text("x = 1\n")
    return str(root / "tree")


def _directory_symlink_loop(root: Path) -> str:
    (root / "loop").mkdir()
    (root / "loop" / "again").symlink_to(root / "loop", target_is_directory=True)
    return str(root / "loop")


def _symlink_loop(root: Path) -> str:
    (root / "a.py").symlink_to(root / "b.py")
    (root / "b.py").symlink_to(root / "a.py")
    return str(root / "a.py")


def _dangling_symlink(root: Path) -> str:
    (root / "gone.py").symlink_to(root / "never-there.py")
    return str(root / "gone.py")


def _file(root: Path) -> str:
    (root / "notes.txt").write_text("not a bundle\n")
    return str(root / "notes.txt")


def _runbook_md_is_a_directory(root: Path) -> str:
    (root / "odd" / "runbook.md").mkdir(parents=True)
    return str(root / "odd")


def _no_templates(root: Path) -> str:
    (root / "bare").mkdir()
    (root / "bare" / "runbook.md").write_text("---\nslug: bare\n---\n")
    return str(root / "bare")


def _missing(root: Path) -> str:
    return str(root / "no" / "such" / "bundle")


LAYOUTS: dict[str, Layout] = {
    "empty-dir": _empty_dir,
    "missing": _missing,
    "file": _file,
    "runbook-md-dir": _runbook_md_is_a_directory,
    "no-templates": _no_templates,
}

# (command before the path, command after it, layout, words)
CASES = [
    # ntro workflow run
    pytest.param(["workflow", "run"], [], lambda _: "", ["the bundle path is empty"], id="run-empty-path"),
    pytest.param(["workflow", "run"], [], lambda _: "   ", ["the bundle path is empty"], id="run-blank-path"),
    pytest.param(["workflow", "run"], [], _missing, ["no such directory"], id="run-missing"),
    pytest.param(["workflow", "run"], [], _file, ["not a directory"], id="run-a-file"),
    pytest.param(["workflow", "run"], [], _empty_dir, ["not a runbook bundle (no runbook.md)"], id="run-empty-dir"),
    pytest.param(["workflow", "run"], [], _runbook_md_is_a_directory, ["no runbook.md"], id="run-runbook-md-dir"),
    pytest.param(["workflow", "run"], [], _no_templates, ["no templates/ directory"], id="run-no-templates"),
    pytest.param(["workflow", "run"], [], lambda _: "a\0b", ["is not a usable path"], id="run-nul-byte"),
    pytest.param(["workflow", "run"], [], lambda r: str(r / ("x" * 5000)), ["cannot be read"], id="run-name-too-long"),
    pytest.param(["workflow", "run", INGEST, "--child"], [], lambda _: "", ["empty"], id="run-child-empty"),
    pytest.param(["workflow", "run", INGEST, "--child"], [], _missing, ["no such directory"], id="run-child-missing"),
    pytest.param(["workflow", "run", INGEST, "--child"], [], _file, ["not a directory"], id="run-child-file"),
]
HARNESS_CASES = [
    # ntro workflow test
    pytest.param(["workflow", "test"], [], lambda _: "", ["the bundle path is empty"], id="test-empty-path"),
    pytest.param(["workflow", "test"], [], _missing, ["no such directory"], id="test-missing"),
    pytest.param(["workflow", "test"], [], _empty_dir, ["not a runbook bundle"], id="test-empty-dir"),
    pytest.param(
        ["workflow", "test", INGEST, "--junit"],
        [],
        lambda r: str(r / "missing" / "report.xml"),
        ["--junit", "its directory does not exist"],
        id="test-junit-dir-missing",
    ),
    pytest.param(
        ["workflow", "test", INGEST, "--html"],
        [],
        lambda r: str(r / "missing" / "report.html"),
        ["--html", "its directory does not exist"],
        id="test-html-dir-missing",
    ),
    # ntro workflow validate
    pytest.param(["workflow", "validate"], [], lambda _: "", ["the bundle path is empty"], id="validate-empty-path"),
    pytest.param(["workflow", "validate"], [], _missing, ["no such directory"], id="validate-missing"),
    pytest.param(["workflow", "validate"], [], _file, ["is not a directory"], id="validate-a-file"),
    # ntro workflow lint
    pytest.param(["workflow", "lint"], [], lambda _: "", ["an empty path"], id="lint-empty-path"),
    pytest.param(["workflow", "lint"], [], _missing, ["no such file or directory"], id="lint-missing"),
    pytest.param(["workflow", "lint"], [], _empty_dir, ["nothing to lint here"], id="lint-empty-dir"),
    pytest.param(["workflow", "lint"], [], _only_skipped_dirs, ["nothing to lint here"], id="lint-only-skipped-dirs"),
    pytest.param(
        ["workflow", "lint"], [], _directory_symlink_loop, ["nothing to lint here", "symlinked"], id="lint-dir-loop"
    ),
    pytest.param(["workflow", "lint"], [], _symlink_loop, ["a broken symlink or a symlink loop"], id="lint-file-loop"),
    pytest.param(["workflow", "lint"], [], _dangling_symlink, ["a broken symlink"], id="lint-dangling-symlink"),
    pytest.param(["workflow", "lint"], [], lambda _: "a\0b.py", ["is not a usable path"], id="lint-nul-byte"),
]
TEMPORAL_CASES = [
    pytest.param(["worker"], NO_HOST, lambda _: "", ["an empty bundle path"], id="worker-empty-path"),
    pytest.param(["worker"], NO_HOST, _missing, ["no such directory"], id="worker-missing"),
    pytest.param(["worker"], NO_HOST, _empty_dir, ["no runbook bundle here"], id="worker-empty-dir"),
    pytest.param(["worker"], NO_HOST, _file, ["not a directory"], id="worker-a-file"),
    pytest.param(
        ["workflow", "start", "document-ingest", *NO_HOST, "--bundles"],
        [],
        lambda _: "",
        ["an empty bundle path"],
        id="start-bundles-empty",
    ),
    pytest.param(
        ["workflow", "start", "document-ingest", *NO_HOST, "--bundles"],
        [],
        _empty_dir,
        ["no runbook bundle here"],
        id="start-bundles-empty-dir",
    ),
]


@pytest.mark.parametrize(("before", "after", "layout", "words"), CASES)
def test_a_bad_path(tmp_path: Path, before: list[str], after: list[str], layout: Layout, words: list[str]) -> None:
    refused([*before, layout(tmp_path), *after], *words, code=2)


@needs_harness
@pytest.mark.parametrize(("before", "after", "layout", "words"), HARNESS_CASES)
def test_a_bad_path_for_the_harness(
    tmp_path: Path, before: list[str], after: list[str], layout: Layout, words: list[str]
) -> None:
    refused([*before, layout(tmp_path), *after], *words, code=2)


@needs_temporal_commands
@pytest.mark.parametrize(("before", "after", "layout", "words"), TEMPORAL_CASES)
def test_a_bad_path_for_a_cluster_command(
    tmp_path: Path, before: list[str], after: list[str], layout: Layout, words: list[str]
) -> None:
    refused([*before, layout(tmp_path), *after], *words, code=2)


# -- what another user cannot read (a real process, run as an unprivileged user when this is root) ----------


def _copy_bundle(source: str, target: Path) -> None:
    for path in Path(source).rglob("*"):
        if "__pycache__" in path.parts:
            continue
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(path.read_bytes())
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


UNREADABLE = [
    pytest.param(["workflow", "run", "{dir}", "-q"], "dir", id="run-unreadable-dir"),
    pytest.param(["workflow", "run", "{dir}/bundle", "-q"], "dir", id="run-bundle-inside-unreadable-dir"),
    pytest.param(["workflow", "run", "{md}", "-q"], "md", id="run-unreadable-runbook-md"),
    pytest.param(["workflow", "run", INGEST, "--child", "{dir}", "-q"], "dir", id="run-child-unreadable"),
    pytest.param(["workflow", "run", INGEST, "--input", "@{file}", "-q"], "file", id="run-input-file-unreadable"),
    pytest.param(["workflow", "lint", "{dir}"], "dir", id="lint-unreadable-dir", marks=needs_harness),
    pytest.param(["workflow", "lint", "{tree}"], "tree", id="lint-unreadable-subdir", marks=needs_harness),
    pytest.param(["workflow", "validate", "{dir}"], "dir", id="validate-unreadable-dir", marks=needs_harness),
    pytest.param(["workflow", "test", "{md}"], "md", id="test-unreadable-runbook-md", marks=needs_harness),
    pytest.param(["worker", "{dir}", *NO_HOST], "dir", id="worker-unreadable-dir", marks=needs_temporal_commands),
]


@pytest.fixture(scope="module")
def unreadable(shared_dir: Path) -> dict[str, str]:
    """Paths another user cannot read: a directory, a bundle's runbook.md, a file, a subdirectory in a tree."""
    root = shared_dir / "unreadable"
    _copy_bundle(INGEST, root / "dir" / "bundle")
    _copy_bundle(INGEST, root / "md")
    (root / "input.json").write_text('{"source": "bank-statement"}')
    (root / "tree" / "sub").mkdir(parents=True)
    (root / "tree" / "ok.py").write_text("x = 1\n")
    (root / "tree").chmod(0o755)
    (root / "dir").chmod(0o000)
    (root / "md" / "runbook.md").chmod(0o000)
    (root / "input.json").chmod(0o000)
    (root / "tree" / "sub").chmod(0o000)
    return {
        "dir": str(root / "dir"),
        "md": str(root / "md"),
        "file": str(root / "input.json"),
        "tree": str(root / "tree"),
    }


@pytest.mark.skipif(not can_drop_privileges(), reason="as root without setpriv, every file is readable")
@pytest.mark.parametrize(("argv", "what"), UNREADABLE)
def test_what_cannot_be_read(unreadable: dict[str, str], argv: list[str], what: str) -> None:
    filled = [arg.format(**unreadable) for arg in argv]
    refused(filled, "Permission denied", code=2, cwd=Path(unreadable["tree"]).parent, as_nobody=True)


def test_the_repository_is_not_a_bundle_either() -> None:
    """The examples directory holds bundles but is not one: said so, not run."""
    assert os.path.isdir(EXAMPLES) and (REPO / "README.md").is_file()
    refused(["workflow", "run", str(EXAMPLES)], "not a runbook bundle (no runbook.md)", code=2)
