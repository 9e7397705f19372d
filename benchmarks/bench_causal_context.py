"""What judging each rep as of its end would cost the offline verdicts.

    python benchmarks/bench_causal_context.py DATASET [DATASET ...] [--lookahead S]

Issue 18 asks for live verdicts that are identical to offline ones because both run the same
stages. Live can only know what came before a rep's end, so offline would have to judge each
rep the same way: on the clip's frames up to that rep's end plus ``--lookahead`` (live waits
``[live] settle_s`` before a verdict). This scores both like ``formcheck eval`` on the same
cached landmarks: the whole-clip analysis, and each rep's verdict from the analysis of the
frames up to its end (zero-phase smoothing within them; the view, the hip height's reference,
the load, the tracking gate, the set's best range and usual head angles all as of then). The
rep count is the whole clip's in both: counting is causal already.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from formcheck.config import Config
from formcheck.errors import FormcheckError
from formcheck.evaluate.cache import LandmarkCache, default_cache_dir
from formcheck.evaluate.dataset import load_dataset
from formcheck.evaluate.scoring import ClipScore, score_clip
from formcheck.evaluate.summary import aggregate
from formcheck.landmarks.series import PoseSeries
from formcheck.pipeline import analyze_series
from formcheck.pose.models import resolve_model
from formcheck.results import Rep, SetReport


def as_of_their_end(
    report: SetReport, raw: PoseSeries, lookahead_s: float
) -> tuple[SetReport, int]:
    """``report`` with each rep's verdict from the frames up to its end; the reps that the
    analysis of those frames does not find (kept as the whole clip judged them)."""
    t = report.series.timestamps_s
    reps: list[Rep] = []
    missing = 0
    for rep in report.reps:
        stop = int(np.searchsorted(t, rep.end_s + lookahead_s, side="right"))
        try:
            part = analyze_series(raw.take(slice(0, stop)), report.config, report.clip)
            near = [r for r in part.reps if abs(r.lockout_s - rep.lockout_s) < 0.5]
        except FormcheckError:
            near = []
        if near:
            reps.append(replace(near[0], index=rep.index))
        else:
            reps.append(rep)
            missing += 1
    return replace(report, reps=tuple(reps)), missing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("datasets", nargs="+", type=Path)
    ap.add_argument("--lookahead", type=float, default=Config().live.settle_s)
    args = ap.parse_args()
    cache = LandmarkCache(default_cache_dir(), resolve_model(None))
    whole: list[ClipScore] = []
    causal: list[ClipScore] = []
    reps = changed = missing = 0
    for folder in args.datasets:
        for clip in load_dataset(folder):
            raw, warnings = cache.get(clip.path)
            try:
                report = analyze_series(raw, Config(), clip.name, warnings)
            except FormcheckError:
                continue
            as_of, lost = as_of_their_end(report, raw, args.lookahead)
            whole.append(score_clip(clip, report))
            causal.append(score_clip(clip, as_of))
            reps += len(report.reps)
            missing += lost
            changed += sum(
                {f.code for f in a.faults} != {f.code for f in b.faults}
                for a, b in zip(report.reps, as_of.reps, strict=True)
            )
    a, b = aggregate(whole), aggregate(causal)
    out = sys.stdout
    out.write(f"{len(whole)} clips, {reps} reps: {changed} reps with other faults as of their ")
    out.write(f"end (+{args.lookahead:g} s), {missing} not found then (kept as judged whole)\n\n")
    out.write("| fault | whole clip tp / fp / fn, F1 | as of each rep's end tp / fp / fn, F1 |\n")
    out.write("|---|---|---|\n")
    for code in sorted(set(a["faults"]) | set(b["faults"])):
        fa, fb = a["faults"].get(code), b["faults"].get(code)
        cells = [f"{f['tp']} / {f['fp']} / {f['fn']}, {f['f1']}" if f else "-" for f in (fa, fb)]
        out.write(f"| {code} | {cells[0]} | {cells[1]} |\n")
    for key in ("clean_reps", "clean_reps_with_false_fault"):
        out.write(f"| {key} | {a[key]} | {b[key]} |\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
