"""Builders of landmark sequences with known reps, phases and faults (no model needed).

A 2D side-view stick figure lying face up, head to the image left (so its right
side faces the camera): shoulders fixed on a bench, ankles fixed on the floor,
the trunk swinging from ``BOTTOM_TRUNK_DEG`` below horizontal (bottom) to each
rep's ``top_trunk_deg`` (0 = straight shoulder-hip-knee line; negative = hips
above the shoulders, as in a lumbar arch), knees placed by two-bone inverse
kinematics. Phases use cosine easing. World landmarks are the pixels / 1000 with
the near (right) side 0.1 m nearer the camera, as for a level camera.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from formcheck.landmarks.names import Landmark as L
from formcheck.landmarks.series import PoseSeries

SIZE = (960, 540)
SHOULDER = np.array([300.0, 300.0])
ANKLE_Y = 430.0
TRUNK, THIGH, SHIN = 190.0, 175.0, 155.0
BOTTOM_TRUNK_DEG = 38.0


@dataclass(frozen=True)
class RepShape:
    """One rep: phase durations (s) and what its top looks like."""

    bottom_s: float = 0.6
    up_s: float = 1.0
    top_s: float = 1.5
    down_s: float = 2.0
    top_trunk_deg: float = 0.0  # 30 = incomplete lockout, -20 = hips above the line
    feet_dx_px: float = 0.0  # ankle moved towards (+) or away from (-) the hips
    neck_back_deg: float = 0.0  # head tipped back from neutral
    chin_up_deg: float = 0.0  # face turned towards the head end at the top (ear kept)
    heel_lift_px: float = 0.0  # heel raised at the top


@dataclass
class Truth:
    """Per-frame truth: h (0 bottom .. 1 top), rep index (-1 outside), phase name."""

    h: list[float] = field(default_factory=list)
    rep: list[int] = field(default_factory=list)
    phase: list[str] = field(default_factory=list)
    lockout_s: list[float] = field(default_factory=list)


#: A set of four reps, three kinds: clean, incomplete lockout, no pause with a rushed descent.
FOUR_REPS = [
    RepShape(),
    RepShape(top_trunk_deg=20.0),  # incomplete lockout
    RepShape(top_s=0.2, down_s=0.5),  # no pause, rushed
    RepShape(),
]


def _ease(x: np.ndarray) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


def timeline(
    reps: list[RepShape],
    fps: float,
    lead_in_s: float,
    lead_out_s: float,
    start_at_top: bool = False,
) -> tuple[np.ndarray, Truth, list[int]]:
    """Per-frame h and the index of the rep shaping each frame."""
    truth = Truth()
    owner: list[int] = []
    dt = 1.0 / fps
    level = 1.0 if start_at_top else 0.0

    def hold(seconds: float, value: float, rep: int, name: str, shape: int) -> None:
        for _ in range(round(seconds * fps)):
            truth.h.append(value)
            truth.rep.append(rep)
            truth.phase.append(name)
            owner.append(shape)

    def move(seconds: float, a: float, b: float, rep: int, name: str, shape: int) -> None:
        n = round(seconds * fps)
        for v in a + (b - a) * _ease((np.arange(n) + 1) / n):
            truth.h.append(float(v))
            truth.rep.append(rep)
            truth.phase.append(name)
            owner.append(shape)

    hold(lead_in_s, level, -1, "top" if start_at_top else "bottom", 0)
    if start_at_top:
        move(reps[0].down_s, 1.0, 0.0, -1, "down", 0)
    for k, r in enumerate(reps):
        hold(r.bottom_s, 0.0, k, "bottom", k)
        move(r.up_s, 0.0, 1.0, k, "up", k)
        truth.lockout_s.append(len(truth.h) * dt + r.top_s / 2)
        hold(r.top_s, 1.0, k, "top", k)
        move(r.down_s, 1.0, 0.0, k, "down", k)
    hold(lead_out_s, 0.0, -1, "bottom", len(reps) - 1)
    return np.asarray(truth.h), truth, owner


def _knee(hip: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """Two-bone IK: the knee above the hip-ankle line."""
    d = ankle - hip
    dist = float(np.clip(np.linalg.norm(d), 1e-6, THIGH + SHIN - 1e-6))
    a = (THIGH**2 - SHIN**2 + dist**2) / (2 * dist)
    h = np.sqrt(max(THIGH**2 - a**2, 0.0))
    u = d / np.linalg.norm(d)
    n = np.array([u[1], -u[0]])  # rotate so the knee goes image-up
    if n[1] > 0:
        n = -n
    return hip + a * u + h * n


def pose_at(h: float, shape: RepShape) -> np.ndarray:
    """(33, 2) landmark pixels for trunk progress h in [0, 1] of one rep shape."""
    trunk_deg = BOTTOM_TRUNK_DEG + (shape.top_trunk_deg - BOTTOM_TRUNK_DEG) * h
    a = np.radians(trunk_deg)
    hip = SHOULDER + TRUNK * np.array([np.cos(a), np.sin(a)])
    ankle = np.array([SHOULDER[0] + 370.0 - shape.feet_dx_px * h, ANKLE_Y])
    knee = _knee(hip, ankle)
    trunk_dir = (SHOULDER - hip) / np.linalg.norm(SHOULDER - hip)
    up = np.array([trunk_dir[1], -trunk_dir[0]])
    if up[1] > 0:
        up = -up
    neck = np.radians(-40.0 + shape.neck_back_deg * h)  # neutral: ear 40 deg to the chest side
    ear = SHOULDER + 45.0 * (np.cos(neck) * trunk_dir - np.sin(neck) * up)
    chin = np.radians(shape.chin_up_deg * h)  # the face turns about the ear, towards the head
    face_up = np.cos(chin) * up + np.sin(chin) * trunk_dir
    face_on = np.cos(chin) * trunk_dir - np.sin(chin) * up
    nose = ear + 25.0 * face_up + 10.0 * face_on
    xy = np.full((33, 2), np.nan)
    near = {
        "SHOULDER": SHOULDER,
        "HIP": hip,
        "KNEE": knee,
        "ANKLE": ankle,
        "HEEL": ankle + np.array([-18.0, 14.0 - shape.heel_lift_px * h]),
        "FOOT_INDEX": ankle + np.array([45.0, 16.0]),
        "ELBOW": SHOULDER + np.array([60.0, 40.0]),
        "WRIST": hip + np.array([0.0, -20.0]),
        "EAR": ear,
        "EYE": nose - 8.0 * face_on,
        "EYE_INNER": nose - 6.0 * face_on,
        "EYE_OUTER": nose - 10.0 * face_on,
        "PINKY": hip,
        "INDEX": hip,
        "THUMB": hip,
    }
    for name, p in near.items():
        xy[L[f"RIGHT_{name}"]] = p
        xy[L[f"LEFT_{name}"]] = p + np.array([4.0, -3.0])
    xy[L.NOSE] = nose
    xy[L.MOUTH_LEFT] = xy[L.MOUTH_RIGHT] = nose + 6.0 * face_on
    return xy


def build_set(
    reps: list[RepShape],
    *,
    fps: float = 30.0,
    lead_in_s: float = 0.5,
    lead_out_s: float = 0.8,
    noise_px: float = 0.0,
    seed: int = 0,
    start_at_top: bool = False,
    mirror: bool = False,
) -> tuple[PoseSeries, Truth]:
    """A PoseSeries of the set, and its truth."""
    hs, truth, owner = timeline(reps, fps, lead_in_s, lead_out_s, start_at_top)
    xy = np.stack([pose_at(h, reps[k]) for h, k in zip(hs, owner, strict=True)])
    rng = np.random.default_rng(seed)
    xy = xy + rng.normal(0.0, noise_px, xy.shape) if noise_px else xy
    if mirror:
        xy[..., 0] = SIZE[0] - xy[..., 0]
    t = np.arange(len(hs)) / fps
    vis = np.full((len(hs), 33), 0.95)
    world = np.concatenate([xy / 1000.0, np.zeros((*xy.shape[:2], 1))], axis=-1)
    world[:, [lm for lm in L if lm.name.startswith("RIGHT_")], 2] = -0.1
    world[:, [lm for lm in L if lm.name.startswith("LEFT_")], 2] = 0.1
    series = PoseSeries(t, xy, vis, world, np.ones(len(hs), dtype=np.int16), SIZE, fps)
    return series, truth


def with_dropouts(series: PoseSeries, spans_s: list[tuple[float, float]]) -> PoseSeries:
    """Frames inside the spans lose their person (no detection)."""
    t = series.timestamps_s
    lost = np.zeros(len(t), dtype=bool)
    for a, b in spans_s:
        lost |= (t >= a) & (t < b)
    xy, world, vis = series.xy_px.copy(), series.world_xyz_m.copy(), series.visibility.copy()
    xy[lost], world[lost], vis[lost] = np.nan, np.nan, 0.0
    people = series.n_people.copy()
    people[lost] = 0
    from dataclasses import replace

    return replace(series, xy_px=xy, world_xyz_m=world, visibility=vis, n_people=people)
