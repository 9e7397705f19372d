"""The static set (wall, wooden floor, bench) and the figure's soft floor shadow."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.synth.camera import Camera
from formcheck.synth.raster import Box, Canvas, Capsule, draw_box
from formcheck.synth.skeleton import BENCH_TOP_M

WALL_BEHIND_M = 2.6  # wall distance behind the body's mid-plane
FAR_M = 1e4
PLANK_WIDTH_M = 0.16
FLOOR_BGR = (105.0, 140.0, 178.0)
WALL_BGR = (192.0, 200.0, 205.0)
PLAIN_FLOOR_BGR = (150.0, 155.0, 160.0)
PLAIN_WALL_BGR = (205.0, 205.0, 205.0)
BENCH_PAD_BGR = (34.0, 34.0, 38.0)
BENCH_LEG_BGR = (72.0, 70.0, 68.0)
BENCH_PAD_THICKNESS_M = 0.07
BENCH_HALF_WIDTH_M = 0.23
BENCH_X_M = (-1.15, 0.03)  # from the far end to the edge the shoulders rest on
SHADOW_STRENGTH = 0.55
SHADOW_DOWNSCALE = 4  # shadow mask resolution relative to the render
SHADOW_FALLOFF_M = 0.3  # shadow fades with height above the floor on this scale
# Towards the light: from above, the head end and the camera side (z sign set per camera).
LIGHT_DIR = np.array([-0.35, 1.0, 0.45])


@dataclass(frozen=True)
class Stage:
    """Pre-rendered background (colour + depth) and where the floor is (shadow receiver)."""

    canvas: Canvas
    floor_w: np.ndarray  # (H, W) float32, 1 on visible floor, 0 elsewhere


def bench_boxes(on_bench: bool) -> list[Box]:
    if not on_bench:
        return []
    x0, x1 = BENCH_X_M
    top, pad = BENCH_TOP_M, BENCH_PAD_THICKNESS_M
    hw = BENCH_HALF_WIDTH_M
    boxes = [Box((x0, top - pad, -hw), (x1, top, hw), BENCH_PAD_BGR)]
    for lx in (x0 + 0.08, x1 - 0.14):
        for lz in (-hw + 0.04, hw - 0.1):
            boxes.append(Box((lx, 0.0, lz), (lx + 0.06, top - pad, lz + 0.06), BENCH_LEG_BGR))
    return boxes


def build_stage(cam: Camera, on_bench: bool, background: str, seed: int) -> Stage:
    """Render wall, floor and bench once for a clip's fixed camera."""
    rays_cam = cam.rays()
    rays_w = rays_cam @ cam.rot.astype(np.float32)  # camera -> world directions
    c = cam.centre_m.astype(np.float32)
    side = np.sign(c[2]) if c[2] != 0 else 1.0
    wall_z = -side * WALL_BEHIND_M
    with np.errstate(divide="ignore", invalid="ignore"):
        t_floor = np.where(rays_w[..., 1] < 0, -c[1] / rays_w[..., 1], np.inf)
        t_wall = (wall_z - c[2]) / rays_w[..., 2]
    t_wall = np.where(t_wall > 0, t_wall, np.inf)
    is_floor = t_floor < t_wall
    t = np.minimum(np.minimum(t_floor, t_wall), FAR_M).astype(np.float32)
    hit = c + rays_w * t[..., None]
    rng = np.random.default_rng(seed)
    plain = background == "plain"
    floor = _floor_colour(hit[..., 0], hit[..., 2], rng, plain)
    wall = _wall_colour(hit[..., 1], plain)
    color = np.where(is_floor[..., None], floor, wall).astype(np.float32)
    # A little distance haze keeps the set from looking flat.
    color *= (1.0 - 0.05 * np.clip((t - 3.0) / 4.0, 0.0, 1.0))[..., None]
    light_w = LIGHT_DIR * np.array([1.0, 1.0, side])
    light = cam.rot @ (light_w / np.linalg.norm(light_w))
    canvas = Canvas(color=color, depth=t, camera=cam, light_cam=light)
    boxes = bench_boxes(on_bench)
    if boxes:
        sh = _box_shadow(cam, boxes)
        canvas.color *= (1.0 - SHADOW_STRENGTH * 0.8 * sh * is_floor)[..., None]
    for b in boxes:
        draw_box(canvas, b)
    floor_w = (is_floor & (canvas.depth >= t - 1e-4)).astype(np.float32)
    return Stage(canvas=canvas, floor_w=floor_w)


def _floor_colour(
    x: np.ndarray, z: np.ndarray, rng: np.random.Generator, plain: bool
) -> np.ndarray:
    base = np.array(PLAIN_FLOOR_BGR if plain else FLOOR_BGR, dtype=np.float32)
    if plain:
        return np.broadcast_to(base, (*x.shape, 3)).copy()
    plank = np.floor(z / PLANK_WIDTH_M).astype(np.int64)
    tones = rng.uniform(-12.0, 12.0, size=64).astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, size=64).astype(np.float32)
    k = np.mod(plank, 64)
    grain = 4.0 * np.sin(x * 23.0 + phase[k] + 2.0 * np.sin(x * 3.1 + phase[k]))
    frac = z / PLANK_WIDTH_M - plank
    seam = np.where(np.minimum(frac, 1 - frac) < 0.035, -18.0, 0.0)
    shade = (tones[k] + grain + seam)[..., None]
    return base + shade * np.array([0.8, 1.0, 1.1], dtype=np.float32)


def _wall_colour(y: np.ndarray, plain: bool) -> np.ndarray:
    base = np.array(PLAIN_WALL_BGR if plain else WALL_BGR, dtype=np.float32)
    grad = 0.0 if plain else 8.0
    return base + (grad * np.clip(y - 1.0, -1.0, 1.0))[..., None].astype(np.float32)


def _box_shadow(cam: Camera, boxes: list[Box]) -> np.ndarray:
    small = _shadow_canvas(cam)
    for b in boxes:
        lo, hi = np.array(b.lo_m), np.array(b.hi_m)
        corners = np.array([[x, 0.0, z] for x in (lo[0], hi[0]) for z in (lo[2], hi[2])])
        uv, _ = cam.project(corners)
        hull = cv2.convexHull((uv / SHADOW_DOWNSCALE).astype(np.float32)).astype(np.int32)
        weight = float(np.exp(-lo[1] / SHADOW_FALLOFF_M))
        cv2.fillConvexPoly(small, hull, weight)
    return _finish_shadow(small, cam)


def _shadow_canvas(cam: Camera) -> np.ndarray:
    return np.zeros((cam.height // SHADOW_DOWNSCALE, cam.width // SHADOW_DOWNSCALE), np.float32)


def _finish_shadow(small: np.ndarray, cam: Camera) -> np.ndarray:
    sigma = 0.05 * cam.focal_px / SHADOW_DOWNSCALE / 3.0
    small = cv2.GaussianBlur(small, (0, 0), sigma)
    return cv2.resize(small, (cam.width, cam.height), interpolation=cv2.INTER_LINEAR)


def figure_shadow(cam: Camera, capsules: list[Capsule]) -> np.ndarray:
    """(H, W) float32 in [0, 1]: soft shadow of the capsules dropped straight down on the floor."""
    small = _shadow_canvas(cam)
    order = sorted(capsules, key=lambda c: -min(c.p0_m[1], c.p1_m[1]))
    for cp in order:
        if max(cp.r0_m, cp.r1_m) < 0.03:
            continue
        a = np.array([cp.p0_m[0], 0.0, cp.p0_m[2]])
        b = np.array([cp.p1_m[0], 0.0, cp.p1_m[2]])
        uv, z = cam.project(np.stack([a, b]))
        height = max(0.0, 0.5 * (cp.p0_m[1] + cp.p1_m[1]) - 0.5 * (cp.r0_m + cp.r1_m))
        weight = float(np.exp(-height / SHADOW_FALLOFF_M))
        width_px = 2 * max(cp.r0_m, cp.r1_m) * cam.focal_px / float(z.mean())
        thick = max(1, int(round(width_px / SHADOW_DOWNSCALE)))
        p = (uv / SHADOW_DOWNSCALE * 8).round().astype(np.int32)
        cv2.line(small, tuple(p[0]), tuple(p[1]), weight, thick, cv2.LINE_8, shift=3)
    return _finish_shadow(small, cam)


def apply_shadow(canvas: Canvas, floor_w: np.ndarray, shadow: np.ndarray) -> None:
    """Darken the floor under the shadow (only inside the shadow's bounding box, for speed)."""
    ys, xs = np.nonzero(shadow[::SHADOW_DOWNSCALE, ::SHADOW_DOWNSCALE] > 1e-3)
    if ys.size == 0:
        return
    d = SHADOW_DOWNSCALE
    y0, y1 = max(ys.min() * d - d, 0), ys.max() * d + 2 * d
    x0, x1 = max(xs.min() * d - d, 0), xs.max() * d + 2 * d
    k = 1.0 - SHADOW_STRENGTH * shadow[y0:y1, x0:x1] * floor_w[y0:y1, x0:x1]
    canvas.color[y0:y1, x0:x1] *= k[..., None]
