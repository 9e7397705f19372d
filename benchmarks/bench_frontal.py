"""What the camera shows of the pelvis and the knees from the feet, the head and steep obliques
(issue 20), against the rendered truth of the frontal benchmark:

    formcheck synth --benchmark frontal DIR        # or --only test_ for the held-out half
    python benchmarks/bench_frontal.py DIR [--split test]

Per clip (landmarks from the eval cache, so a second run is quick): the view formcheck sees,
the share of frames with a person found, the pelvic obliquity error (the image hip line
against horizontal, as `formcheck.analysis.metrics` measures it, and the same change from the
rep's bottom, against the true change), the rotation metric on clips whose truth has none, and
the knee/ankle width ratio's error at the top of two-leg reps. Then per view family the
medians. The fault F1 on the same clips is ``formcheck eval DIR``'s.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from formcheck.config import Config
from formcheck.evaluate.cache import LandmarkCache, default_cache_dir
from formcheck.evaluate.dataset import load_dataset
from formcheck.pipeline import analyze_series
from formcheck.pose.models import resolve_model


def _family(view: str) -> str:
    return "feet" if "feet" in view else "head" if "head" in view else "steep oblique"


def _clip_row(clip_path: Path, label: dict, cache: LandmarkCache) -> dict:
    raw, warnings = cache.get(clip_path)
    report = analyze_series(raw, Config(), clip_path.name, warnings)
    gt = np.load(clip_path.with_name(f"{clip_path.stem}_gt.npz"))
    m = report.metrics
    n = min(len(m.t_s), len(gt["rep"]))
    seen = np.isfinite(raw.xy_px[:n, 23, 0])
    row: dict = {
        "clip": clip_path.stem,
        "family": _family(str(label["view"])),
        "seen_as": report.view.name,
        "detected": float(np.mean(seen)),
        "reps": f"{report.rep_count}/{label['reps']}",
    }
    rep, phase = gt["rep"][:n], gt["phase"][:n]
    tilt = m.pelvic_tilt_deg[:n]
    # the image tilt folds left/right: its sign follows which hip is on the image left
    truth = np.abs(gt["pelvic_obliquity_deg"][:n])
    ours = np.abs(tilt)
    row["obliquity_mae_deg"] = float(np.nanmean(np.abs(ours - truth)[rep >= 0]))
    changes, rots, knees = [], [], []
    for k in range(int(rep.max()) + 1):
        top, bottom = (rep == k) & (phase == "top"), (rep == k) & (phase == "bottom")
        if not top.any() or not bottom.any():
            continue
        ours_d = abs(np.nanmedian(tilt[top]) - np.nanmedian(tilt[bottom]))
        true_d = abs(
            np.median(gt["pelvic_obliquity_deg"][:n][top])
            - np.median(gt["pelvic_obliquity_deg"][:n][bottom])
        )
        changes.append((true_d, ours_d))
        rot = m.pelvic_rotation_deg[:n]
        rots.append(abs(np.nanmedian(rot[top]) - np.nanmedian(rot[bottom])))
        if not label["exercise"].startswith("single_leg"):
            knees.append(
                (np.median(gt["knee_ankle_ratio"][:n][top]), np.nanmedian(m.knee_ratio[:n][top]))
            )
    ch = np.array(changes)
    row["drop_change_mae_deg"] = float(np.nanmean(np.abs(ch[:, 1] - ch[:, 0]))) if len(ch) else None
    row["drop_changes"] = [(round(t, 1), round(o, 1)) for t, o in changes]
    row["rotation_change_deg"] = [round(float(r), 1) for r in rots]
    row["knee_ratio"] = [(round(float(t), 2), round(float(o), 2)) for t, o in knees]
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--split", choices=("tune", "test", "all"), default="all")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args(argv)
    cache = LandmarkCache(default_cache_dir(), resolve_model(None))
    rows = []
    for clip in load_dataset(args.folder):
        if args.split != "all" and not clip.name.startswith(args.split):
            continue
        row = _clip_row(clip.path, clip.label, cache)
        rows.append(row)
        print(json.dumps(row), flush=True)
    for fam in sorted({r["family"] for r in rows}):
        sub = [r for r in rows if r["family"] == fam]
        print(
            f"{fam}: {len(sub)} clips, detected {np.median([r['detected'] for r in sub]):.2f}, "
            f"obliquity MAE {np.nanmedian([r['obliquity_mae_deg'] for r in sub]):.1f} deg "
            f"(median of clips), drop-change MAE "
            f"{np.nanmedian([r['drop_change_mae_deg'] for r in sub]):.1f} deg"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
