"""The measurements an analysis carries in its result: per-frame metrics, the view, the bar,
and the coaching-document sources rules cite. Plain data: `formcheck.analysis` computes
them, every output reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

import numpy as np

from formcheck.landmarks.names import Side

ViewKind = Literal["side", "oblique", "front", "head"]

SEED_FILES = {
    "000": "000_1804a3b22b9bbdf1.txt",
    "001": "001_7a31812b80c166d5.txt",
    "002": "002_1b9314465a2afffa.txt",
    "003": "003_f15ea8672bb650cf.txt",
}


@dataclass(frozen=True)
class Source:
    document: str  # "000".."003"
    quote: str

    @property
    def file(self) -> str:
        return SEED_FILES[self.document]


@dataclass(frozen=True)
class FrameMetrics:
    """(T,) arrays, one per metric (see the module docstring for units and signs)."""

    t_s: np.ndarray
    hip_extension_deg: np.ndarray
    line_offset: np.ndarray
    knee_angle_deg: np.ndarray
    shin_deg: np.ndarray
    neck_deg: np.ndarray
    face_pitch_deg: np.ndarray
    foot_pitch_deg: np.ndarray
    pelvic_tilt_deg: np.ndarray
    pelvic_rotation_deg: np.ndarray
    knee_ratio: np.ndarray
    hip_height: np.ndarray
    shoulder_height: np.ndarray
    bent_knee_deg: np.ndarray
    trunk_incline_deg: np.ndarray
    heel_height: np.ndarray
    torso_px: float

    def as_dict(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "torso_px"}


@dataclass(frozen=True)
class View:
    kind: ViewKind
    width_ratio: float
    head_direction: Literal["left", "right"] | None  # image direction the head points
    near_side: Side | None
    metric_side: Side | None  # None: average both sides (front and head views)

    @property
    def name(self) -> str:
        """``side-facing-left`` (head to the image left), ``oblique-facing-right``, ``front``..."""
        if self.kind in ("front", "head"):
            return "front (from the feet)" if self.kind == "front" else "from the head"
        return f"{self.kind}-facing-{self.head_direction}"

    @property
    def sagittal(self) -> bool:
        """Hip angle, shins, neck and heels can be judged (side and oblique views)."""
        return self.kind in ("side", "oblique")

    @property
    def frontal(self) -> bool:
        """Pelvic tilt/rotation and knee width can be judged: views from the feet or the head.

        Not from oblique views, however steep: on the benchmark's 40-45 degree obliques every
        pelvic finding was false (precision 0 at any threshold), MediaPipe guessing the far hip.
        """
        return self.kind in ("front", "head")


@dataclass(frozen=True)
class BarTrack:
    """The bar over the clip: (T,) arrays, NaN where unknown."""

    x_px: np.ndarray
    y_px: np.ndarray
    height: np.ndarray  # above the feet, in torso lengths (as FrameMetrics.hip_height)
    radius_px: float  # the plate's median radius
    m_per_px: float | None  # None when the scale is not trusted
    scale_note: str  # why the scale is trusted or not
    plate_cm: float


@dataclass(frozen=True)
class RepBar:
    """One rep's bar figures; metres only when the scale is trusted."""

    rise_torso: float
    rise_m: float | None
    mean_velocity_torso_s: float
    mean_velocity_m_s: float | None
    peak_velocity_m_s: float | None
