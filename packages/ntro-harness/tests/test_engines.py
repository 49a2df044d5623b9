"""Which engines ``ntro workflow test --runtime`` runs on, from the installed clients, and how their results compare."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Callable

import pydantic
import pytest

from ntro.testing import RunResult, conformance, parity_diff
from ntro.testing import _engines as engines
from ntro.testing._parity import normalise, parity_results
from ntro.workflow.exceptions import RuntimeNotAvailableError


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``installed(*names)``: the clients the selection sees as installed."""

    def set_installed(*names: str) -> None:
        monkeypatch.setattr(engines, "installed_clients", lambda: sorted(names))
        monkeypatch.setattr(engines, "require_clients", _require(sorted(names)))

    return set_installed


def _require(names: list[str]) -> Callable[..., None]:
    def require(*wanted: str) -> None:
        for name in wanted:
            if name not in names:
                raise RuntimeNotAvailableError(f"no runtime backend named {name!r} is installed")

    return require


@pytest.mark.parametrize(
    ("names", "spec", "chosen"),
    [
        (("local", "temporal"), "both", ("local", "temporal")),
        (("local", "other"), "both", ("local", "other")),
        (("local", "other", "temporal"), "all", ("local", "other", "temporal")),
        (("alpha", "local", "temporal"), "all", ("local", "alpha", "temporal")),  # the reference first
        (("local", "temporal"), "temporal", ("temporal",)),
        (("local", "temporal"), "temporal, local", ("temporal", "local")),  # the order given
    ],
)
def test_select_engines(
    installed: Callable[..., None], names: tuple[str, ...], spec: str, chosen: tuple[str, ...]
) -> None:
    installed(*names)
    assert engines.select_engines(spec) == chosen


def test_both_with_three_engines_asks_which(installed: Callable[..., None]) -> None:
    installed("local", "other", "temporal")
    with pytest.raises(ValueError, match=r"3 are installed \(local, other, temporal\); name the ones"):
        engines.select_engines("both")


def test_both_with_one_engine_says_what_to_install(installed: Callable[..., None]) -> None:
    installed("local")
    with pytest.raises(RuntimeNotAvailableError, match=r'only local is installed; install another \(pip install "'):
        engines.select_engines("both")


@pytest.mark.parametrize(
    ("spec", "words"), [("local,", "is empty"), (",", "is empty"), ("local,local", "names local more than once")]
)
def test_a_bad_list(installed: Callable[..., None], spec: str, words: str) -> None:
    installed("local", "temporal")
    with pytest.raises(ValueError, match=words):
        engines.select_engines(spec)


def test_a_name_not_installed(installed: Callable[..., None]) -> None:
    installed("local")
    with pytest.raises(RuntimeNotAvailableError, match="'elsewhere'"):
        engines.select_engines("local,elsewhere")


def _result(runtime: str, scenario: str, value: int) -> RunResult:
    return RunResult(
        scenario=scenario, workflow_id=f"{runtime}-{scenario}", status="completed", result=value, runtime=runtime
    )


def test_each_engine_is_compared_with_the_first() -> None:
    merged = parity_results(
        {
            "local": [_result("local", "a", 1), _result("local", "b", 2)],
            "other": [_result("other", "a", 1), _result("other", "b", 3)],
            "third": [_result("third", "a", 1), _result("third", "b", 2)],
        }
    )
    assert [(r.runtime, r.scenario, r.status) for r in merged] == [
        ("local", "a", "completed"),
        ("other", "a", "completed"),
        ("third", "a", "completed"),
        ("local", "b", "completed"),
        ("other", "b", "failed"),
        ("third", "b", "completed"),
    ]
    error = merged[4].error or ""
    assert error.startswith("parity: the engines differ in result:") and "--- local" in error and "+++ other" in error


def test_a_result_without_a_counterpart_fails() -> None:
    merged = parity_results(
        {"local": [_result("local", "a", 1)], "other": [_result("other", "a", 1), _result("other", "b", 2)]}
    )
    assert [(r.runtime, r.status) for r in merged] == [
        ("local", "completed"),
        ("other", "completed"),
        ("other", "failed"),
    ]
    assert merged[2].error == "parity: local ran no counterpart of this one"


def test_parity_diff_names_the_engines() -> None:
    diff = parity_diff(_result("local", "a", 1), _result("temporal", "a", 2))
    assert diff is not None and "--- local" in diff and "+++ temporal" in diff


class _Colour(enum.Enum):
    RED = "red"


class _Line(pydantic.BaseModel):
    amount: decimal.Decimal
    booked: dt.date


def test_one_normaliser_for_the_harness_and_the_conformance_suite() -> None:
    """What differs between engines is masked by one function, which both comparisons use."""
    assert conformance.normalise is normalise
    root, made_up = "hly-7a820232", "0195e1c2-aaaa-4bbb-8ccc-0123456789ab"
    value = {
        "run_id": made_up,
        "at": "2026-10-31T06:00:00Z",
        "now": dt.datetime(2026, 10, 31, tzinfo=dt.UTC),
        "child": f"{root}:ingest:{made_up}",
        "line": _Line(amount=decimal.Decimal("1.50"), booked=dt.date(2026, 10, 31)),
        "colour": _Colour.RED,
        "ids": (uuid.UUID(made_up),),
        3: "three",
    }
    assert normalise(value, root) == {
        "run_id": "<run_id>",
        "at": "<datetime>",
        "now": "<datetime>",
        "child": "<root>:ingest:<uuid>",
        "line": {"amount": "1.50", "booked": "2026-10-31"},
        "colour": "red",
        "ids": ["<uuid>"],
        "3": "three",
    }
    assert normalise(f"{root}:x") == f"{root}:x"  # without the run's id, its id is a value like any other
