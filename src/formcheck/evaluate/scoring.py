"""Compare one report with its labels: reps matched by lockout time, faults per rep,
hip angle per frame, bar speed per rep and camera cuts against rendered ground truth."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from formcheck.analysis.metrics import hip_extension_deg
from formcheck.evaluate.dataset import LabelledClip
from formcheck.landmarks.names import joint
from formcheck.results import SetReport

#: A detected rep matches a labelled one when their lockouts are this close (seconds).
MATCH_TOLERANCE_S = 1.0
#: A cut found this close (seconds) to a rendered one is that cut: three frames at 30 fps.
CUT_TOLERANCE_S = 0.1


@dataclass
class FaultCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: FaultCounts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else None


@dataclass
class ClipScore:
    """One clip's row: what was expected, what was found, what went wrong."""

    clip: LabelledClip
    error: str | None = None
    reps_true: int = 0
    reps_found: int = 0
    faults: dict[str, FaultCounts] = field(default_factory=dict)
    clean_reps: int = 0
    clean_reps_with_false_fault: int = 0
    hip_abs_err_deg: np.ndarray | None = None
    bar_velocity_rel_err: list[float] = field(default_factory=list)  # ours / truth - 1, per rep
    cuts: FaultCounts | None = None  # shot changes found, against labels' cuts_s (rendered clips)
    problems: list[str] = field(default_factory=list)

    @property
    def rep_error(self) -> int:
        return self.reps_found - self.reps_true


def match_reps(true_lockouts: list[float], found_lockouts: list[float]) -> dict[int, int]:
    """Labelled rep index -> detected rep index, greedy by time, one to one."""
    return match_times(true_lockouts, found_lockouts, MATCH_TOLERANCE_S)


def match_times(true_s: list[float], found_s: list[float], tolerance_s: float) -> dict[int, int]:
    """Labelled index -> found index: the closest pairs within ``tolerance_s`` first, each
    time used once."""
    pairs = sorted(
        (abs(t - f), i, j)
        for i, t in enumerate(true_s)
        for j, f in enumerate(found_s)
        if abs(t - f) <= tolerance_s
    )
    out: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in pairs:
        if i not in out and j not in used:
            out[i] = j
            used.add(j)
    return out


def score_clip(clip: LabelledClip, report: SetReport) -> ClipScore:
    label = clip.label
    row = ClipScore(clip, reps_true=int(label.get("reps", 0)), reps_found=report.rep_count)
    if row.rep_error:
        row.problems.append(f"counted {row.reps_found} reps, labelled {row.reps_true}")
    details = label.get("rep_details") or []
    checked = [c for c in label.get("faults_checked", []) if report.assessable.get(c)]
    matched = match_reps([d["lockout_s"] for d in details], [r.lockout_s for r in report.reps])
    for i, want in enumerate(details):
        want_codes = set(want.get("faults", []))
        j = matched.get(i)
        got = {f.code for f in report.reps[j].faults} if j is not None else set()
        if j is None and details:
            row.problems.append(f"labelled rep {i + 1} not found")
        for code in checked:
            counts = row.faults.setdefault(code, FaultCounts())
            if code in want_codes and code in got:
                counts.tp += 1
            elif code in want_codes:  # not found, or not judged (counted as missed all the same)
                counts.fn += 1
                nj = report.reps[j].not_judged.get(code) if j is not None else None
                said = f"{code} not judged ({nj.why})" if nj else f"missed {code}"
                row.problems.append(f"rep {i + 1}: {said}")
            elif code in got:
                counts.fp += 1
                row.problems.append(f"rep {i + 1}: false {code}")
        if not want_codes and j is not None:
            row.clean_reps += 1
            row.clean_reps_with_false_fault += bool(got & set(checked))
    rendered = clip.truth_path.is_file()  # a rendered clip without cuts_s has none
    if "cuts_s" in label or rendered:
        row.cuts = score_cuts(list(label.get("cuts_s", [])), list(report.cuts_s), row.problems)
    row.hip_abs_err_deg = hip_angle_errors(clip, report)
    truth = bar_velocity_truth(clip, report.config.reps.still_share)
    for i, j in matched.items():
        speed = (bar := report.reps[j].bar) and bar.mean_velocity_m_s
        if truth is not None and i < len(truth) and speed:
            row.bar_velocity_rel_err.append(speed / truth[i] - 1.0)
    return row


def score_cuts(true_s: list[float], found_s: list[float], problems: list[str]) -> FaultCounts:
    """Shot changes found within CUT_TOLERANCE_S of a labelled one, one to one."""
    hit = match_times(true_s, found_s, CUT_TOLERANCE_S)
    problems += [f"missed the cut at {t:.2f} s" for i, t in enumerate(true_s) if i not in hit]
    used = set(hit.values())
    problems += [f"false cut at {f:.2f} s" for j, f in enumerate(found_s) if j not in used]
    return FaultCounts(tp=len(hit), fp=len(found_s) - len(hit), fn=len(true_s) - len(hit))


def bar_velocity_truth(clip: LabelledClip, still_share: float) -> list[float] | None:
    """Each rendered rep's concentric mean bar velocity (m/s), from the truth's bar height:
    over the rep's rendered rise, the frames faster than ``still_share`` of its peak speed (the
    phase boundary the analysis uses, `formcheck.analysis.reps`)."""
    if not clip.truth_path.is_file():
        return None
    with np.load(clip.truth_path) as gt:
        if "bar_height_m" not in gt:
            return None
        height, rep, phase = gt["bar_height_m"], gt["rep"], gt["phase"]
    v = np.gradient(height) * float(clip.label.get("fps", 30.0))
    out = []
    for k in range(int(rep.max()) + 1):
        up = v[(rep == k) & (phase == "up")]
        moving = up[up >= still_share * up.max()] if up.size else up
        out.append(float(moving.mean()) if moving.size else float("nan"))
    return out


def hip_angle_errors(clip: LabelledClip, report: SetReport) -> np.ndarray | None:
    """|measured - true| hip extension per frame, where ground truth exists (degrees)."""
    if not clip.truth_path.is_file() or not report.view.sagittal:
        return None
    with np.load(clip.truth_path) as gt:
        leg = clip.label.get("working_leg") or clip.label.get("near_side")
        if leg not in ("left", "right") or "gt_px" not in gt:
            return None
        px = gt["gt_px"]
        truth = hip_extension_deg(
            px[:, joint("shoulder", leg)], px[:, joint("hip", leg)], px[:, joint("knee", leg)]
        )
    truth = truth[:: int(report.series.meta.get("stride", "1"))]  # analysed frame k: k*stride
    ours = report.metrics.hip_extension_deg
    n = min(len(truth), len(ours))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        err = np.abs(ours[:n] - truth[:n])
    return err[np.isfinite(err)]
