"""A small HTTP client for the console's plain HTTP tests: cookies, forms, multipart uploads, no redirects followed."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from typing import Any

import attrs


@attrs.frozen
class Reply:
    """What the console answered: status, headers, body text."""

    status: int
    headers: Mapping[str, str]
    text: str

    @property
    def location(self) -> str:
        """Where a redirect points."""
        return self.headers.get("location", "")

    @property
    def csrf(self) -> str:
        """The CSRF token of the page's forms."""
        match = re.search(r'name="csrf" value="([0-9a-f]+)"', self.text)
        assert match, f"no CSRF token on the page ({self.status}): {self.text[:300]}"
        return match.group(1)

    def gate_ids(self) -> list[str]:
        """The ids of the gates the page offers to answer."""
        return re.findall(r'name="gate" value="([0-9a-f]+)"', self.text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    """One browser-less visitor of the console at ``url``, with its own cookies."""

    def __init__(self, url: str, cookies: http.cookiejar.CookieJar | None = None) -> None:
        self.url = url.rstrip("/")
        self.cookies = cookies if cookies is not None else http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def request(
        self, method: str, path: str, *, data: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> Reply:
        """Send a request; return the reply, whatever its status."""
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=dict(headers or {}))
        try:
            with self._opener.open(req, timeout=60) as response:
                return Reply(
                    response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode()
                )
        except urllib.error.HTTPError as exc:
            body = exc.read().decode(errors="replace")
            return Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, body)

    def get(self, path: str, **headers: str) -> Reply:
        """GET ``path`` as a browser would (asking for HTML)."""
        return self.request("GET", path, headers={"accept": "text/html", **_headers(headers)})

    def post(
        self,
        path: str,
        fields: Mapping[str, str],
        *,
        files: Mapping[str, tuple[str, bytes]] | None = None,
        **headers: str,
    ) -> Reply:
        """POST a form (multipart when ``files``: field -> (file name, bytes))."""
        if files is None:
            body = urllib.parse.urlencode(fields).encode()
            kind = "application/x-www-form-urlencoded"
        else:
            body, kind = _multipart(fields, files)
        return self.request("POST", path, data=body, headers={"content-type": kind, **_headers(headers)})


def _headers(given: Mapping[str, str]) -> dict[str, str]:
    return {k.replace("_", "-"): v for k, v in given.items()}


def _multipart(fields: Mapping[str, str], files: Mapping[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
