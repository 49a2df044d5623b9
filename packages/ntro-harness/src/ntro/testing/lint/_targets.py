"""What each rule looks for: the dotted call targets and the message for each.

A target is what :meth:`Scope.qualify <ntro.testing.lint._symbols.Scope.qualify>`
returns for the called expression. Exact targets win over module prefixes, so
``socket.gethostname`` is an environment read, not network I/O.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "ACTIVITY_DEFN",
    "ENVIRONMENT_VALUES",
    "RUNBOOK_DEFN",
    "WORKFLOW_BASES",
    "Match",
    "interesting",
    "match_call",
    "runbook_equivalent",
]

RUNBOOK_DEFN = frozenset(
    {"ntro.workflow.runbook.defn", "ntro.workflow._facade.runbook.defn", "temporalio.workflow.defn"}
)
"""Decorators that make a class workflow code."""

ACTIVITY_DEFN = frozenset(
    {"ntro.workflow.activity.defn", "ntro.workflow._facade.activity.defn", "temporalio.activity.defn"}
)
"""Decorators that make a function an activity."""

WORKFLOW_BASES = frozenset({"ntro.workflow.NtroWorkflow", "ntro.workflow._base.NtroWorkflow"})
"""Base classes that make a subclass workflow code."""

ENVIRONMENT_VALUES = frozenset({"os.environ", "os.environb"})
"""Values whose mere use (not only a call) reads the environment."""

_RUNBOOK_NAMES = frozenset(
    {
        "defn", "run", "signal", "query", "execute_activity", "start_activity", "execute_child_workflow",
        "start_child_workflow", "wait_condition", "sleep", "info", "now", "random", "uuid4", "logger",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Match:
    """A rule hit for one call: its code and message."""

    code: str
    message: str


Condition = Callable[[ast.Call], bool]


def _no_args(call: ast.Call) -> bool:
    return not call.args and not call.keywords


def _fewer_than_two_args(call: ast.Call) -> bool:
    return len(call.args) < 2 and not call.keywords


def _unseeded(call: ast.Call) -> bool:
    return not call.args and not any(k.arg in ("x", "seed") for k in call.keywords)


_CLOCK = "{name}() reads the wall clock; use runbook.now()"
_RANDOM = "{name}() is not replay-safe; use runbook.random() (a seeded random.Random)"
_UUID = "{name}() gives a different UUID on replay; use runbook.uuid4()"
_ENV_CALL = "{name}() reads the process environment; pass the value in the workflow input or read it in an activity"
_IDENTITY = "{name}() reads the worker's identity; use runbook.info() for workflow metadata, or an activity"
_FILE = "{name}() does file I/O in workflow code; move it into an activity"
_NET = "{name}() does network I/O in workflow code; move it into an activity"
_SLEEP = "{name}() sleeps on the wall clock; use await runbook.sleep(...)"
_TIMEOUT = (
    "{name}() times out on the event-loop clock; use runbook.wait_condition(..., timeout=...) or an activity timeout"
)
_ORDER = "{name}() yields in a non-deterministic order; use asyncio.gather() or await the tasks in a fixed order"
_LOOP_CLOCK = "{name}() reads the event-loop clock; use runbook.now()"
_LOOP_TIMER = "{name}() schedules on the event-loop clock; use await runbook.sleep(...)"
_LOOP_OWN = "{name}() manages an event loop; workflow code runs on the runtime's loop, so use plain await"
_THREAD = "{name}() runs work on another thread or process; move it into an activity"

_EXACT: dict[str, tuple[str, str, Condition | None]] = {}


def _add(code: str, message: str, names: str, condition: Condition | None = None) -> None:
    for name in names.split():
        _EXACT[name] = (code, message, condition)


def _never(call: ast.Call) -> bool:
    return False


def _allow(names: str) -> None:
    """Pure helpers inside modules a prefix rule covers: allowed."""
    _add("", "", names, _never)


_add("NTR101", _CLOCK, "datetime.datetime.now datetime.datetime.utcnow datetime.datetime.today datetime.date.today")
_add(
    "NTR101",
    _CLOCK,
    "time.time time.time_ns time.monotonic time.monotonic_ns time.perf_counter time.perf_counter_ns "
    "time.process_time time.process_time_ns time.thread_time time.thread_time_ns time.clock_gettime "
    "time.clock_gettime_ns",
)
_add("NTR101", _CLOCK, "time.localtime time.gmtime time.ctime time.asctime", _no_args)
_add("NTR101", _CLOCK, "time.strftime", _fewer_than_two_args)
_add(
    "NTR101",
    _CLOCK,
    "pendulum.now pendulum.today arrow.now arrow.utcnow pandas.Timestamp.now pandas.Timestamp.utcnow "
    "pandas.Timestamp.today",
)
_add("NTR102", _RANDOM, "random.Random", _unseeded)
_add("NTR102", _RANDOM, "os.urandom os.getrandom")
_add("NTR103", _UUID, "uuid.uuid1 uuid.uuid4 uuid.uuid6 uuid.uuid7")
_add("NTR104", _ENV_CALL, "os.getenv os.getenvb os.putenv os.unsetenv os.path.expanduser os.path.expandvars")
_add(
    "NTR104",
    _IDENTITY,
    "os.getpid os.getppid os.getuid os.geteuid os.getlogin os.uname os.cpu_count getpass.getuser "
    "socket.gethostname socket.getfqdn platform.node platform.uname uuid.getnode",
)
_add(
    "NTR105",
    _FILE,
    "builtins.open builtins.input io.open io.open_code codecs.open os.open os.fdopen os.listdir os.scandir "
    "os.walk os.fwalk os.stat os.lstat os.remove os.unlink os.rename os.renames os.replace os.mkdir os.makedirs "
    "os.rmdir os.removedirs os.chmod os.chown os.link os.symlink os.readlink os.truncate os.utime os.access "
    "os.getcwd os.chdir os.read os.write os.path.exists os.path.lexists os.path.isfile os.path.isdir "
    "os.path.islink os.path.ismount os.path.getsize os.path.getmtime os.path.getatime os.path.getctime "
    "os.path.samefile os.path.realpath pathlib.Path.cwd pathlib.Path.home",
)
_add(
    "NTR106",
    _NET,
    "asyncio.open_connection asyncio.open_unix_connection asyncio.start_server asyncio.start_unix_server",
)
_add("NTR107", _SLEEP, "asyncio.sleep time.sleep")
_add("NTR107", _TIMEOUT, "asyncio.wait_for asyncio.timeout asyncio.timeout_at")
_add("NTR107", _ORDER, "asyncio.wait asyncio.as_completed")
_add("NTR107", _THREAD, "asyncio.to_thread")
_add("NTR107", _LOOP_OWN, "asyncio.run asyncio.new_event_loop asyncio.run_coroutine_threadsafe asyncio.Runner")
for _loop in ("asyncio.get_event_loop()", "asyncio.get_running_loop()"):
    _add("NTR107", _LOOP_CLOCK, f"{_loop}.time")
    _add("NTR107", _LOOP_TIMER, f"{_loop}.call_later {_loop}.call_at")
_add(
    "NTR108",
    _THREAD,
    "asyncio.create_subprocess_exec asyncio.create_subprocess_shell os.system os.popen os.fork os.forkpty "
    "os.kill os.killpg os.posix_spawn os.posix_spawnp os.spawnl os.spawnle os.spawnlp os.spawnlpe os.spawnv "
    "os.spawnve os.spawnvp os.spawnvpe os.execl os.execle os.execlp os.execlpe os.execv os.execve os.execvp "
    "os.execvpe",
)

_PREFIXES: list[tuple[str, str, str]] = []


def _add_prefixes(code: str, message: str, modules: str) -> None:
    _PREFIXES.extend((f"{module}.", code, message) for module in modules.split())


_add_prefixes("NTR102", _RANDOM, "random secrets numpy.random")
_add_prefixes("NTR105", _FILE, "shutil glob tempfile fileinput sqlite3")
_add_prefixes(
    "NTR106",
    _NET,
    "socket ssl urllib.request urllib3 http.client requests httpx aiohttp smtplib ftplib imaplib poplib "
    "xmlrpc.client websockets grpc boto3",
)
_add_prefixes("NTR108", _THREAD, "threading _thread concurrent.futures multiprocessing subprocess")
_allow(
    "socket.inet_aton socket.inet_ntoa socket.inet_pton socket.inet_ntop socket.htons socket.ntohs socket.htonl "
    "socket.ntohl glob.escape glob.has_magic"
)

_PATH_IO = frozenset(
    {
        "read_text", "read_bytes", "write_text", "write_bytes", "open", "exists", "is_file", "is_dir", "is_symlink",
        "is_mount", "iterdir", "glob", "rglob", "walk", "mkdir", "rmdir", "unlink", "touch", "stat", "lstat",
        "rename", "replace", "resolve", "samefile", "chmod", "lchmod", "owner", "group", "readlink", "symlink_to",
        "hardlink_to", "expanduser", "absolute",
    }
)  # fmt: skip

_EXECUTOR_METHODS = frozenset({"run_in_executor"})


def _known_prefixes() -> frozenset[str]:
    names = [*_EXACT, *(p.rstrip(".") for p, _, _ in _PREFIXES), *RUNBOOK_DEFN, *ACTIVITY_DEFN, *WORKFLOW_BASES]
    names += [*ENVIRONMENT_VALUES, "ntro.workflow.runbook", "ntro.workflow.activity", "pathlib.Path"]
    out: set[str] = set()
    for name in names:
        parts = name.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(out)


_KNOWN = _known_prefixes()
_PREFIX_ROOTS = tuple(p for p, _, _ in _PREFIXES)


def interesting(target: str) -> bool:
    """Return whether a star-imported ``module.name`` is something the lint resolves."""
    return target in _KNOWN or target.startswith(_PREFIX_ROOTS)


def match_call(target: str | None, call: ast.Call) -> Match | None:
    """Return the rule hit for calling ``target``, or ``None`` when the call is allowed.

    Args:
        target: The qualified target of ``call.func`` (``None`` when unknown).
        call: The call node, for rules that depend on the arguments.
    """
    if target is None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _EXECUTOR_METHODS:
            return Match("NTR107", _THREAD.format(name=func.attr))
        return None
    name = target.removeprefix("builtins.")
    exact = _EXACT.get(target)
    if exact is not None:
        code, message, condition = exact
        if condition is None or condition(call):
            return Match(code, message.format(name=name))
        return None
    if "()" in target:
        last = target.rsplit(".", 1)[-1]
        if target.startswith("pathlib.") and last in _PATH_IO:
            return Match("NTR105", _FILE.format(name=f"pathlib.Path.{last}"))
        if last in _EXECUTOR_METHODS:
            return Match("NTR107", _THREAD.format(name=last))
        return None
    for prefix, code, message in _PREFIXES:
        if target.startswith(prefix):
            return Match(code, message.format(name=name))
    return None


def runbook_equivalent(target: str) -> str:
    """Return the facade spelling for a ``temporalio.workflow`` target, e.g. ``runbook.now()``."""
    rest = target.removeprefix("temporalio.workflow").lstrip(".")
    first = rest.split(".", 1)[0].split("(", 1)[0]
    if first in _RUNBOOK_NAMES:
        return f"runbook.{first}" + ("()" if first in ("info", "now", "random", "uuid4") else "")
    return "the ntro.workflow facade (from ntro.workflow import runbook)"
