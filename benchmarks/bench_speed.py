"""Whole-clip speed: one landmarker vs formcheck analyze with 1 and 2 workers, with and without
the annotated video, the naive tutorial loop, frame stride, analyzer cost and peak memory.

    python benchmarks/bench_speed.py [--runs 2] [--long]

Every variant runs as its own process (imports, model loading and all), on the same clips:

- sample_videos/single_leg_hip_thrust_left.mp4 (synthetic, 640x360, 30 fps, 480 frames);
- ../shared/videos/wongfit__glute-bridge.mp4 (real, 1280x720, 60 fps, 490 frames), at every
  frame for the worker comparisons, and with the default 30 fps stride for the stride row.

Variants: ``bare`` (decode + one MediaPipe landmarker in VIDEO mode, nothing else), ``naive``
(the tutorial loop: decode, pose, draw the landmarks, mp4v encode, one thread),
``analyze-w1``/``analyze-w2`` (`formcheck analyze --workers N`, JSON only), ``video-w1``/
``video-w2`` (plus annotated.mp4 and report.html). Reported: medians of frames per second,
ratios to ``bare`` from the same runs, peak memory of the process tree (RSS and PSS, summed
over the process and its workers, sampled every 50 ms), and the
analyzer's own ms per frame. ``--long`` also measures peak memory on a 10-minute 1080p clip
made by looping the sample (about 10 minutes more).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_videos" / "single_leg_hip_thrust_left.mp4"
HD = ROOT.parent / "shared" / "videos" / "wongfit__glute-bridge.mp4"
VARIANTS = ["bare", "naive", "analyze-w1", "analyze-w2", "video-w1", "video-w2"]


# --- one variant, in its own process -------------------------------------------------------


def _bare(clip: Path) -> int:
    from formcheck.pose.mediapipe_backend import MediaPipePose
    from formcheck.pose.models import resolve_model
    from formcheck.video.reader import VideoReader

    n = 0
    with VideoReader(clip) as reader, MediaPipePose(resolve_model(None), crowd_check_s=None) as p:
        for frame in reader:
            p.estimate(frame.image_bgr, frame.timestamp_s)
            n += 1
    return n


def _naive(clip: Path, out: Path) -> int:
    import cv2

    from formcheck.pose.mediapipe_backend import MediaPipePose
    from formcheck.pose.models import resolve_model
    from formcheck.video.reader import VideoReader

    n = 0
    with VideoReader(clip) as reader, MediaPipePose(resolve_model(None), crowd_check_s=None) as p:
        info = reader.info
        writer = cv2.VideoWriter(
            str(out), cv2.VideoWriter.fourcc(*"mp4v"), info.fps, (info.width, info.height)
        )
        for frame in reader:
            pose = p.estimate(frame.image_bgr, frame.timestamp_s)
            img = frame.image_bgr.copy()
            if pose is not None:
                for x, y in pose.xy_px:
                    cv2.circle(img, (int(x), int(y)), 4, (0, 255, 0), -1)
            writer.write(img)
            n += 1
        writer.release()
    return n


def _analyze(clip: Path, out: Path, workers: int, video: bool, max_fps: float) -> int:
    from formcheck.pipeline import analyze
    from formcheck.report.json_report import dumps, write_atomic
    from formcheck.report.outputs import write_outputs

    report = analyze(clip, workers=workers, max_fps=max_fps)
    if video:
        write_outputs(clip, report, out)
    else:
        write_atomic(out / "report.json", dumps(report))
    return int(report.frames) * int(report.series.meta.get("stride", "1"))


def run_variant(variant: str, clip: Path, max_fps: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        if variant == "bare":
            frames = _bare(clip)
        elif variant == "naive":
            frames = _naive(clip, out / "naive.mp4")
        else:
            kind, w = variant.split("-w")
            frames = _analyze(clip, out, int(w), kind == "video", max_fps)
        seconds = time.perf_counter() - t0
    print(json.dumps({"frames": frames, "seconds": seconds}))


# --- the benchmark ---------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in task.read_text().split()]
    return out


def _memory_mb(pids: list[int]) -> tuple[float, float]:
    """Summed RSS and PSS (shared pages split between the processes sharing them), MB."""
    rss = pss = 0.0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += float(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss += float(line.split()[1]) / 1024
        except OSError:
            pass
    return rss, pss


def measure(variant: str, clip: Path, max_fps: float = 0.0) -> dict[str, float]:
    """Run one variant in a fresh process; sample the memory of its process tree every
    50 ms (all processes at the same moment, so the peak is of what ran together)."""
    cmd = [sys.executable, __file__, "--variant", variant, "--clip", str(clip)]
    cmd += ["--max-fps", str(max_fps)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak_rss = peak_pss = 0.0
    while proc.poll() is None:
        rss, pss = _memory_mb(_tree(proc.pid))
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.05)
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode:
        raise RuntimeError(f"{variant} on {clip.name} failed ({proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(rss_mb=peak_rss, pss_mb=peak_pss)
    return result


def analyzer_ms(clip: Path) -> float:
    from formcheck.config import Config
    from formcheck.pipeline import analyze_series
    from formcheck.pose.track import read_pose_series

    raw, _ = read_pose_series(clip, max_fps=0)
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        analyze_series(raw, Config(), clip.name)
        runs.append(1000 * (time.perf_counter() - t0) / len(raw))
    return statistics.median(runs)


def long_clip_rss(folder: Path) -> dict[str, float]:
    """Peak RSS of `formcheck analyze` (2 workers, annotated video) on 10 minutes of 1080p."""
    import cv2

    from formcheck.video.reader import VideoReader
    from formcheck.video.writer import VideoSink

    clip = folder / "long_1080p.mp4"
    with VideoSink(clip, 1920, 1080, 30.0, preset="ultrafast", crf=30) as sink:
        while sink.frames_written < 10 * 60 * 30:
            with VideoReader(SAMPLE) as reader:
                for frame in reader:
                    sink.write(cv2.resize(frame.image_bgr, (1920, 1080)))
                    if sink.frames_written >= 10 * 60 * 30:
                        break
    return measure("video-w2", clip, 30.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--variant", help=argparse.SUPPRESS)
    ap.add_argument("--clip", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--max-fps", type=float, default=0.0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.variant:
        run_variant(args.variant, args.clip, args.max_fps)
        return 0

    start = time.perf_counter()
    rows: dict[tuple[str, str], list[dict[str, float]]] = {}
    for _ in range(args.runs):
        for clip in (SAMPLE, HD):
            for variant in VARIANTS:
                rows.setdefault((clip.name, variant), []).append(measure(variant, clip))
        for variant in ("analyze-w1", "analyze-w2"):
            rows.setdefault((HD.name, f"{variant}, stride 30 fps"), []).append(
                measure(variant, HD, 30.0)
            )

    def fps(key: tuple[str, str]) -> float:
        return statistics.median(r["frames"] / r["seconds"] for r in rows[key])

    print(f"medians of {args.runs} runs; frames/s are clip frames per second of the work")
    print("(interpreter start excluded); ratios against `bare` on the same clip\n")
    print("| clip | variant | frames/s | vs bare | peak RSS MB | peak PSS MB |")
    print("|---|---|---|---|---|---|")
    for (clip, variant), runs in rows.items():
        base = fps((clip, "bare"))
        rss = statistics.median(r["rss_mb"] for r in runs)
        pss = statistics.median(r["pss_mb"] for r in runs)
        print(
            f"| {clip} | {variant} | {fps((clip, variant)):.1f} "
            f"| {fps((clip, variant)) / base:.2f}x | {rss:.0f} | {pss:.0f} |"
        )
    for w in (1, 2):
        every = fps((HD.name, f"analyze-w{w}"))
        strided = fps((HD.name, f"analyze-w{w}, stride 30 fps"))
        print(
            f"\nstride on the 60 fps clip ({w} worker(s), no video): {strided / every:.2f}x faster"
        )
    for clip in (SAMPLE, HD):
        print(f"analyzer (after pose) on {clip.name}: {analyzer_ms(clip):.2f} ms/frame")
    print(f"\nbenchmark took {time.perf_counter() - start:.0f} s")
    if args.long:
        with tempfile.TemporaryDirectory() as tmp:
            r = long_clip_rss(Path(tmp))
        print(
            f"10-minute 1080p clip, 2 workers, annotated video: peak RSS {r['rss_mb']:.0f} MB, "
            f"{r['frames'] / r['seconds']:.1f} frames/s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
