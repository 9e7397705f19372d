"""Camera cuts, the analysis side: which picture changes are cuts, and the shots between.

A frame starts a new shot when its picture change (`formcheck.video.cuts`) is at least
``min_change``, at least ``min_ratio`` times the median change of the frames within
``NEIGHBOURS_S`` around it, and at least ADJACENT_RATIO times either next frame's: one
frame that jumps, not a stretch of handheld motion or a fast body. Shots shorter than
``min_shot_s`` stay with the shot before them. Each shot is then analysed on its own
(`formcheck.pipeline.analyze_series`): its own feet and torso reference, view, reps, tempo
and set-level faults, so nothing is measured across a cut.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from formcheck.config import ShotConfig
from formcheck.results import NotJudged, Rep, Unjudged

#: Frames within this many seconds of a change are its neighbourhood.
NEIGHBOURS_S = 0.5
#: A cut is one frame: it changes at least this many times more than the frame before or after.
ADJACENT_RATIO = 2.0


def find_cuts(t_s: np.ndarray, change: np.ndarray, cfg: ShotConfig) -> list[int]:
    """Indices of the frames that start a new shot (never 0)."""
    n = len(change)
    if n < 3 or not np.isfinite(change).any():
        return []
    fps = (n - 1) / max(float(t_s[-1] - t_s[0]), 1e-6)
    k = max(2, round(NEIGHBOURS_S * fps))
    cuts: list[int] = []
    for i in np.flatnonzero(np.nan_to_num(change) >= cfg.min_change):
        around = np.r_[change[max(0, i - k) : max(0, i - 1)], change[i + 2 : i + k + 1]]
        usual = float(np.nanmedian(around)) if np.isfinite(around).any() else 0.0
        adjacent = np.nan_to_num(change[[j for j in (i - 1, i + 1) if 0 <= j < n]]).max(initial=0)
        jumps = change[i] >= max(cfg.min_ratio * max(usual, 1e-4), ADJACENT_RATIO * adjacent)
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
