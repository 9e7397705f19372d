"""Dress a skeleton: the capsules that draw the figure and the MediaPipe landmark positions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.landmarks.names import N_LANDMARKS, Landmark
from formcheck.synth.raster import Capsule
from formcheck.synth.skeleton import Skeleton

SHOE_BGR = (236.0, 236.0, 238.0)
SOLE_BGR = (200.0, 200.0, 205.0)
HAIR_BGR = (28.0, 28.0, 34.0)
EYE_WHITE_BGR = (235.0, 235.0, 235.0)
IRIS_BGR = (35.0, 28.0, 22.0)
BROW_BGR = (25.0, 25.0, 30.0)
LIPS_BGR = (75.0, 75.0, 140.0)

TRUNK_BACK_SHIFT_M = 0.025  # trunk capsules' axis behind the shoulder-hip joint line
PELVIS_BACK_SHIFT_M = 0.02
FAR_SIDE_SHADE = 0.8  # colour factor for the limbs on the side away from the camera

_SIDES = {"right": 1.0, "left": -1.0}
_LIMB_LANDMARKS = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")


@dataclass(frozen=True)
class Palette:
    skin_bgr: tuple[float, float, float]
    shirt_bgr: tuple[float, float, float]
    shorts_bgr: tuple[float, float, float]


def _posterior(axis: np.ndarray) -> np.ndarray:
    """Unit vector towards the back, perpendicular to a sagittal body axis (head -> feet)."""
    return _unit(np.array([axis[1], -axis[0], 0.0]))


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-9)


def landmarks_m(sk: Skeleton, scale: float) -> np.ndarray:
    """(33, 3) world positions (metres) of the MediaPipe landmarks the figure has; NaN for hands."""
    p = sk.points
    out = np.full((N_LANDMARKS, 3), np.nan)
    c, f, u = p["head_centre"], sk.head_face, sk.head_up
    r = np.array([0.0, 0.0, 1.0])  # the person's right
    s = scale
    out[Landmark.NOSE] = c + s * (0.115 * f - 0.028 * u)
    for side, sz in _SIDES.items():
        eye = c + s * (0.085 * f + 0.022 * u + sz * 0.032 * r)
        pre = side.upper()
        out[Landmark[f"{pre}_EYE"]] = eye
        out[Landmark[f"{pre}_EYE_INNER"]] = eye - s * sz * 0.013 * r
        out[Landmark[f"{pre}_EYE_OUTER"]] = eye + s * sz * 0.013 * r
        out[Landmark[f"{pre}_EAR"]] = c + s * (-0.005 * f - 0.015 * u + sz * 0.092 * r)
        out[Landmark[f"MOUTH_{pre}"]] = c + s * (0.09 * f - 0.062 * u + sz * 0.02 * r)
        for name in _LIMB_LANDMARKS:
            out[Landmark[f"{pre}_{name.upper()}"]] = p[f"{side}_{name}"]
    return out


Bgr = tuple[float, float, float]


class _Caps:
    """Collects capsules; radii are given at body_scale 1 and scaled here."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.items: list[Capsule] = []

    def add(
        self, a: np.ndarray, b: np.ndarray, r0: float, r1: float, col: Bgr, gloss: float = 0.15
    ) -> None:
        self.items.append(Capsule(a, b, r0 * self.scale, r1 * self.scale, col, gloss))


def body_capsules(
    sk: Skeleton, pal: Palette, scale: float, far_side: str | None = None
) -> list[Capsule]:
    """Every capsule of the figure (order does not matter: the z-buffer sorts them out).

    Limbs of ``far_side`` are drawn darker (FAR_SIDE_SHADE): the body shades them from the light
    on the camera side, which also helps a pose model tell near from far limbs.
    """
    p, s = sk.points, scale
    shirt, shorts, skin = pal.shirt_bgr, pal.shorts_bgr, pal.skin_bgr
    caps = _Caps(scale)
    thorax = _unit(p["waist"] - p["shoulder_mid"])
    lumbar = _unit(p["hip_mid"] - p["waist"])
    z = np.array([0.0, 0.0, 1.0])
    # Trunk and pelvis mass sits behind the joint line (spine and glutes are posterior).
    back_t = s * TRUNK_BACK_SHIFT_M * _posterior(thorax)
    back_l = s * PELVIS_BACK_SHIFT_M * _posterior(lumbar)
    lumbar_mid = 0.5 * (p["waist"] + p["hip_mid"])
    # Trunk: three side-by-side slabs give a wide, flattish chest.
    for o, r0, r1 in ((-0.1, 0.095, 0.09), (0.0, 0.105, 0.1), (0.1, 0.095, 0.09)):
        a = p["shoulder_mid"] + s * (0.05 * thorax + o * z) + back_t
        caps.add(a, p["waist"] + s * o * z + back_t, r0, r1, shirt)
        caps.add(
            p["waist"] + s * o * 0.8 * z + back_t,
            lumbar_mid + s * o * 0.8 * z + back_l,
            r1,
            0.095,
            shirt,
        )
    caps.add(p["left_shoulder"], p["right_shoulder"], 0.065, 0.065, shirt)
    # Pelvis and shorts.
    caps.add(p["left_hip"] + back_l, p["right_hip"] + back_l, 0.1, 0.1, shorts)
    for side in _SIDES:
        k = FAR_SIDE_SHADE if side == far_side else 1.0
        skin, shorts = _dim(pal.skin_bgr, k), _dim(pal.shorts_bgr, k)
        hip, knee, ankle = p[f"{side}_hip"], p[f"{side}_knee"], p[f"{side}_ankle"]
        shift = hip - p["hip_mid"]
        caps.add(
            lumbar_mid - s * 0.02 * lumbar + 0.8 * shift + back_l, hip + back_l, 0.095, 0.1, shorts
        )
        caps.add(hip + 1.4 * back_l, hip + 1.4 * back_l + s * 0.06 * lumbar, 0.085, 0.07, shorts)
        caps.add(hip, hip + 0.42 * (knee - hip), 0.09, 0.078, shorts)
        caps.add(hip + 0.3 * (knee - hip), knee, 0.074, 0.054, skin)
        back = -s * 0.012 * sk.foot_fwd[side]  # calf bulge behind the shin
        caps.add(
            knee + 0.12 * (ankle - knee) + back,
            knee + 0.55 * (ankle - knee) + back,
            0.052,
            0.045,
            skin,
        )
        caps.add(knee, ankle, 0.05, 0.034, skin)
        caps.add(ankle, ankle, 0.037, 0.037, skin)  # malleoli
        _foot(caps, ankle, sk.foot_fwd[side], sk.foot_up[side], k)
        _arm(caps, p, side, Palette(skin, _dim(pal.shirt_bgr, k), shorts))
    _head(caps, sk, pal.skin_bgr)
    return caps.items


def _dim(c: Bgr, k: float) -> Bgr:
    return (c[0] * k, c[1] * k, c[2] * k)


def _foot(caps: _Caps, ankle: np.ndarray, fwd: np.ndarray, up: np.ndarray, k: float) -> None:
    s = caps.scale

    def at(a: float, b: float) -> np.ndarray:
        return ankle + s * (a * fwd + b * up)

    caps.add(at(-0.048, -0.068), at(0.135, -0.07), 0.022, 0.02, _dim(SOLE_BGR, k), 0.3)
    caps.add(at(-0.04, -0.05), at(0.128, -0.055), 0.03, 0.024, _dim(SHOE_BGR, k), 0.4)
    caps.add(at(-0.02, -0.035), at(0.065, -0.04), 0.034, 0.03, _dim(SHOE_BGR, k), 0.4)


def _arm(caps: _Caps, p: dict[str, np.ndarray], side: str, pal: Palette) -> None:
    sh, el, wr = p[f"{side}_shoulder"], p[f"{side}_elbow"], p[f"{side}_wrist"]
    caps.add(sh, sh, 0.06, 0.06, pal.shirt_bgr)
    caps.add(sh, sh + 0.45 * (el - sh), 0.058, 0.05, pal.shirt_bgr)
    caps.add(sh + 0.3 * (el - sh), el, 0.045, 0.037, pal.skin_bgr)
    caps.add(el, wr, 0.037, 0.028, pal.skin_bgr)
    caps.add(wr, wr + caps.scale * 0.085 * _unit(wr - el), 0.03, 0.026, pal.skin_bgr)


def _head(caps: _Caps, sk: Skeleton, skin: Bgr) -> None:
    p = sk.points
    s = caps.scale
    c, f, u = p["head_centre"], sk.head_face, sk.head_up
    r = np.array([0.0, 0.0, 1.0])
    darker: Bgr = (0.9 * skin[0], 0.9 * skin[1], 0.9 * skin[2])

    def at(a: float, b: float, lat: float = 0.0) -> np.ndarray:
        return c + s * (a * f + b * u + lat * r)

    def ball(pt: np.ndarray, rad: float, col: Bgr, gloss: float = 0.15) -> None:
        caps.add(pt, pt, rad, rad, col, gloss)

    caps.add(p["neck_base"], at(-0.01, -0.04), 0.055, 0.05, skin)
    ball(c, 0.095, skin)
    caps.add(at(0.035, -0.02), at(0.03, -0.075), 0.065, 0.05, skin)  # cheeks, jaw and chin
    ball(at(-0.022, 0.014), 0.096, HAIR_BGR, 0.3)
    caps.add(at(0.088, 0.0), at(0.108, -0.03), 0.011, 0.016, darker)  # nose
    caps.add(at(0.088, -0.062, -0.02), at(0.088, -0.062, 0.02), 0.008, 0.008, LIPS_BGR)
    for sz in _SIDES.values():
        ball(at(0.078, 0.022, sz * 0.032), 0.014, EYE_WHITE_BGR, 0.5)
        ball(at(0.088, 0.022, sz * 0.032), 0.008, IRIS_BGR, 0.6)
        caps.add(at(0.088, 0.044, sz * 0.017), at(0.082, 0.05, sz * 0.048), 0.006, 0.006, BROW_BGR)
        caps.add(at(-0.005, 0.005, sz * 0.088), at(-0.005, -0.035, sz * 0.088), 0.02, 0.017, darker)
