"""Fault checks per rep: measure, compare with the configured threshold, cite.

Each check reads the rep's frames (`RepContext`) and returns a `Measurement`
when the rep has the fault, or None. Which checks run depends on what the view
can show (`assessability`); a fault the view cannot show is never guessed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from formcheck.analysis.metrics import FrameMetrics, nanmedian
from formcheck.analysis.rules import RULES
from formcheck.analysis.view import View
from formcheck.config import FaultConfig
from formcheck.landmarks.names import Side, joint
from formcheck.results import Finding, Phases, Severity

log = logging.getLogger(__name__)


def certainty(code: str, cfg: FaultConfig) -> float:
    """How directly the landmarks show this fault ([faults] certainty_<code>)."""
    return float(getattr(cfg, f"certainty_{code}"))


def view_factor(view: View, cfg: FaultConfig) -> float:
    """How much a finding's confidence keeps from this view (a side view: all of it)."""
    return {
        "side": 1.0,
        "oblique": cfg.confidence_oblique,
        "front": cfg.confidence_front,
        "head": cfg.confidence_head,
    }[view.kind]


@dataclass(frozen=True)
class RepContext:
    """What a check may look at for one rep."""

    m: FrameMetrics
    visibility: np.ndarray  # (T, 33)
    phases: Phases
    top: slice  # frames held at lockout (at least the top frame)
    rise: slice  # concentric frames
    bottom: slice  # frames at the bottom just before the rise (baseline)
    view: View
    usual_neck_top_deg: float = float("nan")  # median head angle at the set's tops
    usual_face_lift_deg: float = 0.0  # median face lift of the set's reps (0 for one rep)


@dataclass(frozen=True)
class Measurement:
    value: float
    threshold: float
    unit: str
    steps: float  # distance beyond the threshold in severity steps
    message: str
    joints: tuple[str, ...]
    cue: str | None = None  # overrides the rule's cue when the direction matters


def _below(
    v: float, thr: float, step: float, unit: str, msg: str, joints: tuple[str, ...]
) -> Measurement | None:
    if not np.isfinite(v) or v >= thr:
        return None
    return Measurement(v, thr, unit, (thr - v) / step, msg.format(v=v, thr=thr), joints)


def _above(
    v: float, thr: float, step: float, unit: str, msg: str, joints: tuple[str, ...]
) -> Measurement | None:
    if not np.isfinite(v) or v <= thr:
        return None
    return Measurement(v, thr, unit, (v - thr) / step, msg.format(v=v, thr=thr), joints)


_SAGITTAL = ("shoulder", "hip", "knee")


def incomplete_lockout(c: RepContext, f: FaultConfig) -> Measurement | None:
    v = nanmedian(c.m.hip_extension_deg[c.top])
    return _below(
        v,
        f.lockout_min_deg,
        f.lockout_step_deg,
        "deg",
        "peak hip extension {v:.0f} deg, below {thr:.0f} (180 = straight line)",
        _SAGITTAL,
    )


def lumbar_hyperextension(c: RepContext, f: FaultConfig) -> Measurement | None:
    v = nanmedian(c.m.hip_extension_deg[c.top])
    return _above(
        v,
        f.hyperextension_max_deg,
        f.hyperextension_step_deg,
        "deg",
        "hips {v:.0f} deg, above the shoulder-knee line (limit {thr:.0f}); "
        "inferred: no spine landmarks",
        _SAGITTAL,
    )


def pelvic_tilt_rotation(c: RepContext, f: FaultConfig) -> Measurement | None:
    """The hip line's tilt in the image at the top against the rep's bottom. The hips' depth
    difference (world landmarks) is not used: on rendered level reps from the feet it changed
    4-58 deg between bottom and top (docs/ACCURACY.md, "Views along the body")."""
    tilt = np.abs(c.m.pelvic_tilt_deg[c.top] - nanmedian(c.m.pelvic_tilt_deg[c.bottom]))
    return _above(
        nanmedian(tilt),
        f.pelvis_max_deg,
        f.pelvis_step_deg,
        "deg",
        "one hip drops {v:.0f} deg at the top (limit {thr:.0f})",
        ("hip",),
    )


def rushed_eccentric(c: RepContext, f: FaultConfig) -> Measurement | None:
    ecc, conc = c.phases.tempo.eccentric_s, c.phases.tempo.concentric_s
    if ecc is None or conc is None:
        return None
    if ecc < f.eccentric_min_s:
        return _below(
            ecc,
            f.eccentric_min_s,
            f.eccentric_step_s,
            "s",
            "descent {v:.1f} s, faster than {thr:.1f} s",
            ("hip",),
        )
    return _below(
        ecc,
        conc - f.eccentric_vs_concentric_tol_s,
        f.eccentric_step_s,
        "s",
        f"descent {{v:.1f}} s, quicker than the {conc:.1f} s rise",
        ("hip",),
    )


def no_top_pause(c: RepContext, f: FaultConfig) -> Measurement | None:
    hold = c.phases.tempo.top_hold_s
    if hold is None:
        return None
    return _below(
        hold,
        f.top_hold_min_s,
        f.top_hold_step_s,
        "s",
        "held the top {v:.1f} s (aim for 1-2 s)",
        ("hip",),
    )


def bounce(c: RepContext, f: FaultConfig) -> Measurement | None:
    pause = c.phases.tempo.bottom_pause_s
    if pause is None:
        return None
    return _below(
        pause,
        f.bounce_max_bottom_s,
        f.bounce_step_s,
        "s",
        "turned around at the bottom after {v:.1f} s (under {thr:.1f} s)",
        ("hip",),
    )


def shins_not_vertical(c: RepContext, f: FaultConfig) -> Measurement | None:
    v = nanmedian(c.m.shin_deg[c.top])
    if not np.isfinite(v) or abs(v) <= f.shin_max_deg:
        return None
    where = "feet too close (knees ahead of ankles)" if v > 0 else "feet too far (ankles ahead)"
    move = "further from" if v > 0 else "closer to"
    return Measurement(
        v,
        f.shin_max_deg if v > 0 else -f.shin_max_deg,
        "deg",
        (abs(v) - f.shin_max_deg) / f.shin_step_deg,
        f"shins {abs(v):.0f} deg from vertical at lockout, {where}",
        ("knee", "ankle"),
        cue=f"Move your feet {move} your glutes so your shins are vertical at the top.",
    )


def neck_craning(c: RepContext, f: FaultConfig) -> Measurement | None:
    """Head tipped back at the top, by whichever of three measures sees it most.

    - The face turned chin-up against the trunk between the bottom and the top of the rep,
      beyond the lifter's usual turn over the set's reps (on a single rep, at all): the seeds'
      neutral head keeps its angle to the trunk (001: "Your gaze should follow the movement of
      your sternum"), so a head thrown back shows even on a lifter's only rep. A head left
      resting on the floor or bench as the hips rise turns the other way (chin towards the
      chest) and is never taken for craning. Against the usual turn, because the face's
      direction (ear to eye) is a noisy, biased measure: rendered clean sets turn -19..+26 deg
      on every rep alike (docs/ACCURACY.md).
    - The ear further back than at the lifter's usual top: a crane on some reps of a set.
    - The ear past the trunk line: a head held back on every rep.
    """
    found = [m for m in (_face_lift(c, f), _neck_rise(c, f), _neck_back(c, f)) if m is not None]
    return max(found, key=lambda m: m.steps) if found else None


def face_lift_deg(m: FrameMetrics, top: slice, bottom: slice) -> float:
    """How far the face turned chin-up against the trunk from a rep's bottom to its top (deg;
    NaN when the face is unseen)."""
    lift = nanmedian(m.face_pitch_deg[top]) - nanmedian(m.face_pitch_deg[bottom])
    return (lift + 180.0) % 360.0 - 180.0  # NaN stays NaN


def _face_lift(c: RepContext, f: FaultConfig) -> Measurement | None:
    lift = face_lift_deg(c.m, c.top, c.bottom)
    usual = c.usual_face_lift_deg
    extra = "" if usual == 0 else f", {lift - usual:.0f} beyond your usual {usual:.0f}"
    return _above(
        lift - usual,
        f.face_lift_max_deg,
        f.neck_step_deg,
        "deg",
        f"chin lifted {lift:.0f} deg against the trunk from the bottom to the top{extra} "
        "(limit {thr:.0f}): the gaze should follow the sternum",
        ("ear", "eye", "shoulder"),
    )


def _neck_rise(c: RepContext, f: FaultConfig) -> Measurement | None:
    return _above(
        nanmedian(c.m.neck_deg[c.top]) - c.usual_neck_top_deg,
        f.neck_rise_max_deg,
        f.neck_step_deg,
        "deg",
        "head tipped back {v:.0f} deg further than at your usual top (limit {thr:.0f})",
        ("ear", "shoulder"),
    )


def _neck_back(c: RepContext, f: FaultConfig) -> Measurement | None:
    return _above(
        nanmedian(c.m.neck_deg[c.top]),
        f.neck_max_deg,
        f.neck_step_deg,
        "deg",
        "head tipped back: ear {v:.0f} deg against the trunk line (limit {thr:.0f})",
        ("ear", "shoulder"),
    )


def knee_width_ratio(m: FrameMetrics, rise: slice, top: slice) -> float:
    """A rep's knee width / ankle width: the low quarter of its rise and hold, NaN unseen.

    A low quarter, not the minimum: a frame where the model swaps the knees reads 0.0-0.2
    (rendered clean reps from the feet); caving knees stay in for the rise and the hold."""
    window = np.concatenate([m.knee_ratio[rise], m.knee_ratio[top]])
    return float(np.nanpercentile(window, 25)) if np.isfinite(window).any() else float("nan")


def knees_caving(c: RepContext, f: FaultConfig) -> Measurement | None:
    v = knee_width_ratio(c.m, c.rise, c.top)
    return _below(
        v,
        f.knee_ratio_min,
        f.knee_ratio_step,
        "ratio",
        "knees {v:.2f} x ankle width (limit {thr:.2f})",
        ("knee", "ankle"),
    )


def heels_lifting(c: RepContext, f: FaultConfig) -> Measurement | None:
    v = nanmedian(c.m.heel_height[c.top]) - nanmedian(c.m.heel_height[c.bottom])
    return _above(
        v,
        f.heel_lift_max,
        f.heel_lift_step,
        "torso",
        "heels rose {v:.2f} torso lengths at the top (limit {thr:.2f})",
        ("heel", "ankle"),
    )


Check = Callable[[RepContext, FaultConfig], Measurement | None]
CHECKS: dict[str, Check] = {
    "incomplete_lockout": incomplete_lockout,
    "lumbar_hyperextension": lumbar_hyperextension,
    "pelvic_tilt_rotation": pelvic_tilt_rotation,
    "rushed_eccentric": rushed_eccentric,
    "no_top_pause": no_top_pause,
    "bounce": bounce,
    "shins_not_vertical": shins_not_vertical,
    "neck_craning": neck_craning,
    "knees_caving": knees_caving,
    "heels_lifting": heels_lifting,
}


def confidence(
    c: RepContext, code: str, joints: tuple[str, ...], side: Side | None, cfg: FaultConfig
) -> float:
    sides: tuple[Side, ...] = (side,) if side else ("left", "right")
    idx = [joint(j, s) for j in joints for s in sides]
    window = c.visibility[c.rise.start : c.top.stop][:, idx]
    vis = float(np.mean(window)) if window.size else 0.0
    return round(vis * certainty(code, cfg) * view_factor(c.view, cfg), 2)


def to_finding(code: str, meas: Measurement, conf: float) -> Finding:
    rule = RULES[code]
    return Finding(
        code=code,
        severity=Severity.of_steps(meas.steps),
        value=round(meas.value, 3),
        threshold=round(meas.threshold, 3),
        unit=meas.unit,
        confidence=conf,
        cue=meas.cue or rule.cue,
        source=rule.sources[0],
        message=meas.message,
    )


def assess_rep(c: RepContext, cfg: FaultConfig, codes: list[str]) -> list[Finding]:
    """Findings of one rep over the assessable ``codes``, most severe first."""
    found = []
    for code in codes:
        check = CHECKS.get(code)
        meas = check(c, cfg) if check else None
        if meas is None:
            continue
        conf = confidence(c, code, meas.joints, c.view.metric_side, cfg)
        if conf < cfg.min_confidence:
            log.info("rep fault %s dropped: confidence %.2f", code, conf)
            continue
        found.append(to_finding(code, meas, conf))
    return sorted(found, key=lambda x: -x.severity.rank)
