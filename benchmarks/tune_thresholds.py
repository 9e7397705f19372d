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

# (config section, key, what it decides: a fault code or "reps" = exact rep counts, grid)
GRID: list[tuple[str, str, str, np.ndarray]] = [
    ("reps", "min_rise", "reps", np.arange(0.06, 0.19, 0.02)),
    ("faults", "lockout_min_deg", "incomplete_lockout", np.arange(150.0, 172.5, 4.0)),
    ("faults", "hyperextension_max_deg", "lumbar_hyperextension", np.arange(186.0, 206.0, 3.0)),
    ("faults", "eccentric_min_s", "rushed_eccentric", np.arange(0.6, 1.35, 0.15)),
    ("faults", "eccentric_vs_concentric_tol_s", "rushed_eccentric", np.arange(0.1, 0.7, 0.1)),
    ("faults", "top_hold_min_s", "no_top_pause", np.arange(0.3, 0.85, 0.1)),
    ("faults", "bounce_max_bottom_s", "bounce", np.arange(0.1, 0.55, 0.1)),
    ("faults", "shin_max_deg", "shins_not_vertical", np.arange(10.0, 23.0, 2.0)),
    ("faults", "neck_rise_max_deg", "neck_craning", np.arange(6.0, 32.0, 4.0)),
    ("faults", "neck_max_deg", "neck_craning", np.arange(-30.0, 12.5, 7.5)),
    ("faults", "heel_lift_max", "heels_lifting", np.arange(0.04, 0.15, 0.02)),
    ("faults", "range_drift_share", "range_drift", np.arange(0.75, 0.93, 0.03)),
    ("faults", "pelvis_max_deg", "pelvic_tilt_rotation", np.arange(6.0, 22.0, 3.0)),
]


def _objective(rows: tuple[ClipScore, ...], what: str) -> float:
    agg = aggregate(rows)
    if what == "reps":
        return float(agg["rep_count_exact"] or 0.0)
    f = agg["faults"].get(what)
    return -1.0 if f is None or f["f1"] is None else float(f["f1"])


def _with(cfg: Config, section: str, key: str, value: float) -> Config:
    return replace(cfg, **{section: replace(getattr(cfg, section), **{key: value})})


def tune(rows: tuple[ClipScore, ...], cache: LandmarkCache, base: Config) -> Config:
    """Coordinate-wise: each key in turn, the others at their values so far."""
    cfg = base
    for section, key, what, grid in GRID:
        default = getattr(getattr(base, section), key)
        scored = []
        for value in grid:
            trial = _with(cfg, section, key, float(round(value, 4)))
            score = _objective(rescore(rows, cache, trial).rows, what)
            scored.append((score, -abs(value - default), float(round(value, 4))))
        best = max(scored)
        sys.stdout.write(f"{key:30s} {default:g} -> {best[2]:g} (tune {what}: {best[0]:.3f})\n")
        sys.stdout.flush()
        cfg = _with(cfg, section, key, best[2])
    return cfg


def _row(name: str, a: dict) -> str:  # type: ignore[type-arg]
    codes = sorted({what for _, _, what, _ in GRID if what != "reps"})
    f1 = " | ".join(
        "-" if (f := a["faults"].get(code)) is None or f["f1"] is None else f"{f['f1']:.2f}"
        for code in codes
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
    codes = sorted({what for _, _, what, _ in GRID if what != "reps"})
    sys.stdout.write(
        f"\n| thresholds (test_ clips) | reps exact | hip MAE | {' | '.join(codes)} |\n"
    )
    sys.stdout.write("|" + "---|" * (3 + len(codes)) + "\n")
    for name, cfg in (("default", Config()), ("tuned on tune_", tuned)):
        sys.stdout.write(_row(name, aggregate(rescore(test_rows, cache, cfg).rows)) + "\n")
    lines = []
    for section in ("reps", "faults"):
        lines.append(f"[{section}]")
        lines += [
            f"{k} = {getattr(getattr(tuned, section), k):g}" for s, k, _, _ in GRID if s == section
        ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write(f"\nwrote {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
