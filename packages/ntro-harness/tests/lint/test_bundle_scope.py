"""Workflow code across a bundle: what a workflow class reaches in other modules, never the helpers of activities.

The bundle is shaped like ntro 0.1.2's public runbook templates: ``activities.py``
has plain helpers (a clock read, a file read) that only its activities call.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ntro.testing.lint import lint_paths

ACTIVITIES = """\
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from pathlib import Path

from ntro.workflow import activity

_VENDORS: dict[str, str] | None = None


def _period_of(value) -> str:
    if value is None:
        return datetime.now(timezone.utc).strftime("%Y-%m")
    return value[:7]


def _vendors() -> dict[str, str]:
    global _VENDORS
    if _VENDORS is None:
        _VENDORS = json.loads((Path(__file__).parent / "vendors.json").read_text())
    return _VENDORS


def _category(vendor: str) -> str:
    return _vendors().get(vendor.lower(), "Uncategorised")


class _Parser:
    def rows(self, text: str) -> list[str]:
        return [line for line in text.splitlines() if line] + [str(uuid.uuid4())]


def shared_label(rows: int) -> str:
    return f"{rows} row(s) at {datetime.now()}"


@activity.defn(name="bundle.categorise")
async def categorise(row: dict) -> dict:
    return {**row, "category": _category(row["vendor"]), "period": _period_of(row.get("date"))}


@activity.defn(name="bundle.parse")
async def parse(text: str) -> list[str]:
    rows = _Parser().rows(text)
    return [shared_label(len(rows)), *rows]
"""

HELPERS = """\
import random
import time
from datetime import date


def period_label(period: str | None) -> str:
    return period or date.today().isoformat()[:7]


class Stamp:
    def __init__(self) -> None:
        self.at = time.time()


def never_used() -> float:
    return random.random()
"""

FORMATTING = """\
import os


def title(text: str) -> str:
    return f"{text} ({os.getenv('USER')})"
"""

WORKFLOW = """\
from __future__ import annotations

from ntro.workflow import NtroWorkflow, runbook

from . import formatting
from .activities import categorise, parse, shared_label
from .helpers import Stamp, period_label


@runbook.defn
class BundleWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self, text: str) -> dict:
        rows = await runbook.execute_activity(parse, text)
        stamp = Stamp()
        done = [await runbook.execute_activity(categorise, {"vendor": r}) for r in rows]
        return {"title": formatting.title(period_label(None)), "label": shared_label(len(done)), "at": stamp.at}
"""


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    root = tmp_path / "bundle"
    templates = root / "templates"
    templates.mkdir(parents=True)
    (root / "runbook.md").write_text("---\nslug: bundle\n---\n")
    (templates / "__init__.py").write_text("")
    for name, text in {
        "activities.py": ACTIVITIES,
        "helpers.py": HELPERS,
        "formatting.py": FORMATTING,
        "workflow.py": WORKFLOW,
    }.items():
        (templates / name).write_text(text)
    return root


def _found(findings: list) -> list[tuple[str, int, str]]:  # type: ignore[type-arg]
    return [(Path(f.path).name, f.line, f.code) for f in findings]


def test_workflow_code_is_what_the_workflow_class_reaches_across_the_bundle(bundle: Path) -> None:
    """The clock read and file read of activities.py's helpers are fine; what the workflow reaches is not."""
    assert _found(lint_paths([bundle])) == [
        ("activities.py", 36, "NTR101"),  # shared_label: the workflow calls it too
        ("formatting.py", 5, "NTR104"),  # formatting.title, reached through "from . import formatting"
        ("helpers.py", 7, "NTR101"),  # period_label
        ("helpers.py", 12, "NTR101"),  # Stamp.__init__: the workflow builds a Stamp
    ]


def test_a_module_reached_from_a_workflow_is_checked_when_the_workflow_is_linted_alone(bundle: Path) -> None:
    found = lint_paths([bundle / "templates" / "workflow.py"])
    assert _found(found) == [
        ("activities.py", 36, "NTR101"),
        ("formatting.py", 5, "NTR104"),
        ("helpers.py", 7, "NTR101"),
        ("helpers.py", 12, "NTR101"),
    ]
    assert {f.path for f in found} >= {str(bundle / "templates" / "helpers.py")}  # named beside the file given


def test_module_scope_still_skips_the_helpers_only_activities_use(bundle: Path) -> None:
    # _period_of, _vendors, _category, _Parser and shared_label: only this module's activities use them
    assert lint_paths([bundle / "templates" / "activities.py"], scope="module") == []
    whole = _found(lint_paths([bundle], scope="module"))
    assert ("helpers.py", 16, "NTR102") in whole  # never_used: module scope checks every function
    assert [f for f in whole if f[0] == "activities.py"] == [("activities.py", 36, "NTR101")]  # the workflow's
    linted_last = lint_paths(
        [bundle / "templates" / "workflow.py", bundle / "templates" / "activities.py"], scope="module"
    )
    assert [f for f in _found(linted_last) if f[0] == "activities.py"] == [("activities.py", 36, "NTR101")]


def test_the_example_runbooks_are_clean_in_both_scopes() -> None:
    """Their activities.py files read files and samples in helpers only activities call."""
    examples = Path(__file__).resolve().parents[4] / "examples" / "runbooks"
    assert lint_paths([examples]) == []
    assert lint_paths([examples], scope="module") == []


def test_a_helper_also_used_by_module_level_code_is_checked_in_module_scope(tmp_path: Path) -> None:
    source = ACTIVITIES + "\nDEFAULT_PERIOD = _period_of(None)\n"
    (tmp_path / "activities.py").write_text(source)
    found = _found(lint_paths([tmp_path / "activities.py"], scope="module"))
    assert ("activities.py", 15, "NTR101") in found  # _period_of runs at import, not only in activities


def test_a_re_exported_helper_is_followed_to_its_definition(tmp_path: Path) -> None:
    pkg = tmp_path / "templates"
    (pkg / "lib").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "lib" / "__init__.py").write_text("from .clock import now_label\n")
    (pkg / "lib" / "clock.py").write_text("import time\n\n\ndef now_label():\n    return str(time.time())\n")
    (pkg / "workflow.py").write_text(
        "from ntro.workflow import NtroWorkflow\nfrom .lib import now_label\n\n\n"
        "class W(NtroWorkflow):\n    async def run(self):\n        return now_label()\n"
    )
    assert _found(lint_paths([pkg / "workflow.py"])) == [("clock.py", 5, "NTR101")]
