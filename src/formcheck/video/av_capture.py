"""Decoding large frames with PyAV, scaled down inside FFmpeg (`formcheck.video.reader`).

OpenCV's FFmpeg backend converts every decoded frame to a full-size BGR array before anything
can scale it: decoding a 4K clip alone peaks 139-163 MB above ``import cv2``. PyAV with slice
threads, scaling each frame in swscale as it converts, never builds a 4K BGR frame and peaks
61 MB above its imports, decoding faster too (docs/PERFORMANCE.md, "Memory at 4K"). This is
the small part of `cv2.VideoCapture` that `VideoReader` uses (read, grab, the position in
ms, release), for the clips whose frames are above `reader.MAX_SIDE_PX`; frames come out
upright (the display matrix's rotation applied, as OpenCV's ORIENTATION_AUTO does) and
scaled so their long side is at most ``max_side``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

log = logging.getLogger(__name__)


class AvCapture:
    def __init__(self, path: Path, max_side: int) -> None:
        self._container = av.open(str(path))
        stream = self._container.streams.video[0]
        stream.thread_type = "SLICE"  # frame threads keep more frames alive (175 MB at 4K)
        self._start = stream.start_time or 0
        self._base = float(stream.time_base) if stream.time_base else 0.0
        self._frames: Iterator[av.VideoFrame] = self._container.decode(stream)
        self._max_side = max_side
        self._msec = 0.0

    def _next(self) -> av.VideoFrame | None:
        try:
            frame = next(self._frames, None)
        except av.FFmpegError as exc:  # damaged data mid-stream: the clip ends here
            log.info("decoding stopped: %s", exc)
            return None
        if frame is not None and frame.pts is not None:
            self._msec = 1000.0 * (frame.pts - self._start) * self._base
        return frame

    def grab(self) -> bool:
        """Decode the next frame without converting it."""
        return self._next() is not None

    def read(self) -> tuple[bool, np.ndarray | None]:
        frame = self._next()
        if frame is None:
            return False, None
        return True, upright_bgr(frame, self._max_side)

    def position_msec(self) -> float:
        return self._msec

    def release(self) -> None:
        self._container.close()


def upright_bgr(frame: av.VideoFrame, max_side: int) -> np.ndarray:
    """A decoded frame as BGR, upright (the display matrix's rotation applied, as OpenCV's
    ORIENTATION_AUTO does) and scaled so its long side is at most ``max_side``."""
    turns = int(round((frame.rotation or 0) / 90.0)) % 4
    scale = min(1.0, max_side / max(frame.width, frame.height))
    size = (round(frame.width * scale), round(frame.height * scale))  # as fit_max_side
    image: np.ndarray = frame.to_ndarray(
        format="bgr24", width=size[0], height=size[1], interpolation="AREA"
    )
    if turns:  # frame.rotation -90: a quarter turn clockwise
        image = np.ascontiguousarray(np.rot90(image, turns))
    return image


def frames_at(
    path: Path, times_s: list[float], max_side: int
) -> Iterator[tuple[float, np.ndarray]]:
    """The frames shown at ``times_s`` (seconds from the clip's start, as `VideoReader`
    gives them), as (time, frame) in time order, found by seeking to the key frame before
    each and decoding from there: a few frames each instead of the whole clip. One frame is
    held at a time (a long set's 100 lockouts at 1280x720 would be 280 MB). Times past the
    end are left out."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "SLICE"
        start = stream.start_time or 0
        base = float(stream.time_base) if stream.time_base else 0.0
        if base <= 0:
            raise ValueError(f"{path}: no time base")
        rate = float(stream.average_rate or 30)
        for t in sorted(set(times_s)):
            container.seek(start + int(t / base), stream=stream, backward=True)
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                if (frame.pts - start) * base >= t - 0.5 / rate:
                    yield t, upright_bgr(frame, max_side)
                    break
