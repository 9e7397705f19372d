"""Handing freed heap memory back to the system between the stages of a long analysis."""

from __future__ import annotations

import ctypes


def return_freed_memory() -> None:
    """Hand the heap pages freed so far back to the system (glibc keeps them otherwise, and
    the stages that follow stack on top): after the landmarkers close (-37 MB peak RSS on a
    1-minute 1080p clip, -105 MB on 10 minutes), and before waiting on the video process.

    Not everywhere: whatever reuses those pages faults them in again. Before an in-process
    video pass it cost ~0.35 s on the 960x540 sample (3.32 against 2.96 s, medians of 4), and
    once the segments were stitched it saved 3 MB for ~0.2 s. A no-op where malloc_trim does
    not exist."""
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
