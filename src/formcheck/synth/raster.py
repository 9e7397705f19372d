"""Z-buffered rasteriser for tapered capsules (shaded as round solids) and boxes.

A capsule is the set of spheres swept along a 3D segment with a linearly changing radius. It is
drawn in screen space: each pixel finds its nearest point on the projected axis, is inside when
closer than the projected radius there, and gets a depth and a normal as if on a round solid
(normal from the distance to the axis). Colours are float32 BGR in 0..255.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from formcheck.synth.camera import Camera

AMBIENT = 0.42
DIFFUSE = 0.68
SPECULAR = 45.0  # added grey level at a highlight's centre, for gloss = 1
SHININESS = 18.0
NEAR_M = 0.05


@dataclass(frozen=True)
class Capsule:
    """Tapered capsule between two world points (metres) with radii at each end (metres)."""

    p0_m: np.ndarray
    p1_m: np.ndarray
    r0_m: float
    r1_m: float
    color_bgr: tuple[float, float, float]
    gloss: float = 0.2


@dataclass
class Canvas:
    """A colour buffer (H, W, 3) float32 BGR and a depth buffer (H, W) float32 metres."""

    color: np.ndarray
    depth: np.ndarray
    camera: Camera
    light_cam: np.ndarray = field(default_factory=lambda: np.array([0.0, -1.0, 0.0]))

    def copy(self) -> Canvas:
        return Canvas(self.color.copy(), self.depth.copy(), self.camera, self.light_cam)


def shade(
    base_bgr: np.ndarray,
    nx: np.ndarray,
    ny: np.ndarray,
    nz: np.ndarray,
    light: np.ndarray,
    gloss: float,
) -> np.ndarray:
    """Lambert + Blinn-Phong shading of (N,) normals (camera frame); returns (N, 3) colours."""
    lam = np.maximum(nx * light[0] + ny * light[1] + nz * light[2], 0.0)
    half = light + np.array([0.0, 0.0, -1.0])
    half /= np.linalg.norm(half)
    spec = np.maximum(nx * half[0] + ny * half[1] + nz * half[2], 0.0) ** SHININESS
    k = (AMBIENT + DIFFUSE * lam)[:, None]
    return base_bgr[None, :] * k + (SPECULAR * gloss * spec)[:, None]


def draw_capsules(canvas: Canvas, capsules: list[Capsule]) -> None:
    cam = canvas.camera
    if not capsules:
        return
    ends = np.array([c.p0_m for c in capsules] + [c.p1_m for c in capsules])
    uv, z = cam.project(ends)
    n = len(capsules)
    for i, cap in enumerate(capsules):
        z0, z1 = float(z[i]), float(z[n + i])
        if min(z0, z1) < NEAR_M:
            continue
        _draw_one(canvas, cap, uv[i], uv[n + i], z0, z1)


def _draw_one(
    canvas: Canvas, cap: Capsule, a: np.ndarray, b: np.ndarray, z0: float, z1: float
) -> None:
    f = canvas.camera.focal_px
    r0p, r1p = f * cap.r0_m / z0, f * cap.r1_m / z1
    h, w = canvas.depth.shape
    rmax = max(r0p, r1p) + 1.0
    x0 = int(max(np.floor(min(a[0], b[0]) - rmax), 0))
    x1 = int(min(np.ceil(max(a[0], b[0]) + rmax) + 1, w))
    y0 = int(max(np.floor(min(a[1], b[1]) - rmax), 0))
    y1 = int(min(np.ceil(max(a[1], b[1]) + rmax) + 1, h))
    if x0 >= x1 or y0 >= y1:
        return
    qx = np.arange(x0, x1, dtype=np.float32)[None, :] - np.float32(a[0])
    qy = np.arange(y0, y1, dtype=np.float32)[:, None] - np.float32(a[1])
    sx, sy = np.float32(b[0] - a[0]), np.float32(b[1] - a[1])
    l2 = float(sx * sx + sy * sy)
    if l2 > 1e-6:
        t = np.clip((qx * sx + qy * sy) / np.float32(l2), 0.0, 1.0)
    else:
        t = np.zeros((y1 - y0, x1 - x0), dtype=np.float32)
    dx = qx - t * sx
    dy = qy - t * sy
    d2 = dx * dx + dy * dy
    rad = np.float32(r0p) + t * np.float32(r1p - r0p)
    inside = d2 < rad * rad
    if not inside.any():
        return
    ys, xs = np.nonzero(inside)
    tt = t[ys, xs]
    rr = rad[ys, xs]
    nx = dx[ys, xs] / rr
    ny = dy[ys, xs] / rr
    nz = -np.sqrt(np.maximum(1.0 - nx * nx - ny * ny, 0.0))
    zc = z0 + tt * (z1 - z0)
    rm = cap.r0_m + tt * (cap.r1_m - cap.r0_m)
    depth = (zc + rm * nz).astype(np.float32)
    gy, gx = ys + y0, xs + x0
    front = depth < canvas.depth[gy, gx]
    if not front.any():
        return
    gy, gx = gy[front], gx[front]
    canvas.depth[gy, gx] = depth[front]
    base = np.asarray(cap.color_bgr, dtype=np.float32)
    canvas.color[gy, gx] = shade(base, nx[front], ny[front], nz[front], canvas.light_cam, cap.gloss)


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in the world (metres) with a base colour."""

    lo_m: tuple[float, float, float]
    hi_m: tuple[float, float, float]
    color_bgr: tuple[float, float, float]


def draw_box(canvas: Canvas, box: Box) -> None:
    """Draw the camera-facing faces of a box, flat shaded, z-buffered (plane depth per pixel)."""
    cam = canvas.camera
    lo, hi = np.array(box.lo_m), np.array(box.hi_m)
    base = np.asarray(box.color_bgr, dtype=np.float32)
    for axis in range(3):
        for sign in (-1.0, 1.0):
            normal = np.zeros(3)
            normal[axis] = sign
            plane_v = hi[axis] if sign > 0 else lo[axis]
            if sign * (cam.centre_m[axis] - plane_v) <= 0:
                continue  # back face
            others = [k for k in range(3) if k != axis]
            corners = []
            for u, v in ((0, 0), (1, 0), (1, 1), (0, 1)):
                c = np.empty(3)
                c[axis] = plane_v
                c[others[0]] = (lo, hi)[u][others[0]]
                c[others[1]] = (lo, hi)[v][others[1]]
                corners.append(c)
            _fill_face(canvas, np.array(corners), normal, base)


def _fill_face(
    canvas: Canvas, corners_m: np.ndarray, normal_w: np.ndarray, base: np.ndarray
) -> None:
    cam = canvas.camera
    cc = cam.to_camera(corners_m)
    if (cc[:, 2] < NEAR_M).any():
        return
    uv = np.stack(
        [
            cam.cx_px + cam.focal_px * cc[:, 0] / cc[:, 2],
            cam.cy_px + cam.focal_px * cc[:, 1] / cc[:, 2],
        ],
        axis=1,
    )
    h, w = canvas.depth.shape
    x0, y0 = np.floor(uv.min(axis=0)).astype(int)
    x1, y1 = np.ceil(uv.max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x0 >= x1 or y0 >= y1:
        return
    mask = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
    pts = np.round((uv - [x0, y0]) * 16).astype(np.int32)
    cv2.fillConvexPoly(mask, pts, 1, lineType=cv2.LINE_8, shift=4)
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return
    n_cam = cam.rot @ normal_w
    d = float(n_cam @ cc[0])  # plane: n . X = d in camera coordinates
    rx = (xs + x0 - cam.cx_px) / cam.focal_px
    ry = (ys + y0 - cam.cy_px) / cam.focal_px
    denom = n_cam[0] * rx + n_cam[1] * ry + n_cam[2]
    depth = (d / np.where(np.abs(denom) < 1e-9, 1e-9, denom)).astype(np.float32)
    gy, gx = ys + y0, xs + x0
    front = (depth > NEAR_M) & (depth < canvas.depth[gy, gx])
    canvas.depth[gy[front], gx[front]] = depth[front]
    lam = max(float(n_cam @ canvas.light_cam), 0.0)
    canvas.color[gy[front], gx[front]] = base * (AMBIENT + 0.8 * DIFFUSE * lam + 0.12)
