"""Per-frame metrics: pure vectorised functions of landmark arrays, NaN where unseen.

Conventions (image coordinates: x right, y down, pixels; "up" is image-up):
- hip_extension_deg: shoulder-hip-knee angle. 180 = shoulders, hips and knees
  in line; below 180 = hips flexed (below the line); above 180 = hips above
  the shoulder-knee line.
- line_offset: signed distance of the hip from the shoulder-knee line, in torso
  lengths (shoulder-hip distance); positive = above the line.
- knee_angle_deg: hip-knee-ankle angle, 180 = straight leg.
- shin_deg: shin (ankle->knee) from vertical; positive = knee beyond the ankle
  towards the feet end (feet too close), negative = ankle beyond the knee
  (feet too far).
- neck_deg: head (shoulder->ear) against the trunk (hip->shoulder) line;
  positive = head tipped back (extension, chin up), negative = chin tucked.
- face_pitch_deg: the face's direction (ear->eye) against the trunk's front (the normal of
  the hip->shoulder line on the image-up side); positive = face turned towards the head end
  (chin up), negative = towards the feet (chin tucked). The seeds' neutral head keeps it
  constant through a rep (001: "Your gaze should follow the movement of your sternum").
- foot_pitch_deg: heel-toe line against horizontal; positive = heel above toe.
- heel_height: heel height above its lowest position in the clip, in torso
  lengths (MediaPipe's toe landmark drifts when shins tilt; the heel is steadier).
- pelvic_tilt_deg: left-right hip line against image horizontal (front views).
- pelvic_rotation_deg: left-right hip line in the world landmarks' depth plane;
  positive = right hip nearer the camera.
- knee_ratio: knee width / ankle width (front views); < 1 = knees inside the feet.
- hip_height: hip height above the feet in torso lengths (for reps and tempo); above the
  shoulders' usual height when the feet are never seen (a view from the head).
- shoulder_height: shoulder height above the feet in torso lengths (the same reference).
- bent_knee_deg: the more bent knee's hip-knee-ankle angle, from the world landmarks (3D, so
  a leg bent towards the camera still measures bent); 180 = straight.
- trunk_incline_deg: hip->shoulder against horizontal, from world landmarks
  (camera assumed level); positive = shoulders above hips, 90 = standing.
"""

from __future__ import annotations

import warnings

import numpy as np

from formcheck.landmarks.names import Side, joint
from formcheck.landmarks.series import PoseSeries
from formcheck.results.measures import FrameMetrics

_UP = np.array([0.0, -1.0])
_SIDES: tuple[Side, Side] = ("left", "right")


def nanmedian(x: np.ndarray) -> float:
    """Median of the finite values; NaN (no warning) when there are none."""
    x = np.asarray(x, dtype=float)
    finite = x[np.isfinite(x)]
    return float(np.median(finite)) if finite.size else float("nan")


def point(xy: np.ndarray, name: str, side: Side | None) -> np.ndarray:
    """(T, 2) position of a joint on one side, or the midpoint of both when side is None."""
    if side is None:
        return (xy[:, joint(name, "left")] + xy[:, joint(name, "right")]) / 2.0
    return xy[:, joint(name, side)]


def angle_at(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Unsigned angle ABC in degrees, (T,)."""
    u, v = a - b, c - b
    cos = np.sum(u * v, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def _up_normal(direction: np.ndarray) -> np.ndarray:
    """Unit normal of (T, 2) ``direction`` that points image-up (negative y)."""
    n = np.stack([direction[:, 1], -direction[:, 0]], axis=-1)
    n = np.where((n @ _UP)[:, None] < 0, -n, n)
    return n / np.linalg.norm(n, axis=-1, keepdims=True)


def signed_offset(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signed distance (pixels) of p from line a-b; positive = image-up side."""
    return np.sum((p - a) * _up_normal(b - a), axis=-1)


def hip_extension_deg(shoulder: np.ndarray, hip: np.ndarray, knee: np.ndarray) -> np.ndarray:
    inner = angle_at(shoulder, hip, knee)
    above = signed_offset(hip, shoulder, knee) > 0
    return np.where(above, 360.0 - inner, inner)


def shin_deg(knee: np.ndarray, ankle: np.ndarray, feet_dir: float) -> np.ndarray:
    """``feet_dir`` is +1 when the feet are to the image right of the shoulders, else -1."""
    d = knee - ankle
    return np.degrees(np.arctan2(d[:, 0] * feet_dir, -d[:, 1]))


def neck_deg(hip: np.ndarray, shoulder: np.ndarray, ear: np.ndarray) -> np.ndarray:
    trunk, head = shoulder - hip, ear - shoulder
    along = np.sum(head * trunk, axis=-1) / np.linalg.norm(trunk, axis=-1)
    across = np.sum(head * _up_normal(trunk), axis=-1)
    return -np.degrees(np.arctan2(across, along))


def face_pitch_deg(
    hip: np.ndarray, shoulder: np.ndarray, ear: np.ndarray, eye: np.ndarray
) -> np.ndarray:
    trunk, face = shoulder - hip, eye - ear
    along = np.sum(face * trunk, axis=-1) / np.linalg.norm(trunk, axis=-1)
    front = np.sum(face * _up_normal(trunk), axis=-1)
    return np.degrees(np.arctan2(along, front))


def foot_pitch_deg(heel: np.ndarray, toe: np.ndarray) -> np.ndarray:
    d = toe - heel
    return np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0])))


def line_tilt_deg(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Angle of the left-right line against image horizontal, folded to [-90, 90]."""
    d = right - left
    return np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0])))


def compute_metrics(series: PoseSeries, side: Side | None) -> FrameMetrics:
    """All per-frame metrics, on the near ``side`` (None = average both sides)."""
    xy = series.xy_px
    with warnings.catch_warnings():  # NaN frames are expected and stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return _compute(series, xy, side)


def _compute(series: PoseSeries, xy: np.ndarray, side: Side | None) -> FrameMetrics:
    sh, hip, knee = point(xy, "shoulder", side), point(xy, "hip", side), point(xy, "knee", side)
    ankle, heel = point(xy, "ankle", side), point(xy, "heel", side)
    toe, ear = point(xy, "foot_index", side), point(xy, "ear", side)
    eye = point(xy, "eye", side)
    torso = np.linalg.norm(sh - hip, axis=-1)
    scale = float(np.nanmedian(torso)) if np.isfinite(torso).any() else np.nan
    feet_dir = float(np.sign(np.nanmedian(hip[:, 0] - sh[:, 0]))) or 1.0
    lh, rh = xy[:, joint("hip", "left")], xy[:, joint("hip", "right")]
    lk, rk = xy[:, joint("knee", "left")], xy[:, joint("knee", "right")]
    la, ra = xy[:, joint("ankle", "left")], xy[:, joint("ankle", "right")]
    world = series.world_xyz_m
    floor_y = np.nanmedian(ankle[:, 1])
    if not np.isfinite(floor_y):  # feet never seen (from the head, behind the knees): the
        floor_y = np.nanmedian(sh[:, 1])  # shoulders rest on the bench or floor all set long
    w_lh, w_rh = world[:, joint("hip", "left")], world[:, joint("hip", "right")]
    w_trunk = point(world, "shoulder", None) - point(world, "hip", None)
    return FrameMetrics(
        t_s=series.timestamps_s,
        hip_extension_deg=hip_extension_deg(sh, hip, knee),
        line_offset=signed_offset(hip, sh, knee) / scale,
        knee_angle_deg=angle_at(hip, knee, ankle),
        shin_deg=shin_deg(knee, ankle, feet_dir),
        neck_deg=neck_deg(hip, sh, ear),
        face_pitch_deg=face_pitch_deg(hip, sh, ear, eye),
        foot_pitch_deg=foot_pitch_deg(heel, toe),
        pelvic_tilt_deg=line_tilt_deg(lh, rh),
        pelvic_rotation_deg=np.degrees(
            np.arctan2(w_lh[:, 2] - w_rh[:, 2], np.abs(w_rh[:, 0] - w_lh[:, 0]))
        ),
        knee_ratio=np.abs(lk[:, 0] - rk[:, 0]) / np.abs(la[:, 0] - ra[:, 0]),
        hip_height=(floor_y - hip[:, 1]) / scale,
        shoulder_height=(floor_y - sh[:, 1]) / scale,
        bent_knee_deg=np.fmin(
            *(angle_at(*(world[:, joint(j, s)] for j in ("hip", "knee", "ankle"))) for s in _SIDES)
        ),
        trunk_incline_deg=np.degrees(
            np.arctan2(-w_trunk[:, 1], np.linalg.norm(w_trunk[:, [0, 2]], axis=-1))
        ),
        heel_height=(np.nanpercentile(heel[:, 1], 95) - heel[:, 1]) / scale,
        torso_px=scale,
    )
