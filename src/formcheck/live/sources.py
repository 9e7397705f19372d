"""Frame sources for live coaching: a camera, or a file played as if it were one.

A live source never queues: a reader thread keeps only the newest frame, and the
consumer (pose) always gets the freshest one, so a slow consumer drops frames
instead of falling behind. ``FileSource(every_frame=True)`` is the exception used to
test and measure: every frame, in order, as fast as the consumer takes them.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol

import cv2
import numpy as np

from formcheck.errors import CameraError
from formcheck.video.reader import VideoReader, fit_max_side

log = logging.getLogger(__name__)

#: A camera that delivers no frame for this long is treated as unplugged.
CAMERA_LOST_S = 2.0


@dataclass(frozen=True)
class Captured:
    """One frame: source index, source time (s), perf_counter when it arrived, BGR image."""

    index: int
    t_s: float
    arrived: float
    image: np.ndarray


class FrameSource(Protocol):
    width: int
    height: int
    fps: float

    @property
    def dropped(self) -> int:
        """Frames that arrived while an unread one was waiting (replaced, never analysed)."""
        ...

    def next(self, timeout: float = 5.0) -> Captured | None:
        """The freshest frame not yet returned; None when the source has ended.

        Raises `CameraError` when a camera stops delivering frames.
        """
        ...

    def close(self) -> None: ...


class _Latest:
    """A one-frame mailbox: ``put`` replaces (counting the unread frame as dropped)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: Captured | None = None
        self._ended = False
        self.error: Exception | None = None
        self.dropped = 0

    def put(self, item: Captured) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify()

    def end(self, error: Exception | None = None) -> None:
        with self._cond:
            self._ended, self.error = True, error
            self._cond.notify()

    def take(self, timeout: float) -> Captured | None:
        """The newest frame; None once the source has ended and nothing is left."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._item is not None or self._ended, timeout):
                raise CameraError(f"no frame for {timeout:.0f} s")
            item, self._item = self._item, None
            if item is None and self.error is not None:
                raise self.error
            return item


class _Threaded:
    """Shared part of the thread-backed sources."""

    width: int
    height: int
    fps: float

    def __init__(self) -> None:
        self._box = _Latest()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="formcheck-capture", daemon=True)

    def _run(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def dropped(self) -> int:
        return self._box.dropped

    def next(self, timeout: float = 5.0) -> Captured | None:
        return self._box.take(timeout)

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)

    def __enter__(self) -> _Threaded:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class CameraSource(_Threaded):
    """OpenCV camera ``index``; frames are timed from the moment the camera opened."""

    def __init__(self, index: int, capture: cv2.VideoCapture | None = None) -> None:
        super().__init__()
        cap = capture if capture is not None else cv2.VideoCapture(index)
        ok, first = cap.read() if cap.isOpened() else (False, None)
        if not ok or first is None:
            cap.release()
            raise CameraError(
                f"camera {index}: cannot be opened (no camera, or another program is using it)"
            )
        self.index = index
        self._cap = cap
        first = fit_max_side(first)  # as a file's frames: at most MAX_SIDE_PX
        self.height, self.width = first.shape[:2]
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        self.fps = fps if np.isfinite(fps) and 1 <= fps <= 240 else 30.0
        self._t0 = time.perf_counter()
        self._box.put(Captured(0, 0.0, self._t0, first))
        self._thread.start()

    def _run(self) -> None:
        k, last_ok = 0, time.perf_counter()
        try:
            while not self._stop.is_set():
                ok, img = self._cap.read()
                now = time.perf_counter()
                if ok and img is not None:
                    k, last_ok = k + 1, now
                    self._box.put(Captured(k, now - self._t0, now, fit_max_side(img)))
                elif now - last_ok > CAMERA_LOST_S:
                    self._box.end(
                        CameraError(f"camera {self.index}: stopped delivering frames (unplugged?)")
                    )
                    return
                else:
                    time.sleep(0.01)
            self._box.end()
        finally:
            self._cap.release()


class FileSource(_Threaded):
    """A video file played as a camera: each frame is released at its own time (real-time
    pacing from the first ``next``, when the consumer is ready); frames the consumer is too
    slow for are dropped.

    The clip starts playing when it is first asked for a frame, not when it is opened: the
    pose model loads in between (1-3 s on a cold machine), and a clip already playing would
    lose its first seconds, often the first rep's start, to that wait.

    ``every_frame=True`` releases every frame in order without pacing (tests, measurements).
    """

    def __init__(self, path: str | Path, *, every_frame: bool = False) -> None:
        super().__init__()
        self._reader = VideoReader(path)  # raises InputError with one line
        info = self._reader.info
        self.width, self.height, self.fps = info.width, info.height, info.fps
        self.every_frame = every_frame
        self._frames = iter(self._reader)
        self._t0 = math.nan

    def next(self, timeout: float = 5.0) -> Captured | None:
        if not self.every_frame:
            if not self._thread.is_alive() and math.isnan(self._t0):
                self._t0 = time.perf_counter()
                self._thread.start()
            return super().next(timeout)
        frame = next(self._frames, None)
        if frame is None:
            return None
        return Captured(frame.index, frame.timestamp_s, time.perf_counter(), frame.image_bgr)

    def _run(self) -> None:
        try:
            t_first: float | None = None
            for frame in self._frames:
                if self._stop.is_set():
                    break
                t_first = frame.timestamp_s if t_first is None else t_first
                due = self._t0 + (frame.timestamp_s - t_first)
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                self._box.put(
                    Captured(frame.index, frame.timestamp_s, time.perf_counter(), frame.image_bgr)
                )
            self._box.end()
        except Exception as exc:  # noqa: BLE001 - handed to the consumer thread
            self._box.end(exc)

    def close(self) -> None:
        super().close()
        self._reader.close()
