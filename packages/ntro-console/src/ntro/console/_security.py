"""Who is asking, whether a form is genuine, and what a request may carry.

* **Tokens.** With tokens configured, every request must come from a
  session that logged in with one (the login form sets an ``HttpOnly``,
  ``SameSite=Strict`` cookie) or carry ``Authorization: Bearer SECRET``.
  Without tokens (loopback only) everyone is ``local``.
* **CSRF.** Every form carries a token derived from the browser's session
  cookie with a key that lives only in this process (HMAC-SHA256); a POST
  without the right one is refused. A request with a bearer token needs none:
  a page on another site cannot make a browser send that header.
* **Host.** Without tokens the console answers only to loopback host names,
  so a page on another site cannot point its own name at this machine
  (DNS rebinding) and read the console.
* **Size.** A request body over the limit is refused (413) before it is read.
* **Headers.** A strict Content-Security-Policy (no script or style but the
  console's own, inlined and allowed by their hashes), no framing, no
  referrer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from http.cookies import SimpleCookie
from typing import Any

from ntro.console._config import Token

__all__ = [
    "ANONYMOUS",
    "CSRF_FIELD",
    "SESSION_COOKIE",
    "Guard",
    "RequestTooLarge",
    "content_security_policy",
    "session_cookie_header",
]

ANONYMOUS = "local"
"""Who answers when the console has no tokens."""

SESSION_COOKIE = "ntro_console"
"""The session cookie's name."""

CSRF_FIELD = "csrf"
"""The hidden form field that carries the CSRF token."""

_OPEN_PATHS = ("/login", "/static/")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)


def content_security_policy(*inline: str) -> bytes:
    """A policy that allows only the console itself, and the ``inline`` scripts and styles (by their hashes)."""
    hashes = " ".join(f"'sha256-{_b64(hashlib.sha256(text.encode()).digest())}'" for text in inline)
    return (
        f"default-src 'none'; script-src {hashes}; style-src {hashes}; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ).encode()


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


DRAIN_LIMIT = 64 * 2**20
"""How much of a refused body is read (and dropped) so its sender sees the refusal; beyond it the connection closes."""


async def _drain(receive: Receive, limit: int) -> None:
    seen = 0
    while seen <= limit:
        message = await receive()
        if message.get("type") != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body"):
            return


class RequestTooLarge(Exception):
    """A request body went over the limit while it was read."""


class Guard:
    """Tokens, sessions and CSRF tokens of one console process.

    Args:
        tokens: Who may use the console; none means everyone is ``local``.
        allowed_hosts: ``Host`` names answered to (``None``: any).
        max_body: The largest request body, in bytes.
        inline: The inline scripts and styles pages carry (allowed by hash).
    """

    def __init__(
        self, tokens: Sequence[Token], *, allowed_hosts: Sequence[str] | None, max_body: int, inline: Sequence[str] = ()
    ) -> None:
        self.headers = ((b"content-security-policy", content_security_policy(*inline)), *_HEADERS)
        self.tokens = tuple(tokens)
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts is not None else None
        self.max_body = max_body
        self._key = secrets.token_bytes(32)
        self._sessions: dict[str, str] = {}  # session id -> the token name it logged in with

    @property
    def open(self) -> bool:
        """Whether no tokens are configured (everyone is ``local``)."""
        return not self.tokens

    def check_secret(self, secret: str) -> Token | None:
        """Return the token whose secret is ``secret`` (compared in constant time), or ``None``."""
        found = None
        given = secret.encode()
        for token in self.tokens:
            if hmac.compare_digest(token.secret.encode(), given):
                found = token
        return found

    def login(self, token: Token) -> str:
        """Start a session for ``token`` and return its id (the new cookie value)."""
        session = secrets.token_urlsafe(32)
        self._sessions[session] = token.name
        return session

    def logout(self, session: str | None) -> None:
        """End ``session``."""
        if session is not None:
            self._sessions.pop(session, None)

    def csrf_token(self, session: str) -> str:
        """The CSRF token of the forms of ``session``."""
        return hmac.new(self._key, session.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: str | None, given: str | None) -> bool:
        """Whether ``given`` is ``session``'s CSRF token."""
        return bool(session and given) and hmac.compare_digest(self.csrf_token(session or ""), given or "")

    def who(self, session: str | None, authorization: str | None) -> tuple[str | None, bool]:
        """Return who the request comes from (``None``: nobody known) and whether a bearer token said so."""
        if authorization is not None:
            scheme, _, secret = authorization.partition(" ")
            if scheme.lower() == "bearer" and self.tokens:
                token = self.check_secret(secret.strip())
                return (token.name if token is not None else None), token is not None
        if self.open:
            return ANONYMOUS, False
        return (self._sessions.get(session) if session is not None else None), False

    def middleware(self, app: App) -> App:
        """Wrap ``app``: the checks above, then ``scope["state"]`` holds ``user``, ``session``, ``csrf``, ``bearer``."""

        async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            if self.allowed_hosts is not None and _hostname(headers.get("host", "")) not in self.allowed_hosts:
                await _plain(
                    send, self.headers, 421, "this console answers only at 127.0.0.1 or localhost (it has no tokens)"
                )
                return
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body:
                await _drain(receive, DRAIN_LIMIT)  # so the sender reads the answer instead of a reset connection
                await _plain(send, self.headers, 413, f"the request is larger than the limit of {_size(self.max_body)}")
                return
            session = _cookie(headers.get("cookie"), SESSION_COOKIE)
            new_session = None
            if session is None or len(session) > 128:
                session = new_session = secrets.token_urlsafe(32)
            user, bearer = self.who(session, headers.get("authorization"))
            if "authorization" in headers and self.tokens and not bearer:
                await _plain(send, self.headers, 401, "that bearer token is not valid", authenticate=True)
                return
            state = scope.setdefault("state", {})
            state.update(user=user, session=session, csrf=self.csrf_token(session), bearer=bearer, guard=self)
            path = scope.get("path", "")
            if user is None and not path.startswith(_OPEN_PATHS):
                if scope.get("method") == "GET" and "text/html" in headers.get("accept", ""):
                    await _redirect(send, self.headers, "/login?next=" + _quote(path + _query(scope)), new_session)
                else:
                    await _plain(
                        send, self.headers, 401, "log in first (or send Authorization: Bearer TOKEN)", authenticate=True
                    )
                return
            seen = 0

            async def limited() -> Message:
                nonlocal seen
                message = await receive()
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise RequestTooLarge(f"the request is larger than the limit of {_size(self.max_body)}")
                return message

            async def decorated(message: Message) -> None:
                if message["type"] == "http.response.start":
                    extra = list(self.headers)
                    sets = [v for k, v in message.get("headers", []) if k.lower() == b"set-cookie"]
                    if new_session is not None and not any(v.startswith(SESSION_COOKIE.encode()) for v in sets):
                        extra.append((b"set-cookie", _session_cookie(new_session)))
                    message["headers"] = [*message.get("headers", []), *extra]
                await send(message)

            await app(scope, limited, decorated)

        return guarded


def session_cookie_header(session: str, *, clear: bool = False) -> str:
    """The ``Set-Cookie`` value that sets (or clears) the session cookie."""
    return _session_cookie(session, clear=clear).decode("latin-1")


def _session_cookie(session: str, *, clear: bool = False) -> bytes:
    age = "; Max-Age=0" if clear else ""
    return f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict{age}".encode("latin-1")


def _cookie(header: str | None, name: str) -> str | None:
    if not header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header: as if there were none
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None and morsel.value else None


def _hostname(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="/")


def _query(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    return f"?{query}" if query else ""


def _size(limit: int) -> str:
    return f"{limit / 2**20:.0f} MB" if limit >= 2**20 else f"{limit} bytes"


async def _plain(
    send: Send, security: Sequence[tuple[bytes, bytes]], status: int, text: str, *, authenticate: bool = False
) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), *security]
    if authenticate:
        headers.append((b"www-authenticate", b'Bearer realm="ntro console"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": (text + "\n").encode()})


async def _redirect(
    send: Send, security: Sequence[tuple[bytes, bytes]], location: str, new_session: str | None
) -> None:
    headers = [(b"location", location.encode("latin-1")), *security]
    if new_session is not None:
        headers.append((b"set-cookie", _session_cookie(new_session)))
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
