"""Worker processes of one analysis (its landmarkers, its video pass).

They are spawned, not forked: a parent holding MediaPipe's threads cannot be forked safely.
When the parent stops early (an error, or Ctrl-C sent to it alone), its workers are stopped
at once instead of being waited for: a worker tracking 5 minutes of video would otherwise
keep the command alive until its segment was done.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

#: The start method of every worker process.
CONTEXT = multiprocessing.get_context("spawn")


@contextmanager
def worker_pool(
    workers: int,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[ProcessPoolExecutor]:
    """A spawned process pool whose workers are terminated if the block raises."""
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=CONTEXT, initializer=initializer, initargs=initargs
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
