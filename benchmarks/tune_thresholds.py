"""Tune fault thresholds on the benchmark's tune_ clips; report on the test_ clips.

    formcheck synth --benchmark BENCH        # render the labelled benchmark once
    python benchmarks/tune_thresholds.py BENCH [--out tuned.toml]

Each threshold is swept on its own over a grid, and the value with the best F1 of its fault on
the tune_ clips is kept (ties: the value nearest the current default). The test_ clips are never
looked at while choosing; the script then prints test_ results with the default and the tuned
thresholds side by side, and writes the tuned values as a config file.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from formcheck.config import Config
from formcheck.evaluate.cache import LandmarkCache, default_cache_dir
from formcheck.evaluate.run import evaluate, rescore
from formcheck.evaluate.scoring import ClipScore
from formcheck.evaluate.summary import aggregate
from formcheck.pose.models import resolve_model

# (config key in [faults], fault code it decides, grid)
GRID: list[tuple[str, str, np.ndarray]] = [
    ("lockout_min_deg", "incomplete_lockout", np.arange(150.0, 172.5, 2.5)),
    ("hyperextension_max_deg", "lumbar_hyperextension", np.arange(186.0, 206.0, 2.0)),
    ("eccentric_min_s", "rushed_eccentric", np.arange(0.6, 1.35, 0.1)),
    ("top_hold_min_s", "no_top_pause", np.arange(0.3, 0.85, 0.05)),
    ("bounce_max_bottom_s", "bounce", np.arange(0.1, 0.55, 0.05)),
    ("shin_max_deg", "shins_not_vertical", np.arange(10.0, 23.0, 1.0)),
    ("neck_max_deg", "neck_craning", np.arange(-30.0, 12.5, 2.5)),
    ("heel_lift_max", "heels_lifting", np.arange(0.04, 0.15, 0.01)),
    ("range_drift_share", "range_drift", np.arange(0.75, 0.93, 0.01)),
    ("pelvis_max_deg", "pelvic_tilt_rotation", np.arange(5.0, 16.0, 1.0)),
]


def _f1(rows: tuple[ClipScore, ...], code: str) -> float:
    f = aggregate(rows)["faults"].get(code)
    return -1.0 if f is None or f["f1"] is None else float(f["f1"])


def tune(rows: tuple[ClipScore, ...], cache: LandmarkCache, base: Config) -> Config:
    cfg = base
    for key, code, grid in GRID:
        default = getattr(base.faults, key)
        scored = []
        for value in grid:
            trial = replace(base, faults=replace(base.faults, **{key: float(round(value, 4))}))
            scored.append(
                (_f1(rescore(rows, cache, trial).rows, code), -abs(value - default), value)
            )
        best = max(scored)
        sys.stdout.write(
            f"{key:24s} default {default:g} -> {best[2]:.4g} (tune F1 {best[0]:.3f})\n"
        )
        cfg = replace(cfg, faults=replace(cfg.faults, **{key: float(round(best[2], 4))}))
    return cfg


def _row(name: str, a: dict) -> str:  # type: ignore[type-arg]
    f1 = " | ".join(
        "-" if (f := a["faults"].get(code)) is None or f["f1"] is None else f"{f['f1']:.2f}"
        for _, code, _ in GRID
    )
    return f"| {name} | {a['rep_count_exact']:.0%} | {a['hip_angle_mae_deg']} | {f1} |"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("benchmark", type=Path)
    ap.add_argument("--out", type=Path, default=Path("tuned.toml"))
    args = ap.parse_args()
    cache = LandmarkCache(default_cache_dir(), resolve_model(None))
    rows = evaluate([args.benchmark], cache.folder).rows
    tune_rows = tuple(r for r in rows if r.clip.split == "tune")
    test_rows = tuple(r for r in rows if r.clip.split == "test")
    tuned = tune(tune_rows, cache, Config())
    head = " | ".join(code for _, code, _ in GRID)
    sys.stdout.write(f"\n| thresholds (test_ clips) | reps exact | hip MAE | {head} |\n")
    sys.stdout.write("|" + "---|" * (3 + len(GRID)) + "\n")
    for name, cfg in (("default", Config()), ("tuned on tune_", tuned)):
        sys.stdout.write(_row(name, aggregate(rescore(test_rows, cache, cfg).rows)) + "\n")
    lines = ["[faults]"] + [f"{k} = {getattr(tuned.faults, k):g}" for k, _, _ in GRID]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write(f"\nwrote {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
