"""Aggregate clip scores into the numbers people quote, as JSON and Markdown."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from formcheck.analysis.rules import FAULT_CODES
from formcheck.evaluate.scoring import ClipScore, FaultCounts


def _r(x: float | np.floating | None, nd: int = 3) -> float | None:
    return None if x is None else round(float(x), nd)


def aggregate(rows: Iterable[ClipScore]) -> dict[str, Any]:
    rows = list(rows)
    ok = [r for r in rows if r.error is None]
    errs = [abs(r.rep_error) for r in ok]
    faults: dict[str, FaultCounts] = {}
    for r in ok:
        for code, counts in r.faults.items():
            faults.setdefault(code, FaultCounts()).add(counts)
    hip = [r.hip_abs_err_deg for r in ok if r.hip_abs_err_deg is not None]
    hip_all = np.concatenate(hip) if hip else np.array([])
    clean = sum(r.clean_reps for r in ok)
    bar = np.abs([e for r in ok for e in r.bar_velocity_rel_err])
    cuts = FaultCounts()
    for r in ok:
        if r.cuts is not None:
            cuts.add(r.cuts)
    return {
        "clips": len(rows),
        "failed": len(rows) - len(ok),
        "rep_count_exact": _r(np.mean([e == 0 for e in errs])) if errs else None,
        "rep_count_mae": _r(np.mean(errs)) if errs else None,
        "rep_count_within_one": _r(np.mean([e <= 1 for e in errs])) if errs else None,
        "faults": {
            code: {
                "tp": c.tp,
                "fp": c.fp,
                "fn": c.fn,
                "precision": _r(c.precision),
                "recall": _r(c.recall),
                "f1": _r(c.f1),
            }
            for code in FAULT_CODES
            if (c := faults.get(code))
        },
        "clean_reps": clean,
        "clean_reps_with_false_fault": sum(r.clean_reps_with_false_fault for r in ok),
        "hip_angle_mae_deg": _r(hip_all.mean(), 2) if hip_all.size else None,
        "hip_angle_p95_deg": _r(np.percentile(hip_all, 95), 2) if hip_all.size else None,
        "bar_velocity_reps": int(bar.size),
        "bar_velocity_median_abs_rel_err": _r(np.median(bar)) if bar.size else None,
        "bar_velocity_max_abs_rel_err": _r(bar.max()) if bar.size else None,
        "cuts": {"tp": cuts.tp, "fp": cuts.fp, "fn": cuts.fn},
    }


GROUPS: dict[str, Callable[[ClipScore], str]] = {
    "dataset": lambda r: r.clip.dataset,
    "split": lambda r: r.clip.split,
    "view": lambda r: r.clip.view_family,
}


def summarize(rows: tuple[ClipScore, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"overall": aggregate(rows), "groups": {}}
    for name, key in GROUPS.items():
        values = sorted({key(r) for r in rows})
        if len(values) > 1:
            out["groups"][name] = {v: aggregate(r for r in rows if key(r) == v) for v in values}
    out["clips"] = [
        {
            "dataset": r.clip.dataset,
            "clip": r.clip.name,
            "split": r.clip.split,
            "view": r.clip.view_family,
            "error": r.error,
            "reps_true": r.reps_true,
            "reps_found": None if r.error else r.reps_found,
            "hip_angle_mae_deg": _r(r.hip_abs_err_deg.mean(), 2)
            if r.hip_abs_err_deg is not None and r.hip_abs_err_deg.size
            else None,
            "problems": r.problems,
        }
        for r in rows
    ]
    return out


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def _num(x: float | None, fmt: str = "{:.2f}") -> str:
    return "-" if x is None else fmt.format(x)


def _overview(name: str, a: dict[str, Any]) -> str:
    return (
        f"| {name} | {a['clips']} | {a['failed']} | {_pct(a['rep_count_exact'])} | "
        f"{_num(a['rep_count_mae'])} | {_pct(a['rep_count_within_one'])} | "
        f"{_num(a['hip_angle_mae_deg'])} | {a['clean_reps_with_false_fault']}/{a['clean_reps']} |"
    )


def to_markdown(summary: dict[str, Any]) -> str:
    lines = [
        "| subset | clips | failed | reps exact | rep MAE | within 1 | hip-angle MAE deg | "
        "clean reps with a false fault |",
        "|---|---|---|---|---|---|---|---|",
        _overview("all", summary["overall"]),
    ]
    for group, subsets in summary["groups"].items():
        lines += [_overview(f"{group}: {name}", agg) for name, agg in subsets.items()]
    lines += [
        "",
        "| fault | tp | fp | fn | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for code, f in summary["overall"]["faults"].items():
        lines.append(
            f"| {code} | {f['tp']} | {f['fp']} | {f['fn']} | {_num(f['precision'])} | "
            f"{_num(f['recall'])} | {_num(f['f1'])} |"
        )
    bar = summary["overall"]
    if bar["bar_velocity_reps"]:
        lines += [
            "",
            f"Bar speed against rendered truth (concentric mean, m/s): {bar['bar_velocity_reps']} "
            f"reps, median error {_pct(bar['bar_velocity_median_abs_rel_err'])}, largest "
            f"{_pct(bar['bar_velocity_max_abs_rel_err'])}.",
        ]
    cuts = summary["overall"]["cuts"]
    if cuts["tp"] + cuts["fn"]:
        lines += [
            "",
            f"Camera cuts and cards against rendered truth: {cuts['tp']} of "
            f"{cuts['tp'] + cuts['fn']} found, {cuts['fp']} false.",
        ]
    bad = [c for c in summary["clips"] if c["error"] or c["problems"]]
    if bad:
        lines += ["", "| clip | what went wrong |", "|---|---|"]
        for c in bad:
            what = c["error"] or "; ".join(c["problems"][:4])
            lines.append(f"| {c['dataset']}/{c['clip']} | {what} |")
    return "\n".join(lines) + "\n"
