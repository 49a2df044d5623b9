"""Scenarios: the 0.1.2 shape, decisions, upload fields, tests/scenarios.py and selection."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest

from ntro.testing._scenarios import (
    BUILT_IN_SCENARIOS,
    HAPPY,
    REAL,
    REJECT_ALL,
    Scenario,
    ScenarioError,
    load_scenarios,
    select_scenarios,
)
from ntro.workflow.exceptions import NtroError


def write_scenarios(bundle: Path, source: str) -> Path:
    path = bundle / "tests" / "scenarios.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


# -- the Scenario record ------------------------------------------------------------------


def test_positional_construction_as_in_0_1_2() -> None:
    scenario = Scenario("happy", approve_reviews=True)
    assert scenario.name == "happy"
    assert scenario.approve_reviews is True
    assert Scenario("x", False).approve_reviews is False
    assert Scenario("happy", description=HAPPY.description) == HAPPY


def test_built_ins_in_order() -> None:
    assert list(BUILT_IN_SCENARIOS) == ["happy", "reject_all"]
    assert BUILT_IN_SCENARIOS["happy"] is HAPPY
    assert BUILT_IN_SCENARIOS["reject_all"] is REJECT_ALL
    assert HAPPY.decision_for("any", 0) == "approve"
    assert REJECT_ALL.decision_for("any", 0) == "reject"
    assert REJECT_ALL.response_for_review(None) == "rejected"


def test_review_overrides_accept_both_spellings() -> None:
    scenario = Scenario("mixed", review_overrides={"review": "rejected", "check": "approve"}, approve_reviews=False)
    assert dict(scenario.review_overrides) == {"review": "reject", "check": "approve"}
    assert scenario.decision_for("review", 0) == "reject"
    assert scenario.decision_for("check", 1) == "approve"
    assert scenario.decision_for("other", 2) == "reject"
    assert scenario.decision_for(None, 0) == "reject"
    assert scenario.response_for_review("review") == "rejected"
    assert scenario.response_for_review("check") == "approved"
    assert scenario.response_for_review(None) == "rejected"


def test_decisions_win_over_per_step_choices_where_they_reach() -> None:
    scenario = Scenario(
        "walk", review_overrides={"review": "approve"}, decisions=["rejected", "approve"], approve_reviews=False
    )
    assert scenario.decisions == ("reject", "approve")
    assert scenario.decision_for("review", 0) == "reject"
    assert scenario.decision_for("review", 1) == "approve"
    # Past the list, the per-step choice and then approve_reviews answer.
    assert scenario.decision_for("review", 2) == "approve"
    assert scenario.decision_for("other", 2) == "reject"
    # 0.1.2's method never looked at decisions.
    assert scenario.response_for_review("review") == "approved"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"review_overrides": {"r": "maybe"}}, "review_overrides['r']"),
        ({"decisions": ["approve", "ok"]}, "decisions[1]"),
        ({"decisions": "approve"}, "not the string"),
        ({"corrections": {"r": {"row": 1}}}, "corrections['r'] must be a list"),
        ({"corrections": {"r": [1]}}, "each correction is a mapping"),
        ({"uploads": {"bank": "sample:x"}}, "uploads['bank']"),
        ({"extra_signal_payloads": {"sig": 3}}, "extra_signal_payloads['sig']"),
    ],
)
def test_malformed_fields_are_scenario_errors(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ScenarioError) as info:
        Scenario("bad", **kwargs)  # type: ignore[arg-type]
    assert fragment in str(info.value)
    assert isinstance(info.value, NtroError)


def test_a_scenario_needs_a_name() -> None:
    with pytest.raises(ScenarioError, match="non-empty name"):
        Scenario("  ")


def test_corrections_for_returns_copies() -> None:
    scenario = Scenario("fix", corrections={"review": [{"row": 1, "amount": "2.00"}]})
    first = scenario.corrections_for("review")
    assert first == [{"row": 1, "amount": "2.00"}]
    first[0]["amount"] = "changed"
    assert scenario.corrections_for("review") == [{"row": 1, "amount": "2.00"}]
    assert scenario.corrections_for("other") == []
    assert scenario.corrections_for(None) == []


def test_upload_fields_merge_signal_then_source() -> None:
    scenario = Scenario(
        "uploads",
        extra_signal_payloads={"tb_submitted": {"filename": "tb.csv", "note": "from signal"}},
        uploads={"trial-balance": {"filename": "override.csv", "document_ref": "sample:trial-balance"}},
    )
    assert scenario.upload_fields("trial-balance", "tb_submitted") == {
        "filename": "override.csv",
        "note": "from signal",
        "document_ref": "sample:trial-balance",
    }
    assert scenario.upload_fields(None, "tb_submitted") == {"filename": "tb.csv", "note": "from signal"}
    assert scenario.upload_fields("unknown", "other_signal") == {}
    fields = scenario.upload_fields("trial-balance", "tb_submitted")
    fields["filename"] = "mutated"
    assert scenario.upload_fields("trial-balance", "tb_submitted")["filename"] == "override.csv"


def test_scenarios_are_immutable() -> None:
    scenario = Scenario("frozen", mocks={"a.b": 1})
    with pytest.raises(AttributeError):
        scenario.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        scenario.mocks["a.b"] = 2  # type: ignore[index]
    same = Scenario("frozen", mocks={"a.b": 1})
    assert hash(scenario) == hash(same) and {scenario, same} == {scenario}
    assert len({HAPPY, REJECT_ALL, Scenario("x", mocks={"y": [1]})}) == 3


def test_real_is_one_sentinel() -> None:
    assert repr(REAL) == "REAL"
    assert type(REAL)() is REAL
    assert pickle.loads(pickle.dumps(REAL)) is REAL
    assert Scenario("r", mocks={"x.y": REAL}).mocks["x.y"] is REAL


# -- tests/scenarios.py -------------------------------------------------------------------


def test_no_scenarios_file_gives_the_built_ins(tmp_path: Path) -> None:
    found = load_scenarios(tmp_path)
    assert list(found) == ["happy", "reject_all"]
    assert found["happy"] is HAPPY


def test_scenarios_list(tmp_path: Path) -> None:
    write_scenarios(
        tmp_path,
        """
        from ntro.testing._scenarios import REAL, Scenario

        SCENARIOS = [
            Scenario("late_review", decisions=["reject", "approve"]),
            Scenario("real_parse", mocks={"document_ingest.parse_document": REAL}),
        ]
        IGNORED = Scenario("not_listed")
        """,
    )
    found = load_scenarios(tmp_path)
    assert list(found) == ["happy", "reject_all", "late_review", "real_parse"]
    assert found["late_review"].decisions == ("reject", "approve")
    assert found["real_parse"].mocks["document_ingest.parse_document"] is REAL


def test_scenarios_mapping(tmp_path: Path) -> None:
    write_scenarios(
        tmp_path,
        """
        from ntro.testing._scenarios import Scenario

        SCENARIOS = {"one": Scenario("one"), "two": Scenario("two", approve_reviews=False)}
        """,
    )
    assert list(load_scenarios(tmp_path)) == ["happy", "reject_all", "one", "two"]


def test_scenarios_mapping_keys_must_be_the_names(tmp_path: Path) -> None:
    path = write_scenarios(
        tmp_path,
        """
        from ntro.testing._scenarios import Scenario

        SCENARIOS = {"one": Scenario("uno")}
        """,
    )
    with pytest.raises(ScenarioError) as info:
        load_scenarios(tmp_path)
    assert str(path) in str(info.value)
    assert "SCENARIOS['one'] is named 'uno'" in str(info.value)


def test_module_level_instances_without_scenarios(tmp_path: Path) -> None:
    write_scenarios(
        tmp_path,
        """
        from ntro.testing._scenarios import HAPPY, Scenario

        SLOW = Scenario("slow_upload", uploads={"bank-statement": {"filename": "late.csv"}})
        ALIAS = SLOW
        HAPPY_AGAIN = HAPPY
        APPROVE_NOTHING = Scenario("happy", approve_reviews=False, description="overrides the built-in")
        """,
    )
    found = load_scenarios(tmp_path)
    assert list(found) == ["happy", "reject_all", "slow_upload"]
    assert found["happy"].approve_reviews is False
    assert found["happy"].description == "overrides the built-in"


def test_a_custom_scenario_may_replace_a_built_in(tmp_path: Path) -> None:
    write_scenarios(
        tmp_path,
        """
        from ntro.testing._scenarios import Scenario

        SCENARIOS = [Scenario("reject_all", review_overrides={"review": "reject"})]
        """,
    )
    found = load_scenarios(tmp_path)
    assert list(found) == ["happy", "reject_all"]
    assert found["reject_all"].review_overrides == {"review": "reject"}


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write_scenarios(tmp_path, "from ntro.testing._scenarios import Scenario\n\nSCENARIOS = [Scenario('x'\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path}:3: cannot load the scenarios (SyntaxError")


def test_runtime_error_names_file_and_line(tmp_path: Path) -> None:
    path = write_scenarios(
        tmp_path,
        """
        from ntro.testing._scenarios import Scenario

        OK = Scenario("ok")
        BAD = Scenario("bad", review_overrides={"review": "perhaps"})
        """,
    )
    with pytest.raises(ScenarioError) as info:
        load_scenarios(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path}:5: cannot load the scenarios (ScenarioError")
    assert "perhaps" in message


def test_missing_import_names_file_and_line(tmp_path: Path) -> None:
    path = write_scenarios(tmp_path, "import no_such_module_for_ntro_tests\n")
    with pytest.raises(ScenarioError, match=rf"^{path}:1: cannot load the scenarios \(ModuleNotFoundError"):
        load_scenarios(tmp_path)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("SCENARIOS = [Scenario('a'), 'b']", "SCENARIOS[1] is a str, not a Scenario"),
        ("SCENARIOS = 'a'", "SCENARIOS must be a list"),
        ("SCENARIOS = {'a': 1}", "SCENARIOS['a'] is a int"),
        ("SCENARIOS = [Scenario('a'), Scenario('a', approve_reviews=False)]", "two scenarios are named 'a'"),
        ("A = Scenario('a')\nB = Scenario('a')", "two scenarios are named 'a'"),
    ],
)
def test_bad_scenarios_files(tmp_path: Path, body: str, fragment: str) -> None:
    path = write_scenarios(tmp_path, f"from ntro.testing._scenarios import Scenario\n{body}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios(tmp_path)
    assert str(path) in str(info.value)
    assert fragment in str(info.value)


def test_scenarios_file_can_define_dataclasses(tmp_path: Path) -> None:
    """The file runs as a registered module, so helpers that look their module up work."""
    write_scenarios(
        tmp_path,
        """
        import dataclasses
        from ntro.testing._scenarios import Scenario

        @dataclasses.dataclass
        class Row:
            amount: str

        SCENARIOS = [Scenario("rows", mocks={"x.rows": [Row("1.00")]})]
        """,
    )
    assert load_scenarios(tmp_path)["rows"].mocks["x.rows"][0].amount == "1.00"


# -- selection ---------------------------------------------------------------------------------


def test_select_in_the_order_asked() -> None:
    custom = Scenario("custom")
    available = {**BUILT_IN_SCENARIOS, "custom": custom}
    assert select_scenarios(available, ["custom", "happy"]) == [custom, HAPPY]
    assert select_scenarios(available, ["happy", "happy"]) == [HAPPY]
    assert select_scenarios(available, None) == [HAPPY, REJECT_ALL, custom]
    assert select_scenarios(available, []) == [HAPPY, REJECT_ALL, custom]


def test_select_unknown_lists_the_available() -> None:
    available = {**BUILT_IN_SCENARIOS, "custom": Scenario("custom")}
    with pytest.raises(ScenarioError) as info:
        select_scenarios(available, ["happy", "sad"])
    assert str(info.value) == "unknown scenario 'sad'; available: happy, reject_all, custom"
