"""Worker processes stop with the analysis that started them (formcheck.processes)."""

from __future__ import annotations

import os
import time

import pytest

from formcheck.processes import worker_pool


def test_workers_are_terminated_when_the_parent_stops_early() -> None:
    """An error (or Ctrl-C) in this process ends a worker busy for a minute at once, instead
    of waiting for its task."""
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt), worker_pool(1) as pool:
        pid = pool.submit(os.getpid).result(timeout=60)
        pool.submit(time.sleep, 60)
        raise KeyboardInterrupt
    assert time.perf_counter() - start < 20
    with pytest.raises(ProcessLookupError):  # reaped: the worker is gone
        os.kill(pid, 0)


def test_workers_finish_their_tasks_when_nothing_goes_wrong() -> None:
    with worker_pool(2) as pool:
        futures = [pool.submit(pow, k, 2) for k in range(6)]
    assert [f.result() for f in futures] == [0, 1, 4, 9, 16, 25]
