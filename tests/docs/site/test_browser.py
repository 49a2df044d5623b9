"""Every page of the built site, opened in headless Chromium as a reader would.

The site is served over HTTP on localhost, and Debian's ``chromium`` is
driven through the Chrome DevTools Protocol (a websocket; the ``websockets``
package speaks it). Each page must load without console errors, failed
loads or uncaught exceptions, and have a title; every link from it into the
site must reach a file that exists and, with a ``#fragment``, an element with
that id. The search page must find the quickstart for "install".

A missing ``chromium`` fails the check: ``nox -s docs`` installs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.server
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import pytest_asyncio
import websockets

LOAD_TIMEOUT = 30.0


# -- serving the site ----------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The site over HTTP on localhost; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


# -- a small CDP client --------------------------------------------------------------------------


class Connection:
    """A websocket to the browser: numbered commands and their replies, events routed to their tab."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.tabs: dict[str, Page] = {}

    async def read(self) -> None:
        """Dispatch every message the browser sends until the socket closes."""
        async for raw in self.ws:
            message = json.loads(raw)
            future = self.pending.pop(message.get("id", -1), None)
            if future is not None:
                future.set_result(message)
            elif message.get("sessionId") in self.tabs:
                self.tabs[message["sessionId"]].on_event(message)

    async def send(self, method: str, session_id: str | None = None, **params: Any) -> dict[str, Any]:
        """Send a command (to a tab, with its session id) and return its result."""
        ident = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[ident] = future
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session_id is not None:
            message["sessionId"] = session_id
        await self.ws.send(json.dumps(message))
        reply = await asyncio.wait_for(future, LOAD_TIMEOUT)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return dict(reply.get("result", {}))


class Page:
    """One browser tab: commands to it, and the errors and lifecycle events it reports."""

    def __init__(self, connection: Connection, session_id: str) -> None:
        self.connection, self.session_id = connection, session_id
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.errors: list[str] = []

    def on_event(self, message: dict[str, Any]) -> None:
        """Record an error the page reports; queue every event."""
        method, params = message.get("method", ""), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self.errors.append(f"uncaught exception: {text}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.errors.append(f"console.{params['type']}: {args}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".rstrip())
        self.events.put_nowait(message)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command to this tab."""
        return await self.connection.send(method, self.session_id, **params)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result["result"].get("value")

    async def open(self, url: str) -> list[str]:
        """Load ``url`` and wait for its load event (images, styles and scripts are in by then).

        Returns the errors it raised until then: failed loads, console errors,
        uncaught exceptions.
        """
        self.errors = []
        while not self.events.empty():
            self.events.get_nowait()
        await self.send("Page.navigate", url=url)
        async with asyncio.timeout(LOAD_TIMEOUT):
            while (await self.events.get()).get("method") != "Page.loadEventFired":
                pass
        await self.evaluate("new Promise(resolve => requestAnimationFrame(() => resolve(true)))")  # a frame rendered
        return list(self.errors)


async def _devtools_address(proc: subprocess.Popen[bytes], profile: Path) -> str:
    """The browser's websocket address, once Chromium has written it to its profile."""
    port_file = profile / "DevToolsActivePort"
    async with asyncio.timeout(60):
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            assert proc.poll() is None, f"chromium exited with status {proc.returncode}"
            await asyncio.sleep(0.05)
    port, path = port_file.read_text().splitlines()[:2]
    return f"ws://127.0.0.1:{port}{path}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def page() -> AsyncIterator[Page]:
    """A tab of a headless Chromium started for this module."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium is not installed (apt-get install chromium); nox -s docs installs it", pytrace=False)
    with tempfile.TemporaryDirectory(prefix="ntro-chromium-", ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",  # CI runs as root
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the renderers go with it
        )
        try:
            address = await _devtools_address(proc, Path(profile))
            async with websockets.connect(address, max_size=None) as ws:
                connection = Connection(ws)
                reader = asyncio.create_task(connection.read())
                target = await connection.send("Target.createTarget", url="about:blank")
                attached = await connection.send("Target.attachToTarget", targetId=target["targetId"], flatten=True)
                tab = Page(connection, attached["sessionId"])
                connection.tabs[tab.session_id] = tab
                for domain in ("Page", "Runtime", "Log"):
                    await tab.send(f"{domain}.enable")
                try:
                    yield tab
                finally:
                    with contextlib.suppress(Exception):  # it may close the socket before it answers
                        await asyncio.wait_for(connection.send("Browser.close"), 5)
                    reader.cancel()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)  # the group of the browser started above, and only it
            proc.wait(timeout=30)


# -- the pages and their links -------------------------------------------------------------------


def pages(site: Path) -> list[str]:
    """Every HTML page of the site, by path relative to its root."""
    skip = ("_static/", "_sources/", "_images/")
    found = (p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    return sorted(path for path in found if not path.startswith(skip))


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


@functools.cache
def ids_of(path: Path) -> frozenset[str]:
    """The ids (and ``<a name>``) of an HTML file."""
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


def broken_links(site: Path, base: str, links: list[str]) -> list[str]:
    """The links into the site that reach no file, or no element for their fragment."""
    broken = []
    for link in sorted(set(links)):
        if not link.startswith(base):
            continue  # another site: not checked (the build is offline)
        parts = urlsplit(link)
        relative = unquote(parts.path)[len(urlsplit(base).path) :]
        target = site / relative
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{link}: no such file")
        elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids_of(target):
            broken.append(f"{link}: no element with id {unquote(parts.fragment)!r}")
    return broken


def test_the_site_has_its_pages(site: Path) -> None:
    """The pages of the issue's list are all there (a broken build might have dropped some)."""
    found = set(pages(site))
    for expected in (
        "index.html",
        "overview.html",
        "quickstart.html",
        "guide/building-runbooks.html",
        "guide/running-locally.html",
        "guide/runtimes.html",
        "guide/testing.html",
        "reference/lint-rules.html",
        "guide/deploy-to-production.html",
        "guide/operating.html",
        "guide/long-running.html",
        "guide/troubleshooting.html",
        "migrating.html",
        "guide/benchmarks.html",
        "reference/index.html",
        "changelog.html",
        "search.html",
        "genindex.html",
    ):
        assert expected in found, f"{expected} is missing from the site"


@pytest.mark.asyncio(loop_scope="module")
async def test_every_page_loads_cleanly(site: Path, server: str, page: Page) -> None:
    """Each page: no console errors, no failed loads, a title, and no broken link into the site."""
    problems: dict[str, list[str]] = {}
    for relative in pages(site):
        url = server + relative
        errors = await page.open(url)
        title = await page.evaluate("document.title")
        if not (title or "").strip():
            errors.append("no title")
        links = await page.evaluate("Array.from(document.querySelectorAll('a[href]'), a => a.href)")
        errors += broken_links(site, server, links)
        if errors:
            problems[relative] = errors
    assert not problems, "\n".join(f"{page}:\n  " + "\n  ".join(errs) for page, errs in problems.items())


@pytest.mark.asyncio(loop_scope="module")
async def test_search_finds_the_quickstart(server: str, page: Page) -> None:
    """Searching for "install" lists the quickstart, as a reader would find it."""
    errors = await page.open(server + "search.html?q=install")
    assert not errors
    summary = "document.querySelector('#search-results .search-summary')?.textContent || ''"
    async with asyncio.timeout(LOAD_TIMEOUT):  # the results are rendered by script once the index has loaded
        while not (await page.evaluate(summary)).strip():
            await asyncio.sleep(0.05)
    found = await page.evaluate("Array.from(document.querySelectorAll('#search-results li a'), a => a.href)")
    assert any(urlsplit(href).path.endswith("/quickstart.html") for href in found), found
