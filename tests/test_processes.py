"""Worker processes stop with the analysis that started them (formcheck.processes)."""

from __future__ import annotations

import os
import sys
import time

import pytest
from fresh import run_python

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


def test_workers_fork_only_when_that_is_safe() -> None:
    """Forked on Linux from a process with one thread that has not loaded MediaPipe; spawned
    otherwise, and whenever the caller does not allow forking."""
    out = run_python(
        """
        import sys, threading, types
        from formcheck.processes import start_context
        print(start_context().get_start_method())
        print(start_context(fork_if_safe=True).get_start_method())
        sys.modules["mediapipe"] = types.ModuleType("mediapipe")
        print(start_context(fork_if_safe=True).get_start_method())
        del sys.modules["mediapipe"]
        print(start_context(fork_if_safe=True).get_start_method())
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        print(start_context(fork_if_safe=True).get_start_method())
        stop.set()
        thread.join()
        """,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    fork = "fork" if sys.platform.startswith("linux") else "spawn"
    assert out.split() == ["spawn", fork, "spawn", fork, "spawn"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux only")
def test_forked_workers_finish_their_tasks_and_are_terminated_on_an_error() -> None:
    out = run_python(
        """
        import os, time
        from formcheck.processes import start_context, worker_pool
        context = start_context(fork_if_safe=True)
        assert context.get_start_method() == "fork"
        with worker_pool(2, context=context) as pool:
            print(sorted(pool.map(pow, range(4), [2] * 4)))
        start = time.perf_counter()
        try:
            with worker_pool(1, context=context) as pool:
                pid = pool.submit(os.getpid).result(timeout=60)
                pool.submit(time.sleep, 60)
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            pass
        print(time.perf_counter() - start < 20)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            print("reaped")
        """,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    assert out.splitlines() == ["[0, 1, 4, 9]", "True", "reaped"]
