"""no-init: the templates/ directory has no __init__.py, so it cannot be imported as a package."""

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class NoInitWorkflow(NtroWorkflow):
    """Never loaded."""

    @runbook.run
    async def run(self) -> str:
        """Return a greeting."""
        return "hello"
