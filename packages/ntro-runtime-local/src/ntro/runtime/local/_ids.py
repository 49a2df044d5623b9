"""Ids for local runs: random UUID4 strings, made without a system call each.

``str(uuid.uuid4())`` reads the OS's random source for every id, which costs
more than starting a local run does otherwise. Local ids only need to be
unique, not unguessable, so they come from a generator seeded once from the
OS (and again in a forked child, so parent and child never share ids).
"""

from __future__ import annotations

import os
import random

_SOURCE = random.Random()
if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_SOURCE.seed)

# The bits RFC 4122 fixes in a version-4 UUID: the version nibble (4) and the variant (10).
_KEEP = ~((0xF000 << 64) | (0xC000 << 48))
_FIXED = (0x4000 << 64) | (0x8000 << 48)


def new_id() -> str:
    """Return a new random id in UUID4 form (``xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx``)."""
    digits = "%032x" % (_SOURCE.getrandbits(128) & _KEEP | _FIXED)
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
