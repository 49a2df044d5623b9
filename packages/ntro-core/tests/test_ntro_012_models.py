"""ntro.ingest and ntro.events against ntro 0.1.2 itself, read from its wheel on PyPI.

The wheel is downloaded once per session (``pip download ntro==0.1.2``, its
hash checked), or taken from ``NTRO_012_WHEEL``. 0.1.2's modules import the
closed ``ntro.data``, so they are not imported: their model classes are cut
out of the source with ``ast`` and defined on their own, then compared with
ours field by field (names, order, types, defaults, constraints, JSON schema)
and fed the same values. Without pip or PyPI the tests skip, except in CI
(``CI`` or ``NTRO_REQUIRE_NTRO_012`` set), where they fail.
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import importlib
import itertools
import os
import subprocess
import sys
import types
import typing
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import pytest

WHEEL_NAME = "ntro-0.1.2-py3-none-any.whl"
WHEEL_SHA256 = "21ce6e5c1fb88af34bc07537e1c17b4ef3504a0f0f37180700d1978794be56ef"  # the file on PyPI
MODEL_MODULES = (
    "ntro/ingest/outcome.py",
    "ntro/ingest/records.py",
    "ntro/ingest/documents.py",
    "ntro/events/__init__.py",
)
PIP_DOWNLOAD = (sys.executable, "-m", "pip", "download", "ntro==0.1.2", "--no-deps", "--only-binary=:all:", "--quiet")
EXPORTING_MODULES = ("ntro/ingest/__init__.py", *MODEL_MODULES[1:])


def _required() -> bool:
    flags = (os.environ.get(name, "").strip().lower() for name in ("CI", "NTRO_REQUIRE_NTRO_012"))
    return any(flag not in ("", "0", "false") for flag in flags)


def _unavailable(reason: str) -> None:
    if _required():
        pytest.fail(f"ntro 0.1.2's wheel is needed here (CI): {reason}")
    pytest.skip(f"ntro 0.1.2's wheel is not available: {reason}")


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    given = os.environ.get("NTRO_012_WHEEL")
    if given:
        path = Path(given)
        if not path.is_file():
            _unavailable(f"NTRO_012_WHEEL={given} is not a file")
    else:
        if importlib.util.find_spec("pip") is None:
            _unavailable("pip is not installed in this environment (or set NTRO_012_WHEEL to the wheel)")
        target = tmp_path_factory.mktemp("ntro-0.1.2")
        done = subprocess.run(
            [*PIP_DOWNLOAD, "--dest", str(target)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        path = target / WHEEL_NAME
        if done.returncode != 0 or not path.is_file():
            _unavailable(f"pip download failed: {done.stderr.strip()[-500:]}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == WHEEL_SHA256, f"{path} is not ntro 0.1.2's wheel from PyPI (sha256 {digest})"
    return zipfile.ZipFile(path)


def _source(wheel: zipfile.ZipFile, name: str) -> str:
    return wheel.read(name).decode("utf-8")


def _dotted(name: str) -> str:
    return name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _model_names(tree: ast.Module) -> list[str]:
    """The classes of a module that are pydantic models (directly or through another of its models)."""
    models: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bases = {ast.unparse(base) for base in node.bases}
            if bases & {"BaseModel", "pydantic.BaseModel", *models}:
                models.append(node.name)
    return models


@pytest.fixture(scope="session")
def theirs(wheel: zipfile.ZipFile) -> Iterator[dict[str, types.ModuleType]]:
    """0.1.2's model modules, holding only their imports from outside ntro and their classes."""
    modules: dict[str, types.ModuleType] = {}
    for name in MODEL_MODULES:
        tree = ast.parse(_source(wheel, name), filename=name)
        kept = [
            node
            for node in tree.body
            if isinstance(node, ast.ClassDef)
            or (isinstance(node, ast.ImportFrom) and not (node.module or "").startswith("ntro"))
            or (isinstance(node, ast.Import) and not any(a.name.startswith("ntro") for a in node.names))
        ]
        module = types.ModuleType(f"ntro_0_1_2.{_dotted(name)}")
        sys.modules[module.__name__] = module  # pydantic resolves the string annotations here
        exec(compile(ast.Module(body=kept, type_ignores=[]), f"ntro-0.1.2/{name}", "exec"), module.__dict__)
        modules[_dotted(name)] = module
    yield modules
    for module in modules.values():
        sys.modules.pop(module.__name__, None)


def _model_pairs(wheel: zipfile.ZipFile) -> list[tuple[str, str]]:
    return [(_dotted(name), model) for name in MODEL_MODULES for model in _model_names(ast.parse(_source(wheel, name)))]


# Every model 0.1.2 defines in ntro.ingest and ntro.events (parametrizing needs them before the
# wheel is fetched, so they are listed here; the first test checks the list against the wheel).
MODELS = [
    ("ntro.ingest.outcome", "IngestIssueSummary"),
    ("ntro.ingest.outcome", "IngestProgressSnapshot"),
    ("ntro.ingest.outcome", "IngestOutcome"),
    ("ntro.ingest.records", "SubmittedRecord"),
    ("ntro.ingest.documents", "SubmittedDocument"),
    ("ntro.ingest.documents", "ExtractedDocument"),
    ("ntro.events", "ObservableResult"),
]


def test_the_models_checked_are_every_model_0_1_2_defines(wheel: zipfile.ZipFile) -> None:
    assert sorted(_model_pairs(wheel)) == sorted(MODELS)


def _without_descriptions(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_descriptions(v) for k, v in schema.items() if k != "description"}
    if isinstance(schema, list):
        return [_without_descriptions(v) for v in schema]
    return schema


def _same_type(ours: Any, old: Any) -> bool:
    """Equal types, a model of ours standing for 0.1.2's model of the same name (compared on its own)."""
    models = [isinstance(t, type) and issubclass(t, pydantic.BaseModel) for t in (ours, old)]
    if all(models):
        return bool(ours.__name__ == old.__name__)
    if any(models):
        return False
    if typing.get_origin(ours) is not None or typing.get_origin(old) is not None:
        ours_args, old_args = typing.get_args(ours), typing.get_args(old)
        return (
            typing.get_origin(ours) == typing.get_origin(old)
            and len(ours_args) == len(old_args)
            and all(_same_type(a, b) for a, b in zip(ours_args, old_args, strict=True))
        )
    return bool(ours == old)


def _pair(theirs: dict[str, types.ModuleType], module: str, name: str) -> tuple[type[pydantic.BaseModel], Any]:
    return getattr(theirs[module], name), getattr(importlib.import_module(module), name)


@pytest.mark.parametrize(("module", "name"), MODELS)
def test_each_model_has_0_1_2s_fields_types_defaults_and_constraints(
    theirs: dict[str, types.ModuleType], module: str, name: str
) -> None:
    old, new = _pair(theirs, module, name)
    assert issubclass(new, pydantic.BaseModel)
    assert list(new.model_fields) == list(old.model_fields)
    for field, was in old.model_fields.items():
        now = new.model_fields[field]
        assert _same_type(now.annotation, was.annotation), field
        assert now.is_required() == was.is_required(), field
        assert now.default == was.default, field
        assert (now.default_factory is None) == (was.default_factory is None), field
        if was.default_factory is not None:
            assert now.default_factory() == was.default_factory(), field  # type: ignore[call-arg]
        assert now.metadata == was.metadata, field  # ge=0, min_length=1...
    for mode in ("validation", "serialization"):
        assert _without_descriptions(new.model_json_schema(mode=mode)) == _without_descriptions(
            old.model_json_schema(mode=mode)
        )
    assert new.model_config.get("extra") == old.model_config.get("extra")
    public = {n for n, v in vars(old).items() if not n.startswith("_") and isinstance(v, classmethod | staticmethod)}
    assert public <= set(dir(new)), "0.1.2's class and static methods are all here"


# -- values built from 0.1.2's field lists ------------------------------------------------


def _values(annotation: Any) -> list[Any]:
    """A few valid values of ``annotation`` (every choice of a Literal, None of an Optional)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return list(args)
    if origin in (typing.Union, types.UnionType):
        return [v for arg in args for v in _values(arg)]
    if annotation is type(None):
        return [None]
    if annotation is str:
        return ["R-7"]
    if annotation is int:
        return [0, 3]
    if annotation is bytes:
        return [b"date,amount\n2024-05-01,12.50\n"]
    if origin is dict or annotation is dict:
        return [{}, {"amount": "12.50", "lines": [1, 2]}]
    if origin is list:
        return [[], [v] if (v := _values(args[0])[-1]) is not None else []]
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [_sample(annotation, 0), _sample(annotation, 1)]
    raise AssertionError(f"no sample values for {annotation!r}")


def _sample(model: type[pydantic.BaseModel], pick: int) -> dict[str, Any]:
    """One JSON-like input for ``model``: the ``pick``-th value of each field (cycling)."""
    out: dict[str, Any] = {}
    for field, info in model.model_fields.items():
        choices = _values(info.annotation)
        value = choices[pick % len(choices)]
        out[field] = value.model_dump() if isinstance(value, pydantic.BaseModel) else value
    return out


def _samples(model: type[pydantic.BaseModel]) -> list[dict[str, Any]]:
    widest = max((len(_values(info.annotation)) for info in model.model_fields.values()), default=1)
    return [_sample(model, pick) for pick in range(widest)]


@pytest.mark.parametrize(("module", "name"), MODELS)
def test_each_model_takes_and_gives_what_0_1_2s_does_and_round_trips(
    theirs: dict[str, types.ModuleType], module: str, name: str
) -> None:
    old, new = _pair(theirs, module, name)
    samples = _samples(old)
    assert samples
    for data in samples:
        was, now = old.model_validate(data), new.model_validate(data)
        assert now.model_dump() == was.model_dump()
        assert now.model_dump_json() == was.model_dump_json()
        assert new.model_validate(now.model_dump()) == now
        assert new.model_validate_json(now.model_dump_json()) == now
        assert new.model_validate(was.model_dump()).model_dump() == was.model_dump()  # 0.1.2's data reads as ours


INVALID = {
    "IngestIssueSummary": [{"reason": ""}, {"reason": "x", "count": -1}],
    "IngestProgressSnapshot": [{"accepted_rows": -1}, {"target_rows": -2}],
    "IngestOutcome": [
        {"status": "complete"},
        {"status": "pending"},
        {"parsed_rows": -1},
        {"progress": {"target_rows": -1}},
        {"reasons": [{"reason": ""}]},
    ],
    "SubmittedRecord": [{"id": "r"}],
    "SubmittedDocument": [{"id": "d", "entity_slug": "e"}],
    "ExtractedDocument": [{"id": "x", "entity_slug": "e", "period": "2024-05"}],
}


@pytest.mark.parametrize(("module", "name"), [m for m in MODELS if m[1] in INVALID])
def test_each_model_refuses_what_0_1_2s_refuses(theirs: dict[str, types.ModuleType], module: str, name: str) -> None:
    old, new = _pair(theirs, module, name)
    for data in INVALID[name]:
        with pytest.raises(pydantic.ValidationError) as was:
            old.model_validate(data)
        with pytest.raises(pydantic.ValidationError) as now:
            new.model_validate(data)
        assert [(e["loc"], e["type"]) for e in now.value.errors()] == [
            (e["loc"], e["type"]) for e in was.value.errors()
        ]


def test_from_counts_gives_0_1_2s_outcome(theirs: dict[str, types.ModuleType]) -> None:
    old, new = _pair(theirs, "ntro.ingest.outcome", "IngestOutcome")
    old_issue, new_issue = _pair(theirs, "ntro.ingest.outcome", "IngestIssueSummary")
    for parsed, accepted, target, message, source_ref, reasons in itertools.product(
        (-1, 0, 1, 5), (-2, 0, 1, 5, 7), (None, 0, -3, 10), (None, "m"), (None, "expenses.csv"), (0, 1)
    ):
        kwargs: dict[str, Any] = dict(
            parsed_rows=parsed, accepted_rows=accepted, target_rows=target, message=message, source_ref=source_ref
        )
        was = old.from_counts(**kwargs, reasons=[old_issue(reason="no amount", count=2)] if reasons else None)
        now = new.from_counts(**kwargs, reasons=[new_issue(reason="no amount", count=2)] if reasons else None)
        assert now.model_dump() == was.model_dump(), kwargs


def test_a_0_1_2_runbooks_upload_feedback_is_shown_as_0_1_2_showed_it(theirs: dict[str, types.ModuleType]) -> None:
    """The call the public expense-processor runbook (written for 0.1.2) makes while it waits for rows."""
    from ntro.workflow import IngestOutcome, NtroWorkflow

    old = theirs["ntro.ingest.outcome"].IngestOutcome
    calls = [
        dict(status="success", message="Upload a CSV/XLSX file.", progress={"accepted_rows": 0, "target_rows": 1}),
        dict(
            source_ref="expenses.csv",
            parsed_rows=0,
            accepted_rows=0,
            rejected_rows=0,
            status="empty",
            message="Last upload accepted 0 rows.",
            progress={"accepted_rows": 0, "target_rows": 1},
        ),
    ]
    for call in calls:
        outcome = IngestOutcome(**call)  # ValidationError before ntro.ingest took 0.1.2's shapes
        feedback = NtroWorkflow().set_user_feedback(kind="ingest", payload=outcome)
        assert feedback["payload"] == old(**call).model_dump(mode="json")
        assert feedback["payload"]["progress"] == {"accepted_rows": 0, "target_rows": 1}


def test_every_name_0_1_2_exports_from_ntro_ingest_and_ntro_events_is_here_or_refused_clearly(
    wheel: zipfile.ZipFile,
) -> None:
    from ntro.ingest._not_carried import DATABASE_HELPERS

    for name in EXPORTING_MODULES:
        module = importlib.import_module(_dotted(name))
        exported = _all(ast.parse(_source(wheel, name)))
        assert exported, name
        for export in exported:
            if export in DATABASE_HELPERS:
                with pytest.raises(ImportError, match=r"not part of this SDK.*Migrating from ntro 0\.1\.2"):
                    exec(f"from {module.__name__} import {export}", {})
            else:
                assert hasattr(module, export), f"{module.__name__}.{export}"


def _all(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]
    return []


def test_ntro_workflow_re_exports_what_0_1_2s_took_from_ntro_ingest(wheel: zipfile.ZipFile) -> None:
    import ntro.ingest
    import ntro.workflow

    tree = ast.parse(_source(wheel, "ntro/workflow/__init__.py"))
    from_ingest = [
        node.elts[1].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Tuple)
        and len(node.elts) == 2
        and all(isinstance(e, ast.Constant) for e in node.elts)
        and node.elts[0].value == "ntro.ingest"  # type: ignore[attr-defined]
    ]
    assert sorted(from_ingest) == ["IngestIssueSummary", "IngestOutcome", "IngestProgressSnapshot"]
    for name in from_ingest:
        assert getattr(ntro.workflow, name) is getattr(ntro.ingest, name)
        assert name in ntro.workflow.__all__


# -- ntro.events with 0.1.2's emitters ------------------------------------------------------


def test_a_0_1_2_observable_result_names_its_event(theirs: dict[str, types.ModuleType]) -> None:
    """0.1.2's docstring example, on 0.1.2's class and on ours."""
    from ntro.events import ObservableResult, emit_result

    old_base = theirs["ntro.events"].ObservableResult
    assert old_base.ObserverMeta.event_type == ObservableResult.ObserverMeta.event_type == ""

    class ExtractionResult(ObservableResult):
        class ObserverMeta:
            event_type = "extraction.completed"

        document_ref: str
        fields: dict  # type: ignore[type-arg]
        confidence_scores: dict[str, float]

    result = ExtractionResult(document_ref="doc-1", fields={"total": "12.50"}, confidence_scores={"total": 0.9})
    assert ExtractionResult.model_validate_json(result.model_dump_json()) == result
    event = emit_result(result, workflow_id="wf", activity="document_ingest.extract_fields")
    assert event is not None and event.event_type == "extraction.completed"


def test_an_emitter_written_to_0_1_2s_protocol_gets_every_event(theirs: dict[str, types.ModuleType]) -> None:
    from ntro.events import ObservableResult, emit_result, get_emitter, register_emitter, unregister_emitter

    received: list[tuple[str, Any]] = []

    class BusEmitter(theirs["ntro.events"].ObserverEmitter):  # type: ignore[misc,name-defined]
        async def emit(self, event_type: str, payload: Any = None) -> None:
            await asyncio.sleep(0)
            received.append((event_type, payload))

    class Parsed(ObservableResult):
        class ObserverMeta:
            event_type = "document.parsed"

        pages: int

    async def activity_code() -> None:
        emit_result(Parsed(pages=2), workflow_id="wf", activity="a")  # what a backend does after an activity
        await get_emitter().emit("custom.something_happened", {"n": 1})  # 0.1.2's docstring example

    emitter = BusEmitter()
    register_emitter(emitter)
    try:
        asyncio.run(activity_code())
    finally:
        unregister_emitter(emitter)
    assert received == [("document.parsed", Parsed(pages=2)), ("custom.something_happened", {"n": 1})]
