"""The registry: bad bundles, versions, registries, bindings and inputs, each one line and nothing half-published.

After every refused ``ntro workflow create`` the registry holds nothing new:
no version, no binding, no file.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from ntro_bad_input import REPO, needs_harness, needs_temporal_commands, refused

from ntro.registry import Binding, open_registry

BUNDLES = REPO / "tests" / "deploy" / "bundles"
NO_HOST = ["--host", "127.0.0.1:1"]  # nothing listens there


@pytest.fixture
def review(tmp_path: Path) -> Path:
    """A copy of a good bundle (deploy-review 1.0), to spoil."""
    return Path(shutil.copytree(BUNDLES / "review-v1", tmp_path / "review"))


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    return tmp_path / "registry"


def _files(registry: Path) -> list[str]:
    return sorted(str(p.relative_to(registry)) for p in registry.rglob("*") if p.is_file()) if registry.exists() else []


def _spoil_frontmatter(bundle: Path) -> None:
    text = (bundle / "runbook.md").read_text()
    (bundle / "runbook.md").write_text(text.replace("author: The ntro developers\n", ""))


def _spoil_import(bundle: Path) -> None:
    workflow = bundle / "templates" / "workflow.py"
    workflow.write_text("import no_such_module_anywhere\n" + workflow.read_text())


def _spoil_determinism(bundle: Path) -> None:
    workflow = bundle / "templates" / "workflow.py"
    text = workflow.read_text().replace(
        'done = [f"deploy-review v1', 'done = [str(datetime.datetime.now()), f"deploy-review v1'
    )
    workflow.write_text(text.replace("from ntro.workflow import", "import datetime\n\nfrom ntro.workflow import"))


SPOILED_BUNDLES = [
    pytest.param(_spoil_frontmatter, "does not validate: [FRONTMATTER_FIELD_MISSING]", id="no-author"),
    pytest.param(_spoil_import, "does not validate: [WORKFLOW_PY_IMPORT_ERROR]", id="does-not-import"),
    pytest.param(_spoil_determinism, "fails the determinism lint", id="not-deterministic"),
]


@needs_temporal_commands
@needs_harness
@pytest.mark.parametrize(("spoil", "words"), SPOILED_BUNDLES)
def test_a_bundle_that_fails_its_checks_is_not_published(
    review: Path, registry: Path, spoil: Callable[[Path], None], words: str
) -> None:
    spoil(review)
    refused(["workflow", "create", "--path", str(review), "--registry", str(registry)], words, "nothing published")
    assert _files(registry) == []


def _published(registry: Path, *, changed: bool = False) -> None:
    """Publish deploy-review 1.0 (``changed``: with other content than the bundle the case publishes)."""
    bundle = BUNDLES / "review-v1"
    if changed:
        bundle = Path(shutil.copytree(bundle, registry.parent / "other-review"))
        (bundle / "templates" / "models.py").write_text((bundle / "templates" / "models.py").read_text() + "\n")
    open_registry(str(registry)).publish(bundle)


def _bound(registry: Path) -> None:
    _published(registry)
    binding = Binding(
        id="deploy-review-acme", slug="deploy-review", entity="acme", input=None, version="1.0", revision="r1"
    )
    open_registry(str(registry)).add_binding(binding)


CREATE = [
    # the bundle, the version
    pytest.param([], None, ["--path", ""], "--path is empty", 2, id="empty-path"),
    pytest.param([], None, ["--path", "/no/such/bundle"], "[RUNBOOK_DIR_NOT_FOUND]", 2, id="missing-path"),
    pytest.param([], _published, [], "deploy-review 1.0 is already published", 2, id="version-exists"),
    pytest.param(
        ["--entity", "acme", "--input", "{}"],
        lambda r: _published(r, changed=True),
        [],
        "deploy-review 1.0 is already published",
        2,
        id="version-exists-other-content",
    ),
    pytest.param(["--version", "1 0"], None, [], "version '1 0' is not valid", 2, id="bad-version"),
    # the registry
    pytest.param([], None, ["--registry", "nosuch://registry"], "Protocol not known: nosuch", 1, id="bad-protocol"),
    pytest.param([], None, ["--registry", "gs://bucket/reg"], 'pip install "ntro-core[gcs]"', 1, id="missing-backend"),
    pytest.param([], None, ["--registry", "s3://"], "the registry URL 's3://' names no bucket", 1, id="no-bucket"),
    # the binding
    pytest.param(["--pin"], None, [], "--pin binds the runbook to an entity: add --entity E", 2, id="pin-alone"),
    pytest.param(["--every", "1h"], None, [], "--every binds the runbook to an entity", 2, id="every-alone"),
    pytest.param(["--entity", " "], None, [], "--entity is empty", 2, id="empty-entity"),
    pytest.param(["--entity", "acme", "--binding", "no way"], None, [], "binding id 'no way'", 2, id="bad-binding-id"),
    pytest.param(
        ["--entity", "acme", "--version", "1.1"],
        _bound,
        [],
        "a binding with id 'deploy-review-acme' exists",
        2,
        id="bound",
    ),
    pytest.param(
        ["--entity", "acme", "--input", '{"needs_review": "maybe"}'],
        None,
        [],
        "bad input for binding deploy-review-acme: input does not match ReviewInput: needs_review:",
        2,
        id="input-does-not-fit",
    ),
    pytest.param(
        ["--entity", "acme", "--input", '{"entity_slug": "globex"}'],
        None,
        [],
        "entity_slug 'globex' is not the binding's entity 'acme'",
        2,
        id="another-entity",
    ),
    pytest.param(["--entity", "acme", "--input", "{"], None, [], "--input is not valid JSON", 2, id="input-not-json"),
    pytest.param(["--entity", "acme", "--schedule", "every day"], None, [], "--schedule 'every day'", 2, id="bad-cron"),
    pytest.param(["--entity", "acme", "--every", "0s"], None, [], "must be longer than zero", 2, id="every-0"),
    pytest.param(
        ["--entity", "acme", "--every", "1h", "--schedule", "@daily"], None, [], "not allowed with", 2, id="both"
    ),
    pytest.param(
        ["--entity", "acme", "--every", "1h"],
        None,
        [],
        "a binding with a schedule needs a Temporal cluster",
        2,
        id="schedule-without-cluster",
    ),
    pytest.param(
        ["--entity", "acme", "--every", "1h", *NO_HOST],
        None,
        [],
        "cannot connect to Temporal at",
        1,
        id="schedule-unreachable-cluster",
    ),
]


@needs_temporal_commands
@needs_harness
@pytest.mark.parametrize(("extra", "before", "replace", "words", "code"), CREATE)
def test_create_refuses_and_publishes_nothing(
    review: Path,
    registry: Path,
    extra: list[str],
    before: Callable[[Path], None] | None,
    replace: list[str],
    words: str,
    code: int,
) -> None:
    if before is not None:
        before(registry)
    existing = _files(registry)
    argv = {"--path": str(review), "--registry": str(registry)}
    for option, value in zip(replace[::2], replace[1::2], strict=True):
        argv[option] = value
    refused(["workflow", "create", *[part for pair in argv.items() for part in pair], *extra], words, code=code)
    assert _files(registry) == existing


@needs_temporal_commands
@needs_harness
def test_a_registry_that_cannot_be_written_is_one_line(tmp_path: Path, review: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    refused(
        ["workflow", "create", "--path", str(review), "--registry", str(blocker / "registry")],
        f"cannot write to the registry at {blocker}/registry: Not a directory",
        code=1,
    )
    refused(["workflow", "versions", "--registry", str(blocker)], f"{blocker} is not a directory", code=1)


@needs_temporal_commands
@pytest.mark.parametrize(
    ("argv", "words", "code"),
    [
        pytest.param(["workflow", "versions", "nope"], "has no runbook 'nope' (it has: deploy-review)", 2, id="slug"),
        pytest.param(["workflow", "bindings", "--remove", "nope"], "has no binding 'nope'", 2, id="remove-unknown"),
        pytest.param(["workflow", "bindings", "--remove", "a b"], "binding id 'a b' is not valid", 2, id="remove-bad"),
        pytest.param(
            ["workflow", "start", "nope", *NO_HOST], "has no runbook 'nope' (it has: deploy-review)", 2, id="start"
        ),
        pytest.param(
            ["workflow", "start", *NO_HOST], "say what to start: a runbook's SLUG, or --binding ID", 2, id="nothing"
        ),
        pytest.param(["workflow", "start", "--binding", "nope", *NO_HOST], "has no binding 'nope'", 2, id="binding"),
        pytest.param(
            ["workflow", "start", "--binding", "b", "--input", "{}", *NO_HOST],
            "--binding runs its binding's runbook with its input",
            2,
            id="binding-input",
        ),
        pytest.param(
            ["workflow", "start", "deploy-review", "--input", "{}", *NO_HOST],
            "bad input for deploy-review: input does not match ReviewInput: entity_slug: Field required",
            2,
            id="start-input",
        ),
    ],
)
def test_registry_commands_refuse(registry: Path, argv: list[str], words: str, code: int) -> None:
    _published(registry)
    refused([*argv, "--registry", str(registry)], words, code=code)


@needs_temporal_commands
@pytest.mark.parametrize(
    ("argv", "words", "code"),
    [
        pytest.param(
            ["--registry", "{registry}", "{bundle}"], "bundle paths or --registry URL, not both", 2, id="both"
        ),
        pytest.param([], "say what to host: runbook bundle paths, or --registry URL", 2, id="nothing"),
        pytest.param(["{bundle}", "--keep", "2"], "--keep and --poll go with --registry URL", 2, id="keep-alone"),
        pytest.param(["--registry", "{registry}", "--keep", "0"], "0 is not at least 1", 2, id="keep-0"),
        pytest.param(["--registry", "{registry}", "--poll", "0"], "0 is not more than 0 seconds", 2, id="poll-0"),
        pytest.param(["--registry", "nosuch://r"], "Protocol not known: nosuch", 1, id="bad-protocol"),
    ],
)
def test_worker_registry_options(registry: Path, argv: list[str], words: str, code: int) -> None:
    filled = [a.format(registry=registry, bundle=BUNDLES / "review-v1") for a in argv]
    refused(["worker", *filled, *NO_HOST], words, code=code)


@needs_temporal_commands
def test_list_revision_must_be_a_revision_id() -> None:
    refused(["workflow", "list", "--revision", "latest", *NO_HOST], "--revision 'latest' is not a revision id", code=2)


RUN = [
    pytest.param(["nope", "--registry", "{registry}"], "has no runbook 'nope' (it has: deploy-review)", 2, id="slug"),
    pytest.param(
        ["deploy-review", "--registry", "{registry}", "--version", "9"],
        "has no version '9' of deploy-review (it has: 1.0)",
        2,
        id="version",
    ),
    pytest.param(
        ["deploy-review", "--registry", "{registry}", "--workflow-class", "X"],
        "--workflow-class goes with a bundle DIR",
        2,
        id="workflow-class",
    ),
    pytest.param(["deploy-review", "--registry", "nosuch://r"], "Protocol not known: nosuch", 1, id="bad-protocol"),
    pytest.param(
        ["deploy-review", "--registry", "{registry}", "--input", '{"entity_slug": 3}'],
        "input does not match ReviewInput: entity_slug: Input should be a valid string",
        2,
        id="input",
    ),
]


@pytest.mark.parametrize(("argv", "words", "code"), RUN)
def test_run_a_published_runbook_refuses(registry: Path, argv: list[str], words: str, code: int) -> None:
    _published(registry)
    refused(["workflow", "run", *[a.replace("{registry}", str(registry)) for a in argv]], words, code=code)
