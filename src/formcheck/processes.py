"""Worker processes of one analysis (its landmarkers, its video pass).

They are spawned (a fresh interpreter), or forked when the caller allows it and forking is
safe (`start_context`). When the parent stops early (an error, or Ctrl-C sent to it alone),
its workers are stopped at once instead of being waited for: a worker tracking 5 minutes of
video would otherwise keep the command alive until its segment was done.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: ``progress(done, total)``: how many of ``total`` items (frames) are done.
ProgressFn = Callable[[int, int], None]

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


def usable_cores() -> int:
    """CPUs this process may use (the affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


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


def count_one(counter: Any) -> None:
    """Add one to a shared ``multiprocessing.Value`` counter (from any process or thread)."""
    with counter.get_lock():
        counter.value += 1


class CounterProgress:
    """Reports a shared counter (a ``multiprocessing.Value`` that workers add to) through
    ``progress`` every 0.25 s from a thread, and once more at the end."""

    def __init__(self, counter: Any, progress: ProgressFn | None, expected: int) -> None:
        self.counter, self.progress, self.expected = counter, progress, expected
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self._report()

    def _report(self) -> None:
        if self.progress:
            done = int(self.counter.value)
            self.progress(min(done, self.expected) if self.expected else done, self.expected)

    def __enter__(self) -> CounterProgress:
        if self.progress:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._report()
