"""Fault magnitudes: how far past the analyzer thresholds (FAULTS.md) each rendered fault goes.

Every constant carries its unit in the name. The comment beside each says which threshold it
clears and by how much; the angles it produces are measured into the gt npz
(``hip_angle_deg``, ``shin_deg``) so tests can check them.
"""

from __future__ import annotations

# incomplete_lockout: peak shoulder-hip-knee angle < ~165 deg (seeds 000, 001, 003).
# The rep's top stops where the hip angle (seen from the side) is this, instead of ~180.
INCOMPLETE_PEAK_DEG = 145.0

# lumbar_hyperextension: hips above the shoulder-knee line, angle > ~190 deg (seeds 000, 001, 003).
# At the top the thorax lifts a little past horizontal and the lumbar segment arches further;
# together they put the hip angle at ~208 deg.
LUMBAR_THORAX_LIFT_DEG = 5.0
LUMBAR_ARCH_DEG = 21.0

# rushed_eccentric: descent < 1.0 s or shorter than the concentric (seeds 000, 001, 003).
RUSHED_DOWN_S = 0.4

# no_top_pause: time near lockout < ~0.5 s (seed 001 asks 1-2 s).
NO_PAUSE_TOP_S = 0.0

# bounce: no bottom pause and a sharp reversal (seed 002). The descent into the bounce accelerates
# all the way down (ease-in) and the next concentric leaves at full speed (ease-out).
BOUNCE_BOTTOM_S = 0.0
# On a clip's first rep there is no previous descent: the lead-in ends with a drop from this height
# taking this long (only the part that fits in lead_in_s is shown).
BOUNCE_SET_H = 0.35
BOUNCE_DROP_S = 0.45

# shins_not_vertical: shin > ~15 deg from vertical at lockout (seeds 001, 003). Feet are placed so
# the shin is this far from vertical at lockout, knee ahead of the ankle ("close") or behind it
# ("far").
SHIN_FAULT_DEG = 28.0
# Feet move to and from a faulty placement during the bottom, over this long before the concentric.
FOOT_SETUP_S = 0.5

# neck_craning: head extended relative to the trunk (seeds 001, 003). Neutral is a tucked chin;
# craning extends the head to this angle relative to the thorax (0 = head in line with the thorax,
# positive = chin up / extension), reached near the top of the rep.
HEAD_NEUTRAL_DEG = -15.0
NECK_CRANE_DEG = 40.0

# heels_lifting: heel height vs toe height during the concentric and at lockout (seed 003).
# The foot pivots about the toes so the heel rises this much; the toes stay on the floor.
HEEL_LIFT_M = 0.05

# pelvic_tilt_rotation: the pelvis drops on the free-leg side (on two legs: the left side),
# rotating about the body's long axis by this much at the top (threshold ~8-10 deg, seed 000).
PELVIS_DROP_DEG = 14.0

# knees_caving: knee width / ankle width below ~0.9 during the concentric and at lockout (seeds
# 001, 003: the banded variation "forces the knees out"). Each knee turns this far about its
# hip-ankle axis towards the mid-line, which puts the true knee/ankle width ratio at ~0.7 at the
# top (0.6-0.7 on glute bridges; clean reps: ~1.2, the knees a little outside the feet).
KNEE_CAVE_DEG = 15.0

# range_drift: rep range < ~85% of the set's best (seeds 000, 002). The rep's top stops lower so
# its hip-angle range is this fraction of a full rep's. The peak then falls to ~150 deg (hip
# thrust) or ~159 deg (glute bridge), so such a rep also shows an incomplete lockout and the
# renderer labels both (see ``implied_faults``): a range clearly under 80% cannot keep the peak
# clearly above the 165 deg lockout threshold.
RANGE_DRIFT_FRACTION = 0.6


def implied_faults(faults: tuple[str, ...]) -> tuple[str, ...]:
    """Faults a rep shows because of the ones asked for (labels must say what the video shows)."""
    out = list(faults)
    if "range_drift" in out and "incomplete_lockout" not in out:
        out.append("incomplete_lockout")
    return tuple(out)
