"""Thresholds of the fault rules (`formcheck.analysis.faults`) and the rep score."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.config._field import threshold


@dataclass(frozen=True)
class FaultConfig:
    """Fault thresholds (stage 7); each ``*_step`` is one severity step beyond the threshold
    (minor < 1 step, moderate < 2, major beyond). Sources: formcheck.analysis.rules.RULES."""

    detail_min_body_px: float = threshold(
        150.0,
        "px",
        0,
        5000,
        "a lifter spanning fewer pixels than this (the longer side of their landmarks' box) "
        "is not judged on the head or heels: ear to eye and heel rise are a few pixels (a "
        "lifter a quarter of the frame tall spans 63-106 px and got false neck calls; every "
        "shared clip spans 200 px or more)",
    )
    lockout_min_deg: float = threshold(
        162.0,
        "deg",
        120,
        180,
        "peak hip extension; tuned on the benchmark, clean real reps 166-176",
    )
    lockout_step_deg: float = threshold(10.0, "deg", 1, 90, "severity step")
    hyperextension_max_deg: float = threshold(
        195.0, "deg", 180, 240, "hips above the shoulder-knee line; clean bridges reach ~199"
    )
    hyperextension_step_deg: float = threshold(8.0, "deg", 1, 90, "severity step")
    pelvis_max_deg: float = threshold(
        10.0, "deg", 1, 45, "hip-line tilt change at the top (seed 000: ~8-10 deg)"
    )
    pelvis_step_deg: float = threshold(5.0, "deg", 1, 45, "severity step")
    eccentric_min_s: float = threshold(1.0, "s", 0.1, 10, "descent shorter than this is rushed")
    eccentric_vs_concentric_tol_s: float = threshold(
        0.15, "s", 0, 2, "descent this much shorter than the rise is rushed (timing error margin)"
    )
    eccentric_step_s: float = threshold(0.3, "s", 0.05, 5, "severity step")
    top_hold_min_s: float = threshold(
        0.5, "s", 0, 5, "shorter hold at lockout: no pause (001: 1-2 s)"
    )
    top_hold_step_s: float = threshold(0.2, "s", 0.05, 5, "severity step")
    bounce_max_bottom_s: float = threshold(0.3, "s", 0, 2, "bottom pause shorter than this: bounce")
    bounce_step_s: float = threshold(0.1, "s", 0.01, 2, "severity step")
    shin_max_deg: float = threshold(
        16.0, "deg", 1, 60, "shin from vertical at lockout (tuned on the benchmark)"
    )
    shin_step_deg: float = threshold(10.0, "deg", 1, 60, "severity step")
    neck_max_deg: float = threshold(
        -10.0, "deg", -90, 90, "ear vs the trunk line at the top; neutral heads measure -45..-85"
    )
    neck_rise_max_deg: float = threshold(
        15.0, "deg", 1, 90, "head tipped back this much more than at the set's usual top"
    )
    face_lift_max_deg: float = threshold(
        10.0,
        "deg",
        1,
        90,
        "face turned this much further chin-up against the trunk from the bottom to the top "
        "than the set's usual turn (one rep: than none; 001: gaze follows the sternum); clean "
        "real reps turn -48..+5, rendered ones -19..+26 alike on every rep",
    )
    neck_step_deg: float = threshold(15.0, "deg", 1, 90, "severity step")
    knee_ratio_min: float = threshold(0.9, "ratio", 0.3, 1.5, "knee width / ankle width")
    knee_ratio_step: float = threshold(0.15, "ratio", 0.01, 1, "severity step")
    heel_lift_max: float = threshold(
        0.08, "torso", 0.01, 1, "heel rise at the top vs the bottom; clean reps reach 0.066"
    )
    heel_lift_step: float = threshold(0.04, "torso", 0.005, 1, "severity step")
    range_drift_share: float = threshold(
        0.78, "ratio", 0.3, 1, "rep rise below this share of the best good rep (tuned)"
    )
    range_drift_step: float = threshold(0.1, "ratio", 0.01, 1, "severity step")
    asymmetry_max_deg: float = threshold(
        8.0, "deg", 1, 45, "peak extension difference between legs"
    )
    asymmetry_step_deg: float = threshold(6.0, "deg", 1, 45, "severity step")
    min_confidence: float = threshold(
        0.35, "1", 0, 1, "findings less certain than this are dropped"
    )
    confidence_oblique: float = threshold(
        0.85, "1", 0, 1, "a finding's confidence is scaled by this from an oblique view"
    )
    confidence_front: float = threshold(0.9, "1", 0, 1, "... from the feet")
    confidence_head: float = threshold(0.8, "1", 0, 1, "... from the head (a side view: 1)")
    score_minor: float = threshold(
        5.0,
        "points",
        0,
        100,
        "a minor finding takes this off its rep's score of 100 (x confidence)",
    )
    score_moderate: float = threshold(12.0, "points", 0, 100, "... a moderate one")
    score_major: float = threshold(
        25.0, "points", 0, 100, "... a major one; the set's top faults rank by these too"
    )

    # how directly the landmarks show each fault: a finding's confidence is its landmarks'
    # visibility x this x the view's factor (findings under min_confidence are dropped)
    certainty_incomplete_lockout: float = threshold(
        1.0, "1", 0, 1, "the hip angle is measured directly"
    )
    certainty_lumbar_hyperextension: float = threshold(
        0.7, "1", 0, 1, "inferred: no spine landmarks, only hips above the shoulder-knee line"
    )
    certainty_pelvic_tilt_rotation: float = threshold(
        0.8, "1", 0, 1, "the hip line of a view from the feet or the head"
    )
    certainty_rushed_eccentric: float = threshold(1.0, "1", 0, 1, "timed on the hip height")
    certainty_no_top_pause: float = threshold(1.0, "1", 0, 1, "timed on the hip height")
    certainty_bounce: float = threshold(
        0.9, "1", 0, 1, "timed on the hip height; the bottom pause is short either way"
    )
    certainty_shins_not_vertical: float = threshold(0.9, "1", 0, 1, "the knee and ankle landmarks")
    certainty_neck_craning: float = threshold(
        0.8, "1", 0, 1, "the ear and eye landmarks, a few pixels apart"
    )
    certainty_knees_caving: float = threshold(
        0.8, "1", 0, 1, "knee and ankle widths from the feet or the head"
    )
    certainty_heels_lifting: float = threshold(
        0.6, "1", 0, 1, "foot landmarks are the least reliable MediaPipe gives"
    )
    certainty_range_drift: float = threshold(0.9, "1", 0, 1, "rises compared within the set")
    certainty_asymmetry: float = threshold(0.8, "1", 0, 1, "peak hip angles of the two legs' reps")
