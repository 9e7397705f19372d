"""Batch throughput: 1 vs 2 local workers, and the Ray engine's per-clip overhead.

    python benchmarks/bench_batch.py [CLIP ...] [--repeats 1] [--no-video]

Runs `formcheck.batch.run.run_batch` over the same clips (default: the three samples and six
hip-thrust-family clips of ../shared/videos) into fresh folders: the local engine with 1 and
2 workers, then the Ray engine (local instance, 2 CPUs) with Ray's start-up timed apart.
Prints clips per minute, the 2-worker speed-up, and Ray's extra seconds per clip.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIDEOS = ROOT.parent / "shared" / "videos"
DEFAULT_CLIPS = [
    *sorted((ROOT / "sample_videos").glob("*.mp4")),
    *(
        VIDEOS / name
        for name in (
            "ht_db_side_standard.mp4",
            "ht_db_side_feet_far.mp4",
            "postureapp__glute_bridge.mp4",
            "plateformecoach__hip-thrust.mp4",
            "kinkatsu__glute_bridge.mp4",
            "wongfit__glute-bridge.mp4",
        )
    ),
]


def timed(clips: list[Path], out: Path, workers: int, engine: str, video: bool) -> float:
    from formcheck.batch.run import run_batch
    from formcheck.config import Config
    from formcheck.pose.models import resolve_model

    start = time.perf_counter()
    outcome = run_batch(
        clips,
        out,
        config=Config(),
        model=resolve_model(None),
        video=video,
        workers=workers,
        engine=engine,
        resume=False,
    )
    took = time.perf_counter() - start
    assert not outcome.failed, [r.reason for r in outcome.failed]
    return took


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", type=Path)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--no-video", action="store_true")
    args = ap.parse_args()
    clips = args.clips or DEFAULT_CLIPS
    video = not args.no_video

    import ray

    t = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray_start = time.perf_counter() - t  # run_ray reuses this instance; its start-up apart

    runs: dict[str, list[float]] = {
        "local, 1 worker": [],
        "local, 2 workers": [],
        "ray, 2 CPUs": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeats):
            for name, workers, engine in (
                ("local, 1 worker", 1, "local"),
                ("local, 2 workers", 2, "local"),
                ("ray, 2 CPUs", 2, "ray"),
            ):
                out = Path(tmp) / f"{k}-{engine}-{workers}"
                runs[name].append(timed(clips, out, workers, engine, video))
    ray.shutdown()
    med = {name: statistics.median(v) for name, v in runs.items()}
    n = len(clips)
    print(f"{n} clips, annotated video {'on' if video else 'off'}, medians of {args.repeats}")
    print("| engine | seconds | clips per minute | vs 1 worker |")
    print("|---|---|---|---|")
    for name, s in med.items():
        print(f"| {name} | {s:.1f} | {60 * n / s:.1f} | {med['local, 1 worker'] / s:.2f}x |")
    extra = (med["ray, 2 CPUs"] - med["local, 2 workers"]) / n
    print(
        f"\nRay start-up (once): {ray_start:.1f} s; Ray vs local processes: {extra:+.2f} s per clip"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
