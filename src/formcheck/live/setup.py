"""The setup check before a set: what to fix so the camera can judge the lifter, and which
faults the current view can judge at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.analysis.rules import RULES
from formcheck.analysis.set_faults import assessability
from formcheck.analysis.view import classify_view
from formcheck.config import Config
from formcheck.landmarks.names import Landmark
from formcheck.landmarks.series import PoseSeries
from formcheck.results import Unjudged, Variation

_FEET = [
    Landmark.LEFT_ANKLE,
    Landmark.RIGHT_ANKLE,
    Landmark.LEFT_HEEL,
    Landmark.RIGHT_HEEL,
    Landmark.LEFT_FOOT_INDEX,
    Landmark.RIGHT_FOOT_INDEX,
]
_HEAD = [Landmark.NOSE, Landmark.LEFT_EAR, Landmark.RIGHT_EAR]
#: Share of recent frames with a person needed to judge anything.
MIN_SEEN = 0.6


@dataclass(frozen=True)
class SetupStatus:
    ready: bool  # nothing blocks judging the set
    problems: tuple[str, ...]  # what to fix, most important first
    advice: tuple[str, ...]  # would judge more, but not required
    view: str | None
    judged: tuple[str, ...]  # fault codes this view can judge
    not_judged: tuple[str, ...]  # fault codes this view cannot show


def brightness(image_bgr: np.ndarray) -> float:
    """Mean luma (0-255) of a downscaled frame."""
    small = cv2.resize(image_bgr, (64, 36), interpolation=cv2.INTER_AREA)
    return float(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).mean())


def _inside(series: PoseSeries, idx: list[Landmark], margin: float) -> float:
    """Median share (over frames with a person) of landmarks ``idx`` inside the frame."""
    w, h = series.image_size
    xy = series.xy_px[series.detected][:, [int(i) for i in idx]]
    if not len(xy):
        return 0.0
    x, y = xy[..., 0] / w, xy[..., 1] / h
    ok = (x >= margin) & (x <= 1 - margin) & (y >= margin) & (y <= 1 - margin)
    return float(np.median(ok.mean(axis=1)))


def check_setup(image_bgr: np.ndarray, recent: PoseSeries, config: Config) -> SetupStatus:
    """Judge the newest frame's light and the last ``live.setup_s`` seconds of poses."""
    cfg = config.live
    problems: list[str] = []
    advice: list[str] = []
    if brightness(image_bgr) < cfg.dark_luma:
        problems.append("too dark: add light or face a window")
    seen = float(recent.detected.mean()) if len(recent) else 0.0
    if seen < MIN_SEEN:
        problems.append("step into view, or bring the camera closer: nobody found")
        return SetupStatus(False, tuple(problems), (), None, (), tuple(RULES))
    if _inside(recent, _FEET, cfg.edge_margin) < 0.67:
        problems.append("step back: feet out of frame")
    if _inside(recent, _HEAD, cfg.edge_margin) < 0.67:
        problems.append("step back: head out of frame")
    view = classify_view(recent, config.view)
    if not view.sagittal:
        advice.append("turn the camera to see your side: most faults need a side view")
    elif view.kind == "oblique":
        advice.append("a little more side-on judges the hip angle best")
    blind = [r.title.lower() for r in RULES.values() if r.model_blind]
    if blind:  # no camera position helps: say so before the set, not after it
        advice.append(f"not judged from any camera position: {', '.join(blind)}")
    reasons = assessability(view, Variation.HIP_THRUST, legs_seen=2)
    judged = tuple(c for c, why in reasons.items() if why is None and c != "asymmetry")
    not_judged = tuple(c for c, nj in reasons.items() if nj and nj.reason is Unjudged.VIEW)
    return SetupStatus(not problems, tuple(problems), tuple(advice), view.name, judged, not_judged)
