"""``ntro workflow run``: run a runbook bundle on any engine, answering its gates.

It loads the bundle (and the ``--child`` bundles, so their slugs resolve),
validates ``--input`` against the run method's parameter, opens a client of
the chosen engine (``--runtime NAME``: any installed backend's client,
``local``, in-process, by default; a networked backend connects as its
environment says, or starts a server for the run) that hosts the
bundles' workflows and real activities, starts the workflow, prints each step
as it starts and completes (on stderr), answers the gates the runbook
advertises, and prints the result as JSON (on stdout).

Gates are read and answered by :mod:`ntro.client`, the same code on every
engine:

``submit_file`` / ``submit_files``
    the upload signal gets a stub document whose ``document_ref`` is
    ``sample:<source>``: runbooks read that as a sample they ship
    (``ntro.documents.read(ref, samples=...)``). With ``--interactive``, a
    file typed at the prompt is put into the document store (``--documents``)
    and its ref is sent instead.
``interactive_review``
    ``{"kind": "approve"}`` or ``{"kind": "reject"}`` (``--answer``), or what
    is typed at the prompt.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ntro.cli._app import CommandError
from ntro.cli._documents import add_documents_option, documents_from_args
from ntro.cli._json import print_json, read_input_text
from ntro.workflow.exceptions import RuntimeNotAvailableError, WorkflowError, WorkflowFailedError

if TYPE_CHECKING:
    from ntro.client import Gate
    from ntro.documents import DocumentStore

__all__ = ["RUN_COMMAND", "RunCommand"]

_SUMMARY_LINES = 12


def _first_line(text: str) -> str:
    """The first line of a message (a crash's message goes on with its stack trace)."""
    lines = text.strip().splitlines()
    return lines[0].strip() if lines else ""


def _failure_line(exc: BaseException) -> str:
    if isinstance(exc, WorkflowFailedError) and exc.cause is not None:
        from ntro.runtime.protocol import WorkflowStatus

        line = _failure_line(exc.cause)
        if exc.status == WorkflowStatus.RUNNING:  # its workflow task keeps failing: the engine retries, the run lives
            return (
                f"workflow {exc.workflow_id} crashed in its workflow code (the engine retries it until the code "
                f"is fixed): {line}"
            )
        return line
    if isinstance(exc, WorkflowError):
        if exc.type == "UnknownWorkflowSlug":
            from ntro.workflow.registry import list_registered_slugs

            match = re.search(r"slug '([^']+)'", exc.message)
            if match is None:  # not a slug no bundle provides (an empty one, say): its own words
                return _first_line(exc.message)
            loaded = ", ".join(list_registered_slugs()) or "none"
            return (
                f"it starts {match.group(1)!r} by slug, which no loaded bundle provides (loaded: {loaded}); "
                "add --child DIR"
            )
        return _first_line(exc.message) or exc.type
    if isinstance(exc, WorkflowFailedError):
        return _first_line(exc.message)
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
            self.err.write("\n")  # end the prompt's line, so the error stands on its own
            raise CommandError("stdin closed while waiting for an answer", exit_code=1)
        return line.strip()


def _existing_file(text: str) -> Path | None:
    path = Path(text).expanduser()
    return path.resolve() if path.is_file() else None


class _Display:
    """Progress on stderr: steps as they start and complete, and each answer given."""

    def __init__(self, err: TextIO, *, quiet: bool) -> None:
        self.err = err
        self.quiet = quiet
        self.root_id = ""
        self.depth: dict[str, int] = {}
        self.parents: dict[str, str | None] = {}
        self.started: dict[tuple[str, str], float] = {}

    def label(self, workflow_id: str) -> str:
        parent = self.parents.get(workflow_id)
        if parent is None or workflow_id == self.root_id:
            return ""
        rest = workflow_id[len(parent) + 1 :] if workflow_id.startswith(parent + ":") else workflow_id
        parts = rest.split(":")
        return "[" + (":".join(parts[1:]) if len(parts) > 1 else rest) + "] "

    def line(self, workflow_id: str, text: str, *, extra: int = 0, always: bool = False) -> None:
        if self.quiet and not always:
            return
        indent = "  " * (self.depth.get(workflow_id, 0) + extra)
        print(f"{indent}{text}", file=self.err, flush=True)

    def steps(self, changes: list[Any]) -> None:
        for change in changes:
            wid = change.workflow_id
            self.depth[wid] = change.depth
            self.parents[wid] = change.parent_workflow_id
            key = (wid, change.step.id)
            title = f"{self.label(wid)}{change.step.title}"
            if change.step.status == "active":
                self.started[key] = time.monotonic()
                self.line(wid, f"▶ {title}")
            else:
                began = self.started.pop(key, None)
                took = f" ({time.monotonic() - began:.2f}s)" if began is not None else ""
                self.line(wid, f"✓ {title}{took}")


class _Policy:
    """Answers uploads with the bundled samples (or a typed path) and reviews as ``--answer`` says."""

    def __init__(
        self, display: _Display, *, answer: str, interactive: bool, err: TextIO, store: DocumentStore | None = None
    ) -> None:
        self.display = display
        self.decision = answer
        self.interactive = interactive
        self.prompter = _Prompter(err)
        self.store = store

    async def answer(self, gate: Gate) -> Any:
        from ntro.client import review_answer, upload_answer

        wid = gate.workflow_id
        if gate.kind == "interactive_review":
            decision = await self._ask_review(gate) if self.interactive else self.decision
            self.display.line(wid, f"↳ {decision} ({gate.reason or 'review'})", extra=1)
            return review_answer(decision)
        payload = await self._upload(gate) if self.interactive else None
        if payload is None:
            payload = upload_answer(gate, document_ref=f"sample:{gate.upload_name}")
        shown = payload["document_ref"] if payload["document_ref"].startswith("sample:") else payload["filename"]
        self.display.line(wid, f"↳ {shown} sent as {gate.signal_name} ({gate.reason or 'upload'})", extra=1)
        return payload

    async def _upload(self, gate: Gate) -> dict[str, Any] | None:
        """A file typed at the prompt, put into the document store: its answer (``None``: the bundled sample)."""
        from ntro.client import document_answer
        from ntro.documents import DocumentError, DocumentTooLargeError

        while True:
            path = await self._ask_file(gate)
            if path is None:
                return None
            try:
                return await asyncio.to_thread(document_answer, gate, path, store=self.store)
            except DocumentTooLargeError as exc:
                self._say(gate.workflow_id, f"  {exc}")
            except DocumentError as exc:
                raise CommandError(str(exc), exit_code=1) from None

    def _say(self, workflow_id: str, text: str) -> None:
        self.display.line(workflow_id, text, extra=1, always=True)

    async def _ask_file(self, gate: Gate) -> Path | None:
        self._say(gate.workflow_id, f"? {self.display.label(gate.workflow_id)}{gate.reason or 'a file is needed'}")
        while True:
            text = await self.prompter.ask("  file to upload (Enter for the runbook's bundled sample): ")
            if not text:
                return None
            path = _existing_file(text)
            if path is not None:
                return path
            self._say(gate.workflow_id, f"  no such file: {text}")

    async def _ask_review(self, gate: Gate) -> str:
        wid = gate.workflow_id
        self._say(wid, f"? {self.display.label(wid)}{gate.reason or 'review'}")
        payload = gate.action.payload
        if isinstance(payload, Mapping):
            for key, value in list(payload.items())[:_SUMMARY_LINES]:
                self._say(wid, f"    {key}: {_short(value)}")
        while True:
            text = (await self.prompter.ask("  approve or reject? [a/r]: ")).lower()
            if text in ("a", "approve", "y", "yes"):
                return "approve"
            if text in ("r", "reject", "n", "no"):
                return "reject"


@contextlib.contextmanager
def _engine_warnings_quiet(loggers: tuple[str, ...], *, verbose: bool) -> Iterator[None]:
    """Keep the engine's warnings off stderr during a run, unless ``-v`` asks for them.

    ``loggers`` are the engine's own (its :class:`~ntro.runtime.protocol.BackendInfo`
    names them), whose warnings (a failed workflow task, a failed activity
    attempt, each with its traceback) a run's one error line already sums up.
    """
    if verbose:
        yield
        return
    quieted = [logging.getLogger(name) for name in loggers]
    saved = [logger.level for logger in quieted]
    for logger in quieted:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(quieted, saved, strict=True):
            logger.setLevel(level)


@contextlib.contextmanager
def _hosting(store: DocumentStore | None, given: str | None) -> Iterator[None]:
    """With ``--documents``, the run's in-process activities read ``store``; afterwards it is as it was."""
    if given is None or store is None:
        yield
        return
    from ntro.documents import set_default_store

    previous = set_default_store(store)
    try:
        yield
    finally:
        set_default_store(previous)


def _engine_words(client: Any) -> str:
    from ntro.runtime.protocol import EngineDescription

    return client.describe_engine() if isinstance(client, EngineDescription) else str(client.runtime_name)


class RunCommand:
    """``ntro workflow run DIR``: run a runbook bundle on an engine, answering its gates."""

    help = "run a runbook bundle on any installed engine (in-process by default), answering its gates"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the arguments of ``ntro workflow run``."""
        parser.add_argument(
            "bundle",
            metavar="DIR|SLUG",
            help="the runbook bundle directory (runbook.md, templates/), or with --registry (or --version) a "
            "published runbook's slug",
        )
        parser.add_argument(
            "--registry",
            metavar="URL",
            help="run a version published to this runbook registry: the newest, or --version V; the other "
            "runbooks of its revision are loaded too (its children) [env NTRO_REGISTRY]",
        )
        parser.add_argument("--version", metavar="V", help="with a SLUG: the published version to run")
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
        from ntro.runtime.protocol import DEFAULT_BACKEND

        parser.add_argument(
            "--runtime",
            default=DEFAULT_BACKEND,
            metavar="NAME",
            help=f"the engine: any installed backend ('ntro runtimes' lists them; default: {DEFAULT_BACKEND}, "
            "in-process)",
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
        parser.add_argument("--workflow-id", metavar="ID", help="the workflow id (default: a random UUID)")
        parser.add_argument("-q", "--quiet", action="store_true", help="print only the result")
        add_documents_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Load, validate, run, and print the result as JSON; return the exit code."""
        from ntro.runtime.protocol import backend_info, require_clients
        from ntro.workflow.bundle import BundleError, InputError, load_bundle, parse_input

        try:
            require_clients(args.runtime)  # before any work: the message says what is installed, or what to install
        except RuntimeNotAvailableError as exc:
            raise CommandError(str(exc), exit_code=1) from None
        if args.workflow_id is not None and not args.workflow_id.strip():
            raise CommandError("--workflow-id is empty; give an id, or leave the option out for a random one")
        with contextlib.ExitStack() as cleanup:
            try:
                if _from_registry(args):
                    bundle, children = _published(args, cleanup)
                else:
                    bundle = load_bundle(args.bundle, workflow_class=args.workflow_class)
                    children = []
                children += [load_bundle(child) for child in args.child]
                value = parse_input(bundle.workflow_cls, read_input_text(args.input))
            except (BundleError, InputError) as exc:
                raise CommandError(str(exc)) from None
            if args.interactive and (sys.stdin is None or not sys.stdin.isatty()):
                raise CommandError("--interactive needs a terminal on stdin; use --answer approve|reject instead")
            # Only a typed file or --documents needs the store: a run on the bundled samples never opens one.
            store = documents_from_args(args) if args.interactive or args.documents is not None else None
            loggers = backend_info(args.runtime).engine_loggers
            quiet = _engine_warnings_quiet(loggers, verbose=bool(getattr(args, "verbose", False)))
            with quiet, _hosting(store, args.documents):
                result = asyncio.run(self._session(args, bundle, children, value, store))
        print_json(result, "the result")
        return 0

    async def _session(
        self, args: argparse.Namespace, bundle: Any, children: list[Any], value: Any, store: DocumentStore | None
    ) -> Any:
        from ntro.client import drive
        from ntro.runtime.protocol import ClientOptions, open_client

        err = sys.stderr
        display = _Display(err, quiet=args.quiet)
        policy = _Policy(display, answer=args.answer or "approve", interactive=args.interactive, err=err, store=store)
        workflows = [bundle.workflow_cls] + [c.workflow_cls for c in children]
        activities: list[Any] = []
        for b in (bundle, *children):
            activities += [fn for fn in b.activities if fn not in activities]
        options = ClientOptions(workflows=workflows, activities=activities, payload_parity=True)
        started = time.monotonic()
        try:
            client_cm = open_client(args.runtime, options)
        except RuntimeNotAvailableError as exc:
            raise CommandError(str(exc), exit_code=1) from None
        async with client_cm as client:
            run_args = () if value is None else (value,)
            handle = await client.start_workflow(bundle.workflow_cls, *run_args, id=args.workflow_id)
            display.root_id = handle.id
            display.line(handle.id, f"ntro: running {bundle.slug} as {handle.id} ({_engine_words(client)})")
            try:
                result = await drive(client, handle, policy, on_steps=display.steps)
            except WorkflowFailedError as exc:
                display.line(handle.id, f"✗ {bundle.slug} {exc.status.lower().replace('_', ' ')}")
                raise CommandError(f"workflow failed: {_failure_line(exc)}", exit_code=1) from None
            except BaseException:
                await _cancel_quietly(handle)
                raise
        display.line(handle.id, f"✓ {bundle.slug} completed in {time.monotonic() - started:.2f}s")
        return result


def _from_registry(args: argparse.Namespace) -> bool:
    """Whether ``args.bundle`` is a published runbook's slug rather than a bundle directory.

    It is with ``--registry`` or ``--version``, or with ``NTRO_REGISTRY`` set and no directory of that name here.
    """
    if args.registry is not None or args.version is not None:
        return True
    return bool(os.environ.get("NTRO_REGISTRY", "").strip()) and not os.path.isdir(args.bundle)


def _published(args: argparse.Namespace, cleanup: contextlib.ExitStack) -> tuple[Any, list[Any]]:
    """Load ``args.bundle`` (a slug) at ``args.version`` from the registry, and the rest of its revision.

    Raises:
        CommandError: The registry cannot be read, has no such slug or version, or the runbook does not load.
    """
    import tempfile

    from ntro.registry import RegistryError, RegistryUnreachableError, open_registry

    if args.workflow_class is not None:
        raise CommandError("--workflow-class goes with a bundle DIR; a published runbook's class is its own")
    try:
        registry = open_registry(args.registry)
        published = registry.get(args.bundle, args.version)
        revision = registry.revision_for(published.slug, args.version)
        cache = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="ntro-run-"))
        loaded = registry.load_revision(revision, cache)
    except RegistryUnreachableError as exc:
        raise CommandError(str(exc), exit_code=1) from None
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    if published.slug in loaded.failures:
        raise CommandError(loaded.failures[published.slug])
    if not args.quiet:
        print(
            f"ntro: {published.slug} {published.version} from {registry.url} (revision {revision.id})",
            file=sys.stderr,
        )
    for slug, reason in sorted(loaded.failures.items()):
        print(f"ntro: warning: {slug}, in the same revision, does not load: {reason}", file=sys.stderr)
    bundles = dict(loaded.bundles)
    return bundles.pop(published.slug), list(bundles.values())


async def _cancel_quietly(handle: Any) -> None:
    try:
        await asyncio.wait_for(handle.cancel(), 5)
    except Exception:  # the run is being abandoned anyway; its own error is what the user sees
        pass


RUN_COMMAND = RunCommand()
"""The ``workflow.run`` entry point of the ``ntro.commands`` group."""
