"""The one function of ``ntro.subledger.review`` a runbook calls: the configuration of a review table."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def data_table_config(row: type[BaseModel], *, title: str, actions: list[dict[str, Any]]) -> dict[str, Any]:
    """Return a ``DATA_TABLE`` configuration for reviewing rows of ``row``: one column per field."""
    columns = [{"key": name, "label": name.replace("_", " ").capitalize()} for name in row.model_fields]
    return {"title": title, "columns": columns, "actions": actions}
