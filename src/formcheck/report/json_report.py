"""report.json: the public contract (documented in docs/REPORT_JSON.md).

Missing values are null; times in seconds; angles in degrees. ``schema_version``
changes its major number when a field is removed or changes meaning.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from formcheck.analysis.bar import BarTrack, RepBar
from formcheck.results import SCHEMA_VERSION, Finding, Rep, SetReport, Tempo


def _num(x: float | None, nd: int = 3) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def _tempo(t: Tempo | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {
        "bottom_pause_s": _num(t.bottom_pause_s, 2),
        "concentric_s": _num(t.concentric_s, 2),
        "top_hold_s": _num(t.top_hold_s, 2),
        "eccentric_s": _num(t.eccentric_s, 2),
        "label": t.label,
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity,
        "value": _num(f.value),
        "threshold": _num(f.threshold),
        "unit": f.unit,
        "confidence": _num(f.confidence, 2),
        "cue": f.cue,
        "message": f.message,
        "source": {"document": f.source.document, "file": f.source.file, "quote": f.source.quote},
    }


def _rep(r: Rep) -> dict[str, Any]:
    return {
        "index": r.index,
        "start_s": _num(r.start_s, 2),
        "lockout_s": _num(r.lockout_s, 2),
        "end_s": _num(r.end_s, 2),
        "tempo": _tempo(r.tempo),
        "phases": {
            "concentric_start_s": _num(r.phases.concentric_start_s, 2),
            "top_s": _num(r.phases.top_s, 2),
            "eccentric_start_s": _num(r.phases.eccentric_start_s, 2),
        },
        "peak_hip_extension_deg": _num(r.peak_hip_extension_deg, 1),
        "range_deg": _num(r.range_deg, 1),
        "rise_torso": _num(r.rise, 3),
        "knee_width_ratio": _num(r.knee_width_ratio, 2),
        "partial": r.partial,
        "working_leg": r.working_leg,
        "score": r.score,
        "faults": [_finding(f) for f in r.faults],
        "not_judged": {c: nj.why for c, nj in r.not_judged.items()},
        "not_judged_reasons": {c: nj.reason.value for c, nj in r.not_judged.items()},
        "bar": None if r.bar is None else _rep_bar(r.bar),
    }


def _rep_bar(b: RepBar) -> dict[str, Any]:
    return {
        "rise_m": _num(b.rise_m, 3),
        "rise_torso": _num(b.rise_torso, 3),
        "mean_velocity_m_s": _num(b.mean_velocity_m_s, 3),
        "peak_velocity_m_s": _num(b.peak_velocity_m_s, 3),
        "mean_velocity_torso_s": _num(b.mean_velocity_torso_s, 3),
    }


def _bar(b: BarTrack | None) -> dict[str, Any] | None:
    if b is None:
        return None
    return {
        "plate_cm": _num(b.plate_cm, 1),
        "plate_diameter_px": _num(2 * b.radius_px, 1),
        "metres_per_px": _num(b.m_per_px, 6),
        "scale": b.scale_note,
    }


def to_dict(report: SetReport) -> dict[str, Any]:
    s, v = report.summary, report.view
    band = s.rep_range
    return {
        "schema_version": SCHEMA_VERSION,
        "clip": report.clip,
        "status": report.status,
        "view": {
            "kind": v.kind,
            "name": v.name,
            "head_direction": v.head_direction,
            "near_side": v.near_side,
            "width_ratio": _num(v.width_ratio, 3),
        },
        "variation": s.variation,
        "working_leg": s.working_leg,
        "rep_count": s.rep_count,
        "assessable": report.assessable,
        "not_assessable": {c: nj.why for c, nj in report.not_assessable.items()},
        "not_assessable_reasons": {c: nj.reason.value for c, nj in report.not_assessable.items()},
        "summary": {
            "partial_reps": s.partial_reps,
            "mean_tempo": _tempo(s.mean_tempo),
            "rep_range": None
            if band is None
            else {
                "name": band.name,
                "low": band.low,
                "high": band.high,
                "source": {"document": band.source.document, "quote": band.source.quote},
            },
            "speed_loss_pct": _num(s.speed_loss_pct, 1),
            "first_breakdown_rep": s.first_breakdown_rep,
            "score": s.score,
            "top_faults": [{"code": c, "reps": n} for c, n in s.top_faults],
        },
        "reps": [_rep(r) for r in report.reps],
        "bar": _bar(report.bar),
        "warnings": list(report.warnings),
        "cuts_s": [round(c, 3) for c in report.cuts_s],
        "video": {
            "frames": report.frames,
            "fps": _num(report.fps, 3),
            "duration_s": _num(report.duration_s, 3),
            "analysed_every": int(report.series.meta.get("stride", "1")),
        },
    }


def dumps(report: SetReport) -> str:
    return json.dumps(to_dict(report), indent=2, allow_nan=False)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, delete=False, encoding="utf-8", suffix=".tmp"
    ) as tmp:
        tmp.write(text)
        tmp.flush()
        os.fsync(tmp.fileno())
    Path(tmp.name).chmod(0o644)  # tempfile makes 0600; reports are for sharing
    Path(tmp.name).replace(path)
