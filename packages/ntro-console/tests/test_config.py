"""Tokens and interfaces: what ``--token``, ``NTRO_CONSOLE_TOKENS`` and ``--bind`` take."""

from __future__ import annotations

import pytest

from ntro.console import Token, is_loopback, parse_token, tokens_from_env


def test_a_token_is_name_equals_secret() -> None:
    assert parse_token("alice=a-long-secret") == Token("alice", "a-long-secret")
    assert "a-long-secret" not in repr(parse_token("alice=a-long-secret")), "a secret is never shown"


def test_tokens_from_the_environment() -> None:
    tokens = tokens_from_env({"NTRO_CONSOLE_TOKENS": "alice=secret-one, bob=secret-two\ncarol=secret-three"})
    assert [t.name for t in tokens] == ["alice", "bob", "carol"]
    assert tokens_from_env({}) == [] and tokens_from_env({"NTRO_CONSOLE_TOKENS": " "}) == []


def test_a_malformed_token_says_why_without_its_secret() -> None:
    with pytest.raises(ValueError) as caught:
        parse_token("alice:secret-value")
    assert "NAME=SECRET" in str(caught.value)
    with pytest.raises(ValueError) as caught:
        parse_token("alice=short")
    assert "short" not in str(caught.value).replace("8 characters", "")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("console.example", False),
    ],
)
def test_which_interfaces_serve_this_machine_only(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
