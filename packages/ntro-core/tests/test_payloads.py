"""The payload converter: the same JSON conversion temporalio's pydantic converter does."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pydantic
import pytest

from ntro.runtime.protocol import (
    DEFAULT_PAYLOAD_CONVERTER,
    ErrorType,
    FunctionHints,
    Payload,
    PayloadConverter,
    PayloadError,
    function_hints,
)
from ntro.workflow import WorkflowError


class Colour(enum.Enum):
    RED = "red"


class Line(pydantic.BaseModel):
    account: str
    amount: Decimal
    booked: date


class Statement(pydantic.BaseModel):
    id: uuid.UUID
    at: datetime
    lines: list[Line]
    tags: set[str] = set()


@dataclasses.dataclass
class Window:
    start: datetime
    length: timedelta
    colour: Colour


STATEMENT = Statement(
    id=uuid.UUID("12345678-1234-5678-1234-567812345678"),
    at=datetime(2026, 1, 31, 12, 30, tzinfo=UTC),
    lines=[Line(account="cash", amount=Decimal("10.50"), booked=date(2026, 1, 30))],
    tags={"bank"},
)


@pytest.fixture
def conv() -> PayloadConverter:
    return PayloadConverter()


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (STATEMENT, Statement),
        (Window(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=2), Colour.RED), Window),
        (datetime(2026, 1, 1, 9, tzinfo=UTC), datetime),
        (uuid.UUID("12345678-1234-5678-1234-567812345678"), uuid.UUID),
        (Decimal("0.10"), Decimal),
        ({"rows": [{"id": 1, "when": date(2026, 2, 1)}], "ok": True}, dict[str, list[dict[str, int | date]] | bool]),
        ([STATEMENT, STATEMENT], list[Statement]),
        ({"a": STATEMENT}, dict[str, Statement]),
        ((1, "x"), tuple[int, str]),
        ({3, 1, 2}, set[int]),
        (Colour.RED, Colour),
        ("text", str),
        (1.5, float),
    ],
)
def test_values_round_trip_to_their_type_hint(conv: PayloadConverter, value: Any, hint: Any) -> None:
    payload = conv.to_payload(value)
    assert payload.encoding == "json/plain"
    assert conv.from_payload(payload, hint) == value


def test_without_a_hint_values_come_back_as_json(conv: PayloadConverter) -> None:
    assert conv.round_trip(STATEMENT) == {
        "id": "12345678-1234-5678-1234-567812345678",
        "at": "2026-01-31T12:30:00Z",
        "lines": [{"account": "cash", "amount": "10.50", "booked": "2026-01-30"}],
        "tags": ["bank"],
    }
    assert conv.round_trip({1, 2}) == [1, 2]  # a set is a JSON list, as on Temporal
    assert conv.round_trip((1, 2)) == [1, 2]
    assert conv.round_trip({1: "a"}) == {"1": "a"}
    assert conv.round_trip(Decimal("1.10")) == "1.10"
    assert conv.round_trip(Colour.RED, Any) == "red"


def test_a_model_read_as_dict_is_a_dict_and_a_dict_read_as_model_is_a_model(conv: PayloadConverter) -> None:
    as_dict = conv.round_trip(STATEMENT, dict)
    assert isinstance(as_dict, dict) and as_dict["lines"][0]["amount"] == "10.50"
    assert conv.round_trip(as_dict, Statement) == STATEMENT


def test_none_and_bytes_travel_as_binary_whatever_the_hint(conv: PayloadConverter) -> None:
    assert conv.to_payload(None) == Payload("binary/null")
    assert conv.from_payload(conv.to_payload(None), int) is None
    assert conv.to_payload(b"\xff\x00") == Payload("binary/plain", b"\xff\x00")
    assert conv.round_trip(b"\xff\x00", str) == b"\xff\x00"
    assert conv.round_trip({"none": None}) == {"none": None}


@pytest.mark.parametrize("value", [object(), {"nested": object()}, [lambda: 1], Payload, Payload("json/plain")])
def test_values_without_a_json_form_fail_clearly(conv: PayloadConverter, value: Any) -> None:
    with pytest.raises(PayloadError, match=r"cannot be carried as a payload \(it has no JSON form\)") as info:
        conv.to_payload(value)
    assert isinstance(info.value, WorkflowError)
    assert info.value.type == ErrorType.PAYLOAD == "PayloadError"
    assert not info.value.non_retryable


def test_a_payload_that_does_not_fit_its_hint_fails_clearly(conv: PayloadConverter) -> None:
    with pytest.raises(PayloadError, match=r"cannot be read as int: .*valid integer"):
        conv.round_trip("abc", int)
    with pytest.raises(PayloadError, match=r"cannot be read as Statement"):
        conv.round_trip({"id": "not a uuid"}, Statement)

    class Plain:
        pass

    with pytest.raises(PayloadError, match=r"cannot be read as .*Plain"):
        conv.round_trip({}, Plain)
    with pytest.raises(PayloadError, match="unknown payload encoding 'json/protobuf'"):
        conv.from_payload(Payload("json/protobuf", b"{}"))


def test_unhashable_hints_work_without_the_cache() -> None:
    conv = PayloadConverter(max_cached_type_adapters=0)
    hint: Any = list[int]
    assert conv.round_trip([1, "2"], hint) == [1, 2]


async def _activity(doc: Statement, count: int, anything, *, flag: bool = False) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {}


async def _positional(doc: Statement, count: int, note) -> Statement:  # type: ignore[no-untyped-def]
    return doc


class _Workflow:
    async def run(self, window: Window, when: datetime | None = None) -> list[Statement]:
        return []

    def query(self) -> None:
        return None


class _Callable:
    def __call__(self, when: datetime) -> date:
        return when.date()


def test_function_hints_resolve_string_annotations_in_their_module() -> None:
    hints = function_hints(_positional)
    assert hints == FunctionHints((Statement, int, Any), Statement)
    assert hints.param(0) is Statement and hints.param(7) is Any
    # keyword-only parameters: every argument is read as Any, as temporalio does
    assert function_hints(_activity) == FunctionHints(None, dict[str, Any])
    assert function_hints(_Workflow.run) == FunctionHints((Window, datetime | None), list[Statement])
    assert function_hints(_Workflow().run) == function_hints(_Workflow.run)
    assert function_hints(_Workflow.query).result is type(None)
    assert function_hints(_Callable()) == FunctionHints((datetime,), date)


def test_unresolvable_hints_mean_any() -> None:
    def local(x: NotImportable) -> NotImportable:  # type: ignore[name-defined]  # noqa: F821
        return x

    assert function_hints(local) == FunctionHints(None, Any)


def test_round_trip_args_reads_each_argument_with_its_parameter_hint() -> None:
    args = DEFAULT_PAYLOAD_CONVERTER.round_trip_args(
        [STATEMENT.model_dump(mode="json"), "3", {"x": 1}], function_hints(_positional)
    )
    assert args == (STATEMENT, 3, {"x": 1})
    with pytest.raises(PayloadError, match="no JSON form"):
        DEFAULT_PAYLOAD_CONVERTER.round_trip_args([STATEMENT, object()], function_hints(_positional))


@pytest.mark.temporal
def test_the_converter_matches_temporalio() -> None:
    """Cross-check against temporalio's own pydantic converter (the temporal leg runs it)."""
    from temporalio.contrib.pydantic import pydantic_data_converter

    theirs = pydantic_data_converter.payload_converter
    ours = PayloadConverter()
    values: list[tuple[Any, Any]] = [
        (STATEMENT, None),
        (STATEMENT, Statement),
        (STATEMENT, dict),
        ({1, 2}, None),
        (None, int),
        (b"raw", None),
        (Window(datetime(2026, 1, 1, tzinfo=UTC), timedelta(seconds=90), Colour.RED), Window),
        ({"when": datetime(2026, 1, 1, tzinfo=UTC), "d": Decimal("2.5")}, None),
    ]
    for value, hint in values:
        [payload] = theirs.to_payloads([value])
        mine = ours.to_payload(value)
        assert (payload.metadata["encoding"].decode(), payload.data) == (mine.encoding, mine.data)
        [back] = theirs.from_payloads([payload], [hint] if hint is not None else None)
        assert back == ours.from_payload(mine, hint)
    with pytest.raises(Exception, match="Unable to serialize unknown type"):
        theirs.to_payloads([object()])


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (5, int),
        (-(2**100), Any),
        (True, bool),
        (False, None),
        ("plain ascii \x00\n\"'", str),
        ("", Any),
        (None, int),
        (b"\xff\x00", str),
    ],
)
def test_values_carried_as_they_are_come_back_the_same(value: Any, hint: Any) -> None:
    conv = PayloadConverter()
    assert conv.carries_as_is(value, hint)
    back = conv.from_payload(conv.to_payload(value), hint)  # the long way, which the shortcut skips
    assert back == value and type(back) is type(value)
    assert conv.round_trip(value, hint) is value


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (True, int),  # a bool read as int is an int
        (5, float),  # read as 5.0
        (5, bool),
        ("5", int),
        ("caf\u00e9", str),  # not ASCII: the long way
        (1.5, float),  # floats: NaN and infinities do not come back as they are
        ([1], list),
        (Colour.RED, Colour),
    ],
)
def test_other_values_take_the_long_way(value: Any, hint: Any) -> None:
    assert not PayloadConverter().carries_as_is(value, hint)


def test_arguments_are_carried_as_they_are_only_when_every_one_is() -> None:
    conv = PayloadConverter()

    def fn(a: int, b: str, c: Any) -> None: ...

    hints = function_hints(fn)
    assert conv.carry_args_as_is((1, "x", None), hints)
    assert conv.carry_args_as_is((1, "x"), hints)
    assert not conv.carry_args_as_is((1, "x", [1]), hints)
    assert not conv.carry_args_as_is((1.0, "x"), hints)
    assert conv.round_trip_args(("1",), function_hints(lambda a: a)) == ("1",)
