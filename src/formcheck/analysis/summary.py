"""From counted reps to the set: which reps are hip thrusts, the variation, per-rep
scores, left/right asymmetry, and the set summary (tempo, rep-range band, speed loss).

Rep score (0-100): 100 minus, for each fault of the rep, its severity weight
(minor 5, moderate 12, major 25) times its confidence; never below 0. The set
score is the mean rep score.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from formcheck.analysis.metrics import FrameMetrics, nanmedian
from formcheck.analysis.reps import RepEvent
from formcheck.analysis.rules import Source
from formcheck.config import FaultConfig, RepConfig
from formcheck.landmarks.names import Side
from formcheck.results import (
    Finding,
    Phases,
    Rep,
    RepRangeBand,
    SetSummary,
    Severity,
    Tempo,
    Variation,
)

_BANDS_SOURCE = Source(
    "001",
    "Hip thrusts can be performed 1-3 times per week, with rep ranges typically 3-6 for "
    "strength, 8-15 for hypertrophy, and 15-25 for endurance or warm-up.",
)
_BANDS = (("strength", 3, 6), ("hypertrophy", 8, 15), ("endurance / warm-up", 15, 25))


def not_hip_thrust(
    ev: RepEvent, m: FrameMetrics, cfg: RepConfig, along_body: bool = False
) -> str | None:
    """Why this rise is not a hip thrust or glute bridge rep, or None when it is one.

    A hip thrust or bridge is done lying face up with the shoulders or upper back supported,
    knees bent and feet planted: at the top the trunk is near horizontal, the knees bent,
    and the hips have risen while the shoulders stayed on the bench or floor. Standing lifts
    (squats, deadlifts) end upright with straight knees and the hips two or more torso
    lengths above the feet; a push-up or plank has straight legs, and its arms lift the
    shoulders further than the hips. World landmarks are not gravity-aligned when the camera
    looks down, so the knee and height tests stand on their own.

    ``along_body``: a view from the feet or the head. The trunk then points along the camera's
    axis, where the world landmarks' depth is a guess (rendered hip thrusts from the feet
    measured 19-79 deg of "incline" at the top), so the trunk test is skipped; and the legs are
    foreshortened into a straight line in the image (hip-knee-ankle 169-178 deg at the top
    against 97-147 deg in 3D), so the standing test asks the knees in 3D.
    """
    lo, hi = max(ev.top_i - 2, 0), ev.top_i + 3
    b_lo, b_hi = max(ev.bottom_i - 2, 0), ev.bottom_i + 3
    incline = nanmedian(m.trunk_incline_deg[lo:hi])
    if not np.isfinite(incline):  # trunk unseen at the peak: the top hold around it
        near = np.abs(m.t_s - m.t_s[ev.top_i]) <= cfg.unseen_top_s
        incline = nanmedian(m.trunk_incline_deg[near])
    # unseen all through the top is no evidence either way: only a trunk seen upright rejects
    if abs(incline) > cfg.max_trunk_tilt_deg and not along_body:
        return "the trunk is upright at the top"
    knee = m.bent_knee_deg if along_body else m.knee_angle_deg
    if (
        nanmedian(knee[lo:hi]) > cfg.standing_knee_deg
        and nanmedian(m.hip_height[lo:hi]) > cfg.standing_hip_height
    ):
        return "standing at the top: straight knees, hips high above the feet"
    if nanmedian(m.bent_knee_deg[lo:hi]) > cfg.max_top_knee_deg:
        return "the legs are straight at the top, as in a plank or push-up"
    hips = nanmedian(m.hip_height[lo:hi]) - nanmedian(m.hip_height[b_lo:b_hi])
    shoulders = nanmedian(m.shoulder_height[lo:hi]) - nanmedian(m.shoulder_height[b_lo:b_hi])
    if shoulders >= cfg.max_shoulder_rise_share * hips:
        return (
            "the shoulders rise with the hips: the arms lift the body, as in a push-up, "
            "or the camera moves"
        )
    return None


def variation(
    m: FrameMetrics, phases: list[Phases], legs: list[Side | None], cfg: RepConfig
) -> Variation:
    """A hip thrust when the shoulders are raised at the bottoms (a bench), else a glute
    bridge; single-leg when most reps have one foot up."""
    bottoms = np.array(
        [nanmedian(m.trunk_incline_deg[max(p.bottom_i - 2, 0) : p.bottom_i + 3]) for p in phases]
    )
    bench = nanmedian(bottoms) >= cfg.bench_min_incline_deg
    single = sum(leg is not None for leg in legs) > len(legs) / 2 if legs else False
    if single:
        return Variation.SINGLE_LEG_HIP_THRUST if bench else Variation.SINGLE_LEG_GLUTE_BRIDGE
    return Variation.HIP_THRUST if bench else Variation.GLUTE_BRIDGE


def penalty(f: Finding, cfg: FaultConfig) -> float:
    """Points a finding takes off its rep's score of 100: its severity's, times its confidence."""
    points = {
        Severity.MINOR: cfg.score_minor,
        Severity.MODERATE: cfg.score_moderate,
        Severity.MAJOR: cfg.score_major,
    }
    return points[f.severity] * f.confidence


def rep_score(faults: tuple[Finding, ...] | list[Finding], cfg: FaultConfig) -> int:
    penalty_ = sum(penalty(f, cfg) for f in faults)
    return int(round(max(0.0, 100.0 - penalty_)))


def rep_range_band(count: int) -> RepRangeBand | None:
    if count <= 0:
        return None
    inside = [b for b in _BANDS if b[1] <= count <= b[2]]
    if inside:
        name = " / ".join(b[0] for b in inside)
        return RepRangeBand(name, inside[0][1], inside[-1][2], _BANDS_SOURCE)
    if count < _BANDS[0][1]:
        return RepRangeBand(f"below {_BANDS[0][0]}", None, _BANDS[0][1], _BANDS_SOURCE)
    if count > _BANDS[-1][2]:
        return RepRangeBand(f"above {_BANDS[-1][0]}", _BANDS[-1][2], None, _BANDS_SOURCE)
    lower = max(b for b in _BANDS if b[2] < count)
    upper = min(b for b in _BANDS if b[1] > count)
    return RepRangeBand(f"between {lower[0]} and {upper[0]}", lower[2], upper[1], _BANDS_SOURCE)


def _mean_or_none(values: list[float | None]) -> float | None:
    seen = [v for v in values if v is not None]
    return float(np.mean(seen)) if seen else None


def summarize(reps: list[Rep], var: Variation, cfg: FaultConfig) -> SetSummary:
    legs = {r.working_leg for r in reps if r.working_leg}
    tempo = None
    if reps:
        tempo = Tempo(
            _mean_or_none([r.tempo.bottom_pause_s for r in reps]),
            _mean_or_none([r.tempo.concentric_s for r in reps]),
            _mean_or_none([r.tempo.top_hold_s for r in reps]),
            _mean_or_none([r.tempo.eccentric_s for r in reps]),
        )
    speed_loss = None
    if len(reps) >= 3:
        # a rep whose rise is a frame or two long has no speed to compare
        speeds = [r.rise / c if (c := r.tempo.concentric_s) else None for r in reps]
        first = max((v for v in speeds[:2] if v is not None), default=None)
        last = speeds[-1]
        if first is not None and first > 0 and last is not None:
            speed_loss = round(100.0 * (1.0 - last / first), 1)
    broke = next(
        (r.index for r in reps if any(f.severity > Severity.MINOR for f in r.faults)), None
    )
    counts = Counter(f.code for r in reps for f in r.faults)
    weight: Counter[str] = Counter()
    for r in reps:
        for f in r.faults:
            weight[f.code] += round(penalty(f, cfg) * 100)
    top = tuple(sorted(counts.items(), key=lambda kv: (-weight[kv[0]], kv[0])))
    return SetSummary(
        rep_count=len(reps),
        partial_reps=sum(r.partial for r in reps),
        variation=var,
        working_leg=("both" if len(legs) == 2 else next(iter(legs))) if legs else None,
        mean_tempo=tempo,
        rep_range=rep_range_band(len(reps)),
        speed_loss_pct=speed_loss,
        first_breakdown_rep=broke,
        score=int(round(np.mean([r.score for r in reps]))) if reps else None,
        top_faults=top,
    )


def phase_slices(
    m: FrameMetrics, p: Phases, fs: float, cfg: RepConfig
) -> tuple[slice, slice, slice]:
    """(top, rise, bottom) frame windows of a rep; ``fs`` is frames per second."""
    t = m.t_s
    c0 = int(np.searchsorted(t, p.concentric_start_s))
    c1 = int(np.searchsorted(t, p.top_s))
    e0 = int(np.searchsorted(t, p.eccentric_start_s))
    n = len(t)  # every window stops inside the clip (a rep cut short by its end included)
    top = slice(c1, min(e0 + 1, n)) if e0 > c1 else slice(max(p.top_i - 1, 0), min(p.top_i + 2, n))
    n0 = max(int(round(cfg.bottom_baseline_s * fs)), 2)
    return top, slice(c0, min(max(c1, c0 + 1), n)), slice(max(c0 - n0, 0), min(c0 + 1, n))
