"""Handing freed heap memory back to the system between the stages of a long analysis."""

from __future__ import annotations

import ctypes


def return_freed_memory() -> None:
    """Hand the heap pages freed so far back to the system (glibc keeps them otherwise, and
    the stages that follow stack on top): after the landmarkers close, and before waiting on
    the video process. Not everywhere: whatever reuses those pages faults them in again
    (docs/PERFORMANCE.md measures both). A no-op where malloc_trim does not exist."""
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
