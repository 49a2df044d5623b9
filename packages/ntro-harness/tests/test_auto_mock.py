"""Automatic fakes and activity mocks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import inspect
import typing
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal, NamedTuple, Optional, TypedDict, Union

import pytest
from pydantic import BaseModel, Field

from ntro.runtime.local import LocalRuntime, VirtualClock, run_local
from ntro.runtime.protocol import ACTIVITY_ATTR, activity_definition, find_activity, function_hints
from ntro.testing._results import ActivityCall
from ntro.testing._scenarios import REAL
from ntro.testing.auto_mock import FAKE_DATE, FAKE_DATETIME, MockUnavailable, generate_fake, mock_activities
from ntro.workflow import NtroWorkflow, RetryPolicy, WorkflowError, activity, runbook
from ntro.workflow.exceptions import NtroError

# -- types the fakes are made of ------------------------------------------------------------


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Empty(enum.Enum):
    pass


class Line(BaseModel):
    account: str
    amount: Decimal
    memo: str = "kept default"
    tags: list[str] = Field(default_factory=lambda: ["kept"])


class Report(BaseModel):
    period: str
    opened: dt.date
    lines: list[Line]
    approved: bool
    colour: Colour
    kind: Literal["nav", "tb"]
    reviewer: Optional[str]  # noqa: UP045 - the 0.1.2 spelling is what is tested
    external_id: str = Field(alias="externalId")
    note: str | None = None


class Node(BaseModel):
    name: str
    children: list[Node]
    parent: Node | None


class Loop(BaseModel):
    again: Loop


class Positive(BaseModel):
    amount: int = Field(gt=0)


class Plain:
    pass


class HoldsPlain(BaseModel):
    model_config = {"arbitrary_types_allowed": True}
    thing: Plain


@dataclasses.dataclass
class Point:
    x: int
    label: str
    z: float = 1.5
    extra: list[int] = dataclasses.field(default_factory=list)


class Movie(TypedDict):
    title: str
    year: int


class PartialMovie(TypedDict, total=False):
    title: str


class Pair(NamedTuple):
    left: str
    right: int = 7


UserId = typing.NewType("UserId", str)


class Code(str):
    pass


# -- generate_fake -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (str, "auto-mock"),
        (int, 0),
        (float, 0.0),
        (Decimal, Decimal("0")),
        (bool, True),
        (bytes, b""),
        (None, None),
        (type(None), None),
        (Any, None),
        (uuid.UUID, uuid.UUID(int=0)),
        (dt.datetime, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        (dt.date, dt.date(2026, 1, 1)),
        (list[int], [0]),
        (typing.List[str], ["auto-mock"]),  # noqa: UP006
        (Sequence[int], [0]),
        (set[str], {"auto-mock"}),
        (frozenset[int], frozenset({0})),
        (tuple[int, ...], (0,)),
        (tuple[int, str], (0, "auto-mock")),
        (tuple[()], ()),
        (list, []),
        (dict, {}),
        (dict[str, int], {}),
        (Mapping[str, Any], {}),
        (Optional[int], 0),  # noqa: UP045
        (int | None, 0),
        (None | str, "auto-mock"),
        (Union[str, int], "auto-mock"),  # noqa: UP007
        (Literal["a", "b"], "a"),
        (Colour, Colour.RED),
        (typing.Annotated[int, "meta"], 0),
        (UserId, "auto-mock"),
        (Code, Code("auto-mock")),
        (Point, Point(x=0, label="auto-mock")),
        (Movie, {"title": "auto-mock", "year": 0}),
        (PartialMovie, {}),
        (Pair, Pair("auto-mock")),
    ],
)
def test_fake_table(annotation: Any, expected: Any) -> None:
    fake = generate_fake(annotation)
    assert fake == expected
    assert type(fake) is type(expected)


def test_fixed_dates_are_the_documented_ones() -> None:
    assert FAKE_DATETIME.isoformat() == "2026-01-01T00:00:00+00:00"
    assert FAKE_DATE.isoformat() == "2026-01-01"


def test_pydantic_model_fills_required_fields_only() -> None:
    report = generate_fake(Report)
    assert isinstance(report, Report)
    assert report.period == "auto-mock"
    assert report.opened == dt.date(2026, 1, 1)
    assert report.approved is True
    assert report.colour is Colour.RED
    assert report.kind == "nav"
    assert report.reviewer == "auto-mock"
    assert report.external_id == "auto-mock"
    assert report.note is None
    assert len(report.lines) == 1
    line = report.lines[0]
    assert (line.account, line.amount, line.memo, line.tags) == ("auto-mock", Decimal("0"), "kept default", ["kept"])


def test_recursive_model_stops_at_empty_values() -> None:
    node = generate_fake(Node)
    assert node.name == "auto-mock"
    assert node.children == []
    assert node.parent is None


def test_model_containing_itself_without_an_exit_is_unavailable() -> None:
    with pytest.raises(MockUnavailable, match="Loop"):
        generate_fake(Loop)


def test_model_whose_fake_does_not_validate() -> None:
    with pytest.raises(MockUnavailable) as info:
        generate_fake(Positive)
    assert "Positive" in str(info.value)
    assert "amount" in str(info.value)


def test_plain_class_is_unavailable_and_named() -> None:
    with pytest.raises(MockUnavailable, match="no automatic fake for Plain"):
        generate_fake(Plain)
    with pytest.raises(MockUnavailable, match=r"HoldsPlain\.thing: no automatic fake for Plain"):
        generate_fake(HoldsPlain)
    with pytest.raises(MockUnavailable, match="Empty"):
        generate_fake(Empty)


def test_mock_unavailable_is_an_ntro_error_that_fails_without_retries() -> None:
    error = MockUnavailable("x")
    assert isinstance(error, NtroError)
    assert isinstance(error, WorkflowError)
    assert error.non_retryable is True
    assert error.type == "MockUnavailable"


def test_string_annotations_resolve_in_a_module() -> None:
    assert generate_fake("list[Line]", module=__name__) == [Line(account="auto-mock", amount=Decimal("0"))]
    assert generate_fake("Colour | None", globalns={"Colour": Colour}) is Colour.RED
    assert generate_fake("Point", localns={"Point": Point}) == Point(0, "auto-mock")
    assert generate_fake(list[typing.ForwardRef("Colour")], module=__name__) == [Colour.RED]  # type: ignore[misc]


def test_unresolvable_string_annotation_names_it() -> None:
    with pytest.raises(MockUnavailable, match="'NoSuchType'"):
        generate_fake("NoSuchType")


# -- activities used by the mock tests ---------------------------------------------------------


class Submission(BaseModel):
    document_ref: str
    amount: Decimal = Decimal("1.50")


class Parsed(BaseModel):
    document_ref: str
    rows: list[dict[str, str]]


@activity.defn(name="auto_mock_tests.parse")
async def parse(submission: Submission) -> Parsed:
    return Parsed(document_ref=submission.document_ref, rows=[{"real": "yes"}])


@activity.defn(name="auto_mock_tests.count")
def count(items: list[str]) -> int:
    return len(items)


@activity.defn(name="auto_mock_tests.opaque")
async def opaque(x: int) -> Plain:
    return Plain()


@activity.defn(name="auto_mock_tests.nothing")
async def nothing() -> None:
    return None


def not_an_activity() -> int:
    return 1


class Calls(list[ActivityCall]):
    """A record callback that keeps the calls."""

    def __call__(self, call: ActivityCall) -> None:
        self.append(call)


async def test_unmocked_activity_returns_a_fake_of_its_return_type() -> None:
    calls = Calls()
    [wrapper] = mock_activities([parse], {}, record=calls)
    result = await wrapper(Submission(document_ref="doc-1"))
    assert result == Parsed(document_ref="auto-mock", rows=[{}])
    assert calls == [
        ActivityCall(
            workflow_id="",
            activity="auto_mock_tests.parse",
            attempt=1,
            args=({"document_ref": "doc-1", "amount": "1.50"},),
            result={"document_ref": "auto-mock", "rows": [{}]},
            error=None,
            mocked=True,
        )
    ]


async def test_value_callable_async_callable_and_real_mocks() -> None:
    calls = Calls()

    async def async_parse(submission: Submission) -> Parsed:
        return Parsed(document_ref=submission.document_ref.upper(), rows=[])

    parse_value, count_callable = mock_activities(
        [parse, count],
        {"auto_mock_tests.parse": {"document_ref": "given", "rows": []}, "auto_mock_tests.count": len},
        record=calls,
    )
    assert await parse_value(Submission(document_ref="x")) == {"document_ref": "given", "rows": []}
    assert count_callable(["a", "b", "c"]) == 3

    [parse_async] = mock_activities([parse], {"auto_mock_tests.parse": async_parse}, record=calls)
    assert (await parse_async(Submission(document_ref="abc"))).document_ref == "ABC"

    parse_real, count_real = mock_activities(
        [parse, count], {"auto_mock_tests.parse": REAL, "auto_mock_tests.count": REAL}, record=calls
    )
    assert (await parse_real(Submission(document_ref="r"))).rows == [{"real": "yes"}]
    assert count_real(["a"]) == 1
    assert [(c.activity, c.mocked, c.result) for c in calls] == [
        ("auto_mock_tests.parse", True, {"document_ref": "given", "rows": []}),
        ("auto_mock_tests.count", True, 3),
        ("auto_mock_tests.parse", True, {"document_ref": "ABC", "rows": []}),
        ("auto_mock_tests.parse", False, {"document_ref": "r", "rows": [{"real": "yes"}]}),
        ("auto_mock_tests.count", False, 1),
    ]


async def test_a_raising_mock_is_recorded_and_raises() -> None:
    calls = Calls()

    def boom(submission: Submission) -> Parsed:
        raise WorkflowError("parser down", type="ParserDown")

    [wrapper] = mock_activities([parse], {"auto_mock_tests.parse": boom}, record=calls)
    with pytest.raises(WorkflowError, match="parser down"):
        await wrapper(Submission(document_ref="x"))
    assert calls[0].error == "ParserDown: parser down"
    assert calls[0].result is None


async def test_unfakeable_result_fails_at_the_call_naming_activity_and_type() -> None:
    calls = Calls()
    [wrapper] = mock_activities([opaque], None, record=calls)  # building the wrapper does not fail
    with pytest.raises(MockUnavailable) as info:
        await wrapper(3)
    message = str(info.value)
    assert "'auto_mock_tests.opaque'" in message
    assert "Plain" in message
    assert "mocks=" in message
    assert info.value.non_retryable is True
    assert calls[0].error is not None and calls[0].error.startswith("MockUnavailable: ")


async def test_the_fake_is_built_once() -> None:
    [wrapper] = mock_activities([parse], None, record=lambda call: None)
    first = await wrapper(Submission(document_ref="a"))
    second = await wrapper(Submission(document_ref="b"))
    assert first is second


async def test_none_result() -> None:
    calls = Calls()
    [wrapper] = mock_activities([nothing], None, record=calls)
    assert await wrapper() is None
    assert calls[0].args == ()


def test_wrappers_keep_name_signature_and_annotations() -> None:
    wrapper_async, wrapper_sync = mock_activities([parse, count], None, record=lambda call: None)
    assert wrapper_async.__name__ == "parse"
    assert inspect.iscoroutinefunction(wrapper_async)
    assert not inspect.iscoroutinefunction(wrapper_sync)
    assert inspect.signature(wrapper_async) == inspect.signature(parse)
    assert function_hints(wrapper_async) == function_hints(parse)
    assert typing.get_type_hints(wrapper_sync) == {"items": list[str], "return": int}


def test_wrappers_are_activities_under_the_real_name_but_not_registered() -> None:
    [wrapper] = mock_activities([parse], None, record=lambda call: None)
    defn = activity_definition(wrapper)
    assert defn is not None
    assert (defn.name, defn.fn, defn.is_async) == ("auto_mock_tests.parse", wrapper, True)
    assert getattr(wrapper, ACTIVITY_ATTR) is defn
    registered = find_activity("auto_mock_tests.parse")
    assert registered is not None and registered.fn is parse
    assert activity_definition(parse) is not None and activity_definition(parse).fn is parse  # type: ignore[union-attr]


def test_duplicates_and_non_activities() -> None:
    wrappers = mock_activities([parse, parse, count], None, record=lambda call: None)
    assert [activity_definition(w).name for w in wrappers] == [  # type: ignore[union-attr]
        "auto_mock_tests.parse",
        "auto_mock_tests.count",
    ]
    with pytest.raises(TypeError, match="not_an_activity is not an activity"):
        mock_activities([not_an_activity], None, record=lambda call: None)


def test_wrappers_are_not_temporal_activities_until_hosted() -> None:
    """A Temporal worker binds them when it hosts them; mocking never imports temporalio."""
    [wrapper] = mock_activities([parse], None, record=lambda call: None)
    assert not hasattr(wrapper, "__temporal_activity_definition")


# -- hosted by LocalRuntime, under payload parity -------------------------------------------------


@runbook.defn(slug="auto-mock-tests")
class AutoMockTestsWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self, ref: str) -> dict[str, Any]:
        parsed = await runbook.execute_activity(
            parse, Submission(document_ref=ref), retry_policy=RetryPolicy(maximum_attempts=3)
        )
        counted = await runbook.execute_activity(count, [row.get("real", "") for row in parsed.rows])
        return {"parsed": parsed.document_ref, "count": counted, "type": type(parsed).__name__}


async def test_mocks_hosted_by_the_local_runtime() -> None:
    calls = Calls()
    attempts: list[int] = []

    def flaky(submission: Submission) -> Parsed:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("first attempt fails")
        return Parsed(document_ref=submission.document_ref, rows=[{"real": "x"}, {}])

    wrappers = mock_activities([parse, count], {"auto_mock_tests.parse": flaky}, record=calls)
    runtime = LocalRuntime(clock=VirtualClock(), payload_parity=True, activities=wrappers)
    result = await run_local(AutoMockTestsWorkflow, "doc-9", workflow_id="wf-auto-mock", runtime=runtime)
    # The fake for count (0) went through the payload conversion like any result.
    assert result == {"parsed": "doc-9", "count": 0, "type": "Parsed"}
    assert [(c.workflow_id, c.activity, c.attempt, c.error) for c in calls] == [
        ("wf-auto-mock", "auto_mock_tests.parse", 1, "RuntimeError: first attempt fails"),
        ("wf-auto-mock", "auto_mock_tests.parse", 2, None),
        ("wf-auto-mock", "auto_mock_tests.count", 1, None),
    ]
    assert calls[1].args == ({"document_ref": "doc-9", "amount": "1.50"},)
    assert calls[2].args == (["x", ""],)


async def test_an_unfakeable_activity_fails_the_run_without_retries() -> None:
    @runbook.defn(slug="auto-mock-opaque")
    class OpaqueWorkflow(NtroWorkflow):
        @runbook.run
        async def run(self) -> None:
            await runbook.execute_activity(opaque, 1, retry_policy=RetryPolicy(maximum_attempts=5))

    calls = Calls()
    runtime = LocalRuntime(clock=VirtualClock(), activities=mock_activities([opaque], None, record=calls))
    with pytest.raises(WorkflowError) as info:
        await run_local(OpaqueWorkflow, runtime=runtime)
    assert "auto_mock_tests.opaque" in str(info.value)
    assert len(calls) == 1


async def test_mocks_are_looked_up_at_each_call() -> None:
    """One set of wrappers serves several scenarios: the harness updates the mapping between runs."""
    calls = Calls()
    mocks: dict[str, Any] = {}
    [wrapper] = mock_activities([count], mocks, record=calls)
    assert wrapper(["a", "b"]) == 0  # the fake
    mocks["auto_mock_tests.count"] = 42
    assert wrapper(["a", "b"]) == 42
    mocks["auto_mock_tests.count"] = REAL
    assert wrapper(["a", "b"]) == 2
    mocks.clear()
    assert wrapper(["a", "b"]) == 0
    assert [c.mocked for c in calls] == [True, True, False, True]
