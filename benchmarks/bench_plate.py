"""What the two looks at the picture beside the pose cost `formcheck analyze`: per frame,
the plate search (`formcheck.pose.plate.find_plate`, and `find_far_plate` beside a plate it
finds) and the picture change that camera cuts
are found in (`formcheck.video.cuts.ContentChange`), against the pose estimate, timed on the
same frames in one run (medians, and ratios). The backend searches for a plate every
`PLATE_EVERY_MS` and holds the result between, so its cost per analysed frame is the search
times the share of frames searched; the picture change is measured on every frame.

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


def measure(clip: Path) -> tuple[int, float, float, float]:
    """(frames, median ms of the pose estimate, of the plate search (both plates), of the
    picture change)."""
    from formcheck.pose.mediapipe_backend import MediaPipePose
    from formcheck.pose.models import resolve_model
    from formcheck.pose.plate import find_far_plate, find_plate
    from formcheck.video.cuts import ContentChange
    from formcheck.video.reader import VideoReader

    pose_ms, plate_ms, change_ms = [], [], []
    change = ContentChange()
    with VideoReader(clip) as reader, MediaPipePose(resolve_model(None), find_plates=False) as bk:
        for frame in reader:
            t = time.perf_counter()
            change(frame.image_bgr)
            t0 = time.perf_counter()
            pose = bk.estimate(frame.image_bgr, frame.timestamp_s)
            t1 = time.perf_counter()
            if pose is None:
                continue
            near = find_plate(frame.image_bgr, pose.xy_px)
            if near is not None:
                find_far_plate(frame.image_bgr, near)
            t2 = time.perf_counter()
            pose_ms.append(1000 * (t1 - t0))
            plate_ms.append(1000 * (t2 - t1))
            change_ms.append(1000 * (t0 - t))
    med = statistics.median
    return len(pose_ms), med(pose_ms), med(plate_ms), med(change_ms)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", type=Path, default=DEFAULT)
    args = ap.parse_args()
    from formcheck.pose.mediapipe_backend import PLATE_EVERY_MS
    from formcheck.video.reader import VideoReader

    print(
        "| clip | frames | pose ms | plate search ms | search / pose | plate cost "
        "| picture change ms | change / pose |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for clip in args.clips:
        with VideoReader(clip) as reader:
            share = min(1.0, 1000.0 / PLATE_EVERY_MS / reader.info.fps)
        n, pose, plate, change = measure(clip)
        print(
            f"| {clip.name} | {n} | {pose:.1f} | {plate:.2f} | {plate / pose:.1%} "
            f"| {share * plate / pose:.1%} | {change:.2f} | {change / pose:.1%} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
