"""Frame stride judged on accuracy: every frame against ``--max-fps`` on clips above it.

    python benchmarks/bench_stride.py DATASET [DATASET ...] [--max-fps 30]

Issue 19's criteria for analysing clips above 30 fps at every k-th frame by default: on every
clip above ``--max-fps``, the rep count is identical, each phase of each rep (bottom pause,
rise, top hold, descent) is within one analysed frame (k / fps seconds), and each fault's F1 is
within 0.02 of every-frame analysis. Landmarks come from the landmark cache (the pose model
runs at the stride, as ``formcheck analyze --max-fps`` does, not on every frame subsampled);
a clip not cached yet is tracked once per mode (~25 ms a frame). Prints one line per clip that
breaks a criterion, then the table, and exits 1 when any criterion fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from formcheck.config import Config
from formcheck.errors import FormcheckError
from formcheck.evaluate.cache import LandmarkCache, default_cache_dir
from formcheck.evaluate.dataset import load_dataset
from formcheck.evaluate.scoring import ClipScore, score_clip
from formcheck.evaluate.summary import aggregate
from formcheck.pipeline import analyze_series
from formcheck.pose.models import resolve_model
from formcheck.results import SetReport
from formcheck.video.reader import VideoReader

PHASES = ("bottom_pause_s", "concentric_s", "top_hold_s", "eccentric_s")
F1_MARGIN = 0.02


def tempo_gaps(every: SetReport, strided: SetReport) -> list[float]:
    """|difference| of each phase of each rep, seconds (reps paired by order; a phase one of
    the two does not show is left out)."""
    gaps = []
    for a, b in zip(every.reps, strided.reps, strict=False):
        for name in PHASES:
            x, y = getattr(a.tempo, name), getattr(b.tempo, name)
            if x is not None and y is not None:
                gaps.append(abs(x - y))
    return gaps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("datasets", nargs="+", type=Path)
    ap.add_argument("--max-fps", type=float, default=30.0)
    args = ap.parse_args()
    model = resolve_model(None)
    caches = [LandmarkCache(default_cache_dir(), model, max_fps=f) for f in (0.0, args.max_fps)]
    scores: tuple[list[ClipScore], list[ClipScore]] = ([], [])
    clips = reps = 0
    worst_gap_frames = 0.0
    failed = False
    out = sys.stdout
    for folder in args.datasets:
        for clip in load_dataset(folder):
            with VideoReader(clip.path) as reader:
                fps = reader.info.fps
            if fps <= args.max_fps:
                continue
            reports = []
            for cache in caches:
                raw, warnings = cache.get(clip.path)
                try:
                    reports.append(analyze_series(raw, Config(), clip.name, warnings))
                except FormcheckError as exc:
                    out.write(f"{clip.name}: not analysed ({exc})\n")
                    break
            if len(reports) < 2:
                continue
            every, strided = reports
            clips += 1
            reps += every.rep_count
            for k, report in enumerate(reports):
                scores[k].append(score_clip(clip, report))
            frame_s = int(strided.series.meta.get("stride", "1")) / fps
            gaps = tempo_gaps(every, strided)
            worst = max(gaps, default=0.0)
            worst_gap_frames = max(worst_gap_frames, round(worst / frame_s, 2))
            if every.rep_count != strided.rep_count:
                out.write(f"{clip.name}: {every.rep_count} reps every frame, ")
                out.write(f"{strided.rep_count} with the stride\n")
                failed = True
            if worst > frame_s + 1e-6:
                out.write(f"{clip.name}: a phase {worst:.3f} s apart (one analysed frame ")
                out.write(f"{frame_s:.3f} s)\n")
                failed = True
            changed = [
                (a.index, sorted({f.code for f in a.faults} ^ {f.code for f in b.faults}))
                for a, b in zip(every.reps, strided.reps, strict=False)
            ]
            for index, codes in changed:
                if codes:
                    out.write(f"{clip.name}: rep {index} faults differ: {', '.join(codes)}\n")
    a, b = aggregate(scores[0]), aggregate(scores[1])
    out.write(f"\n{clips} clips above {args.max_fps:g} fps, {reps} reps; the largest phase ")
    out.write(f"difference is {worst_gap_frames:g} analysed frames\n\n")
    out.write(f"| fault | every frame F1 | at {args.max_fps:g} fps F1 | within {F1_MARGIN} |\n")
    out.write("|---|---|---|---|\n")
    for code in sorted(set(a["faults"]) | set(b["faults"])):
        fa, fb = a["faults"].get(code), b["faults"].get(code)
        x = fa["f1"] if fa else None
        y = fb["f1"] if fb else None
        ok = x is None or y is None or abs(x - y) <= F1_MARGIN + 1e-9
        failed |= not ok
        out.write(f"| {code} | {x} | {y} | {'yes' if ok else 'NO'} |\n")
    for key in ("rep_count_exact", "hip_angle_mae_deg", "clean_reps_with_false_fault"):
        out.write(f"| {key} | {a[key]} | {b[key]} | |\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
