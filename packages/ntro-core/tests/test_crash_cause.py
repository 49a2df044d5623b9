"""How the drive loop names a crash in workflow code from an engine's ``task_failure`` text."""

from __future__ import annotations

from ntro.client._driver import _crash_cause

MULTI_LINE = """ValidationError: 2 validation errors for Row
event_id
  Field required [type=missing]
data
  Field required [type=missing]
Traceback (most recent call last):
  File "/bundle/templates/workflow.py", line 12, in run
    Row.model_validate(payload)
ValidationError: 2 validation errors for Row"""

HISTORY = """NameError: name 'workflow' is not defined
  File "/bundle/templates/workflow.py", line 40, in _post
    workflow.logger.info("x")"""


def test_the_exception_and_its_whole_message_are_read_before_the_traceback() -> None:
    cause = _crash_cause(MULTI_LINE)
    assert cause.type == "ValidationError"
    assert cause.message.splitlines() == [
        "2 validation errors for Row",
        "event_id",
        "  Field required [type=missing]",
        "data",
        "  Field required [type=missing]",
    ]


def test_a_history_stack_without_a_traceback_header() -> None:
    cause = _crash_cause(HISTORY)
    assert (cause.type, cause.message) == ("NameError", "name 'workflow' is not defined")


def test_text_that_names_no_exception_is_kept_whole() -> None:
    cause = _crash_cause("the task failed")
    assert (cause.type, cause.message) == ("WorkflowError", "the task failed")
