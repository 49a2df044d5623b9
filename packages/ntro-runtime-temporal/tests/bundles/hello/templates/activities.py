"""Activities of the hello test runbook."""

from __future__ import annotations

from ntro.workflow import activity


@activity.defn(name="hello.compose")
async def compose(name: str, times: int) -> str:
    """Compose the greeting."""
    return " ".join([f"hello {name}"] * times)
