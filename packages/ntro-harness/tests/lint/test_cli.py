"""`ntro workflow lint`, in process through ntro.cli.main and as the installed script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ntro.cli import main

from .seeded import EXPECTED, write_bundle

CLEAN = """\
from ntro.workflow import NtroWorkflow, runbook


class W(NtroWorkflow):
    async def run(self):
        return runbook.now()
"""


def test_clean_files_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "clean.py").write_text(CLEAN)
    assert main(["workflow", "lint", str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""


def test_findings_exit_1_in_flake8_style(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = write_bundle(tmp_path)
    assert main(["workflow", "lint", str(bundle)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(EXPECTED)
    assert f"{bundle / 'templates' / 'workflow.py'}:18:12: NTR101 " in "\n".join(lines)


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = write_bundle(tmp_path)
    assert main(["workflow", "lint", "--format", "json", str(bundle)]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["summary"] == {"files": 5, "findings": len(EXPECTED), "by_code": dict.fromkeys(EXPECTED, 1)}


def test_github_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = write_bundle(tmp_path)
    assert main(["workflow", "lint", "--format=github", "--select", "NTR103", str(bundle)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("::error file=") and ",line=27,col=15,title=NTR103::uuid.uuid4()" in out
    assert out.count("\n") == 1


def test_select_and_ignore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = write_bundle(tmp_path)
    assert main(["workflow", "lint", "--select", "NTR101,NTR102", "--select", "NTR103", str(bundle)]) == 1
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["NTR101", "NTR102", "NTR103"]
    assert main(["workflow", "lint", "--ignore", "NTR", str(bundle)]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["does-not-exist.py"], "no such file or directory: does-not-exist.py"),
        (["--select", "XYZ1", "."], "select 'XYZ1' matches no rule"),
        (["--ignore", "NTR9", "."], "ignore 'NTR9' matches no rule"),
        ([], "no PATH given"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["workflow", "lint", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ntro: error: ") and message in err


def test_bad_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["workflow", "lint", "--format", "xml", "."])
    assert exc.value.code == 2


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workflow", "lint", "--list-rules"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == len(EXPECTED) and "NTR101 wall-clock" in out


def _ntro() -> str:
    script = Path(sys.executable).with_name("ntro")
    assert script.exists(), f"the ntro console script is not installed beside {sys.executable}"
    return str(script)


def test_installed_script_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(CLEAN)
    bundle = write_bundle(tmp_path / "bundles")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([_ntro(), "workflow", "lint", *args], capture_output=True, text=True, timeout=60)

    clean = run(str(tmp_path / "clean.py"))
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")
    dirty = run(str(bundle))
    assert dirty.returncode == 1 and dirty.stdout.count("\n") == len(EXPECTED) and dirty.stderr == ""
    usage = run(str(tmp_path / "missing"))
    assert usage.returncode == 2 and usage.stdout == ""
    assert usage.stderr.startswith("ntro: error: no such file") and "Traceback" not in usage.stderr
