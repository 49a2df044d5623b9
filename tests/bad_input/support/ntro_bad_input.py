"""The bad-input tests' one check, :func:`refused`, and what the cases share.

:func:`refused` is the one check every case goes through. It runs ``ntro``
in-process (``ntro.cli.main``: the same code, without a new interpreter) or,
where the process itself matters (closed or full stdout, stdin, another
user's permissions), as a real ``python -m ntro.cli`` subprocess, and
asserts: the exit code is non-zero, stderr is one or two lines, there is no
traceback and no other library's exception text, the expected words are
there, and stdout claims nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import attrs
import pytest

from ntro.cli import main

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "runbooks"
INGEST = str(EXAMPLES / "document-ingest")
NAV = str(EXAMPLES / "nav-monthly")

HAS_TEMPORALIO = find_spec("temporalio") is not None
HAS_TEMPORAL_COMMANDS = find_spec("ntro.runtime.temporal") is not None
HAS_HARNESS = find_spec("ntro.testing") is not None

needs_temporal_commands = pytest.mark.skipif(
    not HAS_TEMPORAL_COMMANDS, reason="the Temporal commands come with ntro-runtime-temporal"
)
needs_harness = pytest.mark.skipif(not HAS_HARNESS, reason="the harness commands come with ntro-harness")

# Text that means an exception escaped in another library's words.
LEAKS = (
    "Traceback",
    "temporalio.",
    "tonic::",
    "RPCError",
    "pydantic_core",
    "codec can't decode",
    "object at 0x",
    "Errno",
)
# What a command prints on stdout when it worked.
SUCCESS_CLAIMS = ("started ", "sent ", "approved", "asked workflow", "selected:", "PASS", '"status"')


@attrs.frozen
class Outcome:
    """What an ``ntro`` invocation did."""

    code: int
    out: str
    err: str

    @property
    def line(self) -> str:
        """The error line (the last line on stderr)."""
        return self.err.strip().splitlines()[-1]


def _in_process(argv: Sequence[str]) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's usage errors, --help
            code = exc.code if isinstance(exc.code, int) else 1
    return Outcome(code, out.getvalue(), err.getvalue())


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without the settings that pick a cluster or a backend, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "NTRO_RUNTIME", "NTRO_BUNDLES"))}
    env.update(extra)
    return env


def _subprocess(
    argv: Sequence[str],
    *,
    stdin: bytes | None,
    stdout: Any,
    env: dict[str, str] | None,
    cwd: Path | None,
    as_nobody: bool,
) -> Outcome:
    command = [sys.executable, "-m", "ntro.cli", *argv]
    if as_nobody and os.geteuid() == 0:  # root reads everything: drop to an unprivileged user
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    closed = stdout == "closed"  # the child starts with no fd 1 at all, as after `>&-` in a shell
    proc = subprocess.run(
        command,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE if stdout is None else subprocess.DEVNULL if closed else stdout,
        preexec_fn=(lambda: os.close(1)) if closed else None,
        stderr=subprocess.PIPE,
        env=env if env is not None else clean_env(),
        cwd=cwd,
        timeout=120,
        check=False,
    )
    out = proc.stdout.decode("utf-8", "replace") if proc.stdout is not None else ""
    return Outcome(proc.returncode, out, proc.stderr.decode("utf-8", "replace"))


def refused(
    argv: Sequence[str],
    *words: str,
    code: int | None = None,
    process: bool = False,
    stdin: bytes | None = None,
    stdout: Any = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    as_nobody: bool = False,
) -> Outcome:
    """Run ``ntro ARGV`` and check that it refuses clearly; return what it did.

    Args:
        argv: The arguments after ``ntro``.
        *words: Text the error must contain.
        code: The exit code it must have (any non-zero one when ``None``).
        process: Run a real subprocess (implied by ``stdin``, ``stdout``,
            ``env``, ``cwd`` and ``as_nobody``) instead of ``ntro.cli.main``.
        stdin: Bytes for its stdin (a subprocess).
        stdout: Where its stdout goes (a file object or descriptor; ``"closed"``: nowhere, fd 1
            closed; captured when ``None``).
        env: Its environment (default: this one without ``TEMPORAL_*`` settings).
        cwd: Its working directory.
        as_nobody: Run it as an unprivileged user when this is root.
    """
    if process or stdin is not None or stdout is not None or env is not None or cwd is not None or as_nobody:
        got = _subprocess(argv, stdin=stdin, stdout=stdout, env=env, cwd=cwd, as_nobody=as_nobody)
    else:
        got = _in_process(argv)
    shown = f"ntro {' '.join(argv)!s:.300}\nexit {got.code}\nstdout: {got.out[:500]!r}\nstderr: {got.err[:2000]}"
    assert got.code != 0, f"a silent success:\n{shown}"
    if code is not None:
        assert got.code == code, f"exit {got.code}, not {code}:\n{shown}"
    lines = got.err.strip().splitlines()
    assert 1 <= len(lines) <= 2, f"{len(lines)} lines on stderr, not one or two:\n{shown}"
    for leak in LEAKS:
        assert leak not in got.err, f"{leak!r} leaked:\n{shown}"
    assert lines[-1].startswith("ntro"), f"the error does not say it is ntro's:\n{shown}"
    for word in words:
        assert word in got.err, f"{word!r} is not in the error:\n{shown}"
    for claim in SUCCESS_CLAIMS:
        assert claim not in got.out, f"stdout claims success ({claim!r}):\n{shown}"
    assert not got.out.strip() or stdout is not None, f"stdout is not empty:\n{shown}"
    if os.environ.get("NTRO_SHOW_REFUSALS"):  # to read every answer: NTRO_SHOW_REFUSALS=1 pytest -s ...
        print(f"\n  exit {got.code}: {got.line}")
    return got


def write_bundle(root: Path, slug: str, workflow: str, activities: str = "") -> Path:
    """Write a runbook bundle ``root/slug`` whose ``templates/workflow.py`` is ``workflow`` (dedented)."""
    bundle = root / slug
    (bundle / "templates").mkdir(parents=True)
    (bundle / "runbook.md").write_text(f"---\nslug: {slug}\nname: {slug}\n---\n")
    (bundle / "templates" / "__init__.py").write_text("")
    header = "from __future__ import annotations\n\nfrom typing import Any\n\nfrom ntro.workflow import *  # noqa\n"
    (bundle / "templates" / "workflow.py").write_text(header + textwrap.dedent(workflow))
    if activities:
        (bundle / "templates" / "activities.py").write_text(header + textwrap.dedent(activities))
    return bundle


def can_drop_privileges() -> bool:
    """Whether permission cases can run: not root, or root with setpriv to become someone else."""
    return os.geteuid() != 0 or shutil.which("setpriv") is not None
