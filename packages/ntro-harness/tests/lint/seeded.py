"""A runbook bundle seeded with exactly one violation per rule (used by the bundle and CLI tests)."""

from __future__ import annotations

from pathlib import Path

RUNBOOK_MD = """\
---
slug: seeded
name: Seeded
version: 0.1.0
state: DRAFT
author: tests
---
A bundle with one determinism violation per rule.
"""

ACTIVITIES = """\
import os
import random
import subprocess
import time
import uuid
from datetime import datetime

import httpx

from ntro.workflow import activity


@activity.defn(name="seeded.fetch")
async def fetch(url: str) -> str:
    # Activities may do all of this: none of it is reported.
    started = datetime.now(), time.time(), random.random(), uuid.uuid4(), os.environ.get("TOKEN")
    subprocess.run(["true"], check=False)
    async with httpx.AsyncClient() as client:
        return (await client.get(url)).text + str(started)
"""

WORKFLOW = """\
import asyncio
import os
import random
import threading
import uuid
from datetime import datetime as dt
from pathlib import Path

import requests
from temporalio import workflow

from ntro.workflow import NtroWorkflow, runbook

from .activities import fetch


def stamp() -> str:
    return dt.now().isoformat()


@runbook.defn(slug="seeded")
class SeededWorkflow(NtroWorkflow):
    @runbook.run
    async def run(self, url: str) -> str:
        started = stamp()
        pick = random.choice(["a", "b"])
        key = uuid.uuid4()
        region = os.environ["REGION"]
        config = Path("config.toml").read_text()
        requests.post(url, json={})
        await asyncio.sleep(5)
        threading.Thread(target=print).start()
        body = await fetch(url)
        checked = await runbook.execute_activity(fetch, url)
        return f"{started}{pick}{key}{region}{config}{body}{checked}{runbook.now()}{runbook.uuid4()}"
"""

MODELS = """\
from dataclasses import dataclass


@dataclass
class Ctx:
    url: str
"""

BROKEN = "def half_written(:\n"

EXPECTED = {
    "NTR000": ("broken.py", 1),
    "NTR101": ("workflow.py", 18),
    "NTR102": ("workflow.py", 26),
    "NTR103": ("workflow.py", 27),
    "NTR104": ("workflow.py", 28),
    "NTR105": ("workflow.py", 29),
    "NTR106": ("workflow.py", 30),
    "NTR107": ("workflow.py", 31),
    "NTR108": ("workflow.py", 32),
    "NTR109": ("workflow.py", 33),
    "NTR110": ("workflow.py", 10),
}
"""Where each code must be reported: file name and line."""


def write_bundle(root: Path) -> Path:
    """Write the seeded bundle under ``root`` and return its directory."""
    bundle = root / "seeded"
    templates = bundle / "templates"
    templates.mkdir(parents=True)
    (bundle / "runbook.md").write_text(RUNBOOK_MD)
    (templates / "__init__.py").write_text("")
    (templates / "models.py").write_text(
        "from dataclasses import dataclass\n\n\n@dataclass\nclass Ctx:\n    url: str\n"
    )
    (templates / "activities.py").write_text(ACTIVITIES)
    (templates / "workflow.py").write_text(WORKFLOW)
    (templates / "broken.py").write_text(BROKEN)
    tests = bundle / "tests"
    tests.mkdir()
    (tests / "scenarios.py").write_text("import time\nSTARTED = time.time()\n")
    return bundle
