"""Ids for local runs: UUID4-shaped strings, unique in the process, made without a system call each.

``str(uuid.uuid4())`` reads the OS's random source for every id, which costs
more than the rest of starting a local run. A local id only needs to be
unique, not unguessable: the first 20 hex digits are random, drawn once per
process (and again in a forked child, so parent and child never share ids),
and the last 12 count the ids made so far.
"""

from __future__ import annotations

import itertools
import os
import uuid


def _prefix() -> str:
    return str(uuid.uuid4())[:24]  # "xxxxxxxx-xxxx-4xxx-yxxx-": version and variant already right


_PREFIX = _prefix()
_COUNT = itertools.count()


def _renew() -> None:
    global _PREFIX, _COUNT
    _PREFIX, _COUNT = _prefix(), itertools.count()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_renew)


def new_id() -> str:
    """Return a new id in UUID4 form (``xxxxxxxx-xxxx-4xxx-yxxx-nnnnnnnnnnnn``), never the same twice in a process."""
    return f"{_PREFIX}{next(_COUNT):012x}"
