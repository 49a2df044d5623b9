"""# noqa, select/ignore, and sources that do not parse."""

from __future__ import annotations

import pytest

from ntro.testing.lint import RULES, UnknownRuleError, enabled_codes, lint_source

from .conftest import LintText, codes, workflow_source

TWO = "import random\nimport time"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("time.time()  # noqa", []),
        ("time.time()  # NOQA", []),
        ("time.time()  # noqa: NTR101", []),
        ("time.time()  #noqa:NTR101", []),
        ("time.time()  # noqa: NTR1", []),
        ("time.time(), random.random()  # noqa: NTR101, NTR102", []),
        ("time.time(), random.random()  # noqa: NTR102", ["NTR101"]),
        ("time.time()  # noqa: E501", ["NTR101"]),
        ("time.time()  # a comment", ["NTR101"]),
    ],
)
def test_noqa(lint_text: LintText, line: str, expected: list[str]) -> None:
    assert codes(lint_text(workflow_source(TWO, line))) == expected


def test_noqa_on_the_last_line_of_a_multiline_call(lint_text: LintText) -> None:
    body = "time.strftime(\n    '%Y'\n)  # noqa: NTR101"
    assert lint_text(workflow_source(TWO, body)) == []


def test_select_and_ignore_by_prefix(lint_text: LintText) -> None:
    source = workflow_source(TWO, "time.time()\nrandom.random()")
    assert codes(lint_text(source)) == ["NTR101", "NTR102"]
    assert codes(lint_text(source, select=["NTR101"])) == ["NTR101"]
    assert codes(lint_text(source, ignore=["ntr101"])) == ["NTR102"]
    assert codes(lint_text(source, select=["NTR1"], ignore=["NTR10"])) == []


def test_enabled_codes() -> None:
    assert enabled_codes() == frozenset(RULES)
    assert enabled_codes(["NTR10"]) == frozenset(c for c in RULES if c.startswith("NTR10"))
    assert "NTR000" not in enabled_codes(ignore=["NTR000"])
    with pytest.raises(UnknownRuleError, match="NTR999"):
        enabled_codes(["NTR999"])
    with pytest.raises(UnknownRuleError, match="E501"):
        enabled_codes(ignore=["E501"])


def test_rule_registry_is_stable_and_documented() -> None:
    assert list(RULES) == sorted(RULES)
    for code, rule in RULES.items():
        assert rule.code == code and code.startswith("NTR") and len(code) == 6
        assert rule.name and rule.summary and rule.alternative


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("def broken(:\n    pass\n", "cannot parse"),
        (b"\xef\xbb\xbf# -*- coding: latin-1 -*-\n", "cannot parse"),
        (b"x = '\xff'\n", "cannot parse: invalid or missing encoding"),
        (b"x = 1\ny = 2\nz = '\xff'\n", "cannot decode"),
        (b"# -*- coding: no-such-codec -*-\n", "cannot"),
        ("x = 1\x00\n", "cannot parse"),
        ("x = " + "(" * 300 + ")" * 300 + "\n", "cannot parse"),
    ],
)
def test_unparsable_sources_are_one_ntr000_finding(source: str | bytes, fragment: str) -> None:
    [finding] = lint_source(source, "broken.py")
    assert finding.code == "NTR000"
    assert fragment in finding.message
    assert finding.line >= 1 and finding.column >= 1


def test_encoding_cookie_is_honoured() -> None:
    source = b"# -*- coding: latin-1 -*-\nimport time\nx = '\xe9'\n"
    assert lint_source(source, "latin.py", scope="module") == []


def test_syntax_error_position() -> None:
    [finding] = lint_source("x = 1\ny = (\n", "broken.py")
    assert (finding.code, finding.line) == ("NTR000", 2)


def test_deeply_nested_code_does_not_crash() -> None:
    chain = "x" + ".a" * 5000
    source = workflow_source("", f"{chain}()")
    assert all(f.code == "NTR000" for f in lint_source(source, "deep.py"))


def test_ntr000_can_be_ignored() -> None:
    assert lint_source("def broken(:\n", "broken.py", ignore=["NTR000"]) == []
