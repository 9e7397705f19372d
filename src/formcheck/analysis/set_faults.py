"""What a set can be judged on, and the set-level rules: which faults the view and the kind of
set can show (`assessability`), and the faults seen only by comparing reps (the range drifting
from the set's best, one leg weaker than the other), as findings aligned with the reps."""

from __future__ import annotations

import numpy as np

from formcheck.analysis.faults import Measurement, certainty, to_finding, view_factor
from formcheck.analysis.rules import RULES, Rule
from formcheck.config import FaultConfig
from formcheck.landmarks.names import Side
from formcheck.results import Finding, NotJudged, Unjudged, Variation, View


def unseen_from(view: View, rule: Rule) -> NotJudged | None:
    """Why this view cannot show the rule's fault, or None when it can."""
    if rule.model_blind:
        return NotJudged(Unjudged.MODEL, f"not judged reliably from video ({rule.model_blind})")
    if rule.plane == "sagittal" and not view.sagittal:
        return _view("needs a side or oblique view")
    if rule.side_only and view.kind == "oblique":
        return _view("the head is foreshortened: needs a side view")
    if rule.plane == "frontal" and not view.frontal:
        return _view("needs a view from the feet or the head")
    if rule.needs_bottom and view.frontal:
        return _view("the knees hide the hips through the lower half of the rep: needs a side view")
    return None


def view_codes(view: View) -> list[str]:
    """The fault codes this view can show (whatever the set: the set-level codes included)."""
    return [code for code, rule in RULES.items() if unseen_from(view, rule) is None]


def assessability(view: View, variation: Variation, legs_seen: int) -> dict[str, NotJudged | None]:
    """Fault code -> None if this clip can show it, else why it cannot."""
    reasons: dict[str, NotJudged | None] = {}
    for code, rule in RULES.items():
        why = unseen_from(view, rule)
        both_legs = variation.single_leg and legs_seen == 2
        if why is None and rule.plane == "single_leg" and not both_legs:
            why = NotJudged(Unjudged.SET, "needs a single-leg set with both legs")
        if why is None and code == "knees_caving" and variation.single_leg:
            why = NotJudged(Unjudged.SET, "needs both feet on the floor")
        reasons[code] = why
    return reasons


def _view(needs: str) -> NotJudged:
    return NotJudged(Unjudged.VIEW, f"not assessable from this view ({needs})")


#: Faults of the top position: a rep with one is not a reference for the set's range.
_TOP_FAULTS = ("incomplete_lockout", "lumbar_hyperextension")


def reference_rise(rises: list[float], faults: list[list[Finding]]) -> float:
    """The set's best range: the largest rise among reps with a good top position."""
    good = [
        r for r, fs in zip(rises, faults, strict=True) if not any(f.code in _TOP_FAULTS for f in fs)
    ]
    return max(good or rises, default=0.0)


def range_drift_findings(
    rises: list[float], reference: float, cfg: FaultConfig, view: View
) -> list[Finding | None]:
    """Per rep: a range_drift finding when it falls well short of the set's best range."""
    out: list[Finding | None] = [None] * len(rises)
    if len(rises) < 2 or not reference > 0:
        return out
    for k, rise in enumerate(rises):
        share = rise / reference
        if share < cfg.range_drift_share:
            meas = Measurement(
                share,
                cfg.range_drift_share,
                "ratio",
                (cfg.range_drift_share - share) / cfg.range_drift_step,
                f"range {share:.0%} of the set's best rep (limit {cfg.range_drift_share:.0%})",
                ("hip",),
            )
            out[k] = to_finding(
                "range_drift",
                meas,
                round(certainty("range_drift", cfg) * view_factor(view, cfg), 2),
            )
    return out


def asymmetry_findings(
    peaks: list[float | None], legs: list[Side | None], cfg: FaultConfig, view: View
) -> list[Finding | None]:
    """Per rep: an asymmetry finding on the weaker leg's reps (single-leg sets, both legs)."""
    none: list[Finding | None] = [None] * len(peaks)
    by_leg: dict[Side, list[float]] = {"left": [], "right": []}
    for peak, leg in zip(peaks, legs, strict=True):
        if leg and peak is not None:
            by_leg[leg].append(peak)
    if not (by_leg["left"] and by_leg["right"]) or not view.sagittal:
        return none
    mean = {leg: float(np.median(v)) for leg, v in by_leg.items()}
    diff = abs(mean["left"] - mean["right"])
    if diff <= cfg.asymmetry_max_deg:
        return none
    weak: Side = "left" if mean["left"] < mean["right"] else "right"
    meas = Measurement(
        diff,
        cfg.asymmetry_max_deg,
        "deg",
        (diff - cfg.asymmetry_max_deg) / cfg.asymmetry_step_deg,
        f"{weak} leg reaches {diff:.0f} deg less hip extension than the other",
        ("hip", "knee"),
    )
    conf = round(certainty("asymmetry", cfg) * view_factor(view, cfg), 2)
    return [to_finding("asymmetry", meas, conf) if leg == weak else None for leg in legs]
