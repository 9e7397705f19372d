"""What looking for a weight plate over the hip costs `formcheck analyze`: per frame, the
plate search (`formcheck.pose.plate.find_plate`) against the pose estimate it sits beside,
timed on the same frames in one run (medians, and their ratio). The backend searches every
`PLATE_EVERY_MS` and holds the result between, so its cost per analysed frame is the search
times the share of frames searched (the last column).

    python benchmarks/bench_plate.py [CLIP ...]

Default clips: sample_videos/hip_thrust_side.mp4 (960x540, no plate),
../shared/videos/wongfit__hip-thrust.mp4 (1920x1080, a plate over the hip) and
../shared/videos/wongfit__glute-bridge.mp4 (1280x720, no plate).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [
    ROOT / "sample_videos" / "hip_thrust_side.mp4",
    ROOT.parent / "shared" / "videos" / "wongfit__hip-thrust.mp4",
    ROOT.parent / "shared" / "videos" / "wongfit__glute-bridge.mp4",
]


def measure(clip: Path) -> tuple[int, float, float]:
    """(frames, median ms of the pose estimate, median ms of the plate search)."""
    from formcheck.pose.mediapipe_backend import MediaPipePose
    from formcheck.pose.models import resolve_model
    from formcheck.pose.plate import find_plate
    from formcheck.video.reader import VideoReader

    pose_ms, plate_ms = [], []
    with VideoReader(clip) as reader, MediaPipePose(resolve_model(None), find_plates=False) as bk:
        for frame in reader:
            t0 = time.perf_counter()
            pose = bk.estimate(frame.image_bgr, frame.timestamp_s)
            t1 = time.perf_counter()
            if pose is None:
                continue
            find_plate(frame.image_bgr, pose.xy_px)
            t2 = time.perf_counter()
            pose_ms.append(1000 * (t1 - t0))
            plate_ms.append(1000 * (t2 - t1))
    return len(pose_ms), statistics.median(pose_ms), statistics.median(plate_ms)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", type=Path, default=DEFAULT)
    args = ap.parse_args()
    from formcheck.pose.mediapipe_backend import PLATE_EVERY_MS
    from formcheck.video.reader import VideoReader

    print("| clip | frames | pose ms (median) | plate search ms (median) | search / pose | cost |")
    print("|---|---|---|---|---|---|")
    for clip in args.clips:
        with VideoReader(clip) as reader:
            share = min(1.0, 1000.0 / PLATE_EVERY_MS / reader.info.fps)
        n, pose, plate = measure(clip)
        print(
            f"| {clip.name} | {n} | {pose:.1f} | {plate:.2f} | {plate / pose:.1%} "
            f"| {share * plate / pose:.1%} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
