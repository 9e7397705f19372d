"""Handing freed heap memory back to the system between the stages of a long analysis."""

from __future__ import annotations

import ctypes


def return_freed_memory() -> None:
    """Hand the heap pages freed so far back to the system (glibc keeps them otherwise, and
    the stages that follow stack on top): after the landmarkers close (-37 MB peak RSS on a
    1-minute 1080p clip, -105 MB on 10 minutes) and once the segments' frames are stitched.
    A no-op where malloc_trim does not exist."""
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
