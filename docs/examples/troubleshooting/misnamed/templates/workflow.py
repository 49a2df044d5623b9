"""misnamed: the class is not called MisnamedWorkflow, the slug's CamelCase plus Workflow."""

from ntro.workflow import NtroWorkflow, runbook


@runbook.defn(slug="misnamed")
class InvoiceFlow(NtroWorkflow):
    """Loaded with --workflow-class InvoiceFlow."""

    @runbook.run
    async def run(self) -> str:
        """Return a greeting."""
        return "hello"
