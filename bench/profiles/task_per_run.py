"""Plain asyncio: what a task of its own per workflow costs, against awaiting the workflow inline.

``python bench/profiles/task_per_run.py`` prints CPU microseconds per workflow
at 1,000, 10,000 and 50,000 concurrent workflows of five awaits each.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Coroutine
from typing import Any


async def leaf(x: int) -> int:
    return x + 1


async def inline(x: int) -> int:
    for _ in range(5):
        x = await leaf(x)
    return x


async def own_task(x: int) -> int:
    return await asyncio.get_running_loop().create_task(inline(x))


async def main() -> None:
    kinds: list[tuple[str, Callable[[int], Coroutine[Any, Any, int]]]] = [("inline", inline), ("own task", own_task)]
    for name, make in kinds:
        for count in (1_000, 10_000, 50_000):
            gc.collect()
            started = time.process_time()
            await asyncio.gather(*(make(i) for i in range(count)))
            print(f"{name:9} {count:>6}: {(time.process_time() - started) / count * 1e6:.1f} us per workflow")


if __name__ == "__main__":
    asyncio.run(main())
