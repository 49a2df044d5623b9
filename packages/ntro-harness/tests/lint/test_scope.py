"""What counts as workflow code: workflow classes, what they reach, never activities."""

from __future__ import annotations

import pytest

from .conftest import LintText, codes

CLOCK_BODY = "datetime.now()"


@pytest.mark.parametrize(
    "header",
    [
        "from ntro.workflow import runbook, NtroWorkflow\n@runbook.defn\nclass W:",
        "from ntro.workflow import runbook\n@runbook.defn(slug='w', name='W')\nclass W:",
        "from ntro.workflow import runbook as rb\n@rb.defn\nclass W:",
        "import ntro.workflow as nw\n@nw.runbook.defn\nclass W:",
        "import ntro.workflow\n@ntro.workflow.runbook.defn()\nclass W:",
        "from ntro.workflow import *\n@runbook.defn\nclass W:",
        "from ntro.workflow import NtroWorkflow\nclass W(NtroWorkflow):",
        "from ntro.workflow import NtroWorkflow as Base\nclass W(Base):",
        "from ntro.workflow import NtroWorkflow\nclass Mid(NtroWorkflow):\n    pass\nclass W(Mid):",
        "from temporalio import workflow  # noqa: NTR110\n@workflow.defn\nclass W:",
    ],
)
def test_workflow_classes_in_any_spelling(lint_text: LintText, header: str) -> None:
    source = f"from datetime import datetime\n{header}\n    async def run(self):\n        {CLOCK_BODY}\n"
    assert codes(lint_text(source)) == ["NTR101"]


def test_plain_classes_and_module_code_are_not_workflow_code(lint_text: LintText) -> None:
    source = """\
from datetime import datetime
import random

STARTED = datetime.now()


class Clock:
    def now(self):
        return datetime.now()


def unused_helper():
    return random.random()


def runbook_defn_lookalike(cls):
    return cls


@runbook_defn_lookalike
class NotAWorkflow:
    def run(self):
        return datetime.now()
"""
    assert lint_text(source) == []


def test_module_functions_reached_from_workflow_code_are_checked(lint_text: LintText) -> None:
    source = """\
import random
import time
from datetime import datetime

from ntro.workflow import NtroWorkflow, runbook


def stamp():
    return deeper()


def deeper():
    return time.time()


def key(item):
    return random.random()


def never_called():
    return datetime.now()


@runbook.defn
class W(NtroWorkflow):
    @runbook.run
    async def run(self, items):
        stamp()
        stamp()
        return sorted(items, key=key)
"""
    findings = lint_text(source)
    assert [(f.code, f.line) for f in findings] == [("NTR101", 13), ("NTR102", 17)]


def test_activities_are_never_workflow_code(lint_text: LintText) -> None:
    source = """\
import os
import temporalio.activity
from datetime import datetime

from ntro.workflow import NtroWorkflow, activity, runbook
from ntro.workflow import activity as act


@activity.defn
async def a1():
    return datetime.now(), os.environ["X"]


@act.defn(name="demo.a2")
def a2():
    return open("x").read()


@temporalio.activity.defn
async def a3():
    return os.getenv("X")


@runbook.defn
class W(NtroWorkflow):
    @activity.defn
    async def method_activity(self):
        return datetime.now()

    @runbook.run
    async def run(self):
        await runbook.execute_activity(a1)
        await runbook.execute_activity(a2)
        return await runbook.execute_activity(a3)
"""
    assert lint_text(source) == []


def test_nested_functions_lambdas_comprehensions_and_class_body(lint_text: LintText) -> None:
    source = """\
import random
import time
from datetime import datetime

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class W(NtroWorkflow):
    created = datetime.now()

    @runbook.run
    async def run(self, items):
        def inner():
            return time.time()

        later = lambda: random.random()
        values = [time.monotonic() for _ in items]
        return inner, later, values
"""
    assert [(f.code, f.line) for f in lint_text(source)] == [
        ("NTR101", 10),
        ("NTR101", 15),
        ("NTR102", 17),
        ("NTR101", 18),
    ]


def test_local_names_shadow_imports(lint_text: LintText) -> None:
    source = """\
import time
import random
from datetime import datetime

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class W(NtroWorkflow):
    @runbook.run
    async def run(self, time):
        for random in self.generators:
            random.random()
        datetime = self.clock
        datetime.now()
        return [time.time() for time in self.clocks]
"""
    assert lint_text(source) == []


def test_imports_inside_workflow_methods_are_followed(lint_text: LintText) -> None:
    source = """\
from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class W(NtroWorkflow):
    @runbook.run
    async def run(self):
        import time as clock
        from uuid import uuid4
        return clock.time(), uuid4()
"""
    assert codes(lint_text(source)) == ["NTR101", "NTR103"]


def test_module_scope_checks_every_function_but_activities(lint_text: LintText) -> None:
    source = """\
import time

from ntro.workflow import activity


def helper():
    return time.time()


@activity.defn
async def act():
    return time.time()
"""
    assert lint_text(source) == []
    assert [(f.code, f.line) for f in lint_text(source, scope="module")] == [("NTR101", 7)]
