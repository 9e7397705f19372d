"""Plain-language warnings about what the camera saw: several people, the lifter
out of frame or out of sight for a while."""

from __future__ import annotations

import warnings

import numpy as np

from formcheck.landmarks.clean import runs
from formcheck.landmarks.names import Landmark
from formcheck.landmarks.series import PoseSeries

#: Share of frames with a second person that is worth a warning.
SEVERAL_PEOPLE_SHARE = 0.1
#: A gap in detection at least this long is reported.
LOST_MIN_S = 0.5
#: Key joints outside the frame for this share of frames is reported.
OUT_OF_FRAME_SHARE = 0.2

_KEY = (
    Landmark.LEFT_ANKLE,
    Landmark.RIGHT_ANKLE,
    Landmark.LEFT_SHOULDER,
    Landmark.RIGHT_SHOULDER,
    Landmark.LEFT_KNEE,
    Landmark.RIGHT_KNEE,
)


def check_people(series: PoseSeries) -> list[str]:
    out = []
    several = float(np.mean(series.n_people > 1))
    if several >= SEVERAL_PEOPLE_SHARE:
        out.append(
            f"several people seen in {several:.0%} of frames; analysed one lifter throughout, "
            "the one lying nearest the middle of the picture (crop the video to analyse another)"
        )
    t = series.timestamps_s
    lost = [(t[a], t[min(b, len(t) - 1)]) for a, b in runs(~series.detected)]
    lost = [(a, b) for a, b in lost if b - a >= LOST_MIN_S]
    if lost:
        spans = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in lost[:3])
        out.append(f"the lifter was out of sight at {spans}")
    w, h = series.image_size
    xy = series.xy_px[:, list(_KEY)]
    with np.errstate(invalid="ignore"):
        outside = (xy[..., 0] < 0) | (xy[..., 0] > w) | (xy[..., 1] < 0) | (xy[..., 1] > h)
    seen = np.asarray(outside.any(axis=1))[series.detected]
    share = float(np.mean(seen)) if seen.size else 0.0
    if share >= OUT_OF_FRAME_SHARE:
        out.append(
            f"shoulders, knees or feet were out of frame in {share:.0%} of frames; "
            "step back or move the camera so the whole body is seen"
        )
    return out


def extent_px(xy: np.ndarray) -> np.ndarray:
    """How big a pose is in the picture: the longer side of its landmarks' bounding box, in
    pixels; ``xy`` is one frame's (33, 2) or a clip's (T, 33, 2) (NaN where nobody)."""
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames stay NaN
        sides = np.nanmax(xy, axis=-2) - np.nanmin(xy, axis=-2)
        return np.asarray(np.nanmax(sides, axis=-1))


def body_extent_px(series: PoseSeries) -> float:
    """How big the lifter is in the picture: the median over frames of `extent_px`, in
    pixels (NaN when nobody was seen)."""
    longer = extent_px(series.xy_px[series.detected])
    return float(np.nanmedian(longer)) if np.isfinite(longer).any() else float("nan")
