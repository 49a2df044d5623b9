"""load_runbook and load_runbook_with_children (ntro 0.1.2's names) on the example bundles."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ntro.runtime.protocol import activity_definition, maybe_workflow_definition
from ntro.testing._loader import load_runbook, load_runbook_with_children
from ntro.workflow import get_registered
from ntro.workflow.bundle import BundleError

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "runbooks"


def names(activities: list[object]) -> list[str]:
    return [activity_definition(fn).name for fn in activities]  # type: ignore[union-attr]


def test_load_runbook_gives_class_and_activities() -> None:
    cls, activities = load_runbook(EXAMPLES / "document-ingest")
    assert cls.__name__ == "DocumentIngestWorkflow"
    assert maybe_workflow_definition(cls) is not None
    assert names(activities) == [
        "document_ingest.parse_document",
        "document_ingest.extract_fields",
        "document_ingest.commit_extraction",
    ]
    assert get_registered("document-ingest") is cls


def test_load_runbook_is_stable() -> None:
    first, _ = load_runbook(EXAMPLES / "expense-processor")
    again, _ = load_runbook(str(EXAMPLES / "expense-processor"))
    assert first is again


def test_activity_modules_select_where_activities_come_from() -> None:
    _, from_activities = load_runbook(EXAMPLES / "nav-monthly", activity_modules=["activities"])
    assert names(from_activities) == [
        "nav_monthly.open_period",
        "nav_monthly.check_trial_balance",
        "nav_monthly.roll_forward_nav",
        "nav_monthly.close_period",
    ]
    _, from_models = load_runbook(EXAMPLES / "nav-monthly", activity_modules=["models"])
    assert from_models == []


def test_missing_activity_module_is_a_bundle_error() -> None:
    with pytest.raises(BundleError, match=r"no module templates/helpers\.py"):
        load_runbook(EXAMPLES / "nav-monthly", activity_modules=["helpers"])


def test_load_with_children() -> None:
    parent, children, activities = load_runbook_with_children(
        EXAMPLES / "nav-monthly", children_dirs=[EXAMPLES / "document-ingest"]
    )
    assert parent.__name__ == "NavMonthlyWorkflow"
    assert [c.__name__ for c in children] == ["DocumentIngestWorkflow"]
    assert names(activities)[:4] == [
        "nav_monthly.open_period",
        "nav_monthly.check_trial_balance",
        "nav_monthly.roll_forward_nav",
        "nav_monthly.close_period",
    ]
    assert names(activities)[4:] == [
        "document_ingest.parse_document",
        "document_ingest.extract_fields",
        "document_ingest.commit_extraction",
    ]
    assert get_registered("document-ingest") is children[0]


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no such directory"):
        load_runbook(tmp_path / "missing")
    with pytest.raises(BundleError, match=r"no runbook\.md"):
        load_runbook(tmp_path)


def test_workflow_class_option(tmp_path: Path) -> None:
    bundle = tmp_path / "odd-name"
    (bundle / "templates").mkdir(parents=True)
    (bundle / "runbook.md").write_text("---\nslug: loader-odd\nname: Odd\n---\n", encoding="utf-8")
    (bundle / "templates" / "__init__.py").write_text("", encoding="utf-8")
    (bundle / "templates" / "workflow.py").write_text(
        textwrap.dedent(
            """
            from ntro.workflow import NtroWorkflow, activity, runbook

            @activity.defn(name="loader_odd.ping")
            async def ping() -> str:
                return "pong"

            @runbook.defn(slug="loader-odd")
            class Special(NtroWorkflow):
                @runbook.run
                async def run(self) -> str:
                    return await runbook.execute_activity(ping)
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(BundleError, match="has no class LoaderOddWorkflow"):
        load_runbook(bundle)
    cls, activities = load_runbook(bundle, workflow_class="Special")
    assert cls.__name__ == "Special"
    assert names(activities) == ["loader_odd.ping"]
