"""The analysis, end to end: video -> pose -> landmarks -> metrics -> reps -> faults -> report.

`analyze` is the whole data flow in one place; each step is a small module (docs/
ARCHITECTURE.md says who owns which fact).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from formcheck.analysis.assess import Seen, assess_reps, too_small_warning
from formcheck.analysis.bar import bar_track
from formcheck.analysis.hip_from_bar import hip_from_bar, with_hip
from formcheck.analysis.load import hip_hidden, knee_in_plate, unlost_side
from formcheck.analysis.metrics import FrameMetrics, compute_metrics
from formcheck.analysis.reps import RepSegmenter, hold_only
from formcheck.analysis.set_faults import assessability
from formcheck.analysis.shots import find_cuts, join_shots, shot_slices
from formcheck.analysis.summary import not_hip_thrust, summarize
from formcheck.analysis.tracking import segment_error, unreliable_share
from formcheck.analysis.view import classify_view, working_leg
from formcheck.config import Config
from formcheck.errors import FormcheckError, InputError, NoPersonError
from formcheck.landmarks.clean import Smoother, clean_series, warm_imports
from formcheck.landmarks.quality import body_extent_px, check_people
from formcheck.landmarks.series import PoseSeries
from formcheck.pose.read import read_pose_series
from formcheck.pose.track import DEFAULT_MAX_FPS
from formcheck.processes import ProgressFn
from formcheck.results import Rep, SetReport, Status

log = logging.getLogger(__name__)


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
    meanwhile: Callable[[], object] | None = warm_imports,
) -> SetReport:
    """Analyse one recorded set (a video, or landmarks saved by ``save_landmarks``).

    ``workers`` landmarkers track segments of the clip at once; clips above ``max_fps`` are
    analysed at every k-th frame (0 = every frame). Several landmarkers, a clip above 2
    minutes, or ``in_workers`` (even one landmarker) track in worker processes, spawned unless
    they can be forked safely (`formcheck.processes.start_context`), so a script calling this
    needs the ``if __name__ == "__main__":`` guard of `multiprocessing`. ``meanwhile`` is
    started while the pose model runs (by default the analysis' imports; a caller that goes on
    to write outputs may add theirs).
    """
    cfg = config or Config()
    raw, warnings = read_pose_series(  # video -> pose
        Path(source),
        model,
        progress,
        workers=workers,
        max_fps=max_fps,
        meanwhile=meanwhile,
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
    _check_someone(raw, cfg, clip)
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
    return join_shots(raw, shots, cfg, clip, list(warnings or []), smoother)


def _check_long_enough(raw: PoseSeries, cfg: Config, clip: str) -> None:
    """A still image, a single frame or a fraction of a second holds no repetition."""
    duration = float(raw.timestamps_s[-1] - raw.timestamps_s[0]) if len(raw) else 0.0
    if len(raw) < 3 or duration < cfg.reps.min_clip_s:
        raise InputError(
            f"{clip}: too short to contain a repetition ({len(raw)} frame"
            f"{'s' if len(raw) != 1 else ''}, {duration:.1f} s)"
        )


def _check_someone(raw: PoseSeries, cfg: Config, clip: str) -> None:
    if raw.detected.mean() < cfg.reps.min_detected_share:
        raise NoPersonError(
            f"{clip}: no person found (pose detected in {raw.detected.mean():.0%} of frames)"
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
    _check_someone(raw, cfg, clip)
    warnings += check_people(raw)
    series = clean_series(raw, cfg.cleaning, smoother)  # landmarks
    leg = working_leg(series, cfg.view)  # the working leg of a single-leg set
    view = classify_view(series, cfg.view, leg)  # view and near side
    hidden = hip_hidden(series, view.metric_side, cfg.load)  # a load over the hip
    if leg is None and hidden.any():  # measured on the legs the model keeps under it
        view = unlost_side(series, view, hidden, cfg.load)
        hidden = hip_hidden(series, view.metric_side, cfg.load)
    from_bar = hip_from_bar(series, view, hidden, cfg.load)  # the hip it hides, from the bar
    if from_bar is not None and view.metric_side is not None:
        series = with_hip(series, view.metric_side, from_bar, cfg.load)
    metrics = compute_metrics(series, view.metric_side)  # per-frame metrics
    extent = body_extent_px(series)  # how big the lifter is in the picture
    if extent < cfg.faults.detail_min_body_px:
        warnings.append(too_small_warning(extent, cfg))
    bar = bar_track(series, metrics, hidden, view, cfg.load)  # the load's bar, if it has one
    height = metrics.hip_height if bar is None else bar.height  # what reps are counted on
    along = view.frontal  # looking along the body: the torso foreshortened
    rep_cfg = replace(cfg.reps, min_rise=cfg.reps.min_rise_along_body) if along else cfg.reps
    segmenter = RepSegmenter(rep_cfg, lambda e: not_hip_thrust(e, metrics, cfg.reps, along))
    for t_s, h in zip(metrics.t_s, height, strict=True):  # reps
        segmenter.update(float(t_s), float(h))
    phases = segmenter.finish()  # and their phases
    if along:  # the knees hide the hips' lower half: the hold is all that is timed
        phases = [hold_only(p) for p in phases]
    error = segment_error(series, view, cfg.tracking, hidden)  # a skeleton that is not the lifter
    lost = knee_in_plate(series, hidden, view.metric_side, cfg.load)  # legs lost behind the load
    seen = Seen(height, error, hidden, bar, extent, from_bar, lost)
    reps, var = assess_reps(series, metrics, view, phases, seen, cfg)  # faults
    status, reps = _status(series, metrics, reps, error, segmenter, cfg, warnings, along)
    reasons = assessability(view, var, _legs_seen(reps))
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


def _status(
    series: PoseSeries,
    metrics: FrameMetrics,
    reps: list[Rep],
    error: np.ndarray,
    segmenter: RepSegmenter,
    cfg: Config,
    warnings: list[str],
    along_body: bool,
) -> tuple[Status, list[Rep]]:
    """Whether the shot's reps stand (tracked well enough, a hip thrust at all), with the
    warnings that say why not; the reps kept."""
    bad_share = unreliable_share(error, series.detected, cfg.tracking)
    if reps and bad_share >= cfg.tracking.unreliable_clip_share:
        warnings.append(
            f"the pose was tracked unreliably in {bad_share:.0%} of the frames (the skeleton's "
            "limbs change length): no rep is counted or judged; film from the side with the "
            "whole body in frame and in good light"
        )
        return "tracking_unreliable", []
    if not reps and (segmenter.counted or (_upright(metrics, cfg) and not along_body)):
        why = Counter(w for w in segmenter.reasons if w).most_common(1)
        warnings.append(
            "this does not look like a hip thrust or glute bridge "
            f"({why[0][0] if why else 'the trunk is upright'})"
        )
        return "not_hip_thrust", reps
    if not reps:
        warnings.append("no repetition found (the hips never rose and came back down)")
    return "ok", reps


def _upright(m: FrameMetrics, cfg: Config) -> bool:
    incline = m.trunk_incline_deg[np.isfinite(m.trunk_incline_deg)]
    return bool(incline.size and np.median(np.abs(incline)) > cfg.reps.max_trunk_tilt_deg)


def _legs_seen(reps: list[Rep]) -> int:
    return len({r.working_leg for r in reps if r.working_leg})
