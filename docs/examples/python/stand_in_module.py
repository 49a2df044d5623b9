"""Supply a module of ntro 0.1.2's platform yourself: ``ntro.subledger.review``, as a namespace portion.

From the repository's root: ``python docs/examples/python/stand_in_module.py``.
``docs/examples/stand-ins`` holds ``ntro/subledger/`` and no ``ntro/__init__.py``.
Put on ``sys.path`` (here by hand; for a worker, with ``PYTHONPATH`` or a
small distribution of your own), it joins the ``ntro`` namespace beside the
SDK's modules, and a runbook's ``from ntro.subledger import review`` finds it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import BaseModel

sys.path.append(str(Path(__file__).resolve().parents[1] / "stand-ins"))

from ntro.subledger import review  # the stand-in
from ntro.workflow import IngestOutcome  # still the SDK's


class ExpenseRow(BaseModel):
    """A row the review shows."""

    vendor: str
    amount_gross: float


config = review.data_table_config(ExpenseRow, title="Review expenses", actions=[{"kind": "approve"}])
print(config["columns"])
print("ntro.subledger.review:", Path(review.__file__).resolve().relative_to(Path.cwd().resolve()).as_posix())
print("ntro.workflow.IngestOutcome:", IngestOutcome.__module__)
