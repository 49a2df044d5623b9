"""The security model over plain HTTP, against a real ``ntro console`` process: loopback, tokens, CSRF, one answer."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from console_support import BUNDLES, NAV
from http_client import Client, Reply

APPROVAL = str(BUNDLES / "approval")


def test_another_interface_without_a_token_refuses_to_start(console_process: Any) -> None:
    process = console_process("--bind", "0.0.0.0", str(NAV), "--port", "0", wait=False, env={"NTRO_CONSOLE_TOKENS": ""})
    assert process.finish() == 2
    assert process.lines == [
        "ntro: error: --bind 0.0.0.0 serves other machines, so the console needs at least one token: "
        "--token NAME=SECRET (or NTRO_CONSOLE_TOKENS); without one it binds 127.0.0.1 only"
    ]


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("alice", "is not NAME=SECRET"),
        ("alice=short", "must be at least 8 characters"),
        ("al ice=a-long-secret", "may hold only letters"),
    ],
)
def test_a_malformed_token_is_one_line(console_process: Any, token: str, words: str) -> None:
    process = console_process(str(NAV), "--token", token, "--port", "0", wait=False)
    assert process.finish() == 2
    assert len(process.lines) == 1 and words in process.lines[0], process.output


def test_a_taken_port_is_one_line(console_process: Any) -> None:
    first = console_process(APPROVAL)
    port = first.url.rsplit(":", 1)[1]
    second = console_process(APPROVAL, "--port", port, wait=False)
    assert second.finish() == 1
    assert len(second.lines) == 1 and second.lines[0].startswith(f"ntro: error: cannot serve on 127.0.0.1:{port}: ")


@pytest.fixture
def guarded(console_process: Any) -> Any:
    """A console on every interface, with two tokens, logging its answers."""
    return console_process(
        "--bind",
        "0.0.0.0",
        APPROVAL,
        "--token",
        "alice=alice-secret-1",
        verbose=True,
        env={"NTRO_CONSOLE_TOKENS": "bob=bob-secret-22"},
    )


def test_tokens_are_checked_on_every_request(guarded: Any) -> None:
    visitor = Client(guarded.url)
    assert visitor.get("/runs").status == 303 and visitor.get("/runs").location.startswith("/login?next=/runs")
    assert visitor.request("GET", "/runs").status == 401
    assert visitor.request("GET", "/runs", headers={"authorization": "Bearer wrong-secret"}).status == 401
    assert visitor.request("GET", "/runs", headers={"authorization": "Bearer bob-secret-22"}).status == 200
    login = visitor.get("/login")
    wrong = visitor.post("/login", {"csrf": login.csrf, "token": "not-a-token", "next": "/runs"})
    assert wrong.status == 401 and "that token is not valid" in wrong.text
    right = visitor.post("/login", {"csrf": login.csrf, "token": "alice-secret-1", "next": "/runs"})
    assert right.status == 303 and right.location == "/runs"
    assert "signed in as <strong>alice</strong>" in visitor.get("/runs").text


def _start(visitor: Client, amount: str = "120") -> str:
    form = visitor.get("/start/approval")
    reply = visitor.post("/start/approval", {"csrf": form.csrf, "__input__": amount})
    assert reply.status == 303, reply.text
    return reply.location


def _at_the_gate(visitor: Client) -> tuple[str, Reply, str]:
    """Start an approval run; return its URL, its page and its one gate's id."""
    run = _start(visitor)
    page = visitor.get(run)
    [gate] = page.gate_ids()
    return run, page, gate


def _login(url: str, secret: str) -> Client:
    visitor = Client(url)
    login = visitor.get("/login")
    assert visitor.post("/login", {"csrf": login.csrf, "token": secret}).status == 303
    return visitor


def test_an_answer_names_who_sent_it(guarded: Any) -> None:
    alice = _login(guarded.url, "alice-secret-1")
    run, page, gate = _at_the_gate(alice)
    sent = alice.post(run, {"csrf": page.csrf, "gate": gate, "op": "review", "decision": "approve", "note": "fine"})
    assert sent.status == 303
    timeline = alice.get(run).text
    assert re.search(r"<strong>alice</strong> approved: Approve 120", timeline)
    guarded.wait_for(re.compile(r"INFO ntro.console: alice approved \(workflow .*, gate 1, step ask\)"))


def test_a_post_without_the_csrf_token_is_refused(console_process: Any) -> None:
    process = console_process(APPROVAL)
    visitor = Client(process.url)
    run, page, gate = _at_the_gate(visitor)
    for csrf in ({}, {"csrf": "0" * 64}):
        refused = visitor.post(run, {**csrf, "gate": gate, "op": "review", "decision": "approve"})
        assert refused.status == 403 and "no valid CSRF token" in refused.text
    refused = visitor.post("/start/approval", {"__input__": "5"})
    assert refused.status == 403
    # Another visitor's token is not this one's.
    other = Client(process.url)
    other.get("/runs")
    assert other.post(run, {"csrf": page.csrf, "gate": gate, "op": "review", "decision": "approve"}).status == 403
    assert gate in visitor.get(run).gate_ids(), "nothing was answered"


def test_only_loopback_host_names_without_tokens(console_process: Any) -> None:
    process = console_process(APPROVAL)
    visitor = Client(process.url)
    assert visitor.request("GET", "/runs", headers={"host": "evil.example"}).status == 421
    assert visitor.request("GET", "/runs", headers={"host": "localhost"}).status == 200


def test_a_body_over_the_limit_is_refused(console_process: Any) -> None:
    process = console_process(APPROVAL, env={"NTRO_DOCUMENTS_MAX_MB": "1"})
    visitor = Client(process.url)
    run, page, gate = _at_the_gate(visitor)
    reply = visitor.post(
        run, {"csrf": page.csrf, "gate": gate, "op": "upload"}, files={f"file-{gate}": ("big.csv", b"x" * 3 * 2**20)}
    )
    assert reply.status == 413 and "larger than the limit" in reply.text


def test_two_reviewers_pressing_approve_at_once_send_one_answer(console_process: Any) -> None:
    process = console_process(APPROVAL)
    visitor = Client(process.url)
    run, page, gate = _at_the_gate(visitor)
    replies: list[Reply] = []
    barrier = threading.Barrier(2)

    def press() -> None:
        reviewer = Client(process.url, visitor.cookies)  # the same session: its CSRF token is the page's
        barrier.wait()
        replies.append(reviewer.post(run, {"csrf": page.csrf, "gate": gate, "op": "review", "decision": "approve"}))

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status for r in replies) == [303, 409]
    [late] = [r for r in replies if r.status == 409]
    assert "already answered: local approved" in late.text
    final = visitor.get(run).text
    assert final.count("approved: Approve 120") == 1
