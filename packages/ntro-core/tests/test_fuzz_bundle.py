"""Fuzzing the bundle loader and the input parser (hypothesis): a result, or their own one-line error, never a crash.

``runbook.md`` gets random frontmatter: random keys and values of every YAML
type, broken YAML, missing or unclosed fences, huge strings, unicode, bytes
that are not UTF-8. The loader must return a bundle or raise
:class:`~ntro.workflow.bundle.BundleError` with a message of one line.

``--input`` gets random JSON and not-quite-JSON: deep nesting, NaN, huge
numbers, invalid UTF-8, inline or from a file, for runbooks taking a model,
a mapping, a number or nothing. Reading and parsing it (``read_input_text``
then ``parse_input``, as the commands do) must give a value, or a
:class:`~ntro.cli.CommandError` or :class:`~ntro.workflow.bundle.InputError`
with a message of one line.

The examples are derandomized, so every run (and CI) tries the same ones.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ntro.cli import CommandError, read_input_text
from ntro.workflow import registry, runbook
from ntro.workflow.bundle import Bundle, BundleError, InputError, load_bundle, parse_input

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SLUG = "fuzzed"
WORKFLOW = f"""\
from ntro.workflow import runbook


@runbook.defn(slug={SLUG!r})
class FuzzedWorkflow:
    @runbook.run
    async def run(self) -> str:
        return "fuzzed"
"""


def _one_line(message: str) -> None:
    assert message.strip(), "an empty error message"
    assert "\n" not in message, f"an error message of more than one line: {message!r}"


# -- runbook.md --------------------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**60)
    | st.floats()  # NaN and the infinities too
    | st.text()
    | st.text(min_size=2000, max_size=5000)
    | st.dates()
    | st.datetimes()
    | st.binary(max_size=50)
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_keys = st.sampled_from(["slug", "name", "version", "description", "state", "author", "tags"]) | st.text(max_size=12)
_slugs = st.just(SLUG) | st.text(max_size=20) | _values
_mappings = st.builds(
    lambda slug, rest, with_slug: {**rest, "slug": slug} if with_slug else rest,
    _slugs,
    st.dictionaries(_keys, _values, max_size=6),
    st.booleans(),
)


def _dump(meta: Any) -> str:
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)


# Scalars PyYAML reads with Python's own parsers: bad dates and times, tags on the wrong text, too many digits.
_tricky_scalars = st.one_of(
    st.builds(
        "{}-{:02d}-{:02d}{}".format,
        st.integers(1, 9999),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from(["", " 25:00:00", "T23:59:60Z", " 12:00:00.5+99:00"]),
    ),
    st.builds(
        "{} {}".format,
        st.sampled_from(["!!int", "!!float", "!!bool", "!!timestamp", "!!binary", "!!null", "!!set", "!!omap"]),
        st.text(alphabet="0123456789abcdefxo_.:-+e ", max_size=8),
    ),
    st.integers(min_value=4000, max_value=6000).map(lambda digits: "9" * digits),
    st.integers(min_value=1, max_value=3000).map(lambda depth: "[" * depth + "]" * depth),
    st.sampled_from(["&a [*a]", "*nowhere", "!!python/object:os.system ls", "<<: 1", "? [a]"]),
)
_tricky_lines = st.lists(
    st.builds("{}: {}".format, st.sampled_from(["slug", "name", "version", "when"]), _tricky_scalars),
    min_size=1,
    max_size=4,
).map("\n".join)

_frontmatter_text = st.one_of(
    _mappings.map(_dump),  # valid YAML mappings
    _tricky_lines,
    _values.map(_dump),  # valid YAML, maybe not a mapping
    st.text(),  # anything at all
    # YAML's punctuation, tags and timestamps, in any order
    st.lists(st.sampled_from([*"ab:- \n\t[]{}'\"&*!|>%@`#,?", "2001-13-45", "!!python/object", "!!binary"])).map(
        "".join
    ),
)
_body = st.text(max_size=200)


@st.composite
def _runbook_md(draw: st.DrawFn) -> bytes:
    front, body = draw(_frontmatter_text), draw(_body)
    shape = draw(st.sampled_from(["fenced", "unfenced", "unclosed", "dots", "bom-crlf", "not-utf8", "empty"]))
    if shape == "fenced":
        text = f"---\n{front}\n---\n{body}"
    elif shape == "unfenced":
        text = f"{front}\n{body}"
    elif shape == "unclosed":
        text = f"---\n{front}\n{body}"
    elif shape == "dots":
        text = f"---\n{front}\n...\n{body}"
    elif shape == "bom-crlf":
        text = "\ufeff" + f"---\n{front}\n---\n{body}".replace("\n", "\r\n")
    elif shape == "not-utf8":
        return f"---\n{front}\n---\n".encode() + draw(st.binary(min_size=1)) + b"\xff\xfe\x80"
    else:
        text = ""
    return text.encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def _forget_fuzzed() -> Iterator[None]:
    yield
    registry.unregister_workflow(SLUG)


@pytest.mark.usefixtures("_forget_fuzzed")
@FUZZ
@given(runbook_md=_runbook_md())
def test_random_frontmatter_loads_or_is_refused_in_one_line(runbook_md: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bundle"
        (root / "templates").mkdir(parents=True)
        (root / "templates" / "__init__.py").write_text("")
        (root / "templates" / "workflow.py").write_text(WORKFLOW)
        (root / "runbook.md").write_bytes(runbook_md)
        try:
            bundle = load_bundle(root)
        except BundleError as exc:
            _one_line(str(exc))
            return
    assert isinstance(bundle, Bundle)
    assert bundle.slug == SLUG and bundle.workflow_cls.__name__ == "FuzzedWorkflow"
    assert isinstance(bundle.name, str) and (bundle.version is None or isinstance(bundle.version, str))


# -- --input -----------------------------------------------------------------------------------


class Nested(BaseModel):
    label: str = ""
    weights: list[float] = []


class Order(BaseModel):
    id: int
    amount: float
    note: str | None = None
    items: list[Nested] = []
    extra: dict[str, Any] = {}


@runbook.defn(slug="fuzz-takes-a-model")
class TakesAModel:
    @runbook.run
    async def run(self, order: Order) -> None:
        pass


@runbook.defn(slug="fuzz-takes-a-mapping")
class TakesAMapping:
    @runbook.run
    async def run(self, data: dict[str, Any]) -> None:
        pass


@runbook.defn(slug="fuzz-takes-a-number")
class TakesANumber:
    @runbook.run
    async def run(self, value: int) -> None:
        pass


@runbook.defn(slug="fuzz-takes-nothing")
class TakesNothing:
    @runbook.run
    async def run(self) -> None:
        pass


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=15,
)
_orders = st.fixed_dictionaries(
    {"id": st.integers() | st.text(max_size=5), "amount": st.floats() | st.integers()},
    optional={"note": st.none() | st.text(), "items": st.lists(_json_values, max_size=3), "extra": _json_values},
)


def _deep(depth: int, kind: str) -> str:
    return {"list": "[" * depth + "]" * depth, "object": '{"a":' * depth + "1" + "}" * depth, "open": "[" * depth}[kind]


_json_texts = st.one_of(
    _json_values.map(json.dumps),  # NaN and Infinity as Python writes them
    _orders.map(json.dumps),
    st.builds(_deep, st.integers(min_value=1, max_value=200_000), st.sampled_from(["list", "object", "open"])),
    st.integers(min_value=4000, max_value=20_000).map(lambda digits: "9" * digits),  # more digits than Python reads
    st.sampled_from(["", " ", "null", "NaN", "-Infinity", "1e999999", '"\\ud800"', "\ufeff{}", "{}{}"]),
    st.text(),
)
_inputs = st.one_of(
    _json_texts.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(),  # not UTF-8, mostly
)


@FUZZ
@given(
    data=_inputs,
    how=st.sampled_from(["inline", "file"]),
    workflow=st.sampled_from([TakesAModel, TakesAMapping, TakesANumber, TakesNothing]),
)
def test_random_input_parses_or_is_refused_in_one_line(data: bytes, how: str, workflow: type) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if how == "file":
            path = Path(tmp) / "input.json"
            path.write_bytes(data)
            spec = f"@{path}"
        else:
            try:
                spec = data.decode("utf-8")  # a command-line argument is text
            except UnicodeDecodeError:
                spec = data.decode("utf-8", "surrogateescape")  # as Python hands over undecodable argv bytes
        try:
            value = parse_input(workflow, read_input_text(spec))
        except CommandError as exc:
            _one_line(exc.message)
            return
        except InputError as exc:
            _one_line(str(exc))
            return
    if workflow is TakesNothing:
        assert value is None
    elif workflow is TakesAModel:
        assert isinstance(value, Order)
    elif workflow is TakesANumber:
        assert isinstance(value, int)
    else:
        assert isinstance(value, dict)
