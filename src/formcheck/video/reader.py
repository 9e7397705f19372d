"""Read frames with their real timestamps, streaming (never the whole clip in memory).

Timestamps come from the container (OpenCV's CAP_PROP_POS_MSEC, i.e. the frame's
presentation time), so variable-frame-rate phone clips keep true timing. Rotation
metadata is honoured (CAP_PROP_ORIENTATION_AUTO): frames are yielded upright and
``VideoInfo.width/height`` describe the upright frame.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import cv2
import numpy as np

from formcheck.errors import InputError
from formcheck.video.av_capture import AvCapture

log = logging.getLogger(__name__)

T = TypeVar("T")

#: A clip that yields fewer than this share of its announced frames is reported as truncated.
TRUNCATION_RATIO = 0.9


@dataclass(frozen=True)
class VideoInfo:
    """What a clip is: upright size in pixels, float frames per second, announced length."""

    source: str
    width: int
    height: int
    fps: float
    frame_count: int
    rotation_deg: int

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps if self.fps > 0 else 0.0


@dataclass(frozen=True)
class Frame:
    """One decoded frame: index from 0, presentation time in seconds, BGR uint8 image."""

    index: int
    timestamp_s: float
    image_bgr: np.ndarray


#: Frames whose long side is above this are scaled down as they are decoded, so every stage
#: (pose, plates, overlay, video) sees at most a 1280x720-sized picture, the size of every
#: labelled clip the pixel thresholds were measured on (../shared: 1280 at most). A 4K frame
#: is 24 MB, and the frames decoded and queued at full size took a 4K clip to 797 MB per
#: process (issue 17's bound: 400). Above it, PyAV decodes and scales in FFmpeg
#: (`formcheck.video.av_capture`); docs/PERFORMANCE.md, "Memory at 4K".
MAX_SIDE_PX = 1280


def fit_max_side(image: np.ndarray, max_side: int | None = None) -> np.ndarray:
    """``image`` scaled down (area interpolation) so its long side is at most ``max_side``
    (default `MAX_SIDE_PX`)."""
    max_side = max_side or MAX_SIDE_PX
    side = max(image.shape[:2])
    if side <= max_side:
        return image
    scale = max_side / side
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


class VideoReader:
    """Context manager over a video file or a camera index; iterate for `Frame`s.

    After iteration, ``frames_read`` and ``ended_early`` tell whether the file
    delivered fewer frames than its header announced (a truncated upload). Frames above
    `MAX_SIDE_PX` come out scaled down, and ``info`` gives the size they come out at.
    """

    def __init__(self, source: str | Path | int) -> None:
        self.source = source
        self._cap: cv2.VideoCapture | AvCapture | None = None
        self.frames_read = 0
        self._first: np.ndarray | None = None
        self.info = self._open()

    def _open(self) -> VideoInfo:
        if not isinstance(self.source, int):
            path = Path(self.source)
            if not path.exists():
                raise InputError(f"{path}: no such file")
            if path.is_dir():
                raise InputError(f"{path}: is a folder, not a video")
            if path.stat().st_size == 0:
                raise InputError(f"{path}: empty file")
            if not os.access(path, os.R_OK):
                raise InputError(f"{path}: permission denied (not readable by this user)")
        cap = cv2.VideoCapture(
            self.source if isinstance(self.source, int) else str(self.source),
            cv2.CAP_ANY,
        )
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        ok, first = cap.read() if cap.isOpened() else (False, None)
        if not ok or first is None:
            cap.release()
            raise InputError(f"{self.source}: not a readable video (no frame could be decoded)")
        self._cap, self._first = cap, fit_max_side(first)
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        if not np.isfinite(fps) or fps <= 0 or fps > 1000:
            log.warning("%s: no usable frame rate in the header; assuming 30 fps", self.source)
            fps = 30.0
        info = VideoInfo(
            source=str(self.source),
            width=int(self._first.shape[1]),
            height=int(self._first.shape[0]),
            fps=fps,
            frame_count=max(int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), 0),
            rotation_deg=int(cap.get(cv2.CAP_PROP_ORIENTATION_META)),
        )
        if not isinstance(self.source, int) and max(first.shape[:2]) > MAX_SIDE_PX:
            self._decode_large_with_pyav(Path(self.source), self._first.shape)  # header read
        return info

    def _decode_large_with_pyav(self, path: Path, shape: tuple[int, ...]) -> None:
        """Frames above MAX_SIDE_PX: decode with PyAV from here on, scaled in FFmpeg
        (`formcheck.video.av_capture`), when it gives the same first frame size; otherwise
        stay with OpenCV (and scale after it)."""
        try:
            av_cap = AvCapture(path, MAX_SIDE_PX)
            ok, first = av_cap.read()
        except Exception as exc:  # noqa: BLE001 - any PyAV failure: OpenCV still works
            log.info("%s: PyAV cannot decode it (%s); decoding with OpenCV", path, exc)
            return
        if not ok or first is None or first.shape != shape:
            av_cap.release()
            log.info("%s: PyAV's frames differ from OpenCV's; decoding with OpenCV", path)
            return
        if self._cap is not None:
            self._cap.release()  # OpenCV's, which read the header and the first frame
        self._cap, self._first = av_cap, first

    def __iter__(self) -> Iterator[Frame]:
        return self._iterate(1)

    def _iterate(self, step: int) -> Iterator[Frame]:
        """Frames whose index is a multiple of ``step``; the others are grabbed only (decoded
        by FFmpeg, never converted to BGR), and still counted in ``frames_read``."""
        cap = self._cap
        if cap is None:
            raise RuntimeError("VideoReader is closed")
        last_t = -np.inf
        image = self._first
        try:
            while image is not None:
                t = self._timestamp(cap, self.frames_read, last_t)
                yield Frame(self.frames_read, t, image)
                self.frames_read += 1
                last_t = t
                image = None
                while self.frames_read % step and cap.grab():
                    self.frames_read += 1
                if self.frames_read % step == 0:
                    ok, nxt = cap.read()
                    image = fit_max_side(nxt) if ok and nxt is not None else None
        finally:
            self._first = None
            self.close()

    def frames(self, start: int = 0, stop: int | None = None, step: int = 1) -> Iterator[Frame]:
        """Frames ``start`` to ``stop - 1`` whose index is a multiple of ``step``, indexed as
        in plain iteration (frame k here is frame k of the analysis). The frames skipped are
        only grabbed, never converted, so a worker starting mid-clip, or analysing one frame
        in k, skips cheaply; timestamps stay the container's. ``start`` may not be before
        where the reader already is (see `skip_to`)."""
        if not self.skip_to(-(-start // step) * step):  # the first multiple of step
            return
        for frame in self._iterate(step):
            if stop is not None and frame.index >= stop:
                break
            yield frame

    def skip_to(self, index: int) -> bool:
        """Move forward to frame ``index`` by grabbing the frames before it (decoded, never
        converted); False, and the reader closed, when the stream ends first."""
        cap = self._cap
        if cap is None:
            raise RuntimeError("VideoReader is closed")
        if index < self.frames_read:
            raise ValueError(f"cannot go back from frame {self.frames_read} to {index}")
        if index > self.frames_read:
            self._first = None
            self.frames_read += 1  # the frame held is passed
            while self.frames_read < index and cap.grab():
                self.frames_read += 1
            ok, image = cap.read() if self.frames_read == index else (False, None)
            if not ok or image is None:
                self.close()
                return False
            self._first = fit_max_side(image)
        return True

    def _timestamp(self, cap: cv2.VideoCapture | AvCapture, index: int, last_t: float) -> float:
        msec = cap.position_msec() if isinstance(cap, AvCapture) else cap.get(cv2.CAP_PROP_POS_MSEC)
        t = float(msec) / 1000.0
        if not np.isfinite(t) or t <= last_t:  # backend without pts, or a duplicate pts
            t = last_t + 1.0 / self.info.fps if np.isfinite(last_t) else index / self.info.fps
        return t

    @property
    def ended_early(self) -> bool:
        expected = self.info.frame_count
        return expected > 0 and self.frames_read < TRUNCATION_RATIO * expected

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def prefetched(frames: Iterator[T], depth: int = 4) -> Iterator[T]:
    """``frames`` (or anything made from them), decoded ahead in a thread (OpenCV and PyAV
    release the GIL while they decode), so decoding overlaps whatever the consumer does with
    each frame. At most ``depth`` items wait in memory; errors in the decoding thread are
    raised here."""
    q: queue.Queue[T | BaseException | None] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: T | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for frame in frames:
                if not put(frame):
                    return
            put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put(exc)

    thread = threading.Thread(target=run, name="formcheck-decode", daemon=True)
    thread.start()
    try:
        while (item := q.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)
