"""The data converter ntro uses on Temporal: pydantic payloads, ntro failures."""

from __future__ import annotations

import dataclasses

import temporalio.converter
from temporalio.contrib.pydantic import PydanticPayloadConverter

from ntro.runtime.temporal._errors import NtroFailureConverter

__all__ = ["ntro_data_converter", "with_ntro_conversion"]

ntro_data_converter = temporalio.converter.DataConverter(
    payload_converter_class=PydanticPayloadConverter,
    failure_converter_class=NtroFailureConverter,
)
"""Pydantic-aware payloads (models, dataclasses, datetimes, UUIDs...) and
``WorkflowError`` encoded as Temporal application failures."""


def with_ntro_conversion(existing: temporalio.converter.DataConverter | None) -> temporalio.converter.DataConverter:
    """Return ``existing`` with ntro's payload and failure converters where it uses the defaults.

    A custom payload converter, failure converter or codec already set on
    ``existing`` is kept.

    Args:
        existing: The client's data converter, or ``None``.

    Returns:
        The data converter to use.
    """
    if existing is None or existing is temporalio.converter.DataConverter.default:
        return ntro_data_converter
    changes: dict[str, object] = {}
    if existing.payload_converter_class is temporalio.converter.DefaultPayloadConverter:
        changes["payload_converter_class"] = PydanticPayloadConverter
    if existing.failure_converter_class is temporalio.converter.DefaultFailureConverter:
        changes["failure_converter_class"] = NtroFailureConverter
    return dataclasses.replace(existing, **changes) if changes else existing  # type: ignore[arg-type]
