"""What looking again in zoomed tiles costs, and what it finds: the pose backend over every
frame of each clip with ``zoom`` off and on (`formcheck.pose.zoom`), in one run: frames with
a person found, total seconds, and the ratio. Each clip is also run shrunk to a quarter of its
width and height on a plain wall (``--far``: a lifter filmed from far back).

    python benchmarks/bench_zoom.py [CLIP ...]

Default clips: sample_videos/glute_bridge_right.mp4 (a lifter throughout) and
../shared/videos/fitnease__glute-bridge.mp4 (2 s of black end card: nobody, searched).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [
    ROOT / "sample_videos" / "glute_bridge_right.mp4",
    ROOT.parent / "shared" / "videos" / "fitnease__glute-bridge.mp4",
]
FAR = 0.25


def far_away(image: np.ndarray) -> np.ndarray:
    """The frame shrunk FAR times into a plain wall of its median colour."""
    h, w = image.shape[:2]
    small = cv2.resize(image, (int(w * FAR), int(h * FAR)), interpolation=cv2.INTER_AREA)
    canvas = np.empty_like(image)
    canvas[:] = np.median(image.reshape(-1, 3), axis=0)
    y0, x0 = int(h * 0.62), int(w * 0.55)
    canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    return canvas


def run(clip: Path, zoom: bool, far: bool) -> tuple[int, int, float]:
    """(frames, frames with a person, seconds) of the backend over the clip."""
    from formcheck.pose.mediapipe_backend import MediaPipePose
    from formcheck.pose.models import resolve_model
    from formcheck.video.reader import VideoReader

    found = frames = 0
    with VideoReader(clip) as reader, MediaPipePose(resolve_model(None), zoom=zoom) as bk:
        images = [(f.timestamp_s, far_away(f.image_bgr) if far else f.image_bgr) for f in reader]
        t0 = time.perf_counter()
        for t, image in images:
            frames += 1
            found += bk.estimate(image, t) is not None
        return frames, found, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", type=Path, default=DEFAULT)
    args = ap.parse_args()
    print("| clip | frames | found, zoom off | found, zoom on | s off | s on | on / off |")
    print("|---|---|---|---|---|---|---|")
    for clip in args.clips:
        for far in (False, True):
            n, found_off, s_off = run(clip, False, far)
            _, found_on, s_on = run(clip, True, far)
            name = f"{clip.name}{' (far)' if far else ''}"
            print(
                f"| {name} | {n} | {found_off} | {found_on} | {s_off:.1f} | {s_on:.1f} "
                f"| {s_on / s_off:.2f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
