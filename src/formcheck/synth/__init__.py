"""Labelled synthetic hip-thrust clips rendered with numpy + OpenCV (no mediapipe, no 3D engine).

>>> from formcheck.synth import ClipSpec, RepSpec, render_clip
>>> render_clip(ClipSpec("demo", (RepSpec(), RepSpec(faults=("incomplete_lockout",)))), out)
"""

from formcheck.synth.render import (
    ground_truth,
    iter_frames,
    labels_entry,
    render_clip,
    render_clips,
)
from formcheck.synth.spec import FAULT_CODES, VARIATIONS, CameraSpec, ClipSpec, RepSpec

__all__ = [
    "FAULT_CODES",
    "VARIATIONS",
    "CameraSpec",
    "ClipSpec",
    "RepSpec",
    "ground_truth",
    "iter_frames",
    "labels_entry",
    "render_clip",
    "render_clips",
]
