"""Worker processes of one analysis (its landmarkers, its video pass).

They are spawned (a fresh interpreter), or forked when the caller allows it and forking is
safe (`start_context`). When the parent stops early (an error, or Ctrl-C sent to it alone),
its workers are stopped at once instead of being waited for: a worker tracking 5 minutes of
video would otherwise keep the command alive until its segment was done.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: The start method of worker processes unless `start_context` may fork.
CONTEXT: BaseContext = multiprocessing.get_context("spawn")


def start_context(fork_if_safe: bool = False) -> BaseContext:
    """The multiprocessing context for new workers.

    Spawned by default. With ``fork_if_safe``, forked when that is safe: on Linux, in a
    process with one thread (no other thread can hold a lock the child would inherit) that
    has not loaded MediaPipe. A forked worker starts with this process's imports instead of
    importing them again: ~0.3 s of a core less per worker, and no resource-tracker process
    (docs/PERFORMANCE.md). Callers holding a large analysis keep spawning: a forked child's
    RSS counts every page of its parent.
    """
    if fork_if_safe and _single_threaded() and "mediapipe" not in sys.modules:
        return multiprocessing.get_context("fork")
    return CONTEXT


def _single_threaded() -> bool:
    if not sys.platform.startswith("linux"):  # fork is unsafe on macOS; Windows has none
        return False
    try:
        return sum(1 for _ in Path("/proc/self/task").iterdir()) == 1
    except OSError:
        return False


@contextmanager
def worker_pool(
    workers: int,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    context: BaseContext = CONTEXT,
) -> Iterator[ProcessPoolExecutor]:
    """A process pool (spawned unless ``context`` says otherwise) whose workers are
    terminated if the block raises."""
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=initializer, initargs=initargs
    ) as pool:
        try:
            yield pool
        except BaseException:
            _terminate(pool)
            raise


def _terminate(pool: ProcessPoolExecutor) -> None:
    stop = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if stop is not None:
        stop()
        return
    processes = getattr(pool, "_processes", None) or {}  # before 3.14: no public way
    for proc in list(processes.values()):
        if proc.is_alive():
            proc.terminate()
    log.debug("stopped %d worker processes", len(processes))
