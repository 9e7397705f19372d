"""A load resting on the hips: a barbell with plates, or a dumbbell, placed where a lifter puts
it (across the hip crease) so that it hides the near hip as the real thing does.

Sizes are those of the gym: a standard plate is 45 cm across and 5 cm thick, its inner face
at the end of the bar's sleeve (45 cm either side of the middle on an Olympic bar); a heavy hex
dumbbell's heads are about 24 cm across. The bar's axis lies `CREASE_DEPTH_M` in front of the
hip joints (the pelvis and a pad between): seen from the side, a plate's disc covers the near
hip; a dumbbell's head reaches the front of it. Plates are drawn as a stack of flat discs (the front
one with a raised rim, a ring and a steel hub, for a pose model and a circle finder to see what
they see on real plates); bars and handles as capsules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.synth.raster import Canvas, Capsule, draw_capsules
from formcheck.synth.skeleton import Skeleton
from formcheck.synth.spec import LOADS

#: The labels.json ``load`` of each kind.
LOAD_LABELS = {"none": "bodyweight", "barbell": "barbell", "dumbbell": "dumbbell"}

PLATE_RADIUS_M = 0.225
PLATE_THICK_M = 0.05
PLATE_INNER_Z_M = 0.45
PLATE_SLICES = 5
BAR_RADIUS_M = 0.014
SLEEVE_RADIUS_M = 0.025
BAR_HALF_M = 1.1
#: Bar axis in front of the hip joints, at body scale 1 (pelvis depth and a pad).
CREASE_DEPTH_M = 0.13
#: ... and this far down the thighs from the hip joints (the bar sits in the crease).
CREASE_ALONG_M = 0.03
DB_HEAD_RADIUS_M = 0.12
DB_HEAD_Z_M = (0.09, 0.23)
DB_SLICES = 8
DB_HANDLE_RADIUS_M = 0.018

PLATE_BGR = (34.0, 33.0, 36.0)
PLATE_RIM_BGR = (58.0, 57.0, 62.0)
HUB_BGR = (178.0, 180.0, 184.0)
BAR_BGR = (150.0, 152.0, 156.0)
DB_BGR = (40.0, 40.0, 44.0)


@dataclass(frozen=True)
class Disc:
    """A flat disc in the world: centre, unit normal (metres), radius, and ring colours."""

    centre_m: np.ndarray
    normal_m: np.ndarray
    radius_m: float
    rings: tuple[tuple[float, tuple[float, float, float]], ...]  # (outer share, colour), inside out


@dataclass(frozen=True)
class Load:
    """One frame's load: its discs and capsules, and its bar axis (the truth of the bar)."""

    discs: tuple[Disc, ...]
    capsules: tuple[Capsule, ...]
    bar_m: np.ndarray  # (3,) the bar's axis at the near plate's (or dumbbell head's) outer face


def bar_axis_m(sk: Skeleton, scale: float) -> np.ndarray:
    """(3,) the point of the bar's axis in the body's mid-plane (z = 0)."""
    p = sk.points
    knee_mid = 0.5 * (p["left_knee"] + p["right_knee"])
    thigh = _unit(knee_mid - p["hip_mid"])
    trunk = _unit(p["hip_mid"] - p["shoulder_mid"])
    along = _unit(thigh + trunk)  # the body's line at the hip
    front = np.array([-along[1], along[0], 0.0])  # perpendicular, away from the floor
    if front[1] < 0:
        front = -front
    out: np.ndarray = p["hip_mid"] + scale * (CREASE_DEPTH_M * front + CREASE_ALONG_M * thigh)
    return out


def load_parts(sk: Skeleton, kind: str, scale: float, near_z: float) -> Load | None:
    """The load of ``kind`` on this skeleton; ``near_z`` is +1 or -1, the camera's side."""
    if kind == "none":
        return None
    c = bar_axis_m(sk, scale)
    z = np.array([0.0, 0.0, 1.0])
    if kind == "barbell":
        discs = []
        for side in (1.0, -1.0):
            for k in range(PLATE_SLICES):
                dz = PLATE_INNER_Z_M + PLATE_THICK_M * k / (PLATE_SLICES - 1)
                outer = k == PLATE_SLICES - 1
                rings = (
                    ((0.09, HUB_BGR), (0.3, PLATE_BGR), (0.34, PLATE_RIM_BGR), (0.9, PLATE_BGR))
                    if outer
                    else ()
                ) + ((1.0, PLATE_RIM_BGR),)
                discs.append(Disc(c + side * dz * z, side * z, PLATE_RADIUS_M, rings))
        caps = (
            _rod(c - BAR_HALF_M * z, c + BAR_HALF_M * z, BAR_RADIUS_M),
            *(
                _rod(c + s * PLATE_INNER_Z_M * z, c + s * BAR_HALF_M * z, SLEEVE_RADIUS_M)
                for s in (1.0, -1.0)
            ),
        )
        bar = c + near_z * (PLATE_INNER_Z_M + PLATE_THICK_M) * z
        return Load(tuple(discs), caps, bar)
    if kind == "dumbbell":
        lo, hi = DB_HEAD_Z_M
        heads = tuple(
            Disc(c + side * (lo + (hi - lo) * k / (DB_SLICES - 1)) * z, side * z, r, rings)
            for side in (1.0, -1.0)
            for k in range(DB_SLICES)
            for r in (DB_HEAD_RADIUS_M * scale,)
            for rings in (
                ((0.2, HUB_BGR), (1.0, DB_BGR)) if k == DB_SLICES - 1 else ((1.0, DB_BGR),),
            )
        )
        return Load(heads, (_rod(c - lo * z, c + lo * z, DB_HANDLE_RADIUS_M),), c + near_z * hi * z)
    raise ValueError(f"load must be one of {LOADS}, got {kind!r}")


def _rod(a: np.ndarray, b: np.ndarray, radius: float) -> Capsule:
    """A steel bar, sleeve or handle."""
    return Capsule(a, b, radius, radius, BAR_BGR, 0.6)


def draw_load(canvas: Canvas, load: Load) -> None:
    draw_capsules(canvas, list(load.capsules))
    for d in load.discs:
        _draw_disc(canvas, d)


def _draw_disc(canvas: Canvas, d: Disc) -> None:
    cam = canvas.camera
    c = cam.to_camera(d.centre_m[None])[0]
    n = cam.rot @ d.normal_m
    if c[2] <= 0.1:
        return
    e1 = _unit(np.cross(n, [0.0, 1.0, 0.0]) if abs(n[1]) < 0.9 else np.cross(n, [1.0, 0.0, 0.0]))
    e2 = np.cross(n, e1)
    corners = np.array([c + d.radius_m * (a * e1 + b * e2) for a in (-1, 1) for b in (-1, 1)])
    if (corners[:, 2] <= 0.05).any():
        return
    u = cam.cx_px + cam.focal_px * corners[:, 0] / corners[:, 2]
    v = cam.cy_px + cam.focal_px * corners[:, 1] / corners[:, 2]
    h, w = canvas.depth.shape
    x0, x1 = max(int(np.floor(u.min())), 0), min(int(np.ceil(u.max())) + 1, w)
    y0, y1 = max(int(np.floor(v.min())), 0), min(int(np.ceil(v.max())) + 1, h)
    if x0 >= x1 or y0 >= y1:
        return
    rx = (np.arange(x0, x1, dtype=np.float64)[None, :] - cam.cx_px) / cam.focal_px
    ry = (np.arange(y0, y1, dtype=np.float64)[:, None] - cam.cy_px) / cam.focal_px
    denom = n[0] * rx + n[1] * ry + n[2]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = float(n @ c) / denom
    px, py, pz = t * rx - c[0], t * ry - c[1], t - c[2]
    r = np.sqrt(px * px + py * py + pz * pz) / d.radius_m
    inside = (t > 0.05) & (r < 1.0)
    front = inside & (t < canvas.depth[y0:y1, x0:x1])
    if not front.any():
        return
    colour = np.zeros((*r.shape, 3), np.float32)
    for share, bgr in reversed(d.rings):
        colour[r < share] = bgr
    lam = abs(float(n @ canvas.light_cam))
    colour *= 0.55 + 0.5 * lam
    canvas.depth[y0:y1, x0:x1][front] = t[front]
    canvas.color[y0:y1, x0:x1][front] = colour[front]


def _unit(v: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.asarray(v, float) / max(float(np.linalg.norm(v)), 1e-9)
    return out
