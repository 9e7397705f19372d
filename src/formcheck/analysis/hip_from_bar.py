"""The hip under a plate, from the bar: where the load hides the hip, the bar shows it.

A barbell rests in the hip crease, so the hip joint lies a pelvis's depth behind the bar's
axis, on the floor side of the body's line. Seen from the side, the plate's centre is the bar's
end; the hip is estimated as

    hip = bar - depth * n

with ``n`` the unit normal of the shoulder-knee line pointing away from the floor (image up
for a lifter lying face up) and ``depth`` a share of the set's longest shoulder-knee span
(trunk plus thigh at lockout, both seen around the plate). That share is anatomy, not
something the picture shows: the hip joint sits 6-8 cm behind the front of the pelvis, with
1-4 cm of soft tissue, the bar's 1.4 cm radius and 0-4 cm of pad between, 9-17 cm in all, over
a shoulder-knee span of 85-105 cm (`[load] hip_depth_share_min` and `_max`). So every estimated
hip angle is an interval: the angle at the shallowest and at the deepest pelvis. A verdict on
the top position is given only when the whole interval is on one side of its threshold
(`formcheck.pipeline`); otherwise the rep says the load hides the hip and what the bar shows.

The bar's middle, over the hips, is found from its two plates: the near plate's centre is the
bar's end nearest the camera, 47 cm from the middle (an Olympic bar's sleeve starts 41.5 cm
from its centre; a plate is 5 cm thick), and the far plate's (`formcheck.pose.plate.
find_far_plate`) the other end. The middle's image is their centres weighted by depth, and a
plate's depth is inverse to its radius in the picture (same plates):
``middle = (near / r_near + far / r_far) / (1 / r_near + 1 / r_far)``. Where the far plate is
not seen, its offset from the near one (in near radii) is carried over from the nearest frame
within ``far_hold_s`` that saw it. A side view that never shows it looks along the bar: the
middle is then seen closer to the picture's centre than the near plate by the ratio of their
depths, a plate's depth being ``f * radius / radius_px`` with the focal length taken as
``focal_long_side`` of the picture's longer side (phones 0.7-1.0; a third off moves the
correction by ~5%). A far plate offset by less than `FAR_MIN_OFFSET` near radii is not told
from the near one, so there the middle may be off by up to half that, towards or away from the
floor: the interval of hip angles is widened by it. Any other view without a far plate gets
no estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.analysis.load import deep_in_plate
from formcheck.analysis.metrics import hip_extension_deg, point
from formcheck.analysis.view import View
from formcheck.config import LoadConfig
from formcheck.landmarks.names import Side, joint
from formcheck.landmarks.series import PoseSeries
from formcheck.pose.plate import FAR_MIN_OFFSET


@dataclass(frozen=True)
class HipFromBar:
    """Per frame: the hip estimated from the bar (NaN where not estimated) and the hip
    angle at the shallowest and deepest pelvis (``[load] hip_depth_share_min/_max``)."""

    hip_px: np.ndarray  # (T, 2), at the middle of the range
    angle_lo_deg: np.ndarray  # (T,)
    angle_hi_deg: np.ndarray  # (T,)

    @property
    def estimated(self) -> np.ndarray:
        return np.isfinite(self.hip_px[:, 0])


def hip_from_bar(
    series: PoseSeries, view: View, hidden: np.ndarray, cfg: LoadConfig
) -> HipFromBar | None:
    """The hip where ``hidden`` and the plate, shoulder and knee are seen (neither of them
    deep inside the plate's disc); None when nowhere."""
    side = view.metric_side
    if side is None or not view.sagittal:
        return None
    xy = series.xy_px
    s, k = point(xy, "shoulder", side), point(xy, "knee", side)
    radius = series.plate_px[:, 2].astype(float)
    bar, slack = _bar_middle(series, view.kind == "side", cfg)
    span = np.linalg.norm(k - s, axis=-1)
    # a shoulder or knee deep inside the near plate's disc is the model's guess too
    covered = deep_in_plate(s, series.plate_px, cfg) | deep_in_plate(k, series.plate_px, cfg)
    use = hidden & np.isfinite(bar).all(-1) & np.isfinite(span) & (span > 0) & (radius > 0)
    use &= ~covered
    if not use.any():
        return None
    longest = float(np.nanpercentile(span, 95))
    along = (k - s) / span[:, None]
    up = np.stack([along[:, 1], -along[:, 0]], axis=-1)
    up = np.where((up[:, 1] > 0)[:, None], -up, up)  # away from the floor: image up

    def hip(depth_px: np.ndarray) -> np.ndarray:
        return bar - depth_px[:, None] * up

    lo, hi = cfg.hip_depth_share_min * longest, cfg.hip_depth_share_max * longest
    mid = hip(np.full(len(series), 0.5 * (lo + hi)))
    a, b = (hip_extension_deg(s, hip(d), k) for d in (lo - slack, hi + slack))
    nan = np.full(len(series), np.nan)
    return HipFromBar(
        hip_px=np.where(use[:, None], mid, np.nan),
        angle_lo_deg=np.where(use, np.fmin(a, b), nan),
        angle_hi_deg=np.where(use, np.fmax(a, b), nan),
    )


def _bar_middle(
    series: PoseSeries, side_view: bool, cfg: LoadConfig
) -> tuple[np.ndarray, np.ndarray]:
    """(T, 2) the image of the bar's middle (NaN where unknown), and (T,) how far off it may
    be, in pixels, for want of a far plate."""
    near, r = series.plate_px[:, :2].astype(float), series.plate_px[:, 2].astype(float)
    far, rf = series.far_plate_px[:, :2].astype(float), series.far_plate_px[:, 2].astype(float)
    seen = np.isfinite(far).all(-1) & np.isfinite(r)
    if not seen.any():
        if not side_view:
            return np.full_like(near, np.nan), np.zeros(len(r))
        slack = 0.5 * FAR_MIN_OFFSET * r
        return _along_the_axis(near, r, series.image_size, cfg), slack
    t = series.timestamps_s
    offset = (far - near) / r[:, None]  # in near radii
    ratio = r / rf  # far plate's depth / near one's
    idx = np.flatnonzero(seen)
    nearest = idx[np.clip(np.searchsorted(t[idx], t), 1, len(idx)) - 1]
    after = idx[np.clip(np.searchsorted(t[idx], t), 0, len(idx) - 1)]
    nearest = np.where(np.abs(t[after] - t) < np.abs(t[nearest] - t), after, nearest)
    held = np.abs(t[nearest] - t) <= cfg.far_hold_s
    far_at = near + offset[nearest] * r[:, None]
    w_far = ratio[nearest] / (1.0 + ratio[nearest])  # = (1 / rf) / (1 / r + 1 / rf)
    middle = near + w_far[:, None] * (far_at - near)
    out: np.ndarray = np.where(held[:, None], middle, np.nan)
    return out, np.zeros(len(r))


def _along_the_axis(
    near: np.ndarray, radius_px: np.ndarray, size: tuple[int, int], cfg: LoadConfig
) -> np.ndarray:
    """The near plate's centre moved to where the bar crosses the body's middle, for a side
    view looking along the bar."""
    centre = np.array([size[0] / 2.0, size[1] / 2.0])
    depth = cfg.focal_long_side * max(size) * (cfg.plate_cm / 200.0) / radius_px
    out: np.ndarray = centre + (near - centre) * (depth / (depth + cfg.plate_offset_m))[:, None]
    return out


def with_hip(series: PoseSeries, side: Side, est: HipFromBar, cfg: LoadConfig) -> PoseSeries:
    """The series with the estimated hip in place of the model's guess where estimated."""
    i = joint("hip", side)
    xy, vis = series.xy_px.copy(), series.visibility.copy()
    at = est.estimated
    xy[at, i] = est.hip_px[at]
    vis[at, i] = cfg.inferred_visibility
    return series.with_arrays(xy_px=xy, visibility=vis)
