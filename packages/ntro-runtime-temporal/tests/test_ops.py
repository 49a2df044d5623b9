"""The operations commands (describe, signal, update, answer, result, cancel, list) against a real dev server.

One dev server and one ``ntro worker`` (hosting examples/runbooks and the
test bundles) serve the whole module. The walk test drives nav-monthly to
its end with ``describe`` and ``answer`` alone and compares the result with
a LocalRuntime run; the restart test keeps ``start --wait`` waiting while the
dev server is stopped and started again on its SQLite file.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from ntro_servers import child_env, free_port, use_host

from ntro import documents
from ntro.cli import main
from ntro.runtime.temporal import NtroPlugin
from ntro.runtime.temporal.testing import WorkerProcess

pytestmark = [pytest.mark.temporal]

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "runbooks"
NAV = EXAMPLES / "nav-monthly"
INGEST = EXAMPLES / "document-ingest"
HELLO = Path(__file__).parent / "bundles" / "hello"
QUEUE = "ops-tests"
SAMPLES = {
    "trial-balance": NAV / "templates" / "data" / "samples" / "trial-balance.csv",
    "bank-statement": INGEST / "templates" / "data" / "samples" / "bank-statement.csv",
    "investor-notice": INGEST / "templates" / "data" / "samples" / "investor-notice.json",
}
LOOKS = 300  # bounded polling: describe at most this many times before giving up


@pytest.fixture(scope="module")
def documents_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The document store the module's worker and its ``answer ... upload`` commands share (NTRO_DOCUMENTS)."""
    return str(tmp_path_factory.mktemp("documents"))


def _worker_args(bundles: Sequence[Path] = (EXAMPLES, HELLO.parent), *options: str, queue: str = QUEUE) -> list[str]:
    return [*(str(b) for b in bundles), "--task-queue", queue, "--sticky-timeout", "1", *options]


def _start_worker(host: str, bundles: Sequence[Path], **env: str) -> WorkerProcess:
    process = WorkerProcess(_worker_args(bundles), child_env(host, **env))
    process.wait_for("ntro worker: hosting")
    return process


@pytest.fixture(scope="module")
def worker(dev_host: str, documents_dir: str, serve: Any) -> Iterator[WorkerProcess]:
    with serve(_worker_args(), dev_host, NTRO_DOCUMENTS=documents_dir) as process:
        yield process


@pytest.fixture
def host_env(host_env: str, documents_dir: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The shared ``host_env``, with the module's document store (``NTRO_DOCUMENTS``)."""
    monkeypatch.setenv("NTRO_DOCUMENTS", documents_dir)
    documents.set_default_store(None)
    yield host_env
    documents.set_default_store(None)  # an --documents option sets this process's default store


def _ntro(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = _ntro(capsys, *argv)
    assert code == 0, err
    return out


def _error(capsys: pytest.CaptureFixture[str], code: int, *argv: str) -> str:
    """Run a command that must fail with ``code`` and one ``ntro: error:`` line; return the line's text."""
    got, _, err = _ntro(capsys, *argv)
    assert got == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ntro: error: "), err
    return lines[0].removeprefix("ntro: error: ")


def _start(capsys: pytest.CaptureFixture[str], slug: str, *extra: str) -> str:
    bundles = str(HELLO.parent if slug in ("hello", "tally") else EXAMPLES)
    out = _ok(capsys, "workflow", "start", slug, "--bundles", bundles, "--task-queue", QUEUE, *extra)
    match = re.match(rf"started {slug} as workflow (\S+) \(run \S+\) on task queue '{QUEUE}'$", out.strip())
    assert match, out
    return match.group(1)


def _nodes(tree: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield tree
    for child in tree["running_children"]:
        yield from _nodes(child)


def _describe_until(capsys: pytest.CaptureFixture[str], workflow_id: str, text: str) -> list[str]:
    """Describe until a line shows ``text`` (a gate the run now waits at); return a fresh description.

    The fresh one is asked once the run waits at the gate: its queries are answered one by one, so a
    description taken while the run moves may mix two moments.
    """
    for _ in range(LOOKS):
        lines = _ok(capsys, "workflow", "describe", workflow_id).splitlines()
        if any(text in line for line in lines):
            return _ok(capsys, "workflow", "describe", workflow_id).splitlines()
    pytest.fail(f"describe {workflow_id} never showed {text!r}")


def _walk(capsys: pytest.CaptureFixture[str], workflow_id: str) -> list[str]:
    """Answer what ``describe`` says the run waits for (samples for uploads, approve for reviews) until it ends.

    Returns the answers given, in order (``upload SOURCE`` or ``approve``).
    """
    answered: set[tuple[str, Any]] = set()
    given: list[str] = []
    for _ in range(LOOKS):
        tree = json.loads(_ok(capsys, "workflow", "describe", workflow_id, "--json"))
        if tree["status"] != "RUNNING":
            assert tree["status"] == "COMPLETED", tree
            return given
        uploads: list[str] = []
        reviews: list[tuple[str, Any]] = []
        for node in _nodes(tree):
            pending = node["pending_action"] or {}
            key = (node["workflow_id"], pending.get("gate"))
            if key in answered:
                continue
            if pending.get("kind") == "submit_file":
                answered.add(key)
                uploads.append(pending["args"]["source"])
            elif pending.get("kind") == "interactive_review":
                reviews.append(key)
        for source in uploads:
            out = _ok(capsys, "workflow", "answer", workflow_id, "upload", source, str(SAMPLES[source]))
            assert out.startswith(f"sent {SAMPLES[source]} as "), out
            assert f"; stored as sha256:{hashlib.sha256(SAMPLES[source].read_bytes()).hexdigest()} in " in out
            given.append(f"upload {source}")
        if reviews and not uploads:
            out = _ok(capsys, "workflow", "answer", workflow_id, "approve")
            assert len(out.strip().splitlines()) >= len(reviews), out  # more may have opened since
            answered.update(reviews)
            given.append("approve")
    pytest.fail(f"{workflow_id} did not finish")


def test_walk_nav_monthly_with_describe_and_answer(worker: WorkerProcess, host_env: str, capsys: Any) -> None:
    pytest.importorskip("ntro.runtime.local", reason="the walk compares with a LocalRuntime run")
    workflow_id = _start(capsys, "nav-monthly")
    assert str(uuid.UUID(workflow_id)) == workflow_id  # the default id is a UUID

    first = _describe_until(capsys, workflow_id, "waits for an upload of trial-balance")
    assert first[0].startswith(f"workflow {workflow_id} (NavMonthlyWorkflow) is running on task queue '{QUEUE}'")
    assert first[1:] == [
        "  ✓ Open the period",
        "  ▶ Check the starting trial balance",
        "  · Ingest the month's documents",
        "  · Review the NAV",
        "  · Close the period",
        "  waits for an upload of trial-balance: Upload the trial balance of Demo Fund LP at the start of 2026-10 "
        f"(answer with: ntro workflow answer {workflow_id} upload trial-balance FILE)",
    ]
    assert _ok(capsys, "workflow", "answer", workflow_id, "upload", "trial-balance", str(SAMPLES["trial-balance"]))

    children = _describe_until(capsys, workflow_id, "waits for an upload of investor-notice")
    assert "  ✓ Check the starting trial balance" in children
    assert "  waits for its child workflows" in children
    assert f"    {workflow_id}:ingest_sources:document-ingest:0 (document-ingest, step ingest_sources): running" in (
        children
    )
    assert any(
        line.startswith("      waits for an upload of bank-statement: ")
        and line.endswith(f"(answer with: ntro workflow answer {workflow_id} upload bank-statement FILE)")
        for line in children
    ), children

    assert _walk(capsys, workflow_id) == [
        "upload bank-statement",
        "upload investor-notice",
        "approve",  # both document-ingest reviews at once
        "approve",  # nav-monthly's own review
    ]
    result = json.loads(_ok(capsys, "workflow", "result", workflow_id))
    done = _ok(capsys, "workflow", "describe", workflow_id).splitlines()
    assert done[0].startswith(f"workflow {workflow_id} (NavMonthlyWorkflow) completed on task queue")
    assert all(line.startswith("  ✓ ") for line in done[1:6]), done
    assert done[7:] == [
        f"    {workflow_id}:ingest_sources:document-ingest:{i} (document-ingest, step ingest_sources): completed"
        for i in range(2)
    ]

    local = json.loads(_ok(capsys, "workflow", "run", str(NAV), "--child", str(INGEST), "-q"))
    assert result["status"] == "closed"
    for value in (result, local):
        value.pop("completed_at")
    assert result == local


def test_signal_cancel_and_what_a_finished_run_refuses(
    worker: WorkerProcess, dev_server: Any, host_env: str, capsys: Any
) -> None:
    workflow_id = _start(capsys, "nav-monthly", "--id", f"ops-{uuid.uuid4().hex[:8]}")
    _describe_until(capsys, workflow_id, "waits for an upload of trial-balance")
    # What it does not wait for, and bad answers.
    assert _error(capsys, 1, "workflow", "answer", workflow_id, "approve") == (
        f"workflow {workflow_id} has no review open; it waits for: an upload of trial-balance: Upload the trial "
        f"balance of Demo Fund LP at the start of 2026-10 (in {workflow_id})"
    )
    assert _error(capsys, 1, "workflow", "answer", workflow_id, "upload", "payroll", str(SAMPLES["trial-balance"])) == (
        f"workflow {workflow_id} waits for no upload of 'payroll'; the uploads open are: trial-balance"
    )
    bad: list[tuple[list[str], str]] = [
        (["upload", "trial-balance", "/no/such/file.csv"], "/no/such/file.csv: no such file"),
        (["upload", "trial-balance"], "upload takes SOURCE FILE"),
        (["approve", "trial-balance"], "approve takes no SOURCE FILE"),
        (["approve", "--correction", "[1]"], "--correction must be a JSON object"),
        (["approve", "--correction", "{nope"], "--correction is not valid JSON"),
        (["upload", "a", str(SAMPLES["trial-balance"]), "--note", "x"], "--note and --correction go with"),
    ]
    for argv, message in bad:
        assert _error(capsys, 2, "workflow", "answer", workflow_id, *argv).startswith(message)
    assert _error(capsys, 2, "workflow", "signal", workflow_id, "tb_submitted", "--input", "{nope").startswith(
        "--input is not valid JSON"
    )
    assert _error(capsys, 2, "workflow", "signal", workflow_id, "tb_submitted", "--input", "@/no/such.json").startswith(
        "--input @/no/such.json: cannot read"
    )
    assert _error(capsys, 1, "workflow", "result", workflow_id) == (
        f"workflow {workflow_id} is still running; add --wait to wait for its result"
    )

    # A signal by hand answers the upload gate as well as `answer` does.
    ref = json.dumps({"document_ref": "sample:trial-balance", "filename": "tb.csv"})
    out = _ok(capsys, "workflow", "signal", workflow_id, "tb_submitted", "--input", ref)
    assert out == f"sent signal tb_submitted to workflow {workflow_id}\n"
    _describe_until(capsys, workflow_id, "waits for an upload of bank-statement")

    assert _ok(capsys, "workflow", "cancel", workflow_id) == f"asked workflow {workflow_id} to cancel\n"
    assert _error(capsys, 1, "workflow", "result", workflow_id, "--wait") == f"workflow {workflow_id} was cancelled"
    described = _ok(capsys, "workflow", "describe", workflow_id)
    assert described.startswith(f"workflow {workflow_id} (NavMonthlyWorkflow) was cancelled")
    words = f"workflow {workflow_id} was cancelled"
    assert _error(capsys, 1, "workflow", "cancel", workflow_id) == f"{words}; there is nothing to cancel"
    assert _error(capsys, 1, "workflow", "answer", workflow_id, "approve") == f"{words}; there is nothing to answer"
    assert _error(capsys, 1, "workflow", "signal", workflow_id, "x") == (
        f"{words}; only a running workflow takes signals (x)"
    )


async def _terminate(dev_server: Any, workflow_id: str) -> None:
    await dev_server.client.get_workflow_handle(workflow_id).terminate(reason="closing early")


def test_result_and_list(worker: WorkerProcess, dev_server: Any, host_env: str, capsys: Any) -> None:
    hello = _start(capsys, "hello", "--input", '{"name": "ops", "times": 2}')
    result = json.loads(_ok(capsys, "workflow", "result", hello, "--wait"))
    assert result == {"greeting": "hello ops hello ops", "workflow_id": hello}
    assert json.loads(_ok(capsys, "workflow", "result", hello)) == result
    wrapped = json.loads(_ok(capsys, "workflow", "result", hello, "--json"))
    assert wrapped == {"workflow_id": hello, "status": "COMPLETED", "result": result}

    failing = _start(capsys, "hello", "--input", '{"name": "eve", "fail": true}')
    assert _error(capsys, 1, "workflow", "result", failing, "--wait") == (
        f"workflow {failing} failed: Refused: refusing to greet eve"
    )

    waiting = _start(capsys, "nav-monthly")
    for _ in range(LOOKS):
        listed = json.loads(_ok(capsys, "workflow", "list", "--status", "running", "--json"))
        if waiting in {run["workflow_id"] for run in listed}:
            break
    else:
        pytest.fail("the running workflow was never listed")
    assert {run["status"] for run in listed} == {"RUNNING"}
    text = _ok(capsys, "workflow", "list", "--status", "running").splitlines()
    assert any(line.startswith(waiting) and "NavMonthlyWorkflow" in line and " running " in line for line in text)
    assert len(json.loads(_ok(capsys, "workflow", "list", "--limit", "1", "--json"))) == 1
    completed = json.loads(_ok(capsys, "workflow", "list", "--status", "completed", "--json"))
    assert hello in {run["workflow_id"] for run in completed}

    asyncio.run(_terminate(dev_server, waiting))
    assert _error(capsys, 1, "workflow", "result", waiting) == f"workflow {waiting} was terminated: closing early"


@pytest.mark.parametrize(
    "argv",
    [
        ["describe", "nope"],
        ["signal", "nope", "x"],
        ["answer", "nope", "approve"],
        ["result", "nope"],
        ["result", "nope", "--wait"],
        ["cancel", "nope"],
    ],
)
def test_an_unknown_id_is_one_line(host_env: str, capsys: Any, argv: list[str]) -> None:
    assert _error(capsys, 1, "workflow", *argv) == (
        f"no workflow with id 'nope' on Temporal at {host_env} (namespace default)"
    )


def test_an_unknown_namespace_is_one_line(host_env: str, capsys: Any) -> None:
    message = _error(capsys, 1, "workflow", "describe", "x", "--namespace", "no-such-namespace")
    assert message.startswith("namespace 'no-such-namespace' does not exist on Temporal at "), message


@pytest.mark.parametrize(
    "argv",
    [["describe", "x"], ["signal", "x", "y"], ["answer", "x", "approve"], ["result", "x"], ["cancel", "x"], ["list"]],
)
def test_an_unreachable_server_is_one_line(capsys: Any, monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    monkeypatch.setenv("TEMPORAL_HOST", "127.0.0.1:1")
    assert _error(capsys, 1, "workflow", *argv) == (
        "cannot connect to Temporal at 127.0.0.1:1 (namespace default, plaintext): "
        "connection refused (is the server running, and is the port right?)"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--status", "sleeping"], "argument --status: invalid choice: 'sleeping'"),
        (["--limit", "0"], "argument --limit: 0 is not at least 1"),
    ],
)
def test_bad_list_options_are_usage_errors(capsys: Any, argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["workflow", "list", *argv])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_start_wait_reports_a_cancelled_run_in_those_words(worker: WorkerProcess, host_env: str, capsys: Any) -> None:
    workflow_id = f"wait-cancel-{uuid.uuid4().hex[:8]}"
    waiting = _waiting_start(host_env, workflow_id)
    try:
        _describe_until(capsys, workflow_id, "waits for an upload of trial-balance")
        _ok(capsys, "workflow", "cancel", workflow_id)
        _, err = waiting.communicate(timeout=60)
    finally:
        waiting.kill()
    assert waiting.returncode == 1
    assert err.strip().splitlines()[-1] == f"ntro: error: workflow {workflow_id} was cancelled"


def _waiting_start(host: str, workflow_id: str) -> subprocess.Popen[str]:
    """``ntro workflow start nav-monthly --wait`` in a child process, once it has started the run."""
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "ntro.cli", "workflow", "start", "nav-monthly", "--bundles", str(EXAMPLES)),
            *("--task-queue", QUEUE, "--id", workflow_id, "--wait"),
        ],
        env=child_env(host),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    assert line.startswith(f"started nav-monthly as workflow {workflow_id} "), line
    return process


@pytest.mark.asyncio(loop_scope="session")
async def test_open_client_with_connection_settings(worker: WorkerProcess, dev_host: str) -> None:
    from ntro.runtime.protocol import ClientOptions, open_client
    from ntro.workflow.bundle import load_bundle

    hello = load_bundle(HELLO).workflow_cls
    options = ClientOptions(connection={"host": dev_host, "namespace": "default"}, task_queue=QUEUE)
    async with open_client("temporal", options) as client:
        assert client.task_queue == QUEUE
        handle = await client.start_workflow("hello", {"name": "settings"})
        result = await handle.result()
    assert type(result).__name__ == "HelloResult"  # decoded into the run method's return type
    assert (result.greeting, result.workflow_id) == ("hello settings", handle.id)
    assert hello.__name__ == "HelloWorkflow"


@pytest.mark.asyncio(loop_scope="session")
async def test_start_wait_rides_out_a_server_restart(
    tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch, start_server: Any
) -> None:
    database, port = tmp_path / "temporal.db", free_port()
    server = await start_server(database=database, port=port)
    host = f"127.0.0.1:{port}"
    use_host(monkeypatch, host)
    store = str(tmp_path / "documents")
    monkeypatch.setenv("NTRO_DOCUMENTS", store)  # where the walk's uploads go, and the worker reads them
    workflow_id = f"restart-{uuid.uuid4().hex[:8]}"
    worker, waiting = await asyncio.gather(
        asyncio.to_thread(_start_worker, host, [NAV, INGEST], NTRO_DOCUMENTS=store),
        asyncio.to_thread(_waiting_start, host, workflow_id),
    )
    try:
        try:
            await asyncio.to_thread(_describe_until, capsys, workflow_id, "waits for an upload of trial-balance")
        finally:
            await server.shutdown()
        # Same database, same port: the waiting command and the worker reconnect by themselves.
        server = await start_server(database=database, port=port)
        async with server:
            await asyncio.to_thread(_walk, capsys, workflow_id)
            out, err = await asyncio.to_thread(waiting.communicate, timeout=90)
    finally:
        waiting.kill()
        assert worker.stop() == 0
    assert waiting.returncode == 0, err
    assert json.loads(out)["status"] == "closed"


@pytest.mark.asyncio(loop_scope="session")
async def test_result_waits_out_an_outage_longer_than_temporalios_own_retries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, start_server: Any
) -> None:
    import logging

    import ntro_temporal_testflows as flows
    from temporalio.client import Client
    from temporalio.service import RetryConfig
    from temporalio.worker import Worker

    from ntro.runtime.temporal import TemporalClient

    database, port = tmp_path / "temporal.db", free_port()
    host = f"127.0.0.1:{port}"
    server = await start_server(database=database, port=port)
    # temporalio retries an unavailable server for ~10 s by itself; with that cut short,
    # the outage below reaches TemporalClient's own waiting.
    impatient = RetryConfig(initial_interval_millis=20, max_retries=1, max_elapsed_time_millis=50)
    raw = await Client.connect(host, plugins=[NtroPlugin()], retry_config=impatient)
    serving = await Client.connect(host, plugins=[NtroPlugin()])
    client = TemporalClient(raw, task_queue="outage", reconnect_timeout=120)
    caplog.set_level(logging.WARNING, logger="ntro.runtime.temporal")
    async with Worker(serving, task_queue="outage", workflows=[flows.NotesFlow]):
        handle = await client.start_workflow(flows.NotesFlow, "outage")
        assert await handle.query("seen") == []
        result = asyncio.ensure_future(handle.result())
        try:
            await server.shutdown()
            for _ in range(LOOKS):
                if any("is unavailable" in r.getMessage() for r in caplog.records):
                    break
                await asyncio.sleep(0.05)
            else:
                pytest.fail("result() never saw the server unavailable")
            assert not result.done()
        finally:
            server = await start_server(database=database, port=port)
        async with server:
            await handle.signal("done")
            assert (await result).text == "outage: []"
    [warning] = [r for r in caplog.records if "is unavailable" in r.getMessage()]
    assert f"waiting for workflow {handle.id}'s result to be reachable again" in warning.getMessage()


def test_update_answers_refuses_and_ends_a_run(
    worker: WorkerProcess, dev_server: Any, host_env: str, capsys: Any
) -> None:
    workflow_id = _start(capsys, "tally", "--id", f"tally-{uuid.uuid4().hex[:8]}", "--input", '{"total": 5}')
    assert _ok(capsys, "workflow", "update", workflow_id, "add", "--input", "7").strip() == "12"
    # The validator refuses before the total changes; one line, exit 1.
    assert _error(capsys, 1, "workflow", "update", workflow_id, "add", "--input", "-3") == (
        f"update add of workflow {workflow_id} failed: ValueError: cannot add a negative amount (-3)"
    )
    assert _error(capsys, 1, "workflow", "update", workflow_id, "subtract", "--input", "1").startswith(
        f"workflow {workflow_id} has no update 'subtract'"
    )
    assert _error(capsys, 2, "workflow", "update", workflow_id, "add", "--input", "{nope").startswith(
        "--input is not valid JSON"
    )
    assert _error(capsys, 2, "workflow", "update", " ", "add") == "the workflow ID is empty"
    answer = json.loads(_ok(capsys, "workflow", "update", workflow_id, "close", "--json"))
    assert answer == {"workflow_id": workflow_id, "update": "close", "answer": {"closing_total": 12}}
    assert json.loads(_ok(capsys, "workflow", "result", workflow_id, "--wait")) == {"total": 12}
    assert _error(capsys, 1, "workflow", "update", workflow_id, "add", "--input", "1").endswith(
        "only a running workflow takes updates (add)"
    )


# -- uploads go through the document store --------------------------------------------------------------

S3_QUEUE = "ops-tests-s3"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
STATEMENT = b"date,description,reference,amount\n2026-10-05,Coupon received,CPN-77,1234.56\n"


@pytest.fixture(scope="module")
def bucket(s3_endpoint: str) -> str:
    import s3fs

    name = f"ntro-ops-{uuid.uuid4().hex[:10]}"
    s3fs.S3FileSystem(endpoint_url=s3_endpoint, key="testing", secret="testing", skip_instance_cache=True).mkdir(name)
    return name


@pytest.fixture(scope="module")
def s3_worker(dev_host: str, s3_endpoint: str, bucket: str, serve: Any) -> Iterator[WorkerProcess]:
    """A worker that knows documents only through the bucket (``--documents s3://...``), as one on a cluster."""
    args = _worker_args([EXAMPLES], "--documents", f"s3://{bucket}/docs", queue=S3_QUEUE)
    with serve(args, dev_host, AWS_ENDPOINT_URL=s3_endpoint, **S3_CREDENTIALS) as process:
        yield process


def _start_ingest(capsys: pytest.CaptureFixture[str]) -> str:
    out = _ok(capsys, "workflow", "start", "document-ingest", "--bundles", str(EXAMPLES), "--task-queue", S3_QUEUE)
    match = re.match(r"started document-ingest as workflow (\S+) ", out)
    assert match, out
    workflow_id = match.group(1)
    _describe_until(capsys, workflow_id, "waits for an upload of bank-statement")
    return workflow_id


def test_an_uploaded_file_reaches_the_worker_through_the_bucket(
    s3_worker: WorkerProcess,
    host_env: str,
    s3_endpoint: str,
    bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    for name, value in {"AWS_ENDPOINT_URL": s3_endpoint, **S3_CREDENTIALS}.items():
        monkeypatch.setenv(name, value)
    assert any(f"documents in s3://{bucket}/docs;" in line for line in s3_worker.seen), s3_worker.seen
    workflow_id = _start_ingest(capsys)
    upload = tmp_path / "october.csv"
    upload.write_bytes(STATEMENT)
    store = f"s3://{bucket}/docs"
    out = _ok(capsys, "workflow", "answer", workflow_id, "upload", "bank-statement", str(upload), "--documents", store)
    ref = f"sha256:{hashlib.sha256(STATEMENT).hexdigest()}"
    assert out == (
        f"sent {upload} as document_submitted to workflow {workflow_id} "
        f"(an upload of bank-statement: Upload the bank-statement for demo-fund); stored as {ref} in {store}\n"
    )
    upload.unlink()  # the worker never reads the answering side's disk: only the bucket
    assert documents.DocumentStore(store).read(ref) == STATEMENT
    _describe_until(capsys, workflow_id, "waits for a review")
    _ok(capsys, "workflow", "answer", workflow_id, "approve")
    record = json.loads(_ok(capsys, "workflow", "result", workflow_id, "--wait"))
    assert (record["status"], record["filename"], record["document_ref"]) == ("committed", "october.csv", ref)
    assert [(line["reference"], line["amount"]) for line in record["line_items"]] == [("CPN-77", "1234.56")]


def test_an_upload_the_store_refuses_sends_nothing(
    s3_worker: WorkerProcess, host_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    workflow_id = _start_ingest(capsys)
    upload = tmp_path / "october.csv"
    upload.write_bytes(STATEMENT)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    unreachable = f"{blocker}/documents"
    argv = ["workflow", "answer", workflow_id, "upload", "bank-statement", str(upload)]
    assert _error(capsys, 1, *argv, "--documents", unreachable) == (
        f"the document store file://{unreachable} cannot be written: Not a directory"
    )
    monkeypatch.setenv("NTRO_DOCUMENTS_MAX_MB", "0.00001")  # 10 bytes
    assert _error(capsys, 2, *argv) == (
        f"october.csv ({len(STATEMENT)} bytes) is larger than the document store's limit of 10 bytes "
        "(NTRO_DOCUMENTS_MAX_MB sets it)"
    )
    # Neither answer was sent: the run still waits for the upload.
    assert any(
        "waits for an upload of bank-statement" in line
        for line in _ok(capsys, "workflow", "describe", workflow_id).splitlines()
    )
    _ok(capsys, "workflow", "cancel", workflow_id)
