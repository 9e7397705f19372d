"""Camera cuts, the analysis side: which picture changes are cuts, and the shots between.

A frame starts a new shot when its picture change (`formcheck.video.cuts`) is at least
``min_change``, at least ``min_ratio`` times the median change of the frames within
``neighbours_s`` around it, and at least ``adjacent_ratio`` times either next frame's: one
frame that jumps, not a stretch of handheld motion or a fast body. Shots shorter than
``min_shot_s`` stay with the shot before them. Each shot is then analysed on its own
(`formcheck.pipeline.analyze_series`): its own feet and torso reference, view, reps, tempo
and set-level faults, so nothing is measured across a cut.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from formcheck.analysis.metrics import compute_metrics
from formcheck.analysis.summary import summarize
from formcheck.config import Config, ShotConfig
from formcheck.errors import NoPersonError
from formcheck.landmarks.clean import Smoother, clean_series
from formcheck.landmarks.series import PoseSeries
from formcheck.results import FrameMetrics, NotJudged, Rep, SetReport, Unjudged


def find_cuts(t_s: np.ndarray, change: np.ndarray, cfg: ShotConfig) -> list[int]:
    """Indices of the frames that start a new shot (never 0)."""
    n = len(change)
    if n < 3 or not np.isfinite(change).any():
        return []
    fps = (n - 1) / max(float(t_s[-1] - t_s[0]), 1e-6)
    k = max(2, round(cfg.neighbours_s * fps))
    cuts: list[int] = []
    for i in np.flatnonzero(np.nan_to_num(change) >= cfg.min_change):
        around = np.r_[change[max(0, i - k) : max(0, i - 1)], change[i + 2 : i + k + 1]]
        usual = float(np.nanmedian(around)) if np.isfinite(around).any() else 0.0
        adjacent = np.nan_to_num(change[[j for j in (i - 1, i + 1) if 0 <= j < n]]).max(initial=0)
        jumps = change[i] >= max(cfg.min_ratio * max(usual, 1e-4), cfg.adjacent_ratio * adjacent)
        since = t_s[i] - (t_s[cuts[-1]] if cuts else t_s[0])
        if jumps and since >= cfg.min_shot_s:
            cuts.append(int(i))
    if cuts and t_s[-1] - t_s[cuts[-1]] < cfg.min_shot_s:
        cuts.pop()  # the last shot is too short to be one: it stays with the one before
    return cuts


def shot_slices(cuts: list[int], n: int) -> list[slice]:
    """The shots between ``cuts`` over ``n`` frames."""
    bounds = [0, *cuts, n]
    return [slice(a, b) for a, b in itertools.pairwise(bounds)]


def shot_warning(t_s: np.ndarray, cuts: list[int], views: list[str]) -> str:
    """One line for the report: where the camera cut, and what each shot showed."""
    at = ", ".join(f"{t_s[i]:.1f} s" for i in cuts)
    shots = " / ".join(views)
    return (
        f"camera cut at {at}: each shot ({shots}) is analysed on its own, so no rep, tempo or "
        "set-level fault spans a cut"
    )


def join_reps(
    parts: list[tuple[int, list[Rep], dict[str, NotJudged]]], codes: set[str]
) -> list[Rep]:
    """The shots' reps as one set: numbered in order, frame indices into the whole clip, and
    each rep not judged on the set's codes that its own shot could not show.

    ``parts`` holds (first frame, reps, code -> why not assessable) per shot."""
    reps: list[Rep] = []
    for start, shot_reps, not_assessable in parts:
        for rep in shot_reps:
            blind = {
                c: NotJudged(Unjudged.SHOT, f"{nj.why} in this shot")
                for c, nj in not_assessable.items()
                if c in codes
            }
            reps.append(
                replace(
                    rep,
                    index=len(reps) + 1,
                    not_judged={**blind, **rep.not_judged},
                    phases=rep.phases.shifted(start),
                )
            )
    return reps


def join_shots(
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
