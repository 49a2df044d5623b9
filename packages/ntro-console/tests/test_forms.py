"""The start form: fields from a runbook's input model, read back by the code ``--input`` uses."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from ntro.console._forms import WHOLE, input_form, read_input
from ntro.workflow import NtroWorkflow, runbook
from ntro.workflow.bundle import InputError


class Nested(BaseModel):
    code: str


class Everything(BaseModel):
    name: str = Field(pattern=r"^[a-z]+$", description="lower case")
    count: int = Field(default=2, ge=1, lt=10)
    ratio: float = 0.5
    on: bool = True
    mode: Literal["fast", "slow"] = "fast"
    day: dt.date = dt.date(2026, 1, 31)
    at: dt.datetime | None = None
    tags: list[str] = Field(default_factory=lambda: ["a", "b"])
    nested: Nested | None = None


@runbook.defn(slug="forms-everything")
class EverythingWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self, ctx: Everything) -> Any:
        return ctx


@runbook.defn(slug="forms-amount")
class AmountWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self, amount: int = 7) -> int:
        return amount


@runbook.defn(slug="forms-nothing")
class NothingWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self) -> None:
        return None


def test_each_simple_field_gets_its_own_input() -> None:
    fields = {f.name: f for f in input_form(EverythingWorkflow).fields}
    assert fields["name"].widget == "text" and fields["name"].required and fields["name"].pattern == "[a-z]+"
    assert (fields["count"].widget, fields["count"].step, fields["count"].minimum, fields["count"].maximum) == (
        "number",
        "1",
        1.0,
        9.0,
    )
    assert fields["ratio"].step == "any" and fields["ratio"].value == "0.5"
    assert fields["on"].widget == "checkbox" and fields["on"].checked
    assert fields["mode"].widget == "select" and fields["mode"].options == ("fast", "slow")
    assert fields["day"].widget == "date" and fields["day"].value == "2026-01-31"
    assert fields["at"].widget == "datetime-local" and fields["at"].nullable
    assert fields["tags"].widget == "json" and fields["tags"].value.replace("\n", "").replace(" ", "") == '["a","b"]'
    assert fields["nested"].widget == "json"


def test_what_the_form_sends_is_read_as_input() -> None:
    form = input_form(EverythingWorkflow)
    sent = {"name": "abc", "count": "3", "ratio": "0.25", "mode": "slow", "day": "2026-02-01", "tags": '["x"]'}
    value = read_input(EverythingWorkflow, form, sent)
    assert value == Everything(
        name="abc", count=3, ratio=0.25, on=False, mode="slow", day=dt.date(2026, 2, 1), tags=["x"]
    )


@pytest.mark.parametrize(
    ("sent", "words"),
    [
        ({"name": "ABC"}, "name: String should match pattern"),
        ({"name": "abc", "count": "12"}, "count: Input should be less than 10"),
        ({"name": "abc", "tags": "[oops"}, "Tags (JSON) is not valid JSON"),
        ({}, "name: Field required"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(sent: dict[str, str], words: str) -> None:
    with pytest.raises(InputError) as caught:
        read_input(EverythingWorkflow, input_form(EverythingWorkflow), sent)
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_one_simple_value_is_one_plain_input() -> None:
    [field] = input_form(AmountWorkflow).fields
    assert (field.name, field.label, field.widget, field.value, field.required) == (
        WHOLE,
        "Amount",
        "number",
        "7",
        False,
    )
    form = input_form(AmountWorkflow)
    assert read_input(AmountWorkflow, form, {WHOLE: "12"}) == 12
    assert read_input(AmountWorkflow, form, {WHOLE: ""}) is None  # the run method's default applies
    with pytest.raises(InputError, match="'x' is not a whole number"):
        read_input(AmountWorkflow, form, {WHOLE: "x"})


def test_a_run_without_input_has_no_fields() -> None:
    form = input_form(NothingWorkflow)
    assert not form.takes_input and form.fields == ()
    assert read_input(NothingWorkflow, form, {}) is None


def test_importing_the_workflow_facade_does_not_import_the_console() -> None:
    code = (
        "import sys, ntro.workflow, ntro.client; print(sorted(m for m in sys.modules if m.startswith('ntro.console')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
