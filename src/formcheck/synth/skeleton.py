"""The figure's 3D skeleton for one frame, from the drive value h and the fault weights.

World frame (metres): x runs along the body from head to feet, y is up (floor at y = 0), z points
to the person's right. The figure lies face up with the shoulders fixed on the bench edge (or on
the floor for glute bridges) and the feet fixed on the floor. h drives the trunk angle from the
bottom angle to the angle at which shoulder, hip and knee are in line (lockout). Knees and elbows
are placed by two-bone inverse kinematics between fixed ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.synth import faults as fx

# Body dimensions at body_scale 1 (a ~1.75 m adult), metres.
THORAX_M = 0.30  # shoulder line to waist
LUMBAR_M = 0.20  # waist to hip line
THIGH_M = 0.43
SHIN_M = 0.41
ANKLE_HEIGHT_M = 0.09
UPPER_ARM_M = 0.29
FOREARM_M = 0.26
NECK_M = 0.11
SHOULDER_HALF_WIDTH_M = 0.19
HIP_HALF_WIDTH_M = 0.10
FOOT_HALF_WIDTH_M = 0.15
TRUNK_HALF_THICKNESS_M = 0.12  # shoulder joint height above what the upper back lies on
# Foot points relative to the ankle, (forward to the toes, up), metres.
HEEL_POINT_M = (-0.06, -0.065)
TOE_POINT_M = (0.14, -0.065)
TOE_PIVOT_M = (0.14, -0.09)  # where the shoe touches the floor under the toes

BENCH_TOP_M = 0.38
HIP_THRUST_BOTTOM_DEG = -38.0  # trunk angle from horizontal at the bottom (negative = hips low)
BRIDGE_HIP_CLEARANCE_M = 0.13  # hip joint height at a glute bridge's bottom


@dataclass(frozen=True)
class FrameState:
    """What the skeleton needs for one frame (see Timeline for the meaning of each)."""

    h: float
    arch_w: float = 0.0
    crane_w: float = 0.0
    heel_w: float = 0.0
    pelvis_w: float = 0.0
    shin_sign: float = 0.0
    knees_w: float = 0.0


@dataclass(frozen=True)
class Skeleton:
    """Named 3D points (metres, world frame) plus the head's orientation axes."""

    points: dict[str, np.ndarray]
    head_face: np.ndarray  # unit vector the face points along
    head_up: np.ndarray  # unit vector from chin to crown
    foot_fwd: dict[str, np.ndarray]  # per side, unit vector heel -> toes
    foot_up: dict[str, np.ndarray]


def _rot2(v: np.ndarray, deg: float) -> np.ndarray:
    """Rotate an (x, y) vector counter-clockwise (x towards y) by deg."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def _dir2(deg: float) -> np.ndarray:
    a = np.radians(deg)
    return np.array([np.cos(a), np.sin(a)])


def _p3(xy: np.ndarray, z: float) -> np.ndarray:
    return np.array([xy[0], xy[1], z], dtype=np.float64)


def two_bone_ik(
    root: np.ndarray, end: np.ndarray, l1: float, l2: float, pole: np.ndarray
) -> np.ndarray:
    """Middle joint of a two-bone chain root-mid-end, bent towards ``pole`` (3D, metres)."""
    d_vec = end - root
    d = float(np.linalg.norm(d_vec))
    d = min(max(d, abs(l1 - l2) + 1e-6), l1 + l2 - 1e-6)
    u = d_vec / max(float(np.linalg.norm(d_vec)), 1e-9)
    v = pole - np.dot(pole, u) * u
    v /= max(float(np.linalg.norm(v)), 1e-9)
    cos_a = (l1 * l1 + d * d - l2 * l2) / (2.0 * l1 * d)
    a = np.arccos(np.clip(cos_a, -1.0, 1.0))
    return root + l1 * (np.cos(a) * u + np.sin(a) * v)


@dataclass(frozen=True)
class Rig:
    """Fixed geometry of one clip's figure: segment lengths, anchors and foot placement."""

    variation: str
    working_leg: str | None
    free_leg: str
    scale: float

    @property
    def on_bench(self) -> bool:
        return self.variation.endswith("hip_thrust")

    def length(self, base_m: float) -> float:
        return base_m * self.scale

    def shoulder_xy(self) -> np.ndarray:
        y = (BENCH_TOP_M if self.on_bench else 0.0) + self.length(TRUNK_HALF_THICKNESS_M)
        return np.array([0.0, y])

    def trunk_m(self) -> float:
        return self.length(THORAX_M + LUMBAR_M)

    def bottom_deg(self) -> float:
        if self.on_bench:
            return HIP_THRUST_BOTTOM_DEG
        s = self.shoulder_xy()
        rise = (BRIDGE_HIP_CLEARANCE_M * self.scale - s[1]) / self.trunk_m()
        return float(np.degrees(np.arcsin(rise)))

    def ankle_xy(self, shin_deg: float) -> np.ndarray:
        """Ankle on the floor placed so the shin is shin_deg from vertical at a straight lockout."""
        s = self.shoulder_xy()
        line = self.trunk_m() + self.length(THIGH_M)
        ay = self.length(ANKLE_HEIGHT_M)
        ky = ay + self.length(SHIN_M) * np.cos(np.radians(shin_deg))
        theta = np.arcsin(np.clip((ky - s[1]) / line, -1.0, 1.0))
        kx = s[0] + line * np.cos(theta)
        return np.array([kx - self.length(SHIN_M) * np.sin(np.radians(shin_deg)), ay])

    def lockout_deg(self, ankle: np.ndarray) -> float:
        """Trunk angle at which shoulder, hip and knee are in line for this ankle position."""
        s = self.shoulder_xy()
        line = self.trunk_m() + self.length(THIGH_M)
        shin = self.length(SHIN_M)
        d = ankle - s
        dn = float(np.linalg.norm(d))
        c = (line * line + dn * dn - shin * shin) / (2.0 * line * dn)
        phi = np.degrees(np.arctan2(d[1], d[0]))
        # The root with the knee above the ankle is the one nearer horizontal.
        return float(phi + np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


def _foot(
    rig: Rig, ankle_floor: np.ndarray, lift_w: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ankle (x, y) after a heel lift, and the foot's forward and up unit vectors (x, y)."""
    pivot = ankle_floor + rig.scale * np.array(TOE_PIVOT_M)
    heel = ankle_floor + rig.scale * np.array(HEEL_POINT_M)
    span = float(np.linalg.norm(pivot - heel))
    ang = np.degrees(np.arcsin(np.clip(fx.HEEL_LIFT_M * lift_w / span, 0.0, 1.0)))
    # Plantarflexion pivots the foot about the toes: clockwise when the toes point to +x.
    ankle = pivot + _rot2(ankle_floor - pivot, -ang)
    return ankle, _rot2(np.array([1.0, 0.0]), -ang), _rot2(np.array([0.0, 1.0]), -ang)


def build_skeleton(rig: Rig, st: FrameState) -> Skeleton:
    L = rig.length
    side_z = {"right": 1.0, "left": -1.0}
    shin_deg = fx.SHIN_FAULT_DEG * st.shin_sign
    ankle_floor = rig.ankle_xy(shin_deg)
    ankle_xy, foot_fwd2, foot_up2 = _foot(rig, ankle_floor, st.heel_w)
    top_deg = rig.lockout_deg(ankle_xy)
    bottom_deg = rig.bottom_deg()
    trunk_deg = bottom_deg + st.h * (top_deg - bottom_deg)
    thorax_deg = trunk_deg + fx.LUMBAR_THORAX_LIFT_DEG * st.arch_w
    lumbar_deg = thorax_deg + fx.LUMBAR_ARCH_DEG * st.arch_w

    s2 = rig.shoulder_xy()
    waist2 = s2 + L(THORAX_M) * _dir2(thorax_deg)
    hip2 = waist2 + L(LUMBAR_M) * _dir2(lumbar_deg)
    thorax_dir = _dir2(thorax_deg)
    lumbar_dir = _dir2(lumbar_deg)
    belly = _rot2(lumbar_dir, 90.0)  # front of the pelvis (face-up side)

    p: dict[str, np.ndarray] = {}
    p["shoulder_mid"] = _p3(s2, 0.0)
    p["waist"] = _p3(waist2, 0.0)
    p["hip_mid"] = _p3(hip2, 0.0)
    drop = fx.PELVIS_DROP_DEG * st.pelvis_w
    free = None
    if rig.working_leg is not None:
        free = "left" if rig.working_leg == "right" else "right"
    hw = L(HIP_HALF_WIDTH_M)
    for side, sz in side_z.items():
        p[f"{side}_shoulder"] = _p3(s2, sz * L(SHOULDER_HALF_WIDTH_M))
        p[f"{side}_hip"] = p["hip_mid"] + np.array([0.0, 0.0, sz * hw])
    if drop:
        # Pelvic drop: the pelvis rotates about the body's long axis through the working hip, so
        # the free-leg side goes down and the working hip stays put (on two legs: the left side
        # drops, the planted feet stay and the knees follow)
        low = free or "left"
        high = "left" if low == "right" else "right"
        a = np.radians(drop)
        p[f"{low}_hip"] = p[f"{high}_hip"] + 2.0 * hw * np.array(
            [0.0, -np.sin(a), side_z[low] * np.cos(a)]
        )

    for side, sz in side_z.items():
        hip = p[f"{side}_hip"]
        if side == free:
            _free_leg(rig, p, side, sz, lumbar_deg, st.h)
            continue
        az = sz * (HIP_HALF_WIDTH_M if free else FOOT_HALF_WIDTH_M) * rig.scale
        ankle = _p3(ankle_xy, az)
        knee = two_bone_ik(hip, ankle, L(THIGH_M), L(SHIN_M), np.array([0.3, 1.0, 0.15 * sz]))
        if st.knees_w > 0:
            knee = _cave(knee, hip, ankle, fx.KNEE_CAVE_DEG * st.knees_w)
        p[f"{side}_knee"], p[f"{side}_ankle"] = knee, ankle
        p[f"{side}_heel"] = ankle + _foot_point(HEEL_POINT_M, foot_fwd2, foot_up2, rig.scale)
        p[f"{side}_foot_index"] = ankle + _foot_point(TOE_POINT_M, foot_fwd2, foot_up2, rig.scale)

    _arms(rig, p, side_z, belly, lumbar_dir)
    face, up = _head(rig, p, thorax_dir, st.crane_w)
    ffwd = {s: np.array([foot_fwd2[0], foot_fwd2[1], 0.0]) for s in side_z}
    fup = {s: np.array([foot_up2[0], foot_up2[1], 0.0]) for s in side_z}
    if free is not None:
        ffwd[free], fup[free] = _free_foot_axes(p, free)
    return Skeleton(points=p, head_face=face, head_up=up, foot_fwd=ffwd, foot_up=fup)


def _cave(knee: np.ndarray, hip: np.ndarray, ankle: np.ndarray, deg: float) -> np.ndarray:
    """The knee turned ``deg`` about the hip-ankle axis towards the body's mid-plane (valgus)."""
    u = (ankle - hip) / np.linalg.norm(ankle - hip)
    v = knee - hip
    a = np.radians(deg)
    out = []
    for sign in (1.0, -1.0):  # Rodrigues' rotation, both ways: keep the one moving inwards
        c, s = np.cos(sign * a), np.sin(sign * a)
        out.append(hip + v * c + np.cross(u, v) * s + u * np.dot(u, v) * (1.0 - c))
    return min(out, key=lambda k: abs(float(k[2])))


def _foot_point(
    pt: tuple[float, float], fwd: np.ndarray, up: np.ndarray, scale: float
) -> np.ndarray:
    v = scale * (pt[0] * fwd + pt[1] * up)
    return np.array([v[0], v[1], 0.0])


def _free_leg(
    rig: Rig, p: dict[str, np.ndarray], side: str, sz: float, lumbar_deg: float, h: float
) -> None:
    """Non-working leg of a single-leg variation, held off the floor."""
    hip = p[f"{side}_hip"]
    if rig.free_leg == "extended":
        # Straight leg, raised above the trunk line at the bottom so the foot stays off the floor,
        # close to in line with the trunk at the top.
        thigh_deg = lumbar_deg + 48.0 - 38.0 * h
        knee_deg = 0.0
    else:
        # Knee pulled up: thigh ~80 deg above the trunk line, shin roughly level.
        thigh_deg = lumbar_deg + 80.0
        knee_deg = -95.0
    knee = hip + _p3(rig.length(THIGH_M) * _dir2(thigh_deg), 0.0)
    ankle = knee + _p3(rig.length(SHIN_M) * _dir2(thigh_deg + knee_deg), 0.0)
    ankle[2] = hip[2] + sz * 0.01
    knee[2] = hip[2]
    p[f"{side}_knee"], p[f"{side}_ankle"] = knee, ankle
    shin_dir = (ankle - knee) / np.linalg.norm(ankle - knee)
    # Foot at right angles to the shin (toes pointing away from the face side).
    fwd = np.array([-shin_dir[1], shin_dir[0], 0.0])
    if fwd[1] < 0 and rig.free_leg == "bent":
        fwd = -fwd
    if rig.free_leg == "extended":
        fwd = np.array([shin_dir[1], -shin_dir[0], 0.0])
        fwd = fwd if fwd[1] > 0 else -fwd
    up = -shin_dir
    s = rig.scale
    p[f"{side}_heel"] = ankle + s * (HEEL_POINT_M[0] * fwd + HEEL_POINT_M[1] * up)
    p[f"{side}_foot_index"] = ankle + s * (TOE_POINT_M[0] * fwd + TOE_POINT_M[1] * up)


def _free_foot_axes(p: dict[str, np.ndarray], side: str) -> tuple[np.ndarray, np.ndarray]:
    fwd = p[f"{side}_foot_index"] - p[f"{side}_heel"]
    fwd /= np.linalg.norm(fwd)
    up = p[f"{side}_knee"] - p[f"{side}_ankle"]
    up -= np.dot(up, fwd) * fwd
    return fwd, up / np.linalg.norm(up)


def _arms(
    rig: Rig,
    p: dict[str, np.ndarray],
    side_z: dict[str, float],
    belly: np.ndarray,
    lumbar_dir: np.ndarray,
) -> None:
    L = rig.length
    for side, sz in side_z.items():
        sh = p[f"{side}_shoulder"]
        if rig.on_bench:
            # Hands resting on the front of the pelvis, elbows out and down.
            hip = p[f"{side}_hip"]
            w2 = hip[:2] + L(0.13) * belly - L(0.06) * lumbar_dir
            wrist = np.array([w2[0], w2[1], hip[2] + sz * L(0.05)])
            pole = np.array([-0.2, -0.6, sz * 1.0])
        else:
            # Arms on the floor beside the body.
            wrist = np.array([sh[0] + L(0.48), L(0.035), sz * L(0.30)])
            pole = np.array([0.0, 1.0, sz * 0.4])
        elbow = two_bone_ik(sh, wrist, L(UPPER_ARM_M), L(FOREARM_M), pole)
        p[f"{side}_elbow"], p[f"{side}_wrist"] = elbow, wrist


def _head(
    rig: Rig, p: dict[str, np.ndarray], thorax_dir: np.ndarray, crane_w: float
) -> tuple[np.ndarray, np.ndarray]:
    """Neck and head centre; returns the face and crown unit vectors."""
    ext = fx.HEAD_NEUTRAL_DEG + (fx.NECK_CRANE_DEG - fx.HEAD_NEUTRAL_DEG) * crane_w
    # On a bench the head follows the thorax; on the floor it rests there, crown to the head end.
    base_up = -thorax_dir if rig.on_bench else np.array([-1.0, 0.0])
    base_face = _rot2(base_up, -90.0)
    neck_base = (
        p["shoulder_mid"][:2]
        - rig.length(0.02) * thorax_dir
        + rig.length(0.03) * _rot2(thorax_dir, 90.0)
    )
    neck_dir = _rot2(base_up, 0.5 * ext)
    up2 = _rot2(base_up, ext)
    face2 = _rot2(base_face, ext)
    centre = neck_base + rig.length(NECK_M) * neck_dir + rig.length(0.035) * up2
    if not rig.on_bench:
        centre[1] = max(centre[1], rig.length(0.1))
    p["neck_base"] = _p3(neck_base, 0.0)
    p["head_centre"] = _p3(centre, 0.0)
    return _p3(face2, 0.0), _p3(up2, 0.0)


def sagittal_hip_angle_deg(rig: Rig, st: FrameState) -> float:
    """Shoulder-hip-knee angle of the working (or right) leg seen exactly from the side.

    180 = in line; above 180 = hip above the shoulder-knee line (same sign as the image measure).
    """
    side = rig.working_leg or "right"
    p = build_skeleton(rig, st).points
    s, h, k = (p[f"{side}_{n}"][:2] for n in ("shoulder", "hip", "knee"))
    a, b = s - h, k - h
    inner = float(
        np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1)))
    )
    line = k - s
    up = np.array([-line[1], line[0]]) if line[0] >= 0 else np.array([line[1], -line[0]])
    return 360.0 - inner if (h - s) @ up > 0 else inner


def h_for_hip_angle(rig: Rig, target_deg: float) -> float:
    """Drive value h in [0, 1] at which a clean rep's hip angle reaches target_deg (bisection)."""
    lo, hi = 0.0, 1.0
    if target_deg <= sagittal_hip_angle_deg(rig, FrameState(h=0.0)):
        return 0.0
    if target_deg >= sagittal_hip_angle_deg(rig, FrameState(h=1.0)):
        return 1.0
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        if sagittal_hip_angle_deg(rig, FrameState(h=mid)) < target_deg:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
