"""Which way the camera sees the lifter, and which body side is nearest.

The view comes from how far apart the left and right hips and shoulders appear
against the torso's length (``width_ratio``): about 0 in a pure side view,
growing as the camera turns towards the feet or the head, above 1 when the torso
is foreshortened. MediaPipe guesses hidden far-side joints close to the near
ones, so the ratio is compressed (a 25-degree oblique measures ~0.1, a 45-degree
one ~0.35-0.4); the thresholds (`formcheck.config.ViewConfig`) were read off the shared
labelled clips.

In a side view of someone lying face up, the head pointing to the image left
means their right side faces the camera (and vice versa): ``near_side`` is in
MediaPipe's left/right terms as if the clip were unmirrored. Sagittal metrics
use ``metric_side``: the side MediaPipe sees best (its landmarks sit on the
visible limb), or the working leg of a single-leg set.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from formcheck.analysis.metrics import nanmedian, point
from formcheck.config import ViewConfig
from formcheck.landmarks.names import Side, joint
from formcheck.landmarks.series import PoseSeries
from formcheck.results.measures import View, ViewKind

_LEG = ("hip", "knee", "ankle")


def classify_view(series: PoseSeries, cfg: ViewConfig, working_leg: Side | None = None) -> View:
    """The clip's view, from the median over frames where a person was seen."""
    xy = series.xy_px
    torso = np.linalg.norm(point(xy, "shoulder", None) - point(xy, "hip", None), axis=-1)
    hip_w = np.linalg.norm(xy[:, joint("hip", "left")] - xy[:, joint("hip", "right")], axis=-1)
    sh_w = np.linalg.norm(
        xy[:, joint("shoulder", "left")] - xy[:, joint("shoulder", "right")], axis=-1
    )
    ratio = nanmedian((hip_w + sh_w) / 2.0 / torso)
    head_dx = nanmedian(point(xy, "shoulder", None)[:, 0] - point(xy, "hip", None)[:, 0])
    head_dir: Literal["left", "right"] = "left" if head_dx < 0 else "right"
    if not np.isfinite(ratio) or ratio >= cfg.front_min_ratio:
        # Filmed from above the body, what is nearer the camera sits lower in the picture:
        # from the head the shoulders are below the hips, from the feet above them (the
        # world landmarks' depth was wrong on both rendered views from the head, whose feet
        # hide behind the knees)
        below = nanmedian(point(xy, "shoulder", None)[:, 1] - point(xy, "hip", None)[:, 1])
        if not np.isfinite(below):
            w = series.world_xyz_m
            below = nanmedian(point(w, "ankle", None)[:, 2] - point(w, "shoulder", None)[:, 2])
        kind: ViewKind = "head" if below > 0 else "front"
        return View(kind, ratio, None, None, None)
    kind = "side" if ratio < cfg.side_max_ratio else "oblique"
    near: Side = "right" if head_dir == "left" else "left"
    return View(kind, ratio, head_dir, near, working_leg or best_seen_side(series))


def best_seen_side(series: PoseSeries) -> Side:
    """The side whose hip, knee and ankle MediaPipe rates most visible."""
    vis = {
        s: nanmedian(series.visibility[:, [joint(j, s) for j in _LEG]]) for s in ("left", "right")
    }
    return "left" if vis["left"] >= vis["right"] else "right"


def ankle_dy(series: PoseSeries) -> np.ndarray:
    """(T,) left-minus-right ankle height in the image, in torso lengths (positive = left lower)."""
    xy = series.xy_px
    torso = np.linalg.norm(point(xy, "shoulder", None) - point(xy, "hip", None), axis=-1)
    return (xy[:, joint("ankle", "left"), 1] - xy[:, joint("ankle", "right"), 1]) / torso


def planted_leg(dy: np.ndarray, cfg: ViewConfig) -> Side | None:
    """The planted leg when one foot stays clearly up over these frames of ``ankle_dy``."""
    median = nanmedian(dy)
    if not abs(median) >= cfg.single_leg_min_gap:
        return None
    return "left" if median > 0 else "right"  # image y grows downwards


def working_leg(series: PoseSeries, cfg: ViewConfig) -> Side | None:
    """The planted leg of a single-leg set (the lower ankle), None when both feet are down."""
    return planted_leg(ankle_dy(series), cfg)
