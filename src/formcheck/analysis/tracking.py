"""How well the lifter was tracked: the gate before any verdict (thresholds:
`formcheck.config.TrackingConfig`).

A frame's skeleton is implausible when a segment of the metric side (trunk shoulder-hip,
thigh hip-knee, shin knee-ankle) is more than ``max_length_log`` (in log ratio: 1.42x longer or
0.70x shorter) off its median length over the ``length_window_s`` around it: limbs do not change
length, and a lifter turning a little in a set changes them by a few percent (every clean clip
of ../shared stays under 0.12 at the 90th percentile). The median is local, so a camera
zooming or cutting to another shot, which changes every length at once, is not taken for bad
tracking once the new scale has held for a while. Implausible skeletons come when the model
loses the lifter: a plate over the head and shoulders at the top (kinkatsu__hip_thrust: 60% of
its top frames), the lite model merging the legs of a single-leg set.

A rep whose top (``top_window_s`` either side of its lockout frame) has implausible skeletons
in at least ``max_bad_share`` of its frames is not judged on any fault: "tracking unreliable".
A clip with implausible skeletons in ``unreliable_clip_share`` of the frames where someone was
seen counts no rep at all (status ``tracking_unreliable``) rather than invent them.

Only side and oblique views are gated: seen from the feet or the head the thighs and trunk
foreshorten as the hips rise, so their lengths change with the movement itself.
"""

from __future__ import annotations

import numpy as np

from formcheck.analysis.metrics import nanmedian, point
from formcheck.analysis.view import View
from formcheck.config import TrackingConfig
from formcheck.landmarks.clean import frame_rate
from formcheck.landmarks.series import PoseSeries
from formcheck.results import NotJudged, Unjudged

#: Segments whose lengths must hold over the set.
SEGMENTS = (("shoulder", "hip"), ("hip", "knee"), ("knee", "ankle"))
#: The rolling median is evaluated this often (s) and interpolated between (its cost, not a
#: threshold: the median moves slowly).
_MEDIAN_STEP_S = 0.25


def segment_error(
    series: PoseSeries, view: View, cfg: TrackingConfig, hip_hidden: np.ndarray | None = None
) -> np.ndarray:
    """(T,) the largest |log(length / local median length)| over `SEGMENTS` on the view's
    metric side; NaN where unseen; 0 in front and head views (not gated).

    Where ``hip_hidden`` (a plate over the hip, `formcheck.analysis.load`), the segments
    ending at the hip are left out: the hip there is the model's guess, already known and
    not judged on, and its wandering says nothing of how well the rest is tracked (on a
    rendered barbell set it made two clean reps' tops "tracking unreliable").
    """
    if not view.sagittal:
        return np.zeros(len(series))
    xy, fps, side = series.xy_px, frame_rate(series), view.metric_side
    hidden = np.zeros(len(series), bool) if hip_hidden is None else hip_hidden
    worst = np.full(len(series), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        for a, b in SEGMENTS:
            length = np.linalg.norm(point(xy, a, side) - point(xy, b, side), axis=-1)
            length[~(length > 0)] = np.nan
            ref = rolling_median(length, int(round(cfg.length_window_s * fps)), fps)
            error = np.abs(np.log(length / ref))
            if "hip" in (a, b):
                error[hidden] = 0.0
            worst = np.fmax(worst, error)
    return worst


def rolling_median(x: np.ndarray, half: int, fps: float) -> np.ndarray:
    """(T,) the median of the finite values of ``x`` within ``half`` samples, evaluated every
    `_MEDIAN_STEP_S` and interpolated between (NaN when nothing is seen)."""
    step = max(int(round(_MEDIAN_STEP_S * fps)), 1)
    centres = np.arange(0, len(x), step)
    meds = np.array([nanmedian(x[max(c - half, 0) : c + half + 1]) for c in centres])
    ok = np.isfinite(meds)
    if not ok.any():
        return np.full(len(x), np.nan)
    return np.interp(np.arange(len(x)), centres[ok], meds[ok])


def unreliable_top(error: np.ndarray, top_i: int, fps: float, cfg: TrackingConfig) -> float | None:
    """The share of implausible skeletons around ``top_i`` when it reaches ``max_bad_share``
    (unseen frames count as implausible), else None."""
    k = max(int(round(cfg.top_window_s * fps)), 1)
    window = error[max(top_i - k, 0) : top_i + k + 1]
    if not window.size:
        return None
    with np.errstate(invalid="ignore"):
        share = float(np.mean(~(window <= cfg.max_length_log)))
    return share if share >= cfg.max_bad_share else None


def unreliable_reason(share: float) -> NotJudged:
    return NotJudged(
        Unjudged.TRACKING,
        "tracking unreliable at the top: the skeleton's limbs change length "
        f"in {share:.0%} of its frames",
    )


def unreliable_share(error: np.ndarray, seen: np.ndarray, cfg: TrackingConfig) -> float:
    """The share of the ``seen`` frames whose skeleton is implausible (or unseen)."""
    if not seen.any():
        return 0.0
    with np.errstate(invalid="ignore"):
        return float(np.mean(~(error[seen] <= cfg.max_length_log)))
