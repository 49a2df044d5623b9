"""Each rule: code that must be flagged, and look-alikes that must not be."""

from __future__ import annotations

import pytest

from .conftest import LintText, activity_source, codes, workflow_source

# (imports, body of the workflow's run method, expected code)
FLAGGED = [
    # NTR101 wall clock
    ("import datetime", "datetime.datetime.now()", "NTR101"),
    ("from datetime import datetime", "datetime.utcnow()", "NTR101"),
    ("from datetime import datetime as dt", "dt.now()", "NTR101"),
    ("from datetime import date", "date.today()", "NTR101"),
    ("import datetime as d", "d.date.today()", "NTR101"),
    ("import time as t", "t.time()", "NTR101"),
    ("from time import time as now_", "now_()", "NTR101"),
    ("from time import monotonic", "monotonic()", "NTR101"),
    ("import time", "time.perf_counter_ns()", "NTR101"),
    ("import time", "time.localtime()", "NTR101"),
    ("import time", "time.strftime('%Y')", "NTR101"),
    ("from datetime import *", "datetime.now()", "NTR101"),
    ("import datetime as d", "clock = d.datetime.now\nclock()", "NTR101"),
    ("from datetime import datetime", "datetime.now().isoformat()", "NTR101"),
    # NTR102 random
    ("import random", "random.random()", "NTR102"),
    ("import random as r", "r.shuffle([1, 2])", "NTR102"),
    ("from random import choice", "choice([1, 2])", "NTR102"),
    ("import random", "random.Random()", "NTR102"),
    ("import secrets", "secrets.token_hex()", "NTR102"),
    ("import os", "os.urandom(8)", "NTR102"),
    # NTR103 uuid
    ("import uuid", "uuid.uuid4()", "NTR103"),
    ("from uuid import uuid1", "uuid1()", "NTR103"),
    ("from uuid import uuid4 as new_id", "str(new_id())", "NTR103"),
    # NTR104 environment
    ("import os", "os.environ['HOME']", "NTR104"),
    ("import os", "os.environ.get('HOME')", "NTR104"),
    ("import os", "'HOME' in os.environ", "NTR104"),
    ("from os import environ", "environ.get('HOME')", "NTR104"),
    ("import os", "os.getenv('HOME')", "NTR104"),
    ("from os import getenv as ge", "ge('HOME')", "NTR104"),
    ("import socket", "socket.gethostname()", "NTR104"),
    ("import os", "os.getpid()", "NTR104"),
    # NTR105 file I/O
    ("", "open('data.csv')", "NTR105"),
    ("import json", "with open('x.json') as f:\n    json.load(f)", "NTR105"),
    ("import io", "io.open('x')", "NTR105"),
    ("from pathlib import Path", "Path('x').read_text()", "NTR105"),
    ("import pathlib", "(pathlib.Path('a') / 'b').write_text('x')", "NTR105"),
    ("from pathlib import Path", "p = Path('x')\np.exists()", "NTR105"),
    ("from pathlib import Path", "Path.cwd().exists()", "NTR105"),
    ("import os", "os.listdir('.')", "NTR105"),
    ("import os.path", "os.path.exists('x')", "NTR105"),
    ("import shutil", "shutil.copy('a', 'b')", "NTR105"),
    ("", "input('name? ')", "NTR105"),
    # NTR106 network
    ("import socket", "socket.socket()", "NTR106"),
    ("import urllib.request", "urllib.request.urlopen('http://x')", "NTR106"),
    ("from urllib.request import urlopen", "urlopen('http://x')", "NTR106"),
    ("import httpx", "httpx.get('http://x')", "NTR106"),
    ("import requests", "requests.Session().get('http://x').json()", "NTR106"),
    ("import http.client", "http.client.HTTPSConnection('x')", "NTR106"),
    ("import httpx", "async with httpx.AsyncClient() as client:\n    await client.get('x')", "NTR106"),
    ("import asyncio", "await asyncio.open_connection('h', 1)", "NTR106"),
    # NTR107 sleeps and non-deterministic asyncio
    ("import asyncio", "await asyncio.sleep(1)", "NTR107"),
    ("from asyncio import sleep", "await sleep(1)", "NTR107"),
    ("import asyncio as aio", "await aio.sleep(1)", "NTR107"),
    ("import time", "time.sleep(1)", "NTR107"),
    ("import asyncio", "await asyncio.wait_for(self.fut, 5)", "NTR107"),
    ("import asyncio", "async with asyncio.timeout(3):\n    pass", "NTR107"),
    ("import asyncio", "await asyncio.wait(self.tasks)", "NTR107"),
    ("import asyncio", "for t in asyncio.as_completed(self.tasks):\n    await t", "NTR107"),
    ("import asyncio", "await asyncio.to_thread(print)", "NTR107"),
    ("import asyncio", "asyncio.get_running_loop().time()", "NTR107"),
    ("import asyncio", "loop = asyncio.get_event_loop()\nloop.call_later(1, print)", "NTR107"),
    ("", "await self.loop.run_in_executor(None, print)", "NTR107"),
    # NTR108 threads and subprocesses
    ("import threading", "threading.Thread(target=print).start()", "NTR108"),
    ("import subprocess", "subprocess.run(['ls'])", "NTR108"),
    ("from concurrent.futures import ThreadPoolExecutor", "ThreadPoolExecutor()", "NTR108"),
    ("import multiprocessing", "multiprocessing.Pool()", "NTR108"),
    ("import os", "os.system('ls')", "NTR108"),
    ("import asyncio", "await asyncio.create_subprocess_exec('ls')", "NTR108"),
    # NTR110 temporalio.workflow used through a bare `import temporalio`
    ("import temporalio", "temporalio.workflow.now()", "NTR110"),
]

LOOK_ALIKES = [
    ("", "self.now()"),
    ("", "runbook.now()"),
    ("", "now = self.clock.now\nnow()"),
    ("from datetime import datetime", "datetime.fromisoformat('2024-01-01')"),
    ("from datetime import datetime, timedelta", "runbook.now() + timedelta(days=1)"),
    ("import time", "time.localtime(0)"),
    ("import time", "time.strftime('%Y', time.gmtime(0))"),
    ("from datetime import datetime", "datetime = self.fake\ndatetime.now()"),
    ("", "runbook.random().randint(1, 6)"),
    ("", "rng = runbook.random()\nrng.shuffle(self.items)"),
    ("import random", "random.Random(42).random()"),
    ("", "runbook.uuid4()"),
    ("import uuid", "uuid.uuid5(uuid.NAMESPACE_URL, 'x')"),
    ("import uuid", "uuid.UUID(int=1)"),
    ("", "self.environ.get('X')"),
    ("", "runbook.info().workflow_id"),
    ("import os", "os.path.join('a', 'b')"),
    ("import os", "os.sep"),
    ("from pathlib import PurePosixPath", "PurePosixPath('a/b').name"),
    ("from pathlib import Path", "Path('a') / 'b'"),
    ("from pathlib import Path", "Path('a').with_suffix('.txt').name"),
    ("", "self.open()"),
    ("", "self.store.read_text()"),
    ("", "await self.client.get('x')"),
    ("import urllib.parse", "urllib.parse.quote('a b')"),
    ("import socket", "socket.inet_aton('1.2.3.4')"),
    ("", "await runbook.sleep(1)"),
    ("", "await runbook.wait_condition(lambda: True, timeout=5)"),
    ("import asyncio", "await asyncio.gather(self.a(), self.b())"),
    ("import asyncio", "asyncio.create_task(self.a())"),
    ("import asyncio", "asyncio.Event()"),
    ("", "self.thread.start()"),
    ("", "await self.run_child_workflow(slug='x', input=None)"),
    ("", "open = self.opener\nopen('x')"),
    ("import time", "def inner(time):\n    return time.time()\ninner(self)"),
]


@pytest.mark.parametrize(("imports", "body", "code"), FLAGGED)
def test_flagged_once_in_workflow_code(lint_text: LintText, imports: str, body: str, code: str) -> None:
    findings = lint_text(workflow_source(imports, body))
    assert codes(findings) == [code], [f.format() for f in findings]


@pytest.mark.parametrize(("imports", "body", "code"), [c for c in FLAGGED if c[2] != "NTR110"])
def test_same_code_inside_an_activity_is_not_flagged(lint_text: LintText, imports: str, body: str, code: str) -> None:
    findings = lint_text(activity_source(imports, body.replace("self.", "x.")))
    assert findings == []


@pytest.mark.parametrize(("imports", "body"), LOOK_ALIKES)
def test_look_alikes_are_not_flagged(lint_text: LintText, imports: str, body: str) -> None:
    findings = lint_text(workflow_source(imports, body))
    assert findings == [], [f.format() for f in findings]


def test_messages_name_the_deterministic_alternative(lint_text: LintText) -> None:
    body = """\
    datetime.now()
    random.random()
    uuid.uuid4()
    await asyncio.sleep(1)
    os.getenv("X")
    open("x")
    """
    imports = "import asyncio\nimport os\nimport random\nimport uuid\nfrom datetime import datetime"
    messages = {f.code: f.message for f in lint_text(workflow_source(imports, body))}
    assert "runbook.now()" in messages["NTR101"]
    assert "runbook.random()" in messages["NTR102"]
    assert "runbook.uuid4()" in messages["NTR103"]
    assert "runbook.sleep(" in messages["NTR107"]
    assert "activity" in messages["NTR104"]
    assert "move it into an activity" in messages["NTR105"]


def test_position_is_one_based_line_and_column(lint_text: LintText) -> None:
    source = workflow_source("import time", "x = time.time()")
    [finding] = lint_text(source)
    line = source.splitlines()[finding.line - 1]
    assert line[finding.column - 1 :].startswith("time.time()")
