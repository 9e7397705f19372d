"""The bar's path and speed, from the plate over the hip (`formcheck.analysis.load`).

When a load hides the hip, its plate's centre is the bar's end, and the bar rests on the hips:
the bar's height follows the hips' height where MediaPipe's hip is a guess (on
../shared/videos/wongfit__hip-thrust the guessed hip dips 0.1 torso in the middle of a 1.1 s
hold that the bar shows flat). The bar then replaces the hip as the signal reps, phases and
tempo are measured on, and gives the figures lifters get from bar sensors: each rep's rise and
concentric mean and peak velocity, and the velocity lost over the set.

The plate is looked for every 100 ms and held between searches
(`formcheck.pose.mediapipe_backend.PLATE_EVERY_MS`); the frames whose circle has the set's
plate size are the samples, joined linearly in time across gaps up to ``bar_max_gap_s`` and averaged
over ``bar_smooth_s`` (two searches, so the held steps become slopes).

Scale: a plate of known diameter (45 cm for standard plates; ``[load] plate_cm`` or
``--plate-cm``) gives metres per pixel = its radius in metres / its radius in pixels. It is
trusted in a side view, with a steady radius (interquartile range under ``radius_spread_max``
of the median), for a plate that is not too small for its stated size beside the lifter's shin
(``min_plate_vs_shin``); otherwise speeds are given in torso lengths per second only, and the
report says why.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d

from formcheck.analysis.metrics import FrameMetrics, nanmedian, point
from formcheck.analysis.view import View
from formcheck.config import LoadConfig
from formcheck.landmarks.clean import frame_rate
from formcheck.landmarks.series import PoseSeries
from formcheck.results.measures import BarTrack, RepBar


def bar_track(
    series: PoseSeries, m: FrameMetrics, hidden: np.ndarray, view: View, cfg: LoadConfig
) -> BarTrack | None:
    """The bar, when a load hides the hip (``hidden``, `formcheck.analysis.load.hip_hidden`)
    and its plate gives a track; None otherwise."""
    if not hidden.any():
        return None
    plate, t = series.plate_px, series.timestamps_s
    radius = nanmedian(plate[hidden, 2])
    with np.errstate(invalid="ignore"):
        sample = np.abs(plate[:, 2] - radius) <= cfg.plate_radius_tol * radius
    if sample.sum() < 4:
        return None
    fps = frame_rate(series)
    xy = np.stack([_join(t, t[sample], plate[sample, k], fps, cfg) for k in (0, 1)], axis=-1)
    if np.isfinite(xy[hidden, 1]).mean() < cfg.bar_min_cover:
        return None  # too few sightings of the plate to follow the bar
    floor = nanmedian(point(series.xy_px, "ankle", view.metric_side)[:, 1])
    q1, q3 = np.percentile(plate[sample, 2], [25, 75])
    spread = float((q3 - q1) / radius)
    shin = nanmedian(
        np.linalg.norm(
            point(series.xy_px, "knee", view.metric_side)
            - point(series.xy_px, "ankle", view.metric_side),
            axis=-1,
        )
    )
    looks = 2 * radius / shin  # the plate's diameter in shin lengths
    if view.kind != "side":
        m_per_px, note = None, f"not trusted: a {view.kind} view shows the plate at an angle"
    elif not looks >= cfg.min_plate_vs_shin * cfg.plate_cm / cfg.shin_cm:
        m_per_px = None
        note = (
            f"not trusted: the plate measures {looks:.2f} shin lengths across, too small for "
            f"a {cfg.plate_cm:g} cm plate (give its size with --plate-cm)"
        )
    elif spread > cfg.radius_spread_max:
        m_per_px, note = None, f"not trusted: the plate's size varies by {spread:.0%}"
    else:
        m_per_px = cfg.plate_cm / 200.0 / radius
        note = f"a {cfg.plate_cm:g} cm plate, {2 * radius:.0f} px across"
    return BarTrack(
        x_px=xy[:, 0],
        y_px=xy[:, 1],
        height=(floor - xy[:, 1]) / m.torso_px,
        radius_px=radius,
        m_per_px=m_per_px,
        scale_note=note,
        plate_cm=cfg.plate_cm,
    )


def _join(t: np.ndarray, ts: np.ndarray, vs: np.ndarray, fps: float, cfg: LoadConfig) -> np.ndarray:
    """Samples (ts, vs) joined linearly at the times ``t``, NaN across gaps over
    ``bar_max_gap_s`` or outside them, then averaged over ``bar_smooth_s``."""
    out = np.interp(t, ts, vs)
    k = np.clip(np.searchsorted(ts, t), 1, len(ts) - 1)
    gap = (ts[k] - ts[k - 1]) > cfg.bar_max_gap_s
    out[gap | (t < ts[0]) | (t > ts[-1])] = np.nan
    size = max(int(round(cfg.bar_smooth_s * fps)), 1)
    smooth = uniform_filter1d(np.nan_to_num(out), size, mode="nearest")
    weight = uniform_filter1d(np.isfinite(out).astype(float), size, mode="nearest")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isfinite(out), smooth / weight, np.nan)


def rep_bar(bar: BarTrack, t: np.ndarray, torso_px: float, c0: int, c1: int) -> RepBar | None:
    """The bar's rise and velocity over the concentric frames ``c0..c1``."""
    if c1 <= c0 or not np.isfinite(bar.height[[c0, c1]]).all():
        return None
    h = bar.height[c0 : c1 + 1]
    dt = float(t[c1] - t[c0])
    rise = float(h[-1] - h[0])
    peak = float(np.nanmax(np.gradient(h, t[c0 : c1 + 1]))) if len(h) > 2 else rise / dt
    per_m = None if bar.m_per_px is None else bar.m_per_px * torso_px  # metres per torso
    return RepBar(
        rise_torso=rise,
        rise_m=None if per_m is None else rise * per_m,
        mean_velocity_torso_s=rise / dt,
        mean_velocity_m_s=None if per_m is None else rise / dt * per_m,
        peak_velocity_m_s=None if per_m is None else peak * per_m,
    )
