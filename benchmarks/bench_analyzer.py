"""Cost of the analysis per frame, beside the pose model's, measured in one run.

    python benchmarks/bench_analyzer.py [CLIP ...] [--repeats 7]

For each clip: the pose model (MediaPipe full, VIDEO mode) is run once over every
frame and timed per frame; then everything after pose estimation (cleaning, view,
metrics, reps, faults, summary) is re-run ``--repeats`` times on the landmarks.
Prints medians and the analyzer/model ratio (this machine is shared and noisy:
compare ratios from one run, not absolute numbers across runs). Default clips:
the bundled samples.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from formcheck.config import Config
from formcheck.landmarks.series import PoseSeries
from formcheck.pipeline import analyze_series
from formcheck.pose.mediapipe_backend import MediaPipePose
from formcheck.pose.models import resolve_model
from formcheck.pose.parallel import Segment, track_segment
from formcheck.video.reader import VideoReader

REPO = Path(__file__).resolve().parents[1]


class _Timed:
    """Wraps a backend to time each estimate call."""

    def __init__(self, backend: MediaPipePose) -> None:
        self.backend, self.name = backend, backend.name
        self.ms: list[float] = []

    def estimate(self, image, timestamp_s):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        out = self.backend.estimate(image, timestamp_s)
        self.ms.append((time.perf_counter() - t0) * 1000.0)
        return out

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> _Timed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def bench(clip: Path, repeats: int) -> tuple[int, float, float]:
    timed = _Timed(MediaPipePose(resolve_model("full")))
    whole = Segment(0, None, 0)
    got = track_segment(clip, Path(), whole, 1, make_backend=lambda _: timed)
    with VideoReader(clip) as reader:
        info = reader.info
    size = (info.width, info.height)
    series = PoseSeries.concat(got.blocks, size, info.fps, {"source": clip.name})
    model_ms = statistics.median(timed.ms)
    cfg = Config()
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        analyze_series(series, cfg, clip.name)
        runs.append((time.perf_counter() - t0) * 1000.0 / len(series))
    return len(series), model_ms, statistics.median(runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", type=Path)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    clips = args.clips or sorted((REPO / "sample_videos").glob("*.mp4"))
    if not clips:
        print("no clips given and none in sample_videos/", file=sys.stderr)
        return 2
    print(f"{'clip':40s} {'frames':>6} {'model ms/f':>10} {'analyzer ms/f':>13} {'ratio':>7}")
    for clip in clips:
        n, model_ms, ana_ms = bench(clip, args.repeats)
        ratio = ana_ms / model_ms
        print(f"{clip.name[:40]:40s} {n:>6} {model_ms:>10.2f} {ana_ms:>13.3f} {ratio:>7.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
