"""Ground-truth measures from true landmark pixels: near-side hip angle and shin angle."""

from __future__ import annotations

import numpy as np

from formcheck.landmarks.names import Landmark


def _near(name: str, near_side: str) -> int:
    return int(Landmark[f"{near_side.upper()}_{name.upper()}"])


def hip_angle_deg(xy_px: np.ndarray, near_side: str) -> np.ndarray:
    """(T, 33, 2) -> (T,) shoulder-hip-knee angle in the image plane, near side.

    180 = shoulder, hip and knee in line; above 180 = the hip above the shoulder-knee line
    (towards the image top), below 180 = hip below it (a flexed hip).
    """
    s = xy_px[:, _near("shoulder", near_side)]
    h = xy_px[:, _near("hip", near_side)]
    k = xy_px[:, _near("knee", near_side)]
    a, b = s - h, k - h
    inner = np.degrees(
        np.arccos(
            np.clip(
                np.sum(a * b, axis=1)
                / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12),
                -1.0,
                1.0,
            )
        )
    )
    line = k - s
    normal_up = np.stack([line[:, 1], -line[:, 0]], axis=1)  # perpendicular to the line ...
    normal_up *= np.where(normal_up[:, 1:2] > 0, -1.0, 1.0)  # ... pointing up (negative y)
    above = np.sum((h - s) * normal_up, axis=1) > 0
    return np.where(above, 360.0 - inner, inner)


def shin_deg(xy_px: np.ndarray, near_side: str, head_left: bool) -> np.ndarray:
    """(T, 33, 2) -> (T,) near-side shin angle from vertical in the image plane.

    Positive = knee beyond the ankle, away from the head (feet too close); negative = ankle beyond
    the knee (feet too far).
    """
    k = xy_px[:, _near("knee", near_side)]
    a = xy_px[:, _near("ankle", near_side)]
    towards_feet = 1.0 if head_left else -1.0
    return np.degrees(np.arctan2(towards_feet * (k[:, 0] - a[:, 0]), a[:, 1] - k[:, 1]))


def _pair(world_m: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(T, 3) left and right positions of a joint."""
    up = name.upper()
    return world_m[:, int(Landmark[f"LEFT_{up}"])], world_m[:, int(Landmark[f"RIGHT_{up}"])]


def pelvic_obliquity_deg(world_m: np.ndarray) -> np.ndarray:
    """(T, 33, 3) world landmarks (x head->feet, y up, z the person's right) -> (T,) the hip
    line against the floor, degrees: positive = the right hip higher (the left one dropped)."""
    left, right = _pair(world_m, "hip")
    d = right - left
    return np.degrees(np.arctan2(d[:, 1], np.linalg.norm(d[:, [0, 2]], axis=1)))


def pelvic_rotation_deg(world_m: np.ndarray) -> np.ndarray:
    """(T,) the hip line turned in the floor plane, degrees: positive = the right hip towards
    the feet."""
    left, right = _pair(world_m, "hip")
    d = right - left
    return np.degrees(np.arctan2(d[:, 0], d[:, 2]))


def knee_ankle_ratio(world_m: np.ndarray) -> np.ndarray:
    """(T,) distance between the knees over distance between the ankles, across the body (z)."""
    lk, rk = _pair(world_m, "knee")
    la, ra = _pair(world_m, "ankle")
    return np.abs(rk[:, 2] - lk[:, 2]) / np.abs(ra[:, 2] - la[:, 2])
