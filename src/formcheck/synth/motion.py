"""Timeline: per-frame drive value h, rep index, phase and fault weights from a ClipSpec.

``h`` is 0 at the bottom and 1 at a full lockout (a partial rep tops out below 1). Each rep is a
phase list (bottom pause, up, top hold, down) with cosine easing; a bounce swaps the easing at the
bottom for an accelerating descent and a concentric that leaves at full speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.synth import faults as fx
from formcheck.synth.skeleton import FrameState, Rig, h_for_hip_angle, sagittal_hip_angle_deg
from formcheck.synth.spec import ClipSpec, RepSpec

PHASES = ("bottom", "up", "top", "down")


@dataclass(frozen=True)
class RepTiming:
    """One rep's phase boundaries (seconds from the clip start) and top height."""

    bottom_start_s: float
    up_start_s: float
    top_start_s: float
    down_start_s: float
    end_s: float
    top_h: float
    bounce: bool
    faults: tuple[str, ...]

    @property
    def lockout_s(self) -> float:
        """Middle of the top hold."""
        return 0.5 * (self.top_start_s + self.down_start_s)


@dataclass(frozen=True)
class Timeline:
    """Per-frame truth, all arrays (T,).

    ``shot`` is which camera films the frame (0, or 1 after a cut) and -1 on a title or end card.
    ``shin_sign`` is +1 for feet too close, -1 for too far, 0 for vertical shins (smoothly moved in
    between); the ``*_w`` weights are in [0, 1] and scale the fault magnitudes of
    :mod:`formcheck.synth.faults`.
    """

    t_s: np.ndarray
    h: np.ndarray
    rep: np.ndarray
    phase: np.ndarray
    arch_w: np.ndarray
    crane_w: np.ndarray
    heel_w: np.ndarray
    pelvis_w: np.ndarray
    knees_w: np.ndarray
    shin_sign: np.ndarray
    shot: np.ndarray
    reps: tuple[RepTiming, ...]

    @property
    def n_frames(self) -> int:
        return int(self.t_s.shape[0])


def rep_durations(rep: RepSpec) -> tuple[float, float, float, float]:
    """(bottom, up, top, down) seconds after the timing faults override the spec."""
    bottom, up, top, down = rep.bottom_s, rep.up_s, rep.top_s, rep.down_s
    if "bounce" in rep.faults:
        bottom = fx.BOUNCE_BOTTOM_S
    if "no_top_pause" in rep.faults:
        top = fx.NO_PAUSE_TOP_S
    if "rushed_eccentric" in rep.faults:
        down = fx.RUSHED_DOWN_S
    return bottom, up, top, down


def rep_top_h(rep: RepSpec, rig: Rig) -> float:
    """Top of the drive value h for a rep: 1 for a full lockout, lower for partial reps."""
    top = 1.0
    if "incomplete_lockout" in rep.faults:
        top = min(top, h_for_hip_angle(rig, fx.INCOMPLETE_PEAK_DEG))
    if "range_drift" in rep.faults:
        bottom = sagittal_hip_angle_deg(rig, FrameState(h=0.0))
        full = sagittal_hip_angle_deg(rig, FrameState(h=1.0))
        top = min(top, h_for_hip_angle(rig, bottom + fx.RANGE_DRIFT_FRACTION * (full - bottom)))
    return top


def rig_for(spec: ClipSpec) -> Rig:
    """The clip's fixed figure geometry."""
    return Rig(spec.variation, spec.working_leg, spec.free_leg, spec.body_scale)


def plan_reps(spec: ClipSpec) -> tuple[RepTiming, ...]:
    rig = rig_for(spec)
    out: list[RepTiming] = []
    t = spec.title_s + spec.lead_in_s
    for rep in spec.reps:
        bottom, up, top, down = rep_durations(rep)
        out.append(
            RepTiming(
                bottom_start_s=t,
                up_start_s=t + bottom,
                top_start_s=t + bottom + up,
                down_start_s=t + bottom + up + top,
                end_s=t + bottom + up + top + down,
                top_h=rep_top_h(rep, rig),
                bounce="bounce" in rep.faults,
                faults=fx.implied_faults(rep.faults),
            )
        )
        t += bottom + up + top + down
    return tuple(out)


def clip_duration_s(spec: ClipSpec) -> float:
    reps = plan_reps(spec)
    return reps[-1].end_s + spec.lead_out_s + spec.end_card_s


def _shots(spec: ClipSpec, t: np.ndarray, set_end_s: float) -> np.ndarray:
    """Camera per frame: 0, 1 from the cut, -1 on the title and end cards."""
    shot = np.zeros(t.shape, dtype=np.int64)
    if spec.cut_s is not None:
        if spec.cut_s >= set_end_s:
            raise ValueError(f"cut_s={spec.cut_s} s is after the set ends ({set_end_s:.2f} s)")
        shot[t >= spec.cut_s - 1e-9] = 1
    shot[t < spec.title_s - 1e-9] = -1
    shot[t >= set_end_s - 1e-9] = -1
    return shot


def n_frames(spec: ClipSpec) -> int:
    return max(1, int(round(clip_duration_s(spec) * spec.fps)))


def _ease(u: np.ndarray, kind: str) -> np.ndarray:
    """Map progress u in [0, 1] to [0, 1]: cosine ("inout"), accelerating ("in"), decelerating."""
    u = np.clip(u, 0.0, 1.0)
    if kind == "in":
        return 1.0 - np.cos(0.5 * np.pi * u)
    if kind == "out":
        return np.sin(0.5 * np.pi * u)
    return 0.5 - 0.5 * np.cos(np.pi * u)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def build_timeline(spec: ClipSpec) -> Timeline:
    reps = plan_reps(spec)
    n = n_frames(spec)
    t = np.arange(n, dtype=np.float64) / spec.fps
    h = np.zeros(n)
    rep_idx = np.full(n, -1, dtype=np.int64)
    phase = np.full(n, "bottom", dtype="<U6")
    top_norm = np.zeros(n)  # h / that rep's top, for fault weights

    if reps[0].bounce and spec.lead_in_s > 0:
        # Lead-in of a bouncing first rep: hips held a little up, then a fast drop.
        drop0 = reps[0].up_start_s - fx.BOUNCE_DROP_S
        m = t < reps[0].up_start_s
        u = (t[m] - drop0) / fx.BOUNCE_DROP_S
        h[m] = fx.BOUNCE_SET_H * (1.0 - _ease(u, "in"))
        phase[m] = np.where(t[m] >= drop0, "down", "bottom")

    for i, r in enumerate(reps):
        nxt_bounce = i + 1 < len(reps) and reps[i + 1].bounce
        bounds = (r.bottom_start_s, r.up_start_s, r.top_start_s, r.down_start_s, r.end_s)
        for k, name in enumerate(PHASES):
            m = (t >= bounds[k] - 1e-9) & (t < bounds[k + 1] - 1e-9)
            if not m.any():
                continue
            rep_idx[m] = i
            phase[m] = name
            u = (t[m] - bounds[k]) / max(bounds[k + 1] - bounds[k], 1e-9)
            if name == "bottom":
                h[m] = 0.0
            elif name == "up":
                h[m] = r.top_h * _ease(u, "out" if r.bounce else "inout")
            elif name == "top":
                h[m] = r.top_h
            else:
                h[m] = r.top_h * (1.0 - _ease(u, "in" if nxt_bounce else "inout"))
            top_norm[m] = h[m] / r.top_h

    def weight(code: str, lo: float, hi: float) -> np.ndarray:
        on = np.array([code in r.faults for r in reps] + [False])  # index -1 -> False
        return np.where(on[rep_idx], _smoothstep((top_norm - lo) / (hi - lo)), 0.0)

    return Timeline(
        t_s=t,
        h=h,
        rep=rep_idx,
        phase=phase,
        arch_w=weight("lumbar_hyperextension", 0.45, 0.95),
        crane_w=weight("neck_craning", 0.35, 0.9),
        heel_w=weight("heels_lifting", 0.0, 0.4),
        pelvis_w=weight("pelvic_tilt_rotation", 0.35, 0.95),
        knees_w=weight("knees_caving", 0.1, 0.7),
        shin_sign=_shin_signal(spec, reps, t),
        shot=_shots(spec, t, reps[-1].end_s + spec.lead_out_s),
        reps=reps,
    )


def _shin_signal(spec: ClipSpec, reps: tuple[RepTiming, ...], t: np.ndarray) -> np.ndarray:
    """Foot placement per frame: each rep's placement is reached by the start of its concentric."""
    targets = [
        (1.0 if rs.shins == "close" else -1.0) if "shins_not_vertical" in rs.faults else 0.0
        for rs in spec.reps
    ]
    out = np.full(t.shape, targets[0])
    for i in range(1, len(reps)):
        if targets[i] == targets[i - 1]:
            continue
        end = reps[i].up_start_s
        start = end - fx.FOOT_SETUP_S
        u = _smoothstep((t - start) / fx.FOOT_SETUP_S)
        out = np.where(t >= start, targets[i - 1] + (targets[i] - targets[i - 1]) * u, out)
    return out
