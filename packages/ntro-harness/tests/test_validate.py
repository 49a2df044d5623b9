"""ntro workflow validate: every code on small bundles, the examples, and the command."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ntro.cli import main
from ntro.testing._validate import CODES, REQUIRED_FIELDS, ValidationReport, validate_runbook
from ntro.workflow import get_registered
from ntro.workflow.bundle import load_bundle

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "runbooks"

FRONTMATTER = "---\nslug: val-demo\nname: Validation demo\nversion: 0.1.0\nstate: DRAFT\nauthor: tests\n---\n# Demo\n"
WORKFLOW = """
from ntro.workflow import NtroWorkflow, runbook

from .activities import ping


@runbook.defn(slug="val-demo")
class ValDemoWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self) -> str:
        return await runbook.execute_activity(ping)
"""
ACTIVITIES = """
from ntro.workflow import activity

from .models import Pong


@activity.defn(name="val_demo.ping")
async def ping() -> str:
    return Pong().text
"""
MODELS = """
from pydantic import BaseModel


class Pong(BaseModel):
    text: str = "pong"
"""


def make_bundle(root: Path) -> Path:
    """A valid bundle under ``root``."""
    contents = {
        "runbook.md": FRONTMATTER,
        "templates/__init__.py": "",
        "templates/workflow.py": WORKFLOW,
        "templates/activities.py": ACTIVITIES,
        "templates/models.py": MODELS,
    }
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in contents.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n") if rel.endswith(".py") else text, encoding="utf-8")
    return root


def bundle_with(tmp_path: Path, changes: dict[str, str | None]) -> Path:
    root = tmp_path / "val-demo"
    make_bundle(root)
    for rel, text in changes.items():
        path = root / rel
        if text is None:
            path.unlink()
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def codes(report: ValidationReport) -> list[str]:
    return report.codes


# -- a valid bundle and the examples ------------------------------------------------------------


def test_valid_bundle(tmp_path: Path) -> None:
    report = validate_runbook(make_bundle(tmp_path / "val-demo"))
    assert report.ok
    assert report.errors == () and report.warnings == ()
    assert report.render().splitlines()[1:] == ["✓ all checks passed", "OK — 0 errors, 0 warnings"]


@pytest.mark.parametrize("name", ["document-ingest", "expense-processor", "nav-monthly"])
def test_examples_pass(name: str) -> None:
    report = validate_runbook(EXAMPLES / name)
    assert report.ok, report.render()
    assert report.warnings == (), report.render()


def test_validation_leaves_no_trace(tmp_path: Path) -> None:
    """The bundle is imported as a throwaway copy: no slug registered, no module kept."""
    loaded = load_bundle(EXAMPLES / "nav-monthly").workflow_cls
    before = set(sys.modules)
    validate_runbook(EXAMPLES / "nav-monthly")
    validate_runbook(make_bundle(tmp_path / "val-demo"))
    assert get_registered("nav-monthly") is loaded
    assert get_registered("val-demo") is None
    assert not [m for m in set(sys.modules) - before if m.startswith("_ntro_validate_")]


# -- the codes -------------------------------------------------------------------------------------


def test_dir_not_found(tmp_path: Path) -> None:
    report = validate_runbook(tmp_path / "missing")
    assert codes(report) == ["RUNBOOK_DIR_NOT_FOUND"]


def test_dir_not_a_dir(tmp_path: Path) -> None:
    file = tmp_path / "file.txt"
    file.write_text("x")
    assert codes(validate_runbook(file)) == ["RUNBOOK_DIR_NOT_A_DIR"]


def test_runbook_md_missing(tmp_path: Path) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"runbook.md": None}))
    assert codes(report) == ["RUNBOOK_MD_MISSING"]
    assert report.errors[0].path == "runbook.md"


def test_frontmatter_missing(tmp_path: Path) -> None:
    assert codes(validate_runbook(bundle_with(tmp_path, {"runbook.md": "# No frontmatter\n"}))) == [
        "FRONTMATTER_MISSING"
    ]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("---\nslug: val-demo\n", "not closed"),
        ("---\nslug: [unclosed\nname: x\n---\n", "not valid YAML at line"),
    ],
)
def test_frontmatter_parse_error(tmp_path: Path, text: str, fragment: str) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"runbook.md": text}))
    assert codes(report) == ["FRONTMATTER_PARSE_ERROR"]
    assert fragment in report.errors[0].message


def test_frontmatter_not_mapping(tmp_path: Path) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"runbook.md": "---\n- a\n- b\n---\n"}))
    assert codes(report) == ["FRONTMATTER_NOT_MAPPING"]
    assert "list" in report.errors[0].message


def test_frontmatter_fields_missing(tmp_path: Path) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"runbook.md": "---\nslug: val-demo\nname: ''\n---\n"}))
    assert codes(report) == ["FRONTMATTER_FIELD_MISSING"] * 4
    assert [e.message.split("'")[1] for e in report.errors] == ["name", "version", "state", "author"]


def test_empty_frontmatter_misses_every_field(tmp_path: Path) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"runbook.md": "---\n---\n"}))
    assert codes(report) == ["FRONTMATTER_FIELD_MISSING"] * len(REQUIRED_FIELDS)


def test_frontmatter_field_invalid(tmp_path: Path) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"runbook.md": FRONTMATTER.replace("val-demo", "Val Demo")}))
    assert codes(report) == ["FRONTMATTER_FIELD_INVALID"]


def test_workflow_py_missing(tmp_path: Path) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"templates/workflow.py": None}))
    assert codes(report) == ["WORKFLOW_PY_MISSING"]
    assert report.errors[0].path == "templates/workflow.py"


def test_no_templates_dir(tmp_path: Path) -> None:
    root = tmp_path / "bare"
    root.mkdir()
    (root / "runbook.md").write_text(FRONTMATTER)
    assert codes(validate_runbook(root)) == ["WORKFLOW_PY_MISSING", "ACTIVITIES_PY_MISSING"]


def test_templates_init_missing(tmp_path: Path) -> None:
    assert codes(validate_runbook(bundle_with(tmp_path, {"templates/__init__.py": None}))) == ["TEMPLATES_INIT_MISSING"]


def test_templates_init_import_error(tmp_path: Path) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"templates/__init__.py": "raise RuntimeError('boom')\n"}))
    assert codes(report) == ["TEMPLATES_INIT_IMPORT_ERROR"]
    assert "RuntimeError: boom (templates/__init__.py:1)" in report.errors[0].message


def test_workflow_py_import_error(tmp_path: Path) -> None:
    broken = WORKFLOW + "\nimport no_such_module_for_ntro_validate\n"
    report = validate_runbook(bundle_with(tmp_path, {"templates/workflow.py": broken}))
    assert codes(report) == ["WORKFLOW_PY_IMPORT_ERROR"]
    message = report.errors[0].message
    assert "ModuleNotFoundError: No module named 'no_such_module_for_ntro_validate'" in message
    assert "(templates/workflow.py:12)" in message


def test_workflow_py_syntax_error(tmp_path: Path) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"templates/workflow.py": "def broken(:\n"}))
    assert codes(report) == ["WORKFLOW_PY_IMPORT_ERROR"]
    assert "SyntaxError" in report.errors[0].message
    assert "(templates/workflow.py:1)" in report.errors[0].message


def test_workflow_class_not_found(tmp_path: Path) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"templates/workflow.py": WORKFLOW.replace("ValDemo", "Other")}))
    assert codes(report) == ["WORKFLOW_CLASS_NOT_FOUND"]
    assert "no class ValDemoWorkflow" in report.errors[0].message
    assert "OtherWorkflow" in report.errors[0].message
    assert validate_runbook(tmp_path / "val-demo", workflow_class="OtherWorkflow").ok


def test_workflow_defn_missing(tmp_path: Path) -> None:
    plain = WORKFLOW.replace('@runbook.defn(slug="val-demo")\n', "")
    report = validate_runbook(bundle_with(tmp_path, {"templates/workflow.py": plain}))
    assert codes(report) == ["WORKFLOW_DEFN_MISSING"]


def test_workflow_slug_mismatch(tmp_path: Path) -> None:
    other = WORKFLOW.replace('slug="val-demo"', 'slug="val-other"')
    report = validate_runbook(bundle_with(tmp_path, {"templates/workflow.py": other}))
    assert codes(report) == ["WORKFLOW_SLUG_MISMATCH"]
    assert get_registered("val-other") is None


def test_activities_py_missing_is_a_warning(tmp_path: Path) -> None:
    no_activities = WORKFLOW.replace("from .activities import ping\n", "").replace(
        "return await runbook.execute_activity(ping)", 'return "pong"'
    )
    report = validate_runbook(
        bundle_with(tmp_path, {"templates/activities.py": None, "templates/workflow.py": no_activities})
    )
    assert report.ok
    assert codes(report) == ["ACTIVITIES_PY_MISSING"]
    assert report.render().splitlines()[-1] == "OK — 0 errors, 1 warnings"


def test_activities_py_import_error_is_reported_once(tmp_path: Path) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"templates/activities.py": "x = 1 / 0\n"}))
    # workflow.py imports activities.py: the one broken file is reported, not the cascade.
    assert codes(report) == ["ACTIVITIES_PY_IMPORT_ERROR"]
    assert "ZeroDivisionError: division by zero (templates/activities.py:1)" in report.errors[0].message


def test_models_py_import_error(tmp_path: Path) -> None:
    report = validate_runbook(bundle_with(tmp_path, {"templates/models.py": "from pydantic import Nope\n"}))
    assert codes(report) == ["MODELS_PY_IMPORT_ERROR"]
    assert "ImportError" in report.errors[0].message


def test_models_py_is_optional(tmp_path: Path) -> None:
    activities = ACTIVITIES.replace("from .models import Pong\n", "").replace("Pong().text", '"pong"')
    changes = {"templates/models.py": None, "templates/activities.py": activities}
    report = validate_runbook(bundle_with(tmp_path, changes))
    assert report.ok and report.warnings == ()


def test_several_problems_at_once(tmp_path: Path) -> None:
    report = validate_runbook(
        bundle_with(tmp_path, {"runbook.md": "---\nslug: val-demo\n---\n", "templates/activities.py": None})
    )
    assert codes(report) == ["FRONTMATTER_FIELD_MISSING"] * 4 + ["WORKFLOW_PY_IMPORT_ERROR", "ACTIVITIES_PY_MISSING"]


def test_every_code_is_documented() -> None:
    assert set(CODES) >= {
        "RUNBOOK_DIR_NOT_FOUND",
        "RUNBOOK_DIR_NOT_A_DIR",
        "RUNBOOK_MD_MISSING",
        "FRONTMATTER_PARSE_ERROR",
        "FRONTMATTER_MISSING",
        "FRONTMATTER_NOT_MAPPING",
        "FRONTMATTER_FIELD_MISSING",
        "WORKFLOW_PY_MISSING",
        "WORKFLOW_PY_IMPORT_ERROR",
        "WORKFLOW_CLASS_NOT_FOUND",
        "WORKFLOW_DEFN_MISSING",
        "ACTIVITIES_PY_MISSING",
        "ACTIVITIES_PY_IMPORT_ERROR",
        "MODELS_PY_IMPORT_ERROR",
    }


# -- the command -------------------------------------------------------------------------------------


def test_command_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_bundle(tmp_path / "val-demo")
    assert main(["workflow", "validate", str(root)]) == 0
    out = capsys.readouterr().out
    assert out == f"Validating runbook: {root}\n✓ all checks passed\nOK — 0 errors, 0 warnings\n"


def test_command_errors_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = bundle_with(tmp_path, {"templates/workflow.py": WORKFLOW.replace('@runbook.defn(slug="val-demo")\n', "")})
    assert main(["workflow", "validate", str(root)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"Validating runbook: {root}",
        "Errors:",
        "  ✗ [WORKFLOW_DEFN_MISSING] (templates/workflow.py) class ValDemoWorkflow is not decorated with "
        "@runbook.defn; add it",
        "FAIL — 1 errors, 0 warnings",
    ]


def test_command_missing_dir_exit_2_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope"
    assert main(["workflow", "validate", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"ntro: error: {missing}: no such directory; pass a runbook bundle\n"
    file = tmp_path / "file"
    file.write_text("")
    assert main(["workflow", "validate", str(file)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_command_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = bundle_with(tmp_path, {"runbook.md": "# none\n"})
    assert main(["workflow", "validate", "--json", str(root)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    assert data["errors"] == [
        {"code": "FRONTMATTER_MISSING", "path": "runbook.md", "message": data["errors"][0]["message"]}
    ]
    assert main(["workflow", "validate", "--json", str(tmp_path / "nope")]) == 2
    assert json.loads(capsys.readouterr().out)["errors"][0]["code"] == "RUNBOOK_DIR_NOT_FOUND"
    assert main(["workflow", "validate", "--json", str(EXAMPLES / "nav-monthly")]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "path": str(EXAMPLES / "nav-monthly"),
        "ok": True,
        "errors": [],
        "warnings": [],
    }


def test_console_script_on_the_examples() -> None:
    """The installed entry point, in a fresh process, on each example."""
    for name in ("document-ingest", "expense-processor", "nav-monthly"):
        done = subprocess.run(
            [sys.executable, "-m", "ntro.cli", "workflow", "validate", str(EXAMPLES / name)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.endswith("OK — 0 errors, 0 warnings\n")


def test_command_json_is_ascii(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` prints through ntro.cli's one printer: a path that is not ASCII is escaped, as every command does."""
    root = bundle_with(tmp_path / "r\u00e9sum\u00e9", {"runbook.md": "# none\n"})
    assert main(["workflow", "validate", "--json", str(root)]) == 1
    out = capsys.readouterr().out
    assert out.isascii() and "r\\u00e9sum\\u00e9" in out
    assert json.loads(out)["path"] == str(root)
