"""The start form: fields generated from a runbook's input model (its JSON schema), read back into input.

Simple fields get plain inputs: text (with the schema's pattern), number,
checkbox, a select for an enum or a ``Literal``, date and date-time pickers.
Anything else (lists, nested models, mappings) gets a JSON text area
holding its default. What the form sends is checked by the same code
``ntro workflow run --input`` uses (:func:`ntro.workflow.bundle.parse_input`),
so the console accepts exactly what the command line does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from ntro.workflow.bundle import InputError, input_model, parse_input, parse_json

__all__ = ["Field", "InputForm", "input_form", "read_input"]

WHOLE = "__input__"
"""The field name of the JSON text area used when the input is not an object with fields."""


@attrs.frozen
class Field:
    """One input of the start form.

    Attributes:
        name: The input model's field name (the form field's too).
        label: Its title.
        widget: ``text``, ``number``, ``checkbox``, ``select``, ``date``, ``datetime-local`` or ``json``.
        required: Whether it must be given (it has no default).
        value: The text the input shows (the default, or what was typed).
        description: The schema's description.
        options: A select's choices.
        pattern: A text input's pattern.
        step: A number input's step (``1`` for integers, ``any`` otherwise).
        minimum: A number input's lowest value.
        maximum: A number input's highest value.
        nullable: Whether it may be left empty for ``null``.
    """

    name: str
    label: str
    widget: str
    required: bool = False
    value: str = ""
    description: str = ""
    options: tuple[str, ...] = ()
    pattern: str | None = None
    step: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False

    @property
    def checked(self) -> bool:
        """For a checkbox: whether it is ticked."""
        return self.value == "true"


@attrs.frozen
class InputForm:
    """The start form of one runbook.

    Attributes:
        fields: Its inputs (none when the run takes no input).
        takes_input: Whether the run method takes input at all.
    """

    fields: tuple[Field, ...]
    takes_input: bool = True


def _resolve(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """Follow ``$ref`` and strip ``anyOf: [X, null]``; return the schema and whether ``null`` is allowed."""
    nullable = False
    for _ in range(8):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            schema = {**defs.get(ref.removeprefix("#/$defs/"), {}), **{k: v for k, v in schema.items() if k != "$ref"}}
            continue
        options = schema.get("anyOf")
        if isinstance(options, list):
            rest = [o for o in options if not (isinstance(o, Mapping) and o.get("type") == "null")]
            if len(rest) < len(options):
                nullable = True
            if len(rest) == 1 and isinstance(rest[0], Mapping):
                schema = {**rest[0], **{k: v for k, v in schema.items() if k != "anyOf"}}
                continue
        break
    return schema, nullable


def _text(value: Any, widget: str) -> str:
    if value is None:
        return ""
    if widget == "json":
        return json.dumps(value, indent=2)
    if widget == "checkbox":
        return "true" if value else ""
    return str(value)


def _field(
    name: str, raw: Mapping[str, Any], defs: Mapping[str, Any], required: bool, factory_default: Any = None
) -> Field:
    schema, nullable = _resolve(raw, defs)
    kind = schema.get("type")
    plain = name.replace("_", " ")
    title = raw.get("title")
    label = str(title) if isinstance(title, str) and title != plain.title() else plain.capitalize()
    description = str(schema.get("description") or "")
    enum = schema.get("enum")
    if "const" in schema and enum is None:
        enum = [schema["const"]]
    options: tuple[str, ...] = ()
    pattern = step = None
    minimum = maximum = None
    if isinstance(enum, list) and enum and all(isinstance(v, (str, int, float)) for v in enum):
        widget, options = "select", tuple(str(v) for v in enum)
    elif kind == "boolean":
        widget = "checkbox"
    elif kind in ("integer", "number"):
        widget, step = "number", ("1" if kind == "integer" else "any")
        minimum = _number(schema.get("minimum"), schema.get("exclusiveMinimum"), kind, +1)
        maximum = _number(schema.get("maximum"), schema.get("exclusiveMaximum"), kind, -1)
    elif kind == "string" and schema.get("format") == "date":
        widget = "date"
    elif kind == "string" and schema.get("format") == "date-time":
        widget = "datetime-local"
    elif kind == "string":
        widget = "text"
        pattern = schema.get("pattern") if isinstance(schema.get("pattern"), str) else None
    else:
        widget = "json"
    default = schema.get("default", raw.get("default", factory_default))
    has_default = "default" in schema or "default" in raw or factory_default is not None
    return Field(
        name=name,
        label=label,
        widget=widget,
        required=required,
        value=_text(default, widget) if has_default else "",
        description=description,
        options=options,
        pattern=_browser_pattern(pattern),
        step=step,
        minimum=minimum,
        maximum=maximum,
        nullable=nullable,
    )


def _browser_pattern(pattern: str | None) -> str | None:
    """A pattern for the ``pattern`` attribute (anchored there already), or ``None`` when it would not carry over."""
    if pattern is None:
        return None
    body = pattern.removeprefix("^").removesuffix("$")
    return body if "(?" not in body else None


def _number(inclusive: Any, exclusive: Any, kind: Any, direction: int) -> float | None:
    if isinstance(inclusive, (int, float)) and not isinstance(inclusive, bool):
        return float(inclusive)
    if isinstance(exclusive, (int, float)) and not isinstance(exclusive, bool) and kind == "integer":
        return float(exclusive + direction)
    return None


def _schema(annotation: Any) -> Mapping[str, Any] | None:
    from pydantic import TypeAdapter

    try:
        schema = TypeAdapter(annotation).json_schema()
    except Exception:  # a type pydantic cannot describe: one JSON text area
        return None
    return schema if isinstance(schema, Mapping) else None


def input_form(workflow_cls: type, values: Mapping[str, str] | None = None) -> InputForm:
    """Return the start form of ``workflow_cls``, showing ``values`` (what was typed) over the defaults.

    Raises:
        InputError: The run method cannot be inspected.
    """
    if not _has_parameter(workflow_cls):
        return InputForm((), takes_input=False)
    annotation = input_model(workflow_cls)
    schema = _schema(annotation) if annotation is not None else None
    fields: list[Field] = []
    if schema is not None and schema.get("type") == "object" and isinstance(schema.get("properties"), Mapping):
        defs = schema.get("$defs") or {}
        required = set(schema.get("required") or ())
        made = _factory_defaults(annotation)
        for name, raw in schema["properties"].items():
            if isinstance(raw, Mapping):
                fields.append(_field(str(name), raw, defs, name in required, made.get(name)))
    else:
        default = _parameter_default(workflow_cls)
        label = _parameter_name(workflow_cls).replace("_", " ").capitalize()
        simple = _field(WHOLE, schema or {}, (schema or {}).get("$defs") or {}, default is _NO_DEFAULT)
        widget = simple.widget if schema is not None else "json"
        value = "" if default is _NO_DEFAULT or default is None else _text(default, widget)
        fields.append(attrs.evolve(simple, label=label, widget=widget, value=value))
    if values is not None:
        fields = [
            attrs.evolve(f, value=values.get(f.name, "")) if f.widget == "checkbox" or f.name in values else f
            for f in fields
        ]
    return InputForm(tuple(fields))


_NO_DEFAULT = object()


def _run_parameter(workflow_cls: type) -> Any:
    import inspect

    from ntro.runtime.protocol import maybe_workflow_definition

    defn = maybe_workflow_definition(workflow_cls)
    method = getattr(workflow_cls, defn.run_method if defn is not None else "run", None)
    if method is None:
        return None
    params = list(inspect.signature(method).parameters.values())[1:]
    return next((p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)), None)


def _parameter_default(workflow_cls: type) -> Any:
    param = _run_parameter(workflow_cls)
    return _NO_DEFAULT if param is None or param.default is param.empty else param.default


def _parameter_name(workflow_cls: type) -> str:
    param = _run_parameter(workflow_cls)
    return str(param.name) if param is not None else "input"


def _read_whole(workflow_cls: type, field: Field, text: str | None) -> Any:
    """The run method's one simple (or JSON) argument, from its one input."""
    if field.widget == "checkbox":
        return parse_input(workflow_cls, json.dumps(text in ("true", "on", "1")))
    if text is None or not text.strip():
        if field.required:
            raise InputError(f"{field.label} is needed")
        return parse_input(workflow_cls, None)
    if field.widget == "json":
        return parse_input(workflow_cls, parse_json(text, f"{field.label} (JSON)"))
    if field.widget == "number":
        try:
            number = float(text) if field.step != "1" else int(text)
        except ValueError:
            raise InputError(
                f"{field.label}: {text!r} is not a {'whole ' if field.step == '1' else ''}number"
            ) from None
        return parse_input(workflow_cls, json.dumps(number))
    return parse_input(workflow_cls, json.dumps(text))


def _factory_defaults(annotation: Any) -> dict[str, Any]:
    """The defaults a pydantic model's fields make with a factory (the JSON schema does not carry them)."""
    from pydantic import BaseModel
    from pydantic_core import to_jsonable_python

    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return {}
    made = {}
    for name, info in annotation.model_fields.items():
        if info.default_factory is not None:
            try:
                made[info.alias or name] = to_jsonable_python(info.get_default(call_default_factory=True))
            except Exception:  # a factory that needs the other fields, or fails: show nothing
                continue
    return made


def _has_parameter(workflow_cls: type) -> bool:
    return _run_parameter(workflow_cls) is not None


def read_input(workflow_cls: type, form: InputForm, values: Mapping[str, str]) -> Any:
    """Turn what the start form sent into the run method's argument (``None``: run without input).

    Raises:
        InputError: A JSON field is not JSON, or the input does not match the
            model (the message names the field), as ``--input`` would say.
    """
    if not form.takes_input:
        return parse_input(workflow_cls, None)
    if len(form.fields) == 1 and form.fields[0].name == WHOLE:
        return _read_whole(workflow_cls, form.fields[0], values.get(WHOLE))
    data: dict[str, Any] = {}
    for field in form.fields:
        text = values.get(field.name)
        if field.widget == "checkbox":
            data[field.name] = text in ("true", "on", "1")
            continue
        if text is None or (text.strip() == "" and field.widget != "text"):
            if field.nullable and text is not None and not field.required:
                data[field.name] = None
            continue  # left empty: the default applies (or the model says it is required)
        if text == "" and not field.required:
            continue
        if field.widget == "json":
            data[field.name] = parse_json(text, f"{field.label} (JSON)")
        elif field.widget == "number":
            data[field.name] = text.strip()
        else:
            data[field.name] = text
    return parse_input(workflow_cls, data)
