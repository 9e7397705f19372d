"""One batch at a time per output folder: an exclusive lock on ``OUT/.formcheck-batch.lock``.

A second ``formcheck batch`` into the same folder stops at once with one line instead of
cleaning up the first run's work in progress. The lock is the operating system's (``flock``),
so a run killed with kill -9 leaves no stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from formcheck.errors import BatchBusyError

LOCK_FILE = ".formcheck-batch.lock"


@contextmanager
def batch_lock(out: Path) -> Iterator[None]:
    """Hold the output folder's lock for the duration of the block (``out`` must exist)."""
    path = out / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise BatchBusyError(
                f"{out}: another formcheck batch (pid {holder}) is writing here; wait for it "
                "to finish or choose another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
