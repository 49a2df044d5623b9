"""JSON in and out of a command: the text of a JSON option, and the one way to print JSON.

Every ``ntro`` command that takes JSON reads it with :func:`read_input_text`
(inline, ``@file`` or ``@-`` for stdin), and every command that prints JSON
(``ntro workflow run``'s result, each ``--json``, ``lint --format json``, the
test report) prints it through :func:`to_json_text`: indented, ASCII only (so
any terminal and any reader takes it), and always valid JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from ntro.cli._app import CommandError

__all__ = ["add_json_option", "print_json", "read_input_text", "to_json_text"]


def read_input_text(spec: str | None, option: str = "--input") -> str | None:
    """Return the JSON text of an option (``--input`` by default): inline, ``@file``, or ``@-`` for stdin.

    Raises:
        CommandError: The file cannot be read, or is not UTF-8 text (the message names ``option``).
    """
    if spec is None or not spec.startswith("@"):
        return spec
    name = spec[1:]
    if not name.strip():
        raise CommandError(f"{option} {spec}: no file name after '@'; give @FILE, or @- for stdin")
    source = "stdin" if name == "-" else f"the input file {name}"
    try:
        if name == "-":
            if sys.stdin is None:
                raise CommandError(f"{option} @-: stdin is closed; pipe the JSON in, or give it inline")
            data: bytes = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        else:
            data = Path(name).read_bytes()
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        what = "stdin is not" if name == "-" else "not"
        raise CommandError(
            f"{option} {spec}: {what} UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start}); "
            "give JSON saved as UTF-8"
        ) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CommandError(f"{option} {spec}: cannot read {source}: {reason}") from None


def _non_finite(value: Any, path: str = "") -> tuple[str, float] | None:
    """Return where in a JSON-ready ``value`` a NaN or an infinity is (``['a'][0]``), and which, or ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return path, value
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _non_finite(item, f"{path}[{key!r}]")
        if found is not None:
            return found
    return None


def to_json_text(value: Any, what: str = "the result") -> str:
    """Return ``value`` (pydantic models, dataclasses, datetimes...) as indented JSON text.

    The text is always valid JSON: a value JSON cannot hold is an error,
    never printed as something a JSON reader would reject.

    Args:
        value: What to print.
        what: What it is, for the message (``the result``, ``the answer``).

    Raises:
        CommandError: ``value`` holds a NaN or an infinity (JSON has neither), or
            nests too deeply to write (exit 1; the message says where).
    """
    from pydantic_core import to_jsonable_python

    try:
        ready = to_jsonable_python(value, serialize_unknown=True)
        found = _non_finite(ready)
        if found is None:
            return json.dumps(ready, indent=2, allow_nan=False)
    except (RecursionError, ValueError) as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        reason = "it nests too deeply" if isinstance(exc, RecursionError) or "depth" in text else text
        raise CommandError(f"{what} cannot be printed as JSON: {reason}", exit_code=1) from None
    where, number = found
    raise CommandError(
        f"{what} cannot be printed as JSON: {what.split()[-1]}{where} is {number}, and JSON has no NaN or "
        "Infinity (return None or a string there instead)",
        exit_code=1,
    )


def print_json(value: Any, what: str = "the output") -> None:
    """Print ``value`` as :func:`to_json_text` writes it, then a newline.

    Raises:
        CommandError: ``value`` cannot be written as JSON (see :func:`to_json_text`).
    """
    print(to_json_text(value, what))


def add_json_option(parser: argparse.ArgumentParser, help: str = "print JSON instead of text") -> None:
    """Add ``--json`` (``args.json``) to a command that prints JSON with :func:`print_json` when it is given."""
    parser.add_argument("--json", action="store_true", help=help)
