"""Which heel-lift measure separates rendered heel lifts from planted heels (issue 20)?

    formcheck synth --benchmark main DIR        # the 70-clip benchmark (10 heel-lift reps)
    python benchmarks/bench_heels.py DIR

For every rep of a side or oblique clip (landmarks from the eval cache, reps matched to the
labels by lockout time), each candidate measure at the top against the rep's bottom, in torso
lengths or degrees, on the rep's measured leg:

- ``heel``: the heel landmark's rise (today's rule, `formcheck.analysis.metrics.heel_height`);
- ``ankle``: the ankle's rise (the foot pivots about the toes, so the ankle rises with the heel);
- ``pitch``: the heel-toe line's change against horizontal;
- ``heel_vs_toe``: the heel's rise minus the toe's (a rigid foot rolling onto its toes).

For each measure: the threshold that gives the best F1 on the ``tune_`` reps, and the F1 that
threshold gives on the ``test_`` reps. Prints a table; ``--json`` writes the per-rep values.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from formcheck.analysis.assess import RepWindow, rep_windows
from formcheck.analysis.metrics import nanmedian, point
from formcheck.config import Config
from formcheck.evaluate.cache import LandmarkCache, default_cache_dir
from formcheck.evaluate.dataset import load_dataset
from formcheck.evaluate.scoring import match_reps
from formcheck.landmarks.names import Side
from formcheck.pipeline import analyze_series
from formcheck.pose.models import resolve_model

MEASURES = ("heel", "ankle", "pitch", "heel_vs_toe")


def _rep_values(xy: np.ndarray, torso: float, w: RepWindow, side: Side | None) -> dict[str, float]:
    """Each measure for one rep, on the metrics its window was judged on."""

    def rise(name: str) -> float:
        y = point(xy, name, side)[:, 1]
        return (nanmedian(y[w.bottom]) - nanmedian(y[w.top])) / torso

    pitch = w.metrics.foot_pitch_deg
    return {
        "heel": rise("heel"),
        "ankle": rise("ankle"),
        "pitch": nanmedian(pitch[w.top]) - nanmedian(pitch[w.bottom]),
        "heel_vs_toe": rise("heel") - rise("foot_index"),
    }


def _f1(values: np.ndarray, truth: np.ndarray, thr: float) -> float:
    found = values > thr
    tp = int(np.sum(found & truth))
    fp = int(np.sum(found & ~truth))
    fn = int(np.sum(~found & truth))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    cache = LandmarkCache(default_cache_dir(), resolve_model(None))
    rows = []
    for clip in load_dataset(args.folder):
        raw, warnings = cache.get(clip.path)
        report = analyze_series(raw, Config(), clip.name, warnings)
        if not report.view.sagittal:
            continue
        details = clip.label.get("rep_details") or []
        matched = match_reps([d["lockout_s"] for d in details], [r.lockout_s for r in report.reps])
        windows = rep_windows(
            report.series,
            report.metrics,
            report.view,
            [r.phases for r in report.reps],
            report.metrics.hip_height,
            Config(),
        )
        for i, j in matched.items():
            w = windows[j]
            side = w.leg if w.leg else report.view.metric_side
            vals = _rep_values(report.series.xy_px, report.metrics.torso_px, w, side)
            rows.append(
                {
                    "clip": clip.name,
                    "split": clip.split,
                    "view": report.view.kind,
                    "rep": i + 1,
                    "heels": "heels_lifting" in details[i]["faults"],
                    **{k: round(float(v), 4) for k, v in vals.items()},
                }
            )
    print(f"{len(rows)} reps, {sum(r['heels'] for r in rows)} with a heel lift")
    print("| measure | best tune threshold | tune F1 | test F1 | test tp/fp/fn |")
    print("|---|---|---|---|---|")
    for name in MEASURES:
        tune = [r for r in rows if r["split"] == "tune" and np.isfinite(r[name])]
        test = [r for r in rows if r["split"] == "test" and np.isfinite(r[name])]
        v_tune = np.array([r[name] for r in tune])
        t_tune = np.array([r["heels"] for r in tune])
        best = max(np.unique(v_tune), key=lambda thr: _f1(v_tune, t_tune, thr - 1e-9))
        thr = float(best) - 1e-9
        v = np.array([r[name] for r in test])
        t = np.array([r["heels"] for r in test])
        found = v > thr
        counts = (int(np.sum(found & t)), int(np.sum(found & ~t)), int(np.sum(~found & t)))
        print(
            f"| {name} | {thr:.3f} | {_f1(v_tune, t_tune, thr):.2f} | {_f1(v, t, thr):.2f} | "
            f"{counts[0]}/{counts[1]}/{counts[2]} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
