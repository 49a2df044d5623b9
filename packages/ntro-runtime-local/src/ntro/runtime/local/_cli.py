"""``ntro workflow run``: run a runbook bundle in-process under LocalRuntime.

It loads the bundle (and the ``--child`` bundles, so their slugs resolve),
validates ``--input`` against the run method's parameter, starts the workflow
on a fresh :class:`~ntro.runtime.local.LocalRuntime` with the bundle's real
activities, prints each step as it starts and completes (on stderr), answers
the human gates the runbook advertises, and prints the result as JSON (on
stdout).

Gates are answered when a workflow of the run starts waiting, from its
``current_pending_action`` (the same actions the UI and the harness read):

``submit_file``
    The signal ``args.signal_name`` is sent to ``args.signal_task_id`` with a
    stub document whose ``document_ref`` is ``sample:<args.source>``: runbooks
    resolve that to a sample file they ship (``templates/data/samples/``).
    With ``--interactive``, a path typed at the prompt is sent instead.
``submit_files``
    The same, once per pending slot.
``interactive_review``
    ``user_action`` with ``{"kind": "approve"}`` or ``{"kind": "reject"}``
    (``--answer``), or what is typed at the prompt.
``drill_down``
    The children listed are answered in turn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mimetypes
import re
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from ntro.cli import CommandError
from ntro.runtime.local import LocalEvent, LocalRuntime, LocalWorkflowHandle, start_local
from ntro.workflow.bundle import Bundle, BundleError, InputError, load_bundle, parse_input
from ntro.workflow.exceptions import WorkflowError
from ntro.workflow.registry import list_registered_slugs

__all__ = ["RUN_COMMAND", "RunCommand"]

_SUMMARY_LINES = 12


def _read_input(spec: str | None) -> str | None:
    """Return the JSON text of ``--input``: inline, ``@file``, or ``@-`` for stdin."""
    if spec is None or not spec.startswith("@"):
        return spec
    name = spec[1:]
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CommandError(f"cannot read the input file {name}: {reason}") from None


def _jsonable(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _failure_line(exc: BaseException) -> str:
    if isinstance(exc, WorkflowError):
        if exc.type == "UnknownWorkflowSlug":
            match = re.search(r"slug '([^']+)'", exc.message)
            slug = match.group(1) if match else "a child workflow"
            loaded = ", ".join(list_registered_slugs()) or "none"
            return f"it starts {slug!r} by slug, which no loaded bundle provides (loaded: {loaded}); add --child DIR"
        return exc.message or type(exc).__name__
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _short(value: Any) -> str:
    if isinstance(value, Mapping):
        keys = ", ".join(str(k) for k in list(value)[:6])
        return "{" + keys + (", ..." if len(value) > 6 else "") + "}"
    if isinstance(value, (list, tuple)):
        return f"{len(value)} item(s)"
    text = str(value)
    return text if len(text) <= 70 else text[:67] + "..."


def _settle(future: asyncio.Future[str | None], value: str | None) -> None:
    if not future.done():
        future.set_result(value)


def _existing_file(text: str) -> Path | None:
    path = Path(text).expanduser()
    return path.resolve() if path.is_file() else None


class _Prompter:
    """Asks questions at the terminal without blocking the event loop."""

    def __init__(self, err: TextIO) -> None:
        self.err = err

    async def ask(self, prompt: str) -> str:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[str | None] = loop.create_future()

        def read() -> None:
            try:
                line: str | None = sys.stdin.readline()
            except (OSError, ValueError):
                line = None
            loop.call_soon_threadsafe(_settle, answer, line or None)

        self.err.write(prompt)
        self.err.flush()
        # A daemon thread, so a run that ends while a question is open does not wait for the answer.
        threading.Thread(target=read, name="ntro-prompt", daemon=True).start()
        line = await answer
        if line is None:
            raise CommandError("stdin closed while waiting for an answer", exit_code=1)
        return line.strip()


class _Session:
    """One ``ntro workflow run``: start the workflow, report progress, answer gates."""

    def __init__(
        self,
        bundle: Bundle,
        value: Any,
        *,
        answer: str,
        interactive: bool,
        workflow_id: str | None,
        progress: str,
        err: TextIO,
    ) -> None:
        self.bundle = bundle
        self.value = value
        self.answer = answer
        self.interactive = interactive
        self.workflow_id = workflow_id
        self.progress = progress
        self.err = err
        self.runtime = LocalRuntime()
        self.prompter = _Prompter(err)
        self.root_id = ""
        self.parents: dict[str, str | None] = {}
        self.step_started: dict[tuple[str, str], float] = {}
        self.fresh: set[str] = set()
        self.wake = asyncio.Event()
        self.started = time.monotonic()

    # -- progress -----------------------------------------------------------------------
    def _depth(self, workflow_id: str) -> int:
        depth, parent = 0, self.parents.get(workflow_id)
        while parent is not None and depth < 32:
            depth, parent = depth + 1, self.parents.get(parent)
        return depth

    def _label(self, workflow_id: str) -> str:
        parent = self.parents.get(workflow_id)
        if parent is None:
            return ""
        rest = workflow_id[len(parent) + 1 :] if workflow_id.startswith(parent + ":") else workflow_id
        parts = rest.split(":")
        return "[" + (":".join(parts[1:]) if len(parts) > 1 else rest) + "] "

    def _line(self, workflow_id: str, text: str, *, extra_indent: int = 0) -> None:
        if self.progress != "human":
            return
        indent = "  " * (self._depth(workflow_id) + extra_indent)
        print(f"{indent}{text}", file=self.err, flush=True)

    def observe(self, event: LocalEvent) -> None:
        """The runtime's observer: print progress and note workflows that began waiting."""
        wid = event.workflow_id
        detail = event.detail
        if event.kind == "workflow.started":
            parent = detail.get("parent_workflow_id")
            self.parents[wid] = parent if isinstance(parent, str) else None
        elif event.kind == "workflow.waiting":
            self.fresh.add(wid)
            self.wake.set()
        if self.progress == "json":
            record = {"kind": event.kind, "workflow_id": wid, "detail": _jsonable(dict(detail))}
            print(json.dumps(record, default=str), file=self.err, flush=True)
            return
        if event.kind.startswith("step."):
            key = (wid, str(detail.get("step_id")))
            title = f"{self._label(wid)}{detail.get('title') or detail.get('step_id')}"
            if event.kind == "step.started":
                self.step_started[key] = time.monotonic()
                self._line(wid, f"▶ {title}")
                return
            elapsed = time.monotonic() - self.step_started.pop(key, time.monotonic())
            mark = "✓" if event.kind == "step.completed" else "✗"
            self._line(wid, f"{mark} {title} ({elapsed:.2f}s)")
        elif event.kind == "activity.retrying":
            self._line(
                wid,
                f"↻ {detail.get('activity')} failed (attempt {detail.get('attempt')}), retrying: {detail.get('error')}",
                extra_indent=1,
            )

    # -- answering gates ---------------------------------------------------------------
    async def _answer_loop(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            await self._visit(self.root_id, set())
            for wid in sorted(self.fresh):  # waiting workflows no drill-down led to
                await self._visit(wid, set())

    async def _visit(self, workflow_id: str, seen: set[str], slot: tuple[Mapping[str, Any], str] | None = None) -> None:
        """Answer what ``workflow_id`` (or, for a drill-down, its children) waits for.

        ``slot`` is the upload a parent's ``submit_files`` action asks of this
        child: used only when the child advertises nothing itself.
        """
        if workflow_id in seen:
            return
        seen.add(workflow_id)
        try:
            handle = self.runtime.get_handle(workflow_id)
        except LookupError:
            self.fresh.discard(workflow_id)
            return
        if handle.done():
            self.fresh.discard(workflow_id)
            return
        pending = await handle.query("current_pending_action")
        if not isinstance(pending, Mapping):
            if slot is not None and workflow_id in self.fresh:
                self.fresh.discard(workflow_id)
                await self._submit(workflow_id, slot[0], slot[1])
            elif workflow_id in self.fresh:
                self._line(
                    workflow_id,
                    f"⏸ {self._label(workflow_id)}waiting, with no pending action to answer (Ctrl-C stops the run)",
                    extra_indent=1,
                )
            self.fresh.discard(workflow_id)
            return
        kind = pending.get("kind")
        if kind == "drill_down":
            for child in pending.get("children") or ():
                if isinstance(child, Mapping) and child.get("task_id"):
                    await self._visit(str(child["task_id"]), seen)
            return
        if kind == "submit_files":
            config = (pending.get("display_hint") or {}).get("config") or {}
            for expected in config.get("expected") or ():
                args = expected.get("args") or {}
                target = str(args.get("signal_task_id") or "")
                if target and expected.get("status", "pending") == "pending":
                    reason = str(expected.get("label") or expected.get("description") or pending.get("reason") or "")
                    await self._visit(target, seen, (args, reason))
            return
        if workflow_id not in self.fresh:
            return
        self.fresh.discard(workflow_id)
        if kind == "submit_file":
            await self._submit(workflow_id, pending.get("args") or {}, str(pending.get("reason") or ""))
        elif kind == "interactive_review":
            await self._review(handle, pending)
        else:
            raise CommandError(
                f"{workflow_id} waits for a {kind!r} action, which 'ntro workflow run' cannot answer", exit_code=1
            )

    async def _signal(self, target: str, name: str, payload: Any, *, asked_by: str) -> None:
        try:
            await self.runtime.get_handle(target).signal(name, payload)
        except (LookupError, RuntimeError) as exc:
            raise CommandError(f"cannot answer {asked_by}: {exc}", exit_code=1) from None

    async def _submit(self, workflow_id: str, args: Mapping[str, Any], reason: str) -> None:
        signal_name = args.get("signal_name")
        if not signal_name:
            raise CommandError(
                f"{workflow_id} asks for a file but its action names no args.signal_name to send it with", exit_code=1
            )
        target = str(args.get("signal_task_id") or workflow_id)
        source = str(args.get("source") or signal_name)
        payload: dict[str, Any] = {
            "document_ref": f"sample:{source}",
            "filename": f"{source}-sample",
            "content_type": "application/octet-stream",
            "source": source,
            "tenant_slug": args.get("tenant_id_or_slug"),
            "entity_slug": args.get("entity_id_or_slug"),
        }
        if self.interactive:
            path = await self._ask_for_file(workflow_id, reason)
            if path is not None:
                payload["document_ref"] = str(path)
                payload["filename"] = path.name
                payload["content_type"] = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self._line(workflow_id, f"↳ {payload['document_ref']} sent as {signal_name} ({reason})", extra_indent=1)
        await self._signal(target, str(signal_name), payload, asked_by=f"{workflow_id}'s upload")

    async def _ask_for_file(self, workflow_id: str, reason: str) -> Path | None:
        self._say(workflow_id, f"? {self._label(workflow_id)}{reason or 'a file is needed'}")
        while True:
            text = await self.prompter.ask("  file to upload (Enter for the runbook's bundled sample): ")
            if not text:
                return None
            path = _existing_file(text)
            if path is not None:
                return path
            self._say(workflow_id, f"  no such file: {text}")

    async def _review(self, handle: LocalWorkflowHandle, pending: Mapping[str, Any]) -> None:
        reason = str(pending.get("reason") or "review")
        answer = self.answer
        if self.interactive:
            self._say(handle.id, f"? {self._label(handle.id)}{reason}")
            payload = pending.get("payload")
            if isinstance(payload, Mapping):
                for key, value in list(payload.items())[:_SUMMARY_LINES]:
                    self._say(handle.id, f"    {key}: {_short(value)}")
            while True:
                text = (await self.prompter.ask("  approve or reject? [a/r]: ")).lower()
                if text in ("a", "approve", "y", "yes"):
                    answer = "approve"
                    break
                if text in ("r", "reject", "n", "no"):
                    answer = "reject"
                    break
        self._line(handle.id, f"↳ {answer} ({reason})", extra_indent=1)
        await self._signal(handle.id, "user_action", {"kind": answer}, asked_by=f"{handle.id}'s review")

    def _say(self, workflow_id: str, text: str) -> None:
        indent = "  " * (self._depth(workflow_id) + 1)
        print(f"{indent}{text}", file=self.err, flush=True)

    # -- the run -------------------------------------------------------------------------
    async def run(self) -> Any:
        """Run the workflow to its end and return its result.

        Raises:
            CommandError: The workflow failed, or a gate could not be answered.
        """
        args = () if self.value is None else (self.value,)
        handle = await start_local(
            self.bundle.workflow_cls,
            args=args,
            workflow_id=self.workflow_id,
            runtime=self.runtime,
            observer=self.observe,
        )
        self.root_id = handle.id
        self.parents.setdefault(handle.id, None)
        if self.progress == "human":
            print(f"ntro: running {self.bundle.slug} as {handle.id} (LocalRuntime)", file=self.err, flush=True)
        answerer = asyncio.create_task(self._answer_loop(), name="ntro-answer-gates")
        result = asyncio.ensure_future(handle.result())
        try:
            await asyncio.wait({answerer, result}, return_when=asyncio.FIRST_COMPLETED)
            if not result.done():
                await handle.cancel()
                result.cancel()
                answerer.result()  # raises the CommandError that stopped the answering
            try:
                value = result.result()
            except asyncio.CancelledError:
                raise CommandError("workflow failed: it was cancelled", exit_code=1) from None
            except Exception as exc:
                if self.progress == "human":
                    print(f"✗ {self.bundle.slug} failed", file=self.err, flush=True)
                raise CommandError(f"workflow failed: {_failure_line(exc)}", exit_code=1) from None
        finally:
            answerer.cancel()
            self.runtime.remove_observer(self.observe)
        if self.progress == "human":
            print(
                f"✓ {self.bundle.slug} completed in {time.monotonic() - self.started:.2f}s", file=self.err, flush=True
            )
        return value


class RunCommand:
    """``ntro workflow run DIR``: run a runbook bundle locally, answering its gates."""

    help = "run a runbook bundle in-process under LocalRuntime, answering its gates"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the arguments of ``ntro workflow run``."""
        parser.add_argument("bundle", metavar="DIR", help="the runbook bundle directory (runbook.md, templates/)")
        parser.add_argument(
            "--child",
            action="append",
            default=[],
            metavar="DIR",
            help="a bundle whose workflow the runbook starts by slug (repeatable)",
        )
        parser.add_argument(
            "--input",
            metavar="JSON|@FILE",
            help="the run method's input as JSON, or @file, or @- for stdin (default: the input model's defaults)",
        )
        answers = parser.add_mutually_exclusive_group()
        answers.add_argument(
            "--answer",
            choices=("approve", "reject"),
            help="how to answer every review (default: approve); uploads get the runbook's bundled samples",
        )
        answers.add_argument(
            "--interactive", action="store_true", help="ask at the terminal for each upload and review"
        )
        parser.add_argument("--workflow-class", metavar="NAME", help="the class (default: <CamelSlug>Workflow)")
        parser.add_argument("--workflow-id", metavar="ID", help="the workflow id (default: <slug>-<random hex>)")
        progress = parser.add_mutually_exclusive_group()
        progress.add_argument("-q", "--quiet", action="store_true", help="print only the result")
        progress.add_argument(
            "--json-events", action="store_true", help="print every runtime event as a JSON line on stderr"
        )

    def run(self, args: argparse.Namespace) -> int:
        """Load, validate, run, and print the result as JSON; return the exit code."""
        try:
            bundle = load_bundle(args.bundle, workflow_class=args.workflow_class)
            for child in args.child:
                load_bundle(child)
            value = parse_input(bundle.workflow_cls, _read_input(args.input))
        except (BundleError, InputError) as exc:
            raise CommandError(str(exc)) from None
        if args.interactive and (sys.stdin is None or not sys.stdin.isatty()):
            raise CommandError("--interactive needs a terminal on stdin; use --answer approve|reject instead")
        session = _Session(
            bundle,
            value,
            answer=args.answer or "approve",
            interactive=args.interactive,
            workflow_id=args.workflow_id,
            progress="quiet" if args.quiet else "json" if args.json_events else "human",
            err=sys.stderr,
        )
        result = asyncio.run(session.run())
        print(json.dumps(_jsonable(result), indent=2, default=str))
        return 0


RUN_COMMAND = RunCommand()
"""The ``workflow.run`` entry point of the ``ntro.commands`` group."""
