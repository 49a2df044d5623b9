"""Runtime selection: the rules of design section 3, through real entry points."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from ntro.runtime.protocol import (
    NO_INFO,
    Selection,
    backend_info,
    describe_selection,
    get_runtime,
    installed_runtimes,
    reset_runtime,
    selected_runtime,
    set_runtime,
)
from ntro.workflow.exceptions import RuntimeNotAvailableError

BOTH = {"local": "fake_ntro_backends:FakeLocal", "temporal": "fake_ntro_backends:FakeTemporal"}
# The Temporal backend's rule (TEMPORAL_HOST selects it), as its BackendInfo says; published for the fake too, so
# the real backend's record (when it is installed here) is shadowed like its runtime.
TEMPORAL_RULE = {"temporal": "fake_ntro_backends:TEMPORAL_INFO"}


def test_local_is_the_default(fake_backends: Callable[..., None]) -> None:
    fake_backends(**BOTH)
    runtime = get_runtime()
    assert runtime.name == "local"
    assert type(runtime).__module__ == "fake_ntro_backends"


def test_temporal_when_temporal_host_is_set_and_installed(
    fake_backends: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_backends(**BOTH, infos=TEMPORAL_RULE)
    monkeypatch.setenv("TEMPORAL_HOST", "temporal.example:7233")
    assert get_runtime().name == "temporal"
    reason = "TEMPORAL_HOST=temporal.example:7233 is set and the temporal backend is installed"
    assert describe_selection().reason == reason


def test_temporal_host_without_the_backend_falls_back_to_local(
    fake_backends: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_backends(local="fake_ntro_backends:FakeLocal", infos=TEMPORAL_RULE)
    monkeypatch.setenv("TEMPORAL_HOST", "temporal.example:7233")
    installed = {k: v for k, v in installed_runtimes().items() if k != "temporal"}
    choice = describe_selection(installed)
    assert choice == Selection("local", "the default backend; runs in-process")


def test_any_backend_can_say_that_the_environment_selects_it(
    fake_backends: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Core knows no backend's variables: a third party's record selects it the same way."""
    fake_backends(**BOTH, other="fake_ntro_backends:FakeOther", infos={"other": "fake_ntro_backends:OTHER_INFO"})
    monkeypatch.setenv("OTHER_ENGINE_URL", "other://engine")
    assert get_runtime().name == "other"
    assert describe_selection().reason == "OTHER_ENGINE_URL=other://engine is set and the other backend is installed"


def test_a_backend_without_a_record_is_never_chosen_by_the_environment(
    fake_backends: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_backends(**BOTH, other="fake_ntro_backends:FakeOther")
    monkeypatch.setenv("OTHER_ENGINE_URL", "other://engine")
    assert describe_selection().name == "local"


def test_when_the_environment_selects_several_the_first_by_name_wins(
    fake_backends: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    infos = {**TEMPORAL_RULE, "other": "fake_ntro_backends:OTHER_INFO"}
    fake_backends(**BOTH, other="fake_ntro_backends:FakeOther", infos=infos)
    monkeypatch.setenv("OTHER_ENGINE_URL", "other://engine")
    monkeypatch.setenv("TEMPORAL_HOST", "h:7233")
    assert describe_selection().name == "other"


def test_a_record_of_a_backend_that_is_not_installed_selects_nothing(
    fake_backends: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_backends(local="fake_ntro_backends:FakeLocal", infos={"other": "fake_ntro_backends:OTHER_INFO"})
    monkeypatch.setenv("OTHER_ENGINE_URL", "other://engine")
    installed = {k: v for k, v in installed_runtimes().items() if k != "other"}
    assert describe_selection(installed).name == "local"


@pytest.mark.parametrize("target", ["no_such_module_anywhere:INFO", "fake_ntro_backends:NOT_A_RECORD"])
def test_a_broken_record_is_ignored_with_a_warning(
    fake_backends: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    target: str,
) -> None:
    fake_backends(**BOTH, infos={"temporal": target})
    monkeypatch.setenv("TEMPORAL_HOST", "h:7233")
    with caplog.at_level(logging.WARNING, logger="ntro.workflow"):
        assert describe_selection().name == "local"
    assert any("temporal backend's ntro.backends entry point" in r.getMessage() for r in caplog.records)
    assert backend_info("temporal") is NO_INFO


def test_ntro_runtime_env_wins_over_temporal_host(
    fake_backends: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_backends(**BOTH, other="fake_ntro_backends:FakeOther", infos=TEMPORAL_RULE)
    monkeypatch.setenv("TEMPORAL_HOST", "h:7233")
    monkeypatch.setenv("NTRO_RUNTIME", "other")
    assert get_runtime().name == "other"


def test_bogus_ntro_runtime_names_the_installed_backends(
    fake_backends: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_backends(**BOTH)
    monkeypatch.setenv("NTRO_RUNTIME", "bogus")
    with pytest.raises(RuntimeNotAvailableError) as info:
        get_runtime()
    message = str(info.value)
    assert "NTRO_RUNTIME='bogus'" in message
    assert "local" in message and "temporal" in message
    assert "\n" not in message


def test_ntro_runtime_naming_a_known_but_missing_backend_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NTRO_RUNTIME", "temporal")
    with pytest.raises(RuntimeNotAvailableError, match=r'pip install "ntro-core\[temporal\]"'):
        describe_selection(installed={})


def test_no_backend_installed_says_what_to_install() -> None:
    with pytest.raises(RuntimeNotAvailableError) as info:
        describe_selection(installed={})
    assert 'pip install "ntro-core[local]"' in str(info.value)
    assert 'pip install "ntro-core[temporal]"' in str(info.value)


def test_selection_in_this_environment_matches_what_is_installed() -> None:
    """In the core-only leg nothing is installed and the real error shows; elsewhere a backend loads."""
    installed = installed_runtimes()
    if not installed:
        with pytest.raises(RuntimeNotAvailableError, match="no ntro runtime backend is installed"):
            get_runtime()
    else:
        assert get_runtime().name in installed


def test_selection_is_cached_and_logged_once(
    fake_backends: Callable[..., None], caplog: pytest.LogCaptureFixture
) -> None:
    fake_backends(**BOTH)
    with caplog.at_level(logging.INFO, logger="ntro.workflow"):
        first = get_runtime()
        second = get_runtime()
    assert first is second
    lines = [r.getMessage() for r in caplog.records if r.name == "ntro.workflow"]
    assert lines == ["ntro.workflow: local runtime active (the default backend; runs in-process)"]


def test_set_runtime_overrides_and_reset_forgets(fake_backends: Callable[..., None]) -> None:
    fake_backends(**BOTH)
    chosen = set_runtime("temporal")
    assert get_runtime() is chosen and chosen.name == "temporal"
    assert describe_selection().reason == "set_runtime() was called"
    reset_runtime()
    assert selected_runtime() is None
    assert get_runtime().name == "local"


def test_set_runtime_accepts_an_instance(fake_backends: Callable[..., None]) -> None:
    fake_backends(**BOTH)
    import fake_ntro_backends  # type: ignore[import-not-found]

    instance = fake_ntro_backends.FakeOther()
    assert set_runtime(instance) is instance
    assert get_runtime() is instance


def test_set_runtime_with_an_unknown_name_fails_clearly(fake_backends: Callable[..., None]) -> None:
    fake_backends(**BOTH)
    with pytest.raises(RuntimeNotAvailableError, match="no runtime backend named 'nope' is installed"):
        set_runtime("nope")


def test_a_backend_that_cannot_import_says_so(
    fake_backends: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_backends(**BOTH, ghost="no_such_module_anywhere:Runtime")
    monkeypatch.setenv("NTRO_RUNTIME", "ghost")
    with pytest.raises(RuntimeNotAvailableError, match="'ghost' runtime backend cannot be imported"):
        get_runtime()


def test_only_a_third_party_backend_and_no_rule_is_an_error_naming_it() -> None:
    from importlib.metadata import EntryPoint

    only = {"other": EntryPoint("other", "fake_ntro_backends:FakeOther", "ntro.runtimes")}
    with pytest.raises(RuntimeNotAvailableError, match=r"installed: other.*NTRO_RUNTIME"):
        describe_selection(only)
