"""Reps -> verdicts: each counted rep judged on what the camera showed of it.

`assess_reps` takes each rep as a typed window (`RepWindow`: its phases, the leg it is measured
on and its top, rise and bottom frames), decides which faults it cannot be judged on and why
(`not_judged`: tracking, the load, a small lifter), runs the per-rep rules
(`formcheck.analysis.faults.assess_rep`) on the rest, then adds the set-level findings
(`formcheck.analysis.set_faults`), aligned with the reps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from formcheck.analysis.bar import rep_bar
from formcheck.analysis.faults import RepContext, assess_rep, face_lift_deg, knee_width_ratio
from formcheck.analysis.hip_from_bar import HipFromBar
from formcheck.analysis.load import (
    HIDDEN_HIP_FAULTS,
    HIDDEN_HIP_POSITION,
    HIDDEN_HIP_REASON,
    LOST_LEG_FAULTS,
    LOST_LEG_REASON,
    top_hidden,
)
from formcheck.analysis.metrics import compute_metrics, nanmedian
from formcheck.analysis.set_faults import (
    asymmetry_findings,
    range_drift_findings,
    reference_rise,
    view_codes,
)
from formcheck.analysis.summary import phase_slices, rep_score, variation
from formcheck.analysis.tracking import unreliable_reason, unreliable_top
from formcheck.analysis.view import ankle_dy, planted_leg
from formcheck.config import Config
from formcheck.landmarks.clean import frame_rate
from formcheck.landmarks.names import Side
from formcheck.landmarks.series import PoseSeries
from formcheck.results import (
    BarTrack,
    Finding,
    FrameMetrics,
    NotJudged,
    Phases,
    Rep,
    RepBar,
    Unjudged,
    Variation,
    View,
)

#: Added to a finding decided on the hip estimated from the bar.
ESTIMATED_NOTE = "the load hides the hip: estimated from the bar"
#: The top-position codes the hip estimated from the bar can decide.
FROM_BAR_CODES = ("incomplete_lockout", "lumbar_hyperextension")
#: Why a rep's knee width is not judged when its feet were never seen beside the knees.
FEET_HIDDEN = "the feet are hidden behind the knees from here: film from the feet"
#: The faults measured on landmarks a few pixels apart when the lifter is small in the picture.
SMALL_DETAIL = ("neck_craning", "heels_lifting")


@dataclass(frozen=True)
class Seen:
    """What the camera showed of the set, beside the metrics: the height reps are measured on
    (the hips', or the bar's when a load hides them), each frame's tracking error, the frames
    whose hip a plate hides, the bar, the lifter's size, the hidden hip estimated from the
    bar, and the frames where the model lost the legs behind the load."""

    height: np.ndarray
    error: np.ndarray
    hidden: np.ndarray
    bar: BarTrack | None
    extent_px: float
    from_bar: HipFromBar | None
    lost: np.ndarray


@dataclass(frozen=True)
class RepWindow:
    """One rep as the rules see it."""

    phases: Phases
    leg: Side | None  # the planted leg of a single-leg rep
    metrics: FrameMetrics  # measured on that leg, or on the view's side
    top: slice  # frames held at lockout
    rise: slice  # concentric frames
    bottom: slice  # the bottom just before the rise
    rise_height: float  # torso lengths, of the hips or the bar


@dataclass(frozen=True)
class _Verdict:
    findings: list[Finding]
    not_judged: dict[str, NotJudged]
    peak_deg: float | None
    low_deg: float | None
    bar: RepBar | None
    knees: float | None  # knee width / ankle width, where the view and the set show it


def rep_windows(
    series: PoseSeries,
    m: FrameMetrics,
    view: View,
    phases: list[Phases],
    height: np.ndarray,
    cfg: Config,
) -> list[RepWindow]:
    """Each rep's window; a single-leg rep is measured on its planted leg (side views)."""
    dy = ankle_dy(series)
    fs = frame_rate(series)
    by_side: dict[Side | None, FrameMetrics] = {view.metric_side: m}
    out = []
    for ph in phases:
        leg = planted_leg(dy[ph.bottom_i : ph.end_i + 1], cfg.view)
        side = leg if (leg and view.sagittal) else view.metric_side
        if side not in by_side:
            by_side[side] = compute_metrics(series, side)
        top, rise, bottom = phase_slices(by_side[side], ph, fs, cfg.reps)
        rise_height = float(height[ph.top_i] - height[ph.bottom_i])
        out.append(RepWindow(ph, leg, by_side[side], top, rise, bottom, rise_height))
    return out


def assess_reps(
    series: PoseSeries,
    m: FrameMetrics,
    view: View,
    phases: list[Phases],
    seen: Seen,
    cfg: Config,
) -> tuple[list[Rep], Variation]:
    """Per-rep faults, then the set-level ones (range drift, left/right asymmetry)."""
    codes = view_codes(view)
    windows = rep_windows(series, m, view, phases, seen.height, cfg)
    neck = nanmedian(np.array([nanmedian(w.metrics.neck_deg[w.top]) for w in windows]))
    lifts = np.array([face_lift_deg(w.metrics, w.top, w.bottom) for w in windows])
    lift = nanmedian(lifts) if len(lifts) > 1 else 0.0  # one rep: nothing to compare
    verdicts = [_judge(w, series, m, view, seen, codes, cfg, neck, lift) for w in windows]
    rises = [w.rise_height for w in windows]
    best = reference_rise(rises, [v.findings for v in verdicts])
    drift = range_drift_findings(rises, best, cfg.faults, view)
    if "range_drift" not in codes:
        drift = [None] * len(windows)
    legs = [w.leg for w in windows]
    asym = asymmetry_findings([v.peak_deg for v in verdicts], legs, cfg.faults, view)
    reps = []
    for k, (w, v) in enumerate(zip(windows, verdicts, strict=True)):
        extra = [f for f in (drift[k], asym[k]) if f and f.code not in v.not_judged]
        found = (*v.findings, *extra)
        low = v.low_deg
        reps.append(
            Rep(
                index=k + 1,
                phases=w.phases,
                peak_hip_extension_deg=v.peak_deg,
                range_deg=None if v.peak_deg is None or low is None else v.peak_deg - low,
                rise=w.rise_height,
                partial=bool(w.rise_height < cfg.reps.full_range_share * best),
                working_leg=w.leg,
                score=rep_score(found, cfg.faults),
                faults=found,
                not_judged=v.not_judged,
                bar=v.bar,
                knee_width_ratio=v.knees,
            )
        )
    return reps, variation(m, phases, legs, cfg.reps)


def _judge(
    w: RepWindow,
    series: PoseSeries,
    m: FrameMetrics,
    view: View,
    seen: Seen,
    codes: list[str],
    cfg: Config,
    usual_neck: float,
    usual_lift: float,
) -> _Verdict:
    """One rep: what it cannot be judged on, its findings on the rest, its top and bar."""
    bad = unreliable_top(seen.error, w.phases.top_i, frame_rate(series), cfg.tracking)
    covered = top_hidden(seen.hidden, w.top, cfg.load)
    hidden_top = _from_bar(seen.from_bar, w.top, cfg) if covered else None
    unjudged = not_judged(codes, bad, covered, seen, hidden_top, w.top, cfg)
    if "knees_caving" in codes and "knees_caving" not in unjudged and not _feet_seen(w):
        unjudged["knees_caving"] = NotJudged(Unjudged.VIEW, FEET_HIDDEN)
    ctx = RepContext(
        w.metrics,
        series.visibility,
        w.phases,
        w.top,
        w.rise,
        w.bottom,
        view,
        usual_neck,
        usual_lift,
    )
    judged = assess_rep(ctx, cfg.faults, [c for c in codes if c not in unjudged])
    if hidden_top is not None:  # decided on the hip estimated from the bar: say so
        judged = [
            replace(f, message=f"{f.message}; {ESTIMATED_NOTE}") if f.code in FROM_BAR_CODES else f
            for f in judged
        ]
    shown = view.sagittal and bad is None and "incomplete_lockout" not in unjudged
    peak = _nanmedian(w.metrics.hip_extension_deg[w.top]) if shown else None
    low = _nanmedian(w.metrics.hip_extension_deg[w.bottom]) if shown else None
    end = min(w.rise.stop, len(m.t_s) - 1)
    bar = rep_bar(seen.bar, m.t_s, m.torso_px, w.rise.start, end) if seen.bar else None
    knees = None
    if "knees_caving" in codes and "knees_caving" not in unjudged:
        knees = _finite(knee_width_ratio(w.metrics, w.rise, w.top))
    return _Verdict(judged, unjudged, peak, low, bar, knees)


def not_judged(
    codes: list[str],
    unreliable: float | None,
    hip_hidden: bool,
    seen: Seen,
    from_bar: dict[str, NotJudged] | None,
    top: slice,
    cfg: Config,
) -> dict[str, NotJudged]:
    """Code -> why a rep is not judged on it: every code when its top was tracked badly; when
    the load hides the hip, the codes of its position (and of its motion too when no bar
    track stands in for it), except the top-position codes the bar decides (``from_bar``:
    code -> why not, for the ones it cannot); the legs' codes where the model lost the legs
    behind the load; the head and heels of a lifter too small in the picture."""
    small = seen.extent_px < cfg.faults.detail_min_body_px
    out = {
        c: NotJudged(Unjudged.TOO_SMALL, too_small_warning(seen.extent_px, cfg))
        for c in SMALL_DETAIL
        if small and c in codes
    }
    if unreliable is not None:
        out |= dict.fromkeys(codes, unreliable_reason(unreliable))
    else:
        hip = HIDDEN_HIP_POSITION if seen.bar is not None else HIDDEN_HIP_FAULTS
        out |= {c: HIDDEN_HIP_REASON for c in hip if hip_hidden and c in codes}
        if from_bar is not None:
            for code in FROM_BAR_CODES:
                out.pop(code, None)
            out |= {c: why for c, why in from_bar.items() if c in codes}
    if top_hidden(seen.lost, top, cfg.load):  # the model has lost the legs behind the load
        out |= {c: LOST_LEG_REASON for c in LOST_LEG_FAULTS if c in codes}
    return out


def _from_bar(est: HipFromBar | None, top: slice, cfg: Config) -> dict[str, NotJudged] | None:
    """For a top the load hides: which of FROM_BAR_CODES the bar cannot decide, and why (the
    interval of hip angles it allows straddles the code's threshold); None when the bar
    gives no estimate there."""
    if est is None:
        return None
    lo, hi = nanmedian(est.angle_lo_deg[top]), nanmedian(est.angle_hi_deg[top])
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    limits = {
        "incomplete_lockout": cfg.faults.lockout_min_deg,
        "lumbar_hyperextension": cfg.faults.hyperextension_max_deg,
    }
    return {
        code: NotJudged(
            Unjudged.BAR,
            f"hip hidden by the load: from the bar the top is {lo:.0f}-{hi:.0f} deg, too close "
            f"to {thr:.0f} to call",
        )
        for code, thr in limits.items()
        if lo < thr < hi
    }


def too_small_warning(extent_px: float, cfg: Config) -> str:
    return (
        f"the lifter is too small in the picture to see the head and heels ({extent_px:.0f} px "
        f"head to feet, {cfg.faults.detail_min_body_px:.0f} needed): film closer or zoom in"
    )


def _feet_seen(w: RepWindow) -> bool:
    """Whether the knee/ankle width was measured in any frame of the rep's rise or hold."""
    ratio = w.metrics.knee_ratio
    return bool(np.isfinite(ratio[w.rise]).any() or np.isfinite(ratio[w.top]).any())


def _nanmedian(x: np.ndarray) -> float | None:
    """The median of the finite values, or None (for report fields) when there are none."""
    return _finite(nanmedian(x))


def _finite(v: float) -> float | None:
    return v if np.isfinite(v) else None
