"""Render docs/live_screenshot.png: the live screen at the moment a cue shows, on the sample.

    python tools/live_screenshot.py

Runs the live loop (every frame, full model) over sample_videos/hip_thrust_side.mp4 with an
off-screen window that keeps the first screen showing a fault cue.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np

import formcheck.live.session as session
from formcheck.config import Config
from formcheck.live.sources import FileSource
from formcheck.pose.mediapipe_backend import MediaPipePose
from formcheck.pose.models import resolve_model

ROOT = Path(__file__).resolve().parents[1]


class _Keep:
    def __init__(self) -> None:
        self.loop: session._Loop | None = None
        self.kept: np.ndarray | None = None

    def show(self, img: np.ndarray, wait_ms: int = 1) -> int:
        return 255

    def close(self) -> None:
        pass


def main() -> int:
    keep = _Keep()
    session.Window = lambda: keep  # type: ignore[assignment, misc, return-value]
    session.SUMMARY_S = 0.0
    original = session._Loop._cue_event

    def grab(self: session._Loop, cue: session.Cue, t_s: float) -> None:
        original(self, cue, t_s)
        if keep.kept is None and cue.fault:
            keep.kept = self._screen(None)

    session._Loop._cue_event = grab  # type: ignore[method-assign]
    clip = ROOT / "sample_videos" / "hip_thrust_side.mp4"
    with (
        tempfile.TemporaryDirectory() as tmp,
        FileSource(clip, every_frame=True) as src,
        MediaPipePose(resolve_model(None), crowd_check_s=None) as pose,
    ):
        opts = session.SessionOptions(Path(tmp), clip.name, show=True)
        session.run_session(src, pose, Config(), opts, session.EventLog())
    if keep.kept is None:
        raise SystemExit("no cue was shown")
    out = ROOT / "docs" / "live_screenshot.png"
    cv2.imwrite(str(out), keep.kept)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
