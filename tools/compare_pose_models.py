"""Compare two pose landmarker bundles frame by frame on videos.

Usage: python tools/compare_pose_models.py A.task B.task VIDEO...

Runs mediapipe's PoseLandmarker (VIDEO mode, one pose) with each bundle on every frame
of each video and prints per video: frames, frames with a pose in A and in B, the max
and mean distance in pixels between the 33 image landmarks of A and B (over frames where
both found a pose), and the median ms/frame of each bundle.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision


def open_landmarker(bundle: Path) -> vision.PoseLandmarker:
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(bundle)),
        running_mode=vision.RunningMode.VIDEO,
    )
    return vision.PoseLandmarker.create_from_options(options)


def read_frames(video: Path) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (timestamp_ms, frame_rgb); timestamps forced strictly increasing."""
    cap = cv2.VideoCapture(str(video))
    if not cap.isOpened():
        raise SystemExit(f"cannot open {video}")
    last_ms = -1
    try:
        while True:
            ok, frame_bgr = cap.read()
            if not ok:
                return
            last_ms = max(int(cap.get(cv2.CAP_PROP_POS_MSEC)), last_ms + 1)
            yield last_ms, cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
    finally:
        cap.release()


def detect_px(
    landmarker: vision.PoseLandmarker, timestamp_ms: int, frame_rgb: np.ndarray
) -> tuple[np.ndarray | None, float]:
    """(33, 2) image landmarks in px of the first pose (None if none), and ms taken."""
    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=frame_rgb)
    start = time.perf_counter()
    result = landmarker.detect_for_video(image, timestamp_ms)
    ms = (time.perf_counter() - start) * 1000.0
    if not result.pose_landmarks:
        return None, ms
    height, width = frame_rgb.shape[:2]
    xy = np.array([(lm.x, lm.y) for lm in result.pose_landmarks[0]], dtype=np.float64)
    return xy * (width, height), ms


def compare_video(bundle_a: Path, bundle_b: Path, video: Path) -> str:
    """One report line for ``video``."""
    found_a = found_b = 0
    dists: list[np.ndarray] = []
    ms_a: list[float] = []
    ms_b: list[float] = []
    with open_landmarker(bundle_a) as lm_a, open_landmarker(bundle_b) as lm_b:
        for timestamp_ms, frame_rgb in read_frames(video):
            xy_a, t_a = detect_px(lm_a, timestamp_ms, frame_rgb)
            xy_b, t_b = detect_px(lm_b, timestamp_ms, frame_rgb)
            found_a += xy_a is not None
            found_b += xy_b is not None
            ms_a.append(t_a)
            ms_b.append(t_b)
            if xy_a is not None and xy_b is not None:
                dists.append(np.linalg.norm(xy_a - xy_b, axis=1))
    if not ms_a:
        return f"{video.name}: no frames"
    d = np.concatenate(dists) if dists else np.full(1, np.nan)
    median_a, median_b = statistics.median(ms_a), statistics.median(ms_b)
    return (
        f"{video.name}: frames={len(ms_a)} pose A={found_a} B={found_b} "
        f"max_px={d.max():.4f} mean_px={d.mean():.4f} "
        f"ms/frame median A={median_a:.1f} B={median_b:.1f}"
    )


def main(argv: list[str]) -> None:
    if len(argv) < 3:
        raise SystemExit(__doc__)
    bundle_a, bundle_b, *videos = map(Path, argv)
    for video in videos:
        print(compare_video(bundle_a, bundle_b, video), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
