"""A lifter too small for the pose detector: look again in zoomed tiles, then track in a crop.

MediaPipe's pose detector sees the whole frame shrunk to 224x224, where a lifter a quarter of a
wide frame's height is a few dozen pixels tall and is not found ("no person found"). When the
whole frame shows nobody, the backend looks again in `tiles` (half the frame's width and
height, overlapping by half: the lifter at twice the size) and, once someone is found, tracks
them in a `Crop` that follows them: the frame's aspect, ``CROP_MARGIN`` times their extent,
re-centred when they drift from its middle. The geometry lives here; the model calls in
`formcheck.pose.mediapipe_backend`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.landmarks.names import Landmark
from formcheck.landmarks.quality import extent_px

#: Tiles are the frame shrunk by this factor in each direction (the lifter looks this much bigger).
TILE_ZOOM = 2.0
#: A crop spans this many times the lifter's extent (landmarks' bounding box) ...
CROP_MARGIN = 2.0
#: ... but never less than this share of the frame's width (at most 1/0.25 = 4x zoom).
MIN_CROP_SHARE = 0.25
#: The crop is re-centred when the lifter's centre drifts this share of its size from its middle.
RECENTRE_SHARE = 0.15
#: A lifter whose landmarks span less than this share of the frame's longer side is small
#: (a quarter-size lifter: 0.10-0.11; every shared clip: 0.24 or more). Only a small lifter
#: is tracked in a window: a bigger one the whole frame lost for another reason (a hidden
#: head, a camera cut) is found there again.
SMALL_SHARE = 0.2
#: Of several people, only one whose shoulders-to-hips line is within this many degrees of
#: level is taken for the lifter (hip-thrust trunks: up to 52 deg at the bottom, on a bench
#: seen from the side; someone standing: 90).
LYING_MAX_DEG = 65.0


@dataclass(frozen=True)
class Crop:
    """A window of the frame (pixels): its top-left corner and size."""

    x0: int
    y0: int
    w: int
    h: int

    def cut(self, image: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(image[self.y0 : self.y0 + self.h, self.x0 : self.x0 + self.w])

    def to_frame(self, xy_norm: np.ndarray) -> np.ndarray:
        """Landmarks normalised to the crop (0-1) -> frame pixels."""
        return xy_norm * np.array([self.w, self.h], dtype=float) + np.array([self.x0, self.y0])


def tiles(width: int, height: int, zoom: float = TILE_ZOOM) -> list[Crop]:
    """Overlapping windows 1/zoom of the frame in each direction, half a window apart, the
    middle one first (a lifter is usually filmed near the centre)."""
    w, h = round(width / zoom), round(height / zoom)
    xs = np.unique(np.linspace(0, width - w, max(1, round(2 * zoom - 1))).round().astype(int))
    ys = np.unique(np.linspace(0, height - h, max(1, round(2 * zoom - 1))).round().astype(int))
    out = [Crop(int(x), int(y), w, h) for y in ys for x in xs]
    centre = np.array([width / 2, height / 2])
    return sorted(out, key=lambda c: float(np.linalg.norm([c.x0 + w / 2, c.y0 + h / 2] - centre)))


def crop_around(xy: np.ndarray, width: int, height: int, keep_aspect: bool = True) -> Crop:
    """A window around the landmarks ``xy`` (frame pixels), CROP_MARGIN times their extent,
    inside the frame: of the frame's aspect (a small lifter, zoomed), or with ``keep_aspect``
    False of the lifter's own (one of several people, cut out of the others' panels)."""
    lo, hi = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
    aspect = width / height
    if not keep_aspect:
        size = np.maximum(CROP_MARGIN * (hi - lo), MIN_CROP_SHARE * np.array([width, height]))
        w, h = (int(round(min(v, lim))) for v, lim in zip(size, (width, height), strict=True))
        return _centred((lo + hi) / 2, w, h, width, height)
    extent = CROP_MARGIN * max(hi[0] - lo[0], (hi[1] - lo[1]) * aspect)
    w = int(round(min(width, max(extent, MIN_CROP_SHARE * width))))
    h = int(round(min(height, w / aspect)))
    return _centred((lo + hi) / 2, w, h, width, height)


def strips(width: int, height: int) -> list[Crop]:
    """Half the frame in one direction, all of it in the other, at three positions each way:
    where the people of stacked or side-by-side panels, too small for the detector in the
    whole frame, are found whole (a square tile would cut a lying lifter in two)."""
    w, h = width // 2, height // 2
    rows = [Crop(0, y, width, h) for y in (0, (height - h) // 2, height - h)]
    cols = [Crop(x, 0, w, height) for x in (0, (width - w) // 2, width - w)]
    return rows + cols


def pick_lifter(poses: list[np.ndarray], width: int, height: int) -> int | None:
    """Of several people (landmarks in frame pixels), the lifter: lying down (shoulders to
    hips within LYING_MAX_DEG of level: a bystander stands), and of those the one nearest the
    middle of the picture (the camera is pointed at the lifter; in stacked panels, the middle
    panel). None when nobody lies down."""
    best, best_d = None, np.inf
    for k, xy in enumerate(poses):
        shoulders = np.nanmean(xy[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]], axis=0)
        hips = np.nanmean(xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]], axis=0)
        dx, dy = np.abs(hips - shoulders)
        if not np.degrees(np.arctan2(dy, dx)) <= LYING_MAX_DEG:
            continue
        centre = (np.nanmin(xy, axis=0) + np.nanmax(xy, axis=0)) / 2
        d = float(np.linalg.norm((centre - [width / 2, height / 2]) / [width, height]))
        if d < best_d:
            best, best_d = k, d
    return best


def holds(xy: np.ndarray, point: np.ndarray) -> bool:
    """Whether ``point`` (frame pixels) lies in the bounding box of the landmarks ``xy``."""
    lo, hi = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
    return bool(np.all(point >= lo) and np.all(point <= hi))


def is_small(xy: np.ndarray, width: int, height: int) -> bool:
    """Whether the lifter whose landmarks are ``xy`` (frame pixels) is small in the frame."""
    return bool(extent_px(xy) < SMALL_SHARE * max(width, height))


def follow(crop: Crop, xy: np.ndarray, width: int, height: int, keep_aspect: bool = True) -> Crop:
    """The crop for the next frame: the same unless the lifter has drifted from its middle or
    grown past it (then a new one around them, see `crop_around`)."""
    lo, hi = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
    mid = np.array([crop.x0 + crop.w / 2, crop.y0 + crop.h / 2])
    drift = np.abs((lo + hi) / 2 - mid) / np.array([crop.w, crop.h])
    too_big = (hi - lo)[0] > crop.w / CROP_MARGIN * 1.25 or (hi - lo)[
        1
    ] > crop.h / CROP_MARGIN * 1.25
    if drift.max() > RECENTRE_SHARE or too_big:
        return crop_around(xy, width, height, keep_aspect)
    return crop


def _centred(centre: np.ndarray, w: int, h: int, width: int, height: int) -> Crop:
    x0 = int(round(min(max(centre[0] - w / 2, 0), width - w)))
    y0 = int(round(min(max(centre[1] - h / 2, 0), height - h)))
    return Crop(x0, y0, w, h)
