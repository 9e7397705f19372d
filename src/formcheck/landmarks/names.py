"""MediaPipe Pose's 33 landmarks, by name, with left/right partners as data."""

from __future__ import annotations

from enum import IntEnum
from typing import Literal

import numpy as np

Side = Literal["left", "right"]

N_LANDMARKS = 33


class Landmark(IntEnum):
    """BlazePose landmark indices (MediaPipe order). LEFT/RIGHT are the person's sides."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


def _partner(lm: Landmark) -> Landmark:
    name = lm.name
    if name.startswith("LEFT_"):
        return Landmark["RIGHT_" + name[5:]]
    if name.startswith("RIGHT_"):
        return Landmark["LEFT_" + name[6:]]
    if name.startswith("MOUTH_"):
        return Landmark["MOUTH_RIGHT" if name.endswith("LEFT") else "MOUTH_LEFT"]
    return lm


#: SWAP[i] is the index of landmark i's left/right partner (itself for the nose).
SWAP: np.ndarray = np.array([_partner(lm) for lm in Landmark], dtype=np.intp)

JOINTS = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index", "ear", "eye")


def joint(name: str, side: Side) -> Landmark:
    """``joint("knee", "left") -> Landmark.LEFT_KNEE``."""
    return Landmark[f"{side.upper()}_{name.upper()}"]


def other(side: Side) -> Side:
    return "right" if side == "left" else "left"


#: Leg landmarks swapped as one group when MediaPipe confuses the legs.
LEG_GROUPS: dict[Side, np.ndarray] = {
    s: np.array([joint(j, s) for j in ("hip", "knee", "ankle", "heel", "foot_index")])
    for s in ("left", "right")
}
