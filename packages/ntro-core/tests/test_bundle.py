"""The bundle loader and input parsing. Nothing here runs a workflow: no backend is needed."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from ntro.workflow import registry
from ntro.workflow.bundle import Bundle, BundleError, InputError, input_model, load_bundle, parse_input
from ntro.workflow.exceptions import NtroError

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "runbooks"

FRONTMATTER = """\
---
slug: {slug}
name: Test runbook
version: 0.1.0
state: DRAFT
author: tests
---
"""

MODELS = """\
from __future__ import annotations

from pydantic import BaseModel, Field


class Ctx(BaseModel):
    period: str = Field(default="2026-10", pattern=r"^\\d{4}-\\d{2}$")
    count: int = 1


class Needs(BaseModel):
    period: str
    count: int
"""

ACTIVITIES = """\
from ntro.workflow import activity


@activity.defn(name="{module}.load")
async def load(period: str) -> str:
    return period


def helper() -> None:
    pass
"""

WORKFLOW = """\
from __future__ import annotations

from ntro.workflow import activity, runbook

from .activities import load
from .models import Ctx


@activity.defn(name="{module}.inline")
async def inline() -> int:
    return 1


@runbook.defn
class {cls}:
    @runbook.run
    async def run(self, ctx: Ctx) -> str:
        return await runbook.execute_activity(load, ctx.period)
"""


def camel(slug: str) -> str:
    return "".join(p.capitalize() for p in slug.split("-")) + "Workflow"


def make_bundle(
    parent: Path,
    slug: str,
    *,
    dirname: str | None = None,
    runbook_md: str | None = None,
    workflow: str | None = None,
    activities: str | None = ACTIVITIES,
    models: str | None = MODELS,
    init: bool = True,
) -> Path:
    root = parent / (dirname or slug)
    templates = root / "templates"
    templates.mkdir(parents=True)
    module = slug.replace("-", "_")
    (root / "runbook.md").write_text(
        runbook_md if runbook_md is not None else FRONTMATTER.format(slug=slug) + "\n# Body\n\nText.\n"
    )
    if init:
        (templates / "__init__.py").write_text("")
    if models is not None:
        (templates / "models.py").write_text(models)
    if activities is not None:
        (templates / "activities.py").write_text(activities.format(module=module))
    source = workflow if workflow is not None else WORKFLOW
    (templates / "workflow.py").write_text(source.format(module=module, cls=camel(slug)))
    return root


@pytest.fixture
def slug(request: pytest.FixtureRequest) -> str:
    """A slug unique to the test, so the global registry never mixes tests up."""
    name = request.node.name.replace("_", "-").replace("[", "-").replace("]", "").lower()
    return "t-" + "".join(c for c in name if c.isalnum() or c == "-")[:40].strip("-")


# -- loading ------------------------------------------------------------------------------


def test_loads_a_bundle(tmp_path: Path, slug: str) -> None:
    bundle = load_bundle(make_bundle(tmp_path, slug))
    assert isinstance(bundle, Bundle)
    assert bundle.slug == slug
    assert bundle.workflow_cls.__name__ == camel(slug)
    assert bundle.meta["name"] == "Test runbook"
    assert bundle.name == "Test runbook"
    assert bundle.version == "0.1.0"
    assert bundle.body.strip().startswith("# Body")
    assert bundle.path == (tmp_path / slug).resolve()
    assert bundle.package.startswith("_ntro_bundle_")
    assert registry.get_registered(slug) is bundle.workflow_cls


def test_finds_activities_in_activities_and_workflow_modules(tmp_path: Path, slug: str) -> None:
    bundle = load_bundle(make_bundle(tmp_path, slug))
    module = slug.replace("-", "_")
    names = [fn.__ntro_activity__.name for fn in bundle.activities]
    # `load` is imported into workflow.py too; it is listed once. `helper` is no activity.
    assert names == [f"{module}.load", f"{module}.inline"]


def test_meta_is_read_only(tmp_path: Path, slug: str) -> None:
    bundle = load_bundle(make_bundle(tmp_path, slug))
    with pytest.raises(TypeError):
        bundle.meta["slug"] = "other"  # type: ignore[index]


def test_relative_imports_work_without_from_future(tmp_path: Path, slug: str) -> None:
    workflow = WORKFLOW.replace("from __future__ import annotations\n", "")
    bundle = load_bundle(make_bundle(tmp_path, slug, workflow=workflow))
    assert input_model(bundle.workflow_cls).__name__ == "Ctx"


def test_loading_twice_returns_the_same_bundle_and_class(tmp_path: Path, slug: str, monkeypatch: Any) -> None:
    root = make_bundle(tmp_path, slug)
    first = load_bundle(root)
    monkeypatch.chdir(tmp_path)
    second = load_bundle(Path(slug))  # a different spelling of the same directory
    third = load_bundle(str(root / ".." / slug))
    assert first is second is third
    assert sys.modules[first.package + ".workflow"].__dict__[camel(slug)] is first.workflow_cls


def test_loading_again_re_registers_the_slug(tmp_path: Path, slug: str) -> None:
    bundle = load_bundle(make_bundle(tmp_path, slug))
    registry.unregister_workflow(slug)
    assert load_bundle(bundle.path) is bundle
    assert registry.get_registered(slug) is bundle.workflow_cls


def test_directory_name_may_differ_from_the_slug(tmp_path: Path, slug: str) -> None:
    bundle = load_bundle(make_bundle(tmp_path, slug, dirname="0.1.0"))
    assert bundle.slug == slug
    assert bundle.path.name == "0.1.0"


def test_two_copies_of_a_bundle_get_separate_packages(tmp_path: Path, slug: str) -> None:
    one = load_bundle(make_bundle(tmp_path / "a", slug))
    two = load_bundle(make_bundle(tmp_path / "b", slug))
    assert one.package != two.package
    assert one.workflow_cls is not two.workflow_cls
    assert registry.get_registered(slug) is two.workflow_cls


def test_explicit_workflow_class(tmp_path: Path, slug: str) -> None:
    workflow = WORKFLOW.replace("class {cls}:", "class Custom:").replace(
        "@runbook.defn\n", '@runbook.defn(slug="' + slug + '")\n'
    )
    bundle = load_bundle(make_bundle(tmp_path, slug, workflow=workflow), workflow_class="Custom")
    assert bundle.workflow_cls.__name__ == "Custom"


def test_activities_module_is_optional(tmp_path: Path, slug: str) -> None:
    workflow = WORKFLOW.replace("from .activities import load\n", "").replace(
        "await runbook.execute_activity(load, ctx.period)", "ctx.period"
    )
    bundle = load_bundle(make_bundle(tmp_path, slug, workflow=workflow, activities=None))
    assert [fn.__name__ for fn in bundle.activities] == ["inline"]


def test_the_synthetic_package_can_be_imported_again_by_name(tmp_path: Path, slug: str) -> None:
    bundle = load_bundle(make_bundle(tmp_path, slug))
    saved = {k: v for k, v in sys.modules.items() if k == bundle.package or k.startswith(bundle.package + ".")}
    try:
        for name in saved:
            del sys.modules[name]
        again = importlib.import_module(bundle.package + ".models")
        assert again.__file__ == str(bundle.path / "templates" / "models.py")
    finally:
        for name in [k for k in sys.modules if k == bundle.package or k.startswith(bundle.package + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)


# -- the shipped examples (imported, never run here) -------------------------------------------


@pytest.mark.parametrize(
    ("name", "cls", "activity_names"),
    [
        (
            "nav-monthly",
            "NavMonthlyWorkflow",
            {"open_period", "check_trial_balance", "roll_forward_nav", "close_period"},
        ),
        ("document-ingest", "DocumentIngestWorkflow", {"parse_document", "extract_fields", "commit_extraction"}),
        (
            "expense-processor",
            "ExpenseProcessorWorkflow",
            {"ingest_submitted_document", "categorise_row", "commit_expenses"},
        ),
    ],
)
def test_examples_load(name: str, cls: str, activity_names: set[str]) -> None:
    bundle = load_bundle(EXAMPLES / name)
    assert bundle.slug == name
    assert bundle.workflow_cls.__name__ == cls
    prefix = name.replace("-", "_") + "."
    assert {fn.__ntro_activity__.name for fn in bundle.activities} == {prefix + a for a in activity_names}
    for key in ("slug", "name", "version", "state", "author", "description", "steps"):
        assert key in bundle.meta, key
    assert [step["id"] for step in bundle.meta["steps"]]
    model = input_model(bundle.workflow_cls)
    assert isinstance(parse_input(bundle.workflow_cls, None), model)  # every example runs with no input


def test_example_nav_monthly_input_defaults_and_validation() -> None:
    cls = load_bundle(EXAMPLES / "nav-monthly").workflow_cls
    ctx = parse_input(cls, None)
    assert ctx.period == "2026-10"
    assert ctx.entity_slug == "demo-fund"
    assert parse_input(cls, '{"period": "2026-11"}').period == "2026-11"
    with pytest.raises(InputError, match=r"input does not match NavMonthlyContext: period: String should match"):
        parse_input(cls, {"period": "October"})


# -- errors: one line each, saying what is wrong and how to fix it ---------------------------------


def error_of(path: Path, **kwargs: Any) -> str:
    with pytest.raises(BundleError) as info:
        load_bundle(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert isinstance(info.value, NtroError)
    return message


def test_missing_directory(tmp_path: Path) -> None:
    assert "no such directory" in error_of(tmp_path / "nope")


def test_a_file_is_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    assert "not a directory" in error_of(tmp_path / "file.txt")


def test_no_runbook_md(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    message = error_of(tmp_path / "empty")
    assert "not a runbook bundle (no runbook.md)" in message
    assert "templates/__init__.py" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# just markdown\n", "no YAML frontmatter"),
        ("---\nslug: x\n", "frontmatter is not closed"),
        ("---\nslug: [unclosed\n---\n", "frontmatter is not valid YAML at line"),
        ("---\n- a\n- b\n---\n", "must be a YAML mapping (key: value lines), not a list"),
        ("---\nname: x\n---\n", "the frontmatter has no 'slug'; add 'slug: rb'"),
        ("---\n---\n", "the frontmatter has no 'slug'"),
        ("---\nslug: Bad Slug\n---\n", "slug 'Bad Slug' is not valid"),
    ],
)
def test_bad_frontmatter(tmp_path: Path, text: str, expected: str) -> None:
    root = make_bundle(tmp_path, "rb", runbook_md=text)
    message = error_of(root)
    assert expected in message
    assert "runbook.md" in message


def test_no_templates_directory(tmp_path: Path) -> None:
    root = tmp_path / "rb"
    root.mkdir()
    (root / "runbook.md").write_text(FRONTMATTER.format(slug="rb"))
    assert "no templates/ directory" in error_of(root)


def test_no_templates_init(tmp_path: Path, slug: str) -> None:
    message = error_of(make_bundle(tmp_path, slug, init=False))
    assert "no __init__.py; create an empty templates/__init__.py" in message


def test_no_workflow_py(tmp_path: Path, slug: str) -> None:
    root = make_bundle(tmp_path, slug)
    (root / "templates" / "workflow.py").unlink()
    assert "no workflow.py" in error_of(root)


def test_import_error_names_the_exception_and_the_line(tmp_path: Path, slug: str) -> None:
    workflow = WORKFLOW.replace("from .models import Ctx\n", "from .models import Ctx\n\nundefined_name\n")
    message = error_of(make_bundle(tmp_path, slug, workflow=workflow))
    assert "workflow.py failed to import: NameError: name 'undefined_name' is not defined" in message
    assert "workflow.py:8)" in message


def test_import_error_in_a_module_workflow_imports(tmp_path: Path, slug: str) -> None:
    message = error_of(make_bundle(tmp_path, slug, models="raise RuntimeError('no models today')\n"))
    assert "RuntimeError: no models today" in message
    assert "models.py:1)" in message


def test_syntax_error_names_the_line(tmp_path: Path, slug: str) -> None:
    message = error_of(make_bundle(tmp_path, slug, workflow="x = 1\ndef broken(:\n"))
    assert "SyntaxError" in message
    assert "workflow.py:2)" in message


def test_a_fixed_import_error_loads_on_the_next_try(tmp_path: Path, slug: str) -> None:
    root = make_bundle(tmp_path, slug, models="raise RuntimeError('not yet')\n")
    error_of(root)
    (root / "templates" / "models.py").write_text(MODELS)
    assert load_bundle(root).slug == slug


def test_class_without_a_run_method(tmp_path: Path, slug: str) -> None:
    workflow = WORKFLOW.replace("    @runbook.run\n", "")
    message = error_of(make_bundle(tmp_path, slug, workflow=workflow))
    assert f"TypeError: {camel(slug)} has no @runbook.run method" in message


def test_class_not_found_lists_the_workflow_classes(tmp_path: Path, slug: str) -> None:
    workflow = WORKFLOW.replace("class {cls}:", "class Other:").replace(
        "@runbook.defn\n", '@runbook.defn(slug="' + slug + '")\n'
    )
    message = error_of(make_bundle(tmp_path, slug, workflow=workflow))
    assert f"has no class {camel(slug)}; @runbook.defn classes found there: Other" in message
    assert "--workflow-class" in message


def test_class_not_found_and_none_decorated(tmp_path: Path, slug: str) -> None:
    message = error_of(make_bundle(tmp_path, slug, workflow="X = 1\n"))
    assert "found there: none; define class" in message


def test_class_not_decorated(tmp_path: Path, slug: str) -> None:
    workflow = WORKFLOW.replace("@runbook.defn\n", "")
    message = error_of(make_bundle(tmp_path, slug, workflow=workflow))
    assert f"class {camel(slug)} is not decorated with @runbook.defn" in message


def test_class_slug_must_match_the_frontmatter(tmp_path: Path, slug: str) -> None:
    workflow = WORKFLOW.replace("@runbook.defn\n", '@runbook.defn(slug="something-else")\n')
    message = error_of(make_bundle(tmp_path, slug, workflow=workflow))
    assert f"registers slug 'something-else' but runbook.md says '{slug}'" in message


# -- input ------------------------------------------------------------------------------------


def workflow_with_run(tmp_path: Path, slug: str, signature: str) -> type:
    workflow = WORKFLOW.replace(
        "    async def run(self, ctx: Ctx) -> str:\n        return await runbook.execute_activity(load, ctx.period)\n",
        f"    async def run({signature}) -> object:\n        return None\n",
    ).replace("from .models import Ctx\n", "from .models import Ctx, Needs\n")
    return load_bundle(make_bundle(tmp_path, slug, workflow=workflow)).workflow_cls


def test_input_model_resolves_string_annotations(tmp_path: Path, slug: str) -> None:
    cls = workflow_with_run(tmp_path, slug, "self, ctx: Ctx")
    assert input_model(cls).__name__ == "Ctx"


def test_input_model_is_none_without_a_parameter(tmp_path: Path, slug: str) -> None:
    cls = workflow_with_run(tmp_path, slug, "self")
    assert input_model(cls) is None
    assert parse_input(cls, None) is None
    with pytest.raises(InputError, match=r"takes no input, but input was given"):
        parse_input(cls, "{}")


def test_parse_input_from_text_and_objects(tmp_path: Path, slug: str) -> None:
    cls = workflow_with_run(tmp_path, slug, "self, ctx: Needs")
    assert parse_input(cls, '{"period": "2026-01", "count": 3}').count == 3
    assert parse_input(cls, b'{"period": "2026-01", "count": "4"}').count == 4
    assert parse_input(cls, {"period": "2026-01", "count": 5}).count == 5


def test_parse_input_defaults_when_every_field_has_one(tmp_path: Path, slug: str) -> None:
    cls = workflow_with_run(tmp_path, slug, "self, ctx: Ctx")
    ctx = parse_input(cls, None)
    assert (ctx.period, ctx.count) == ("2026-10", 1)


def test_parse_input_says_input_is_needed(tmp_path: Path, slug: str) -> None:
    cls = workflow_with_run(tmp_path, slug, "self, ctx: Needs")
    with pytest.raises(InputError) as info:
        parse_input(cls, None)
    assert "needs input: Needs has required fields (period: Field required; count: Field required)" in str(info.value)


def test_parse_input_lists_field_errors_on_one_line(tmp_path: Path, slug: str) -> None:
    cls = workflow_with_run(tmp_path, slug, "self, ctx: Needs")
    with pytest.raises(InputError) as info:
        parse_input(cls, '{"count": "many"}')
    message = str(info.value)
    assert message.startswith("input does not match Needs: ")
    assert "period: Field required" in message
    assert "count: Input should be a valid integer" in message
    assert "\n" not in message


def test_parse_input_bad_json(tmp_path: Path, slug: str) -> None:
    cls = workflow_with_run(tmp_path, slug, "self, ctx: Needs")
    with pytest.raises(InputError, match=r"input is not valid JSON: .*\(line 1, column 2\)"):
        parse_input(cls, "{oops")


def test_parse_input_with_a_plain_annotation(tmp_path: Path, slug: str) -> None:
    cls = workflow_with_run(tmp_path, slug, "self, count: int")
    assert parse_input(cls, "7") == 7
    with pytest.raises(InputError, match=r"input does not match int: \(input\): Input should be a valid integer"):
        parse_input(cls, '"seven"')
    with pytest.raises(InputError, match=r"needs input"):
        parse_input(cls, None)


def test_parse_input_unannotated_and_defaulted_parameters(tmp_path: Path, slug: str) -> None:
    cls = workflow_with_run(tmp_path, slug, "self, anything")
    assert parse_input(cls, '{"a": 1}') == {"a": 1}
    with pytest.raises(InputError, match=r"needs input \('anything'\)"):
        parse_input(cls, None)
    registry.unregister_workflow(slug)


def test_parse_input_with_a_default_means_no_argument(tmp_path: Path, slug: str) -> None:
    cls = workflow_with_run(tmp_path, slug, "self, ctx: Needs | None = None")
    assert parse_input(cls, None) is None
    assert parse_input(cls, '{"period": "p", "count": 1}').period == "p"


def test_many_field_errors_are_cut_short(tmp_path: Path, slug: str) -> None:
    models = MODELS + "\n\nclass Wide(BaseModel):\n" + "".join(f"    f{i}: int\n" for i in range(8))
    workflow = WORKFLOW.replace("from .models import Ctx\n", "from .models import Ctx, Wide\n").replace(
        "ctx: Ctx", "ctx: Wide"
    )
    cls = load_bundle(make_bundle(tmp_path, slug, workflow=workflow, models=models)).workflow_cls
    with pytest.raises(InputError, match=r"f4: Field required; and 3 more$"):
        parse_input(cls, "{}")
