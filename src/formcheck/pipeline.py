"""The analysis, end to end: video -> pose -> landmarks -> metrics -> reps -> faults -> report.

`analyze` is the whole data flow in one place; each step is a small module.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from formcheck.analysis.bar import BarTrack, RepBar, bar_track, rep_bar
from formcheck.analysis.faults import (
    RepContext,
    assess_rep,
    assessability,
    asymmetry_findings,
    face_lift_deg,
    range_drift_findings,
    reference_rise,
)
from formcheck.analysis.hip_from_bar import HipFromBar, hip_from_bar, with_hip
from formcheck.analysis.load import (
    HIDDEN_HIP_FAULTS,
    HIDDEN_HIP_POSITION,
    HIDDEN_HIP_REASON,
    LOST_LEG_FAULTS,
    LOST_LEG_REASON,
    hip_hidden,
    knee_in_plate,
    top_hidden,
    unlost_side,
)
from formcheck.analysis.metrics import FrameMetrics, compute_metrics, nanmedian
from formcheck.analysis.reps import RepEvent, count_reps, phase_times
from formcheck.analysis.shots import find_cuts, join_reps, shot_slices, shot_warning
from formcheck.analysis.summary import (
    not_hip_thrust,
    phase_slices,
    rep_score,
    summarize,
    variation,
)
from formcheck.analysis.tracking import (
    UNRELIABLE_CLIP_SHARE,
    segment_error,
    unreliable_reason,
    unreliable_share,
    unreliable_top,
)
from formcheck.analysis.view import View, ankle_dy, classify_view, planted_leg, working_leg
from formcheck.config import Config
from formcheck.errors import FormcheckError, InputError, NoPersonError
from formcheck.landmarks.clean import Smoother, clean_series, frame_rate, warm_imports
from formcheck.landmarks.names import Side
from formcheck.landmarks.quality import body_extent_px, check_people
from formcheck.landmarks.series import PoseSeries
from formcheck.pose.read import read_pose_series
from formcheck.pose.track import DEFAULT_MAX_FPS, ProgressFn
from formcheck.results import Finding, NotJudged, Phases, Rep, SetReport, Status, Unjudged

log = logging.getLogger(__name__)

#: Below this share of frames with a person, there is nothing to analyse.
MIN_DETECTED_SHARE = 0.2


def analyze(
    source: str | Path,
    *,
    config: Config | None = None,
    model: str | None = None,
    save_landmarks: str | Path | None = None,
    progress: ProgressFn | None = None,
    workers: int = 1,
    max_fps: float = DEFAULT_MAX_FPS,
    in_workers: bool = False,
) -> SetReport:
    """Analyse one recorded set (a video, or landmarks saved by ``save_landmarks``).

    ``workers`` landmarkers track segments of the clip at once; clips above ``max_fps`` are
    analysed at every k-th frame (0 = every frame). Several landmarkers, a clip above 2
    minutes, or ``in_workers`` (even one landmarker) track in worker processes, spawned unless
    they can be forked safely (`formcheck.processes.start_context`), so a script calling this
    needs the ``if __name__ == "__main__":`` guard of `multiprocessing`.
    """
    cfg = config or Config()
    raw, warnings = read_pose_series(  # video -> pose
        Path(source),
        model,
        progress,
        workers=workers,
        max_fps=max_fps,
        warm=warm_imports,  # the analysis' own imports load while the pose model runs
        in_workers=in_workers,
    )
    if save_landmarks:
        raw.save(save_landmarks)
    return analyze_series(raw, cfg, clip=Path(source).name, warnings=warnings)


def analyze_series(
    raw: PoseSeries,
    cfg: Config,
    clip: str,
    warnings: list[str] | None = None,
    smoother: Smoother | None = None,
) -> SetReport:
    """Everything after pose estimation, on a raw landmark series: each shot between camera
    cuts on its own (`_analyze_shot`), joined into one set.

    ``smoother`` defaults to the zero-phase low-pass; live coaching passes a causal one.
    """
    if len(raw) == 0:
        raise InputError(f"{clip}: no frames")
    _check_long_enough(raw, cfg, clip)
    if raw.detected.mean() < MIN_DETECTED_SHARE:
        raise NoPersonError(
            f"{clip}: no person found (pose detected in {raw.detected.mean():.0%} of frames)"
        )
    cuts = find_cuts(raw.timestamps_s, raw.picture_change, cfg.shots)  # camera cuts
    if not cuts:
        return _analyze_shot(raw, cfg, clip, list(warnings or []), smoother)
    shots: list[tuple[slice, SetReport | None]] = []
    for sl in shot_slices(cuts, len(raw)):
        try:
            shots.append((sl, _analyze_shot(raw.take(sl), cfg, clip, [], smoother)))
        except FormcheckError as exc:  # a shot without the lifter: an end card, say
            log.info("%s: shot at %.1f s not analysed: %s", clip, raw.timestamps_s[sl.start], exc)
            shots.append((sl, None))
    return _joined(raw, shots, cfg, clip, list(warnings or []), smoother)


def _check_long_enough(raw: PoseSeries, cfg: Config, clip: str) -> None:
    """A still image, a single frame or a fraction of a second holds no repetition."""
    duration = float(raw.timestamps_s[-1] - raw.timestamps_s[0]) if len(raw) else 0.0
    if len(raw) < 3 or duration < cfg.reps.min_clip_s:
        raise InputError(
            f"{clip}: too short to contain a repetition ({len(raw)} frame"
            f"{'s' if len(raw) != 1 else ''}, {duration:.1f} s)"
        )


def _analyze_shot(
    raw: PoseSeries,
    cfg: Config,
    clip: str,
    warnings: list[str],
    smoother: Smoother | None,
) -> SetReport:
    """One shot: landmarks -> metrics -> reps -> faults."""
    _check_long_enough(raw, cfg, clip)
    if raw.detected.mean() < MIN_DETECTED_SHARE:
        raise NoPersonError(f"{clip}: pose detected in {raw.detected.mean():.0%} of frames")
    warnings += check_people(raw)
    series = clean_series(raw, cfg.cleaning, smoother)  # landmarks
    leg = working_leg(series)  # the working leg of a single-leg set
    view = classify_view(series, leg)  # view and near side
    hidden = hip_hidden(series, view.metric_side)  # a load over the hip
    if leg is None and hidden.any():  # measured on the legs the model keeps under it
        view = unlost_side(series, view, hidden, cfg.load)
        hidden = hip_hidden(series, view.metric_side)
    from_bar = hip_from_bar(series, view, hidden, cfg.load)  # the hip it hides, from the bar
    if from_bar is not None and view.metric_side is not None:
        series = with_hip(series, view.metric_side, from_bar)
    metrics = compute_metrics(series, view.metric_side)  # per-frame metrics
    extent = body_extent_px(series)  # how big the lifter is in the picture
    if extent < cfg.faults.detail_min_body_px:
        warnings.append(_too_small_warning(extent, cfg))
    bar = bar_track(series, metrics, hidden, view, cfg.load)  # the load's bar, if it has one
    height = metrics.hip_height if bar is None else bar.height  # what reps are counted on
    counted = count_reps(metrics.t_s, height, cfg.reps)  # reps
    why_not = [not_hip_thrust(e, metrics, cfg.reps) for e in counted]
    events = [e for e, why in zip(counted, why_not, strict=True) if why is None]
    phases = phase_times(metrics.t_s, height, events, cfg.reps.still_share)
    error = segment_error(series, view, hidden)  # tracking: a skeleton that is not the lifter
    lost = knee_in_plate(series, hidden, view.metric_side)  # legs lost behind the load
    seen = _Seen(height, error, hidden, bar, extent, from_bar, lost)
    reps, var = _assess(series, metrics, view, events, phases, seen, cfg)  # faults
    status: Status = "ok"
    bad_share = unreliable_share(error, series.detected)
    if events and bad_share >= UNRELIABLE_CLIP_SHARE:
        status, reps = "tracking_unreliable", []
        warnings.append(
            f"the pose was tracked unreliably in {bad_share:.0%} of the frames (the skeleton's "
            "limbs change length): no rep is counted or judged; film from the side with the "
            "whole body in frame and in good light"
        )
    elif not events and (counted or _upright(metrics, cfg)):
        status = "not_hip_thrust"
        why = Counter(w for w in why_not if w).most_common(1)
        warnings.append(
            "this does not look like a hip thrust or glute bridge "
            f"({why[0][0] if why else 'the trunk is upright'})"
        )
    elif not events:
        warnings.append("no repetition found (the hips never rose and came back down)")
    reasons = assessability(view, var.startswith("single_leg"), _legs_seen(reps))
    reps = [  # what a rep was not judged on, among the codes the set can show
        replace(r, not_judged={c: w for c, w in r.not_judged.items() if reasons[c] is None})
        for r in reps
    ]
    return SetReport(
        clip=clip,
        status=status,
        view=view,
        assessable={code: why is None for code, why in reasons.items()},
        not_assessable={code: why for code, why in reasons.items() if why is not None},
        summary=summarize(reps, var, cfg.faults),
        reps=tuple(reps),
        warnings=tuple(warnings),
        duration_s=float(raw.timestamps_s[-1] - raw.timestamps_s[0]),
        frames=len(raw),
        fps=raw.fps,
        series=series,
        metrics=metrics,
        bar=bar,
        config=cfg,
    )


def _joined(
    raw: PoseSeries,
    shots: list[tuple[slice, SetReport | None]],
    cfg: Config,
    clip: str,
    warnings: list[str],
    smoother: Smoother | None,
) -> SetReport:
    """The shots' reports as one set report: its reps in order, its view and variation
    those of the shot with the most reps, its series and metrics over the whole clip."""
    done = [r for _, r in shots if r is not None]
    if not done:
        raise NoPersonError(f"{clip}: no person found in any shot between its camera cuts")
    main = max(done, key=lambda r: (r.rep_count, r.duration_s))
    codes = {c for r in done if r.reps for c, ok in r.assessable.items() if ok}
    codes = codes or {c for c, ok in main.assessable.items() if ok}
    reps = join_reps([(sl.start, list(r.reps), r.not_assessable) for sl, r in shots if r], codes)
    serieses, metrics = [], []
    for sl, r in shots:
        if r is None:  # the shot's own frames, cleaned and measured, for the plots and video
            part = clean_series(raw.take(sl), cfg.cleaning, smoother)
            serieses.append(part)
            metrics.append(compute_metrics(part, main.view.metric_side))
        else:
            serieses.append(r.series)
            metrics.append(r.metrics)
    n = len(raw)
    at = next(sl for sl, r in shots if r is main)
    bar = main.bar and replace(
        main.bar,
        x_px=_padded(main.bar.x_px, at, n),
        y_px=_padded(main.bar.y_px, at, n),
        height=_padded(main.bar.height, at, n),
    )
    views = [r.view.kind if r else "no lifter" for _, r in shots]
    cuts = [sl.start for sl, _ in shots[1:]]
    counted = [r for r in done if r.reps] or [main]  # a shot without reps says nothing more
    notes = [shot_warning(raw.timestamps_s, cuts, views), *(w for r in counted for w in r.warnings)]
    return replace(
        main,
        status="ok" if any(r.status == "ok" for r in done) else main.status,
        assessable={c: c in codes for c in main.assessable},
        not_assessable={c: why for c, why in main.not_assessable.items() if c not in codes},
        summary=summarize(reps, main.summary.variation, cfg.faults),
        reps=tuple(reps),
        warnings=tuple(dict.fromkeys([*warnings, *notes])),
        duration_s=float(raw.timestamps_s[-1] - raw.timestamps_s[0]),
        frames=n,
        series=PoseSeries.concat(serieses, raw.image_size, raw.fps, raw.meta),
        metrics=FrameMetrics(
            **{
                k: np.concatenate([m.as_dict()[k] for m in metrics]) for k in main.metrics.as_dict()
            },
            torso_px=main.metrics.torso_px,
        ),
        bar=bar,
        cuts_s=tuple(float(raw.timestamps_s[c]) for c in cuts),
    )


def _padded(x: np.ndarray, at: slice, n: int) -> np.ndarray:
    """``x`` (one shot's frames) placed at ``at`` in NaN over the clip's ``n`` frames."""
    out = np.full(n, np.nan)
    out[at] = x
    return out


def _assess(
    series: PoseSeries,
    m: FrameMetrics,
    view: View,
    events: list[RepEvent],
    phases: list[Phases],
    seen: _Seen,
    cfg: Config,
) -> tuple[list[Rep], str]:
    """Per-rep faults, then the set-level ones (range drift, left/right asymmetry)."""
    dy = ankle_dy(series)
    legs = [
        planted_leg(dy[e.bottom_i : ph.end_i + 1]) for e, ph in zip(events, phases, strict=True)
    ]
    codes = [c for c, why in assessability(view, True, 2).items() if why is None]
    fs = frame_rate(series)
    by_side: dict[Side | None, FrameMetrics] = {view.metric_side: m}
    rises = [float(seen.height[e.top_i] - seen.height[e.bottom_i]) for e in events]
    faults: list[list[Finding]] = []
    peaks: list[float | None] = []
    lows: list[float | None] = []
    windows = []
    for ph, leg in zip(phases, legs, strict=True):
        side = leg if (leg and view.sagittal) else view.metric_side
        if side not in by_side:
            by_side[side] = compute_metrics(series, side)
        windows.append((by_side[side], *phase_slices(by_side[side], ph, fs)))
    usual_neck = nanmedian(np.array([nanmedian(rm.neck_deg[top]) for rm, top, _, _ in windows]))
    lifts = np.array([face_lift_deg(rm, top, bottom) for rm, top, _, bottom in windows])
    usual_lift = nanmedian(lifts) if len(lifts) > 1 else 0.0  # one rep: nothing to compare
    unjudged: list[dict[str, NotJudged]] = []
    bars: list[RepBar | None] = []
    for ph, (rm, top, rise, bottom) in zip(phases, windows, strict=True):
        bad = unreliable_top(seen.error, ph.top_i, fs)
        covered = top_hidden(seen.hidden, top)
        legs_lost = {  # the model has lost the legs behind the load at this top
            c: LOST_LEG_REASON for c in LOST_LEG_FAULTS if c in codes and top_hidden(seen.lost, top)
        }
        small = seen.extent_px < cfg.faults.detail_min_body_px  # too small to see the detail
        tiny = {
            c: NotJudged(Unjudged.TOO_SMALL, _too_small_warning(seen.extent_px, cfg))
            for c in SMALL_DETAIL
            if small and c in codes
        }
        hidden_top = _from_bar(seen.from_bar, top, cfg) if covered else None
        unjudged.append(
            {**tiny, **_not_judged(codes, bad, covered, seen.bar, hidden_top), **legs_lost}
        )
        ctx = RepContext(
            rm,
            series.visibility,
            ph,
            top,
            rise,
            bottom,
            view,
            usual_neck,
            usual_lift,
        )
        judged = assess_rep(ctx, cfg.faults, [c for c in codes if c not in unjudged[-1]])
        if hidden_top is not None:  # decided on the hip estimated from the bar: say so
            judged = [
                replace(f, message=f"{f.message}; {ESTIMATED_NOTE}")
                if f.code in FROM_BAR_CODES
                else f
                for f in judged
            ]
        faults.append(judged)
        shown = view.sagittal and bad is None and "incomplete_lockout" not in unjudged[-1]
        peaks.append(_nanmedian(rm.hip_extension_deg[top]) if shown else None)
        lows.append(_nanmedian(rm.hip_extension_deg[bottom]) if shown else None)
        end = min(rise.stop, len(m.t_s) - 1)
        bars.append(rep_bar(seen.bar, m.t_s, m.torso_px, rise.start, end) if seen.bar else None)
    best = reference_rise(rises, faults)
    drift = range_drift_findings(rises, best, cfg.faults, view) if "range_drift" in codes else {}
    set_level = [
        {k: f for k, f in drift.items() if "range_drift" not in unjudged[k - 1]},
        {
            k: f
            for k, f in asymmetry_findings(peaks, legs, cfg.faults, view).items()
            if "asymmetry" not in unjudged[k - 1]
        },
    ]
    reps = []
    for k, ph in enumerate(phases):
        found = (*faults[k], *(extra[k + 1] for extra in set_level if k + 1 in extra))
        peak, low = peaks[k], lows[k]
        reps.append(
            Rep(
                index=k + 1,
                phases=ph,
                peak_hip_extension_deg=peak,
                range_deg=None if peak is None or low is None else peak - low,
                rise=rises[k],
                partial=bool(rises[k] < cfg.reps.full_range_share * best),
                working_leg=legs[k],
                score=rep_score(found, cfg.faults),
                faults=found,
                not_judged=unjudged[k],
                bar=bars[k],
            )
        )
    return reps, variation(m, events, legs)


@dataclass(frozen=True)
class _Seen:
    """What the camera showed of the set, beside the metrics: the height reps are measured on
    (the hips', or the bar's when a load hides them), each frame's tracking error, the frames
    whose hip a plate hides, and the bar."""

    height: np.ndarray
    error: np.ndarray
    hidden: np.ndarray
    bar: BarTrack | None
    extent_px: float  # the lifter's size in the picture
    from_bar: HipFromBar | None  # the hidden hip estimated from the bar
    lost: np.ndarray  # (T,) the model puts the knee inside the plate


def _not_judged(
    codes: list[str],
    unreliable: float | None,
    hip_hidden: bool,
    bar: BarTrack | None,
    from_bar: dict[str, NotJudged] | None = None,
) -> dict[str, NotJudged]:
    """Code -> why a rep is not judged on it: every code when its top was tracked badly; when
    the load hides the hip, the codes of its position (and of its motion too when no bar
    track stands in for it), except the top-position codes the bar decides (``from_bar``:
    code -> why not, for the ones it cannot); none otherwise."""
    if unreliable is not None:
        return dict.fromkeys(codes, unreliable_reason(unreliable))
    hip = HIDDEN_HIP_POSITION if bar is not None else HIDDEN_HIP_FAULTS
    out = {c: HIDDEN_HIP_REASON for c in hip if hip_hidden and c in codes}
    if from_bar is not None:
        for code in FROM_BAR_CODES:
            out.pop(code, None)
        out |= {c: why for c, why in from_bar.items() if c in codes}
    return out


#: Added to a finding decided on the hip estimated from the bar.
ESTIMATED_NOTE = "the load hides the hip: estimated from the bar"
#: The top-position codes the hip estimated from the bar can decide.
FROM_BAR_CODES = ("incomplete_lockout", "lumbar_hyperextension")


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


#: The faults measured on landmarks a few pixels apart when the lifter is small in the picture.
SMALL_DETAIL = ("neck_craning", "heels_lifting")


def _too_small_warning(extent_px: float, cfg: Config) -> str:
    return (
        f"the lifter is too small in the picture to see the head and heels ({extent_px:.0f} px "
        f"head to feet, {cfg.faults.detail_min_body_px:.0f} needed): film closer or zoom in"
    )


def _nanmedian(x: np.ndarray) -> float | None:
    """The median of the finite values, or None (for report fields) when there are none."""
    v = nanmedian(x)
    return v if np.isfinite(v) else None


def _upright(m: FrameMetrics, cfg: Config) -> bool:
    incline = m.trunk_incline_deg[np.isfinite(m.trunk_incline_deg)]
    return bool(incline.size and np.median(np.abs(incline)) > cfg.reps.max_trunk_tilt_deg)


def _legs_seen(reps: list[Rep]) -> int:
    return len({r.working_leg for r in reps if r.working_leg})
