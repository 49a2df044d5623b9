"""The console's web application: routes, pages and the answers they send.

======================================  ==================================================
``GET /runs``                           the runs, newest first (``?status=``, ``?runbook=``)
``GET /runs/ID``                        one run: steps, gates, children, timeline, outcome
``GET /runs/ID/fragment``               the same page's body, for the live update
``GET /runs/ID/events``                 server-sent events: ``changed`` when the run moves
``POST /runs/ID``                       answer a gate of the run (``gate=``, ``op=review|upload``)
``GET /start``, ``GET /start/SLUG``     the runbooks, and a runbook's input form
``POST /start/SLUG``                    start a run
``GET /login``, ``POST /login``         the login form (with tokens)
``POST /logout``                        end the session
======================================  ==================================================
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from ntro.console._answers import (
    AlreadyAnsweredError,
    AnswerError,
    Answers,
    GateClosedError,
    ReviewForm,
    Upload,
    cell_text,
)
from ntro.console._config import ConsoleConfig
from ntro.console._feeds import Feeds
from ntro.console._forms import InputForm, input_form, read_input
from ntro.console._runs import RunPage, list_runs, load_run
from ntro.console._security import CSRF_FIELD, Guard, RequestTooLarge, session_cookie_header
from ntro.runtime.protocol import WorkflowClient, WorkflowStatus
from ntro.workflow.exceptions import NtroError, WorkflowAlreadyStartedError, WorkflowNotFoundError

__all__ = ["Console", "create_app"]

_log = logging.getLogger("ntro.console")
_HERE = Path(__file__).parent
SETTLE = 0.5
"""Seconds an answer waits for the run to move before its page is shown (the page updates itself after that)."""

STATUS_FILTERS = {s.value.lower(): s for s in WorkflowStatus if s is not WorkflowStatus.CONTINUED_AS_NEW}


class Console:
    """What the routes share: the configuration, the client, the answering side, the change feeds."""

    def __init__(self, config: ConsoleConfig, client: WorkflowClient, guard: Guard, env: jinja2.Environment) -> None:
        import asyncio

        self.config = config
        self.client = client
        self.guard = guard
        self.env = env
        self.stopping = asyncio.Event()
        self.answers = Answers(client, config.documents)
        self.feeds = Feeds(client, self.stopping)
        self.started_by: dict[str, tuple[str, datetime]] = {}
        self.engine = engine_words(client)

    def render(self, request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
        """Render template ``name`` with the page's common context."""
        state = request.scope.get("state", {})
        html = self.env.get_template(name).render(
            user=state.get("user"),
            csrf=state.get("csrf", ""),
            csrf_field=CSRF_FIELD,
            tokens=bool(self.config.tokens),
            engine=self.engine,
            runtime=self.config.runtime,
            bundles=self.config.bundles,
            path=request.url.path,
            **context,
        )
        return HTMLResponse(html, status_code=code, headers={"cache-control": "no-store"})


def engine_words(client: WorkflowClient) -> str:
    """Where the client's runs go, in a few words (the engine's own, when it can say)."""
    from ntro.runtime.protocol import EngineDescription

    return client.describe_engine() if isinstance(client, EngineDescription) else str(client.runtime_name)


def run_url(workflow_id: str, suffix: str = "") -> str:
    """The URL of a run's page (or of ``suffix`` below it)."""
    return "/runs/" + quote(workflow_id, safe=":@-._~") + suffix


def _plain(value: Any) -> Any:
    from pydantic_core import to_jsonable_python

    try:
        return to_jsonable_python(value, serialize_unknown=True)
    except Exception:  # something JSON cannot hold: its text
        return repr(value)


def _kind(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "empty"
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, Mapping) for v in value):
            return "records"
        return "list"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "text"


def _columns(records: list[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for r in records for k in r))


def _humanize(key: Any) -> str:
    text = str(key)
    return text.replace("_", " ").strip().capitalize() if text == text.lower() else text


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


CSS = (_HERE / "static" / "console.css").read_text(encoding="utf-8")
"""The console's style sheet, inlined in every page."""

SCRIPT = (_HERE / "static" / "console.js").read_text(encoding="utf-8")
"""The console's script (the run page's live update), inlined in every page."""


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        kind_of=_kind,
        columns_of=_columns,
        run_url=run_url,
        cell_text=cell_text,
        css=CSS,
        script=SCRIPT,
        statuses=list(STATUS_FILTERS),
    )
    env.filters.update(humanize=_humanize, when=_when, plain=_plain)
    return env


def create_app(config: ConsoleConfig, *, client: WorkflowClient | None = None) -> Starlette:
    """Return the console's ASGI application.

    ``ntro console`` serves it with uvicorn; it can be served by any ASGI
    server, or mounted in another application.

    Args:
        config: What the console serves, and to whom.
        client: An open client of ``config.runtime`` (the caller closes it);
            by default the application opens one with
            ``config.client_options`` when it starts and closes it when it stops.
    """
    env = _environment()
    guard = Guard(
        config.tokens,
        allowed_hosts=config.allowed_hosts,
        max_body=config.max_upload_bytes,
        inline=(CSS, SCRIPT),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            engine = client
            if engine is None:
                from ntro.runtime.protocol import open_client

                engine = await stack.enter_async_context(open_client(config.runtime, config.client_options))
            console = Console(config, engine, guard, env)
            app.state.console = console
            try:
                yield
            finally:
                console.stopping.set()
                await console.feeds.close()

    routes = [
        Route("/", _home, methods=["GET"]),
        Route("/runs", _runs, methods=["GET"]),
        Route("/runs/{rest:path}", _run, methods=["GET", "POST"]),
        Route("/start", _start_index, methods=["GET"]),
        Route("/start/{slug}", _start, methods=["GET", "POST"]),
        Route("/login", _login, methods=["GET", "POST"]),
        Route("/logout", _logout, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={Exception: _crashed})
    app.add_middleware(_Guarded, guard=guard)
    return app


async def _crashed(request: Request, exc: Exception) -> Response:
    """A bug or an engine failure: one line on the page, the traceback in the log."""
    _log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    words = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {words[0]}" if words else type(exc).__name__
    console: Console | None = getattr(request.app.state, "console", None)
    if console is None:
        return Response(f"the console failed: {text}\n", status_code=500, media_type="text/plain")
    return console.render(
        request, "error.html", 500, title="Something went wrong", message=f"the console failed: {text}"
    )


class _Guarded:
    """The :class:`Guard` as Starlette middleware."""

    def __init__(self, app: Any, guard: Guard) -> None:
        self._app = guard.middleware(app)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._app(scope, receive, send)


def _console(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def _who(request: Request) -> str:
    return str(request.scope["state"]["user"])


async def _form(request: Request) -> FormData | Response:
    """The request's form, or the response that refuses it (too large, or no valid CSRF token)."""
    console = _console(request)
    state = request.scope["state"]
    try:
        form = await request.form(max_files=64, max_fields=5000, max_part_size=2**20)
    except RequestTooLarge as exc:
        return console.render(request, "error.html", 413, title="Too large", message=str(exc))
    except Exception as exc:  # a malformed body
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, RequestTooLarge):
            return console.render(request, "error.html", 413, title="Too large", message=str(cause))
        return console.render(
            request, "error.html", 400, title="Bad request", message=f"the form cannot be read: {exc}"
        )
    if not state.get("bearer") and not console.guard.csrf_ok(state.get("session"), _text(form.get(CSRF_FIELD))):
        return console.render(
            request,
            "error.html",
            403,
            title="Form expired",
            message="this form has no valid CSRF token (it may come from another site, or from before the "
            "console restarted); go back, reload the page and send it again",
        )
    return form


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


async def _home(request: Request) -> Response:
    return RedirectResponse("/runs", status_code=303)


async def _runs(request: Request) -> Response:
    console = _console(request)
    status_text = (request.query_params.get("status") or "").lower()
    runbook = request.query_params.get("runbook") or ""
    status = STATUS_FILTERS.get(status_text)
    message = None
    if status_text and status is None:
        message = f"no status {status_text!r}; showing every run"
        status_text = ""
    try:
        rows = await list_runs(console.client, console.config, status=status, runbook=runbook or None)
    except NtroError as exc:
        return console.render(request, "error.html", 503, title="Engine unavailable", message=str(exc))
    return console.render(
        request,
        "runs.html",
        rows=rows,
        status=status_text,
        runbook=runbook,
        runbooks=sorted({b.slug for b in console.config.bundles} | {r.slug for r in rows if r.slug}),
        message=message,
        started_by=console.started_by,
    )


async def _run(request: Request) -> Response:
    rest = request.path_params["rest"]
    if request.method == "POST":
        return await _answer(request, rest)
    for suffix, handler in (("/fragment", _fragment), ("/events", _events)):
        if rest.endswith(suffix):
            return await handler(request, rest[: -len(suffix)])
    return await _run_page(request, rest)


async def _page(console: Console, run_id: str) -> RunPage | None:
    try:
        return await load_run(console.client, run_id, console.config, console.answers)
    except WorkflowNotFoundError:
        return None


def _not_found(console: Console, request: Request, run_id: str) -> Response:
    return console.render(
        request,
        "error.html",
        404,
        title="No such run",
        message=f"there is no run with id {run_id!r} on this engine ({console.engine}); it may have "
        "finished long ago and been forgotten, or the link is wrong",
        back=("/runs", "See the runs"),
    )


def _run_context(console: Console, page: RunPage, request: Request, **extra: Any) -> dict[str, Any]:
    done_id = request.query_params.get("done")
    done = console.answers.answered(done_id) if done_id else None
    return {
        "page": page,
        "result": _plain(page.result),
        "answered": console.answers.answered,
        "done": done,
        "started": console.started_by.get(page.root.id),
        "errors": {},
        "values": {},
        "notice": None,
        **extra,
    }


async def _run_page(request: Request, run_id: str, code: int = 200, **extra: Any) -> Response:
    console = _console(request)
    try:
        page = await _page(console, run_id)
    except NtroError as exc:
        return console.render(request, "error.html", 503, title="Engine unavailable", message=str(exc))
    if page is None:
        return _not_found(console, request, run_id)
    return console.render(request, "run.html", code, **_run_context(console, page, request, **extra))


async def _fragment(request: Request, run_id: str) -> Response:
    console = _console(request)
    page = await _page(console, run_id)
    if page is None:
        return _not_found(console, request, run_id)
    return console.render(request, "_run_body.html", **_run_context(console, page, request))


async def _events(request: Request, run_id: str) -> Response:
    console = _console(request)
    return StreamingResponse(
        console.feeds.changes(run_id, request.query_params.get("since")),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


def _positions(key: str, prefix: str, count: int) -> tuple[int, ...] | None:
    parts = key.removeprefix(prefix).split("-")
    if not key.startswith(prefix) or len(parts) != count or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _review_form(form: FormData) -> ReviewForm:
    cells: dict[tuple[int, int, int], str] = {}
    rejected: set[tuple[int, int]] = set()
    for key, value in form.multi_items():
        if not isinstance(value, str):
            continue
        cell = _positions(key, "cell-", 3)
        if cell is not None:
            cells[(cell[0], cell[1], cell[2])] = value
        row = _positions(key, "reject-", 2)
        if row is not None:
            rejected.add((row[0], row[1]))
    return ReviewForm(
        decision=_text(form.get("decision")) or "",
        note=_text(form.get("note")) or "",
        cells=cells,
        rejected=frozenset(rejected),
    )


async def _uploads(form: FormData) -> dict[str, Upload]:
    files: dict[str, Upload] = {}
    for key, value in form.multi_items():
        if key.startswith("file-") and isinstance(value, UploadFile):
            data = await value.read()
            name = (value.filename or "").replace("\\", "/").rsplit("/", 1)[-1]  # a name, never a path
            files[key.removeprefix("file-")] = Upload(name, value.content_type or "application/octet-stream", data)
    return files


async def _answer(request: Request, run_id: str) -> Response:
    console = _console(request)
    form = await _form(request)
    if isinstance(form, Response):
        return form
    view_id = _text(form.get("gate")) or ""
    op = _text(form.get("op"))
    sent = _review_form(form)
    kept = {"note": sent.note, "cells": sent.cells, "rejected": sent.rejected}
    before = await console.feeds.fingerprint(run_id)
    try:
        if op == "review":
            await console.answers.submit(run_id, view_id, _who(request), review=sent)
        elif op == "upload":
            await console.answers.submit(run_id, view_id, _who(request), files=await _uploads(form))
        else:
            return console.render(request, "error.html", 400, title="Bad request", message="the form names no answer")
    except AnswerError as exc:
        return await _run_page(request, run_id, 422, errors={view_id: exc.message}, values={view_id: kept})
    except AlreadyAnsweredError as exc:
        return await _run_page(request, run_id, 409, notice=("warning", str(exc)))
    except GateClosedError as exc:
        return await _run_page(request, run_id, 409, notice=("warning", str(exc)))
    except WorkflowNotFoundError:
        page = await _page(console, run_id)
        if page is None:
            return _not_found(console, request, run_id)
        return await _run_page(request, run_id, 409, notice=("warning", "that run no longer takes answers"))
    await console.feeds.moved(run_id, before, SETTLE)
    return RedirectResponse(run_url(run_id) + f"?done={quote(view_id)}", status_code=303)


async def _start_index(request: Request) -> Response:
    console = _console(request)
    return console.render(request, "start_index.html")


def _start_values(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}


async def _start(request: Request) -> Response:
    console = _console(request)
    slug = request.path_params["slug"]
    bundle = console.config.bundle(slug)
    if bundle is None:
        known = ", ".join(b.slug for b in console.config.bundles) or "none"
        return console.render(
            request,
            "error.html",
            404,
            title="No such runbook",
            message=f"no runbook {slug!r} is offered here (offered: {known})",
            back=("/start", "See the runbooks"),
        )
    form_def: InputForm = input_form(bundle.workflow_cls)
    if request.method == "GET":
        return console.render(request, "start.html", bundle=bundle, form=form_def, error=None, workflow_id="")
    form = await _form(request)
    if isinstance(form, Response):
        return form
    values = _start_values(form)
    shown = input_form(bundle.workflow_cls, values)
    workflow_id = (values.get("workflow_id") or "").strip()
    from ntro.workflow.bundle import InputError

    try:
        value = read_input(bundle.workflow_cls, form_def, values)
        args = () if value is None else (value,)
        handle = await console.client.start_workflow(bundle.workflow_cls, *args, id=workflow_id or None)
    except InputError as exc:
        return console.render(
            request, "start.html", 422, bundle=bundle, form=shown, error=str(exc), workflow_id=workflow_id
        )
    except WorkflowAlreadyStartedError:
        return console.render(
            request,
            "start.html",
            409,
            bundle=bundle,
            form=shown,
            error=f"a run with id {workflow_id!r} is running already; choose another id, or leave it empty",
            workflow_id=workflow_id,
        )
    who = _who(request)
    console.started_by[handle.id] = (who, datetime.now(UTC))
    _log.info("%s started %s as %s", who, slug, handle.id)
    return RedirectResponse(run_url(handle.id), status_code=303)


def _safe_next(target: str | None) -> str:
    if not target:
        return "/runs"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/runs"
    return target


async def _login(request: Request) -> Response:
    console = _console(request)
    target = _safe_next(request.query_params.get("next"))
    if console.guard.open:
        return RedirectResponse(target, status_code=303)
    if request.method == "GET":
        return console.render(request, "login.html", next=target, error=None)
    form = await _form(request)
    if isinstance(form, Response):
        return form
    target = _safe_next(_text(form.get("next")))
    token = console.guard.check_secret(_text(form.get("token")) or "")
    if token is None:
        _log.warning("a login with a wrong token was refused")
        return console.render(request, "login.html", 401, next=target, error="that token is not valid")
    session = console.guard.login(token)
    response = RedirectResponse(target, status_code=303)
    response.headers.append("set-cookie", session_cookie_header(session))
    return response


async def _logout(request: Request) -> Response:
    console = _console(request)
    form = await _form(request)
    if isinstance(form, Response):
        return form
    session = request.scope["state"].get("session")
    console.guard.logout(session)
    response = RedirectResponse("/login" if console.config.tokens else "/runs", status_code=303)
    response.headers.append("set-cookie", session_cookie_header("", clear=True))
    return response
