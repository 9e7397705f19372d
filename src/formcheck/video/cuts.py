"""Camera cuts, the video side: how much each frame's picture changed from the one before.

The change is 1 minus the correlation of two consecutive frames' grey thumbnails
(``THUMB_W`` pixels wide, each less its mean and scaled to unit length): 0 for the same
picture, ~0.001 for a tripod clip, up to ~0.07 while a handheld phone moves, and 0.1-1 at a
cut (queen__frog-pump's cut between two dark night shots: 0.098, 220 times the frames around
it). PySceneDetect's content value (mean hue, saturation and brightness change) scored that
cut 7 against 4 for ordinary handheld motion, so it is not used; nor is PySceneDetect
itself, which requires the opencv-python wheel beside mediapipe's opencv-contrib-python (one
cv2 folder). Which changes are cuts is decided in `formcheck.analysis.shots`. ~0.5 ms a frame.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

#: Width in pixels of the thumbnail compared frame to frame.
THUMB_W = 64
#: Frames are first subsampled to about this many times the thumbnail's width, then averaged
#: down (INTER_AREA over a whole 1080p frame took 7 ms; this takes 0.5 ms).
PRE_STRIDE = 4


class ContentChange:
    """``change(image)`` per frame in order: the picture's change from the previous frame
    (NaN for the first frame, a frame of another size, or no image); a uniform frame (a
    black card) has no structure and counts as fully changed from and to anything."""

    def __init__(self) -> None:
        self._prev: np.ndarray | None = None
        self._started = False

    def __call__(self, image_bgr: np.ndarray | None) -> float:
        if image_bgr is None or image_bgr.size == 0:
            self._prev, self._started = None, False
            return math.nan
        h, w = image_bgr.shape[:2]
        size = (THUMB_W, max(1, round(THUMB_W * h / w)))
        step = max(1, w // (PRE_STRIDE * THUMB_W))  # every k-th pixel first: 15x faster at 1080p
        small = cv2.resize(image_bgr[::step, ::step], size, interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
        grey -= grey.mean()
        norm = float(np.linalg.norm(grey))
        unit = grey / norm if norm > 1e-3 else None
        prev, started = self._prev, self._started
        self._prev, self._started = unit, True
        if not started or (prev is not None and unit is not None and prev.shape != unit.shape):
            return math.nan
        if prev is None or unit is None:
            return 0.0 if prev is None and unit is None else 1.0
        return float(1.0 - np.sum(prev * unit))
