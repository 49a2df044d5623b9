"""The rule registry: one stable code per determinism rule, and code selection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["PREFIX", "RULES", "Rule", "UnknownRuleError", "enabled_codes"]

PREFIX = "NTR"
"""The prefix every rule code starts with."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One determinism rule.

    Attributes:
        code: The stable code printed with every finding, e.g. ``NTR101``.
        name: A short kebab-case name, e.g. ``wall-clock``.
        summary: What the rule reports, in one sentence.
        alternative: The deterministic alternative the messages point to.
    """

    code: str
    name: str
    summary: str
    alternative: str


_ALL = (
    Rule("NTR000", "parse-error", "The file cannot be read or parsed as Python.", "fix the syntax or the encoding"),
    Rule("NTR101", "wall-clock", "Workflow code reads the wall clock.", "runbook.now()"),
    Rule("NTR102", "random", "Workflow code uses an unseeded or OS random source.", "runbook.random()"),
    Rule("NTR103", "uuid", "Workflow code makes a time- or random-based UUID.", "runbook.uuid4()"),
    Rule(
        "NTR104",
        "environment",
        "Workflow code reads the process environment or identity.",
        "pass it in the workflow input, read it in an activity, or use runbook.info()",
    ),
    Rule("NTR105", "file-io", "Workflow code touches the file system or standard input.", "move it into an activity"),
    Rule("NTR106", "network-io", "Workflow code opens a network connection.", "move it into an activity"),
    Rule(
        "NTR107",
        "asyncio-timing",
        "Workflow code sleeps, reads the event-loop clock or uses an order- or time-dependent asyncio call.",
        "runbook.sleep(), runbook.wait_condition(..., timeout=...), asyncio.gather() or an activity",
    ),
    Rule(
        "NTR108",
        "threads-subprocesses",
        "Workflow code starts a thread, a process pool or a subprocess.",
        "move it into an activity",
    ),
    Rule(
        "NTR109",
        "activity-called-directly",
        "Workflow code calls an activity function instead of scheduling it.",
        "await runbook.execute_activity(fn, ...)",
    ),
    Rule(
        "NTR110",
        "temporalio-workflow",
        "Runbook code uses temporalio.workflow instead of the ntro.workflow facade.",
        "from ntro.workflow import runbook",
    ),
)

RULES: Mapping[str, Rule] = MappingProxyType({rule.code: rule for rule in _ALL})
"""Every rule, keyed by code, in code order."""


class UnknownRuleError(ValueError):
    """A ``select`` or ``ignore`` entry matches no rule code."""


def _matching(prefixes: Iterable[str], option: str) -> set[str]:
    codes: set[str] = set()
    for raw in prefixes:
        prefix = raw.strip().upper()
        if not prefix:
            continue
        hits = {code for code in RULES if code.startswith(prefix)}
        if not hits:
            known = ", ".join(RULES)
            raise UnknownRuleError(f"{option} {raw.strip()!r} matches no rule (known codes: {known})")
        codes |= hits
    return codes


def enabled_codes(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> frozenset[str]:
    """Return the codes to report.

    A code is reported when it starts with one of ``select`` (default: every
    code) and with none of ``ignore``. Matching is by prefix and ignores case,
    so ``NTR1`` means every rule from ``NTR100`` to ``NTR199``.

    Args:
        select: Codes or code prefixes to report; ``None`` or empty means all.
        ignore: Codes or code prefixes never to report.

    Returns:
        The set of enabled codes.

    Raises:
        UnknownRuleError: An entry is not a prefix of any known code.
    """
    chosen = _matching(select or (), "select")
    if not select or not any(s.strip() for s in select):
        chosen = set(RULES)
    return frozenset(chosen - _matching(ignore or (), "ignore"))
