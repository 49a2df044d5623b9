"""The ntro pytest plugin: the ``ntro_harness`` fixture and the ``--ntro-runtime`` option.

Installed with ntro-harness (entry point ``pytest11`` ``ntro``), so a runbook's
tests can write::

    from ntro.testing import HAPPY

    async def test_nav_monthly(ntro_harness):
        async with ntro_harness(NavMonthlyWorkflow, child_workflows=[DocumentIngestWorkflow]) as h:
            result = await h.run(input=ctx, scenario=HAPPY)
        assert result.passed, result.error

and run the same tests on Temporal with ``pytest --ntro-runtime temporal``, or
on any other installed engine by its name. Loading the plugin imports neither
an engine nor the harness; the harness is imported when the fixture's factory
is first called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import pytest

from ntro.runtime.protocol import DEFAULT_BACKEND

if TYPE_CHECKING:
    from ntro.testing._harness import WorkflowHarness

__all__ = ["DEFAULT_RUNTIME", "HarnessFactory", "ntro_harness", "pytest_addoption"]

DEFAULT_RUNTIME: Final = DEFAULT_BACKEND
"""The engine the harness runs on when ``--ntro-runtime`` is not given."""

HarnessFactory = Callable[..., "WorkflowHarness"]
"""``ntro_harness(cls, runtime=None, child_workflows=(), mocks=None, **options) -> WorkflowHarness``."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--ntro-runtime`` (the default engine of the ``ntro_harness`` fixture)."""
    group = parser.getgroup("ntro", "ntro runbook harness")
    group.addoption(
        "--ntro-runtime",
        action="store",
        default=DEFAULT_RUNTIME,
        metavar="NAME",
        help=f"engine the ntro_harness fixture runs workflows on: any installed backend ('ntro runtimes' lists "
        f"them; default: {DEFAULT_RUNTIME})",
    )


def _make_factory(default_runtime: str) -> HarnessFactory:
    def factory(
        workflow_cls: type,
        runtime: str | None = None,
        child_workflows: Sequence[type] = (),
        mocks: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> WorkflowHarness:
        """Return a ``WorkflowHarness`` for ``workflow_cls`` (use it with ``async with``).

        Args:
            workflow_cls: The ``@runbook.defn`` class under test.
            runtime: The engine; default: the ``--ntro-runtime`` option.
            child_workflows: Workflow classes it starts by slug.
            mocks: Activity name -> a value, a callable, or ``REAL``.
            **options: Passed on to ``WorkflowHarness``.
        """
        from ntro.testing import WorkflowHarness  # loaded when a test asks for one, not with the plugin

        return WorkflowHarness(
            workflow_cls,
            runtime=runtime or default_runtime,
            child_workflows=child_workflows,
            mocks=mocks,
            **options,
        )

    return factory


@pytest.fixture
def ntro_harness(request: pytest.FixtureRequest) -> HarnessFactory:
    """A factory of ``WorkflowHarness`` objects, on the ``--ntro-runtime`` engine by default.

    ``ntro_harness(cls, runtime=None, child_workflows=(), mocks=None, **options)``
    returns ``ntro.testing.WorkflowHarness(cls, runtime=..., child_workflows=...,
    mocks=..., **options)``, an async context manager::

        async with ntro_harness(MyWorkflow) as h:
            result = await h.run(input=..., scenario=HAPPY)
    """
    runtime = request.config.getoption("--ntro-runtime", default=DEFAULT_RUNTIME)
    return _make_factory(str(runtime or DEFAULT_RUNTIME))
