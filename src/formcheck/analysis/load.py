"""The load over the hip: the frames where a weight plate hides the hip landmark (thresholds:
`formcheck.config.LoadConfig`).

A plate (`formcheck.pose.plate`) hides the hip when its disc covers the hip landmark. Only
circles of the set's plate size count (within ``plate_radius_tol`` of the median radius of all
covering circles: a plate does not change size). A frame is hidden when most frames within
``plate_steady_s`` of it show that plate over the hip: a frame with a circle of another size (the
plate's lettering, an inner plate) is left to its neighbours; one without any circle shows the
hip uncovered. A load rests on the hips for the whole set, so a clip has one only when the
plate is seen covering the hip in ``loaded_share`` of the frames with a person (on ../shared:
wongfit__hip-thrust and gymfitness__hip-thrust, whose light plate covers the hip at the bottom
but not at the top; no other clip). The reps whose top is hidden get the faults that need the
hip's position (`HIDDEN_HIP_POSITION`), and its motion too when no bar track stands in for it
(`HIDDEN_HIP_FAULTS`), marked not judged rather than a verdict on a guessed hip.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
from scipy.ndimage import uniform_filter1d

from formcheck.analysis.metrics import nanmedian, point
from formcheck.analysis.view import View
from formcheck.config import LoadConfig
from formcheck.landmarks.clean import frame_rate
from formcheck.landmarks.names import Side
from formcheck.landmarks.series import PoseSeries
from formcheck.results import NotJudged, Unjudged

log = logging.getLogger(__name__)

#: Faults judged on the hip's position or its motion: not judged when the load hides it.
#: MediaPipe's hidden hip is a guess in both: on wongfit__hip-thrust it dips 0.1 torso in
#: the middle of a 1.1 s hold, which read as a 0.2 s hold and a 0.2 s descent.
HIDDEN_HIP_FAULTS = (
    "incomplete_lockout",
    "lumbar_hyperextension",
    "pelvic_tilt_rotation",
    "rushed_eccentric",
    "no_top_pause",
    "bounce",
    "range_drift",
)
#: Of those, the ones judged on the hip's position: still not judged when the bar's track
#: (`formcheck.analysis.bar`) stands in for the hip's motion.
HIDDEN_HIP_POSITION = ("incomplete_lockout", "lumbar_hyperextension", "pelvic_tilt_rotation")
HIDDEN_HIP_REASON = NotJudged(
    Unjudged.LOAD, "hip hidden by the load: a plate covers it, so its position is a guess"
)


def hip_hidden(series: PoseSeries, side: Side | None, cfg: LoadConfig) -> np.ndarray:
    """(T,) bool: a plate of the set's size covers the hip landmark in that frame."""
    hip = point(series.xy_px, "hip", side)
    plate = series.plate_px
    with np.errstate(invalid="ignore"):
        covers = np.linalg.norm(hip - plate[:, :2], axis=-1) < plate[:, 2]
        radius = nanmedian(plate[covers, 2]) if covers.any() else np.nan
        same = np.abs(plate[:, 2] - radius) <= cfg.plate_radius_tol * radius
    # the set's plate over the hip (1); elsewhere, or no circle at all (0); a circle of
    # another size (lettering, an inner plate): unknown, decided by its neighbours
    other = np.isfinite(plate[:, 2]) & ~same
    seen = np.where(other, np.nan, (covers & same).astype(float))
    size = max(int(round(cfg.plate_steady_s * frame_rate(series))), 1)
    votes = uniform_filter1d(np.nan_to_num(seen), size, mode="nearest")
    known = uniform_filter1d(np.isfinite(seen).astype(float), size, mode="nearest")
    with np.errstate(invalid="ignore", divide="ignore"):
        hidden = np.asarray((known > 0) & (votes / known > 0.5))
    person = series.detected
    if not person.any() or np.mean(seen[person] == 1.0) < cfg.loaded_share:
        return np.zeros(len(series), dtype=bool)  # no load: it would be there all along
    return hidden


#: Faults judged on the legs: not judged at a top where the model has lost them behind the load.
LOST_LEG_FAULTS = (
    "incomplete_lockout",
    "lumbar_hyperextension",
    "shins_not_vertical",
    "heels_lifting",
)
LOST_LEG_REASON = NotJudged(
    Unjudged.LOST_LEG,
    "legs lost behind the load: the pose model puts the knee deep inside the plate, so the "
    "legs' landmarks are a guess",
)


def deep_in_plate(xy: np.ndarray, plate_px: np.ndarray, cfg: LoadConfig) -> np.ndarray:
    """(T,) bool: the points ``xy`` (T, 2) lie deep inside the plate's disc (``deep_inside``
    radii from its centre: a 45 cm plate's radius is about half a thigh, so a real knee
    reaches only its rim)."""
    with np.errstate(invalid="ignore"):
        d = np.linalg.norm(xy - plate_px[:, :2], axis=-1)
        return np.asarray(d < cfg.deep_inside * plate_px[:, 2])


def knee_in_plate(
    series: PoseSeries, hidden: np.ndarray, side: Side | None, cfg: LoadConfig
) -> np.ndarray:
    """(T,) bool: where the load hides the hip, the model puts the knee deep inside the plate:
    it has lost the legs (on rendered barbell sets, knees at 0.3-0.8 radii, 40-100 px from
    the true ones, and the feet drawn halfway up the shins, at the tops)."""
    knee = point(series.xy_px, "knee", side)
    return np.asarray(hidden & deep_in_plate(knee, series.plate_px, cfg))


def top_hidden(hidden: np.ndarray, top: slice, cfg: LoadConfig) -> bool:
    """Whether the load hides the hip over most of a rep's top frames."""
    frames = hidden[top]
    return bool(frames.size and frames.mean() >= cfg.hidden_top_share)


def _kept_thigh(series: PoseSeries, hidden: np.ndarray, side: Side, cfg: LoadConfig) -> float:
    """How well a leg keeps its shape where the load hides the hip: the lower quartile of its
    thigh's length against its shin's over those frames (the tops, where the plate is
    highest, are where a leg is lost), a knee deep inside the plate counting as a thigh of
    length 0; NaN where never seen."""
    xy = series.xy_px
    knee = point(xy, "knee", side)
    thigh = np.linalg.norm(point(xy, "hip", side) - knee, axis=-1)
    shin = np.linalg.norm(point(xy, "ankle", side) - knee, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(deep_in_plate(knee, series.plate_px, cfg), 0.0, thigh / shin)[hidden]
    ratio = ratio[np.isfinite(ratio)]
    return float(np.percentile(ratio, 25)) if ratio.size else float("nan")


def unlost_side(series: PoseSeries, view: View, hidden: np.ndarray, cfg: LoadConfig) -> View:
    """The view, measured on the side whose legs the model keeps under the plate.

    From the side both legs' landmarks fall on the same image line, so either side measures
    the hip and shins. Behind a plate the model often loses one leg: its knee slides into the
    plate and its foot up the shin, so that thigh shrinks, while the other side's landmarks
    stay on the legs (rendered barbell sets: tops of 111-160 deg on the lost side for a true
    180, 180-189 on the other). The caller keeps a single-leg set on its working leg."""
    side = view.metric_side
    if side is None or not hidden.any() or not view.sagittal:
        return view
    other: Side = "left" if side == "right" else "right"
    kept = _kept_thigh(series, hidden, side, cfg)
    kept_other = _kept_thigh(series, hidden, other, cfg)
    if kept_other > kept + cfg.leg_switch_margin:
        log.info("legs measured on the %s side: the %s leg is lost under the plate", other, side)
        return replace(view, metric_side=other)
    return view
