"""Whole-clip speed: one landmarker vs formcheck analyze with 1 and 2 workers, with and without
the annotated video, the naive tutorial loop, frame stride, analyzer cost and peak memory.

    python benchmarks/bench_speed.py [--runs 2] [--long] [--uhd] [--agreement]
    python benchmarks/bench_speed.py --phone [--runs 1] [--annotated]

``--phone`` (issue 19) makes two phone-style clips itself (the sample scaled to 1920x1080 and
looped to 40 s, at 60 and at 30 fps: no third-party footage) and times, with the sample, what a
lifter waits for: bare, the default ``formcheck analyze`` with every output, ``--no-video`` and
``--workers 1 --no-video``, variants in alternating order round by round (one round ~5
minutes); ``--annotated`` adds annotated.mp4 (the re-encoded video) as a reference.

Every variant runs as its own process (imports, model loading and all), on the same clips:

- sample_videos/hip_thrust_side.mp4 (synthetic, 960x540, 30 fps, 744 frames, 25 s);
- ../shared/videos/wongfit__glute-bridge.mp4 (real, 1280x720, 60 fps, 490 frames), at every
  frame for the worker comparisons, and with the default 30 fps stride for the stride row.

Every variant runs with ``OPENBLAS_NUM_THREADS=1``, as the ``formcheck`` command sets it.

Variants: ``bare`` (decode + one MediaPipe landmarker in VIDEO mode, nothing else), ``naive``
(the tutorial loop: decode, pose, draw the landmarks, mp4v encode, one thread),
``analyze-w1``/``analyze-w2`` (`formcheck analyze --workers N`, JSON only), ``video-w1``/
``video-w2`` (plus report.html and its video: the page's copy of the clip), ``annotated-w2``
(plus annotated.mp4). Reported: medians of frames per second, ratios to ``bare`` from the same
runs, peak memory (RSS and PSS summed over the process and its workers, and the peak RSS of the
largest single process, sampled every 50 ms), and the analyzer's own ms per frame. ``--long``
also measures peak memory on 10 minutes of 1080p60 made by looping the sample, with every
output and with annotated.mp4 too (~30 minutes more); ``--lengths`` measures how the gain of 2
workers grows with the clip's length (the sample looped 1, 2 and 4 times; ~4 minutes);
``--agreement`` compares the verdicts of 1 and 2 workers on every labelled clip of ../shared
and sample_videos; ``--ceiling`` compares the ``formcheck`` command with 2 workers to the ideal
split (two bare landmarkers on the two halves, nothing else), in alternating rounds (~4
minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from formcheck.landmarks.series import PoseSeries
    from formcheck.results import SetReport

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_videos" / "hip_thrust_side.mp4"
HD = ROOT.parent / "shared" / "videos" / "wongfit__glute-bridge.mp4"
VARIANTS = ["bare", "naive", "analyze-w1", "analyze-w2", "video-w1", "video-w2"]
#: The environment of every variant: one BLAS thread, as the `formcheck` command sets it.
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
#: Reference points outside the targets, measured in the first round only (keeps the whole
#: benchmark under 5 minutes).
ONCE = {"naive", "video-w1"}


# --- one variant, in its own process -------------------------------------------------------


def _bare(clip: Path, start: int = 0, stop: int | None = None) -> int:
    """Decode + one landmarker over frames ``start`` to ``stop - 1`` (all by default)."""
    from formcheck.pose.mediapipe_backend import MediaPipePose
    from formcheck.pose.models import resolve_model
    from formcheck.video.reader import VideoReader

    n = 0
    with VideoReader(clip) as reader, MediaPipePose(resolve_model(None), crowd_check_s=None) as p:
        for frame in reader.frames(start, stop):
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


def _analyze(clip: Path, out: Path, workers: int, kind: str, max_fps: float) -> SetReport:
    """``kind``: "analyze" (report.json only), "novideo" (``--no-video``: report.json and
    report.html), "video" (the default: every output), "annotated" (``--annotated``)."""
    from formcheck.cli.commands import warm_outputs
    from formcheck.landmarks.clean import warm_imports
    from formcheck.pipeline import analyze
    from formcheck.report.json_report import dumps, write_atomic

    warm = warm_imports if kind == "analyze" else warm_outputs  # as the CLI
    report = analyze(clip, workers=workers, max_fps=max_fps, in_workers=True, meanwhile=warm)
    if kind == "analyze":
        write_atomic(out / "report.json", dumps(report))
    else:
        from formcheck.report.outputs import write_outputs

        write_outputs(clip, report, out, video=kind != "novideo", annotated=kind == "annotated")
    return report


def analyzer_ms(raw: PoseSeries) -> float:
    """The analysis after pose (cleaning, metrics, reps, faults), ms per frame: median of 5
    (run on the analysed series: the same work per frame as on the raw one)."""
    from formcheck.config import Config
    from formcheck.pipeline import analyze_series

    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        analyze_series(raw, Config(), "clip")
        runs.append(1000 * (time.perf_counter() - t0) / len(raw))
    return statistics.median(runs)


def run_variant(variant: str, clip: Path, max_fps: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        report = None
        if variant == "bare":
            frames = _bare(clip)
        elif variant.startswith("half"):  # "half0" / "half1": one half of the clip
            from formcheck.video.reader import VideoReader

            with VideoReader(clip) as reader:
                mid = reader.info.frame_count // 2
            frames = _bare(clip, 0, mid) if variant == "half0" else _bare(clip, mid)
        elif variant == "naive":
            frames = _naive(clip, out / "naive.mp4")
        else:
            kind, w = variant.split("-w")
            report = _analyze(clip, out, int(w), kind, max_fps)
            frames = int(report.frames) * int(report.series.meta.get("stride", "1"))
        seconds = time.perf_counter() - t0
        result = {"frames": frames, "seconds": seconds}
        if report is not None and variant == "analyze-w1" and max_fps == 0:  # after the timing
            result["analyzer_ms"] = analyzer_ms(report.series)
    print(json.dumps(result))


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


def _memory_mb(pids: list[int]) -> tuple[float, float, float]:
    """Summed RSS and PSS (shared pages split between the processes sharing them), and the
    largest single process's RSS, MB."""
    rss = pss = largest = 0.0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    one = float(line.split()[1]) / 1024
                    rss, largest = rss + one, max(largest, one)
                elif line.startswith("Pss:"):
                    pss += float(line.split()[1]) / 1024
        except OSError:
            pass
    return rss, pss, largest


def measure(variant: str, clip: Path, max_fps: float = 0.0) -> dict[str, float]:
    """Run one variant in a fresh process; sample the memory of its process tree every
    50 ms (all processes at the same moment, so the peak is of what ran together)."""
    cmd = [sys.executable, __file__, "--variant", variant, "--clip", str(clip)]
    cmd += ["--max-fps", str(max_fps)]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=ENV
    )
    peak_rss = peak_pss = peak_one = 0.0
    while proc.poll() is None:
        rss, pss, one = _memory_mb(_tree(proc.pid))
        peak_rss, peak_pss, peak_one = max(peak_rss, rss), max(peak_pss, pss), max(peak_one, one)
        time.sleep(0.05)
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode:
        raise RuntimeError(f"{variant} on {clip.name} failed ({proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(rss_mb=peak_rss, pss_mb=peak_pss, one_mb=peak_one)
    return result


def long_clip_rss(folder: Path, variant: str = "video-w2") -> dict[str, float]:
    """Peak memory of `formcheck analyze` (2 workers, every output; ``annotated-w2``: with
    annotated.mp4 too) on 10 minutes of 1080p60 (issue 19's bound: 400 MB a process)."""
    clip = phone_clip(folder, 60.0, seconds=600.0)
    return measure(variant, clip)


def uhd_clip_rss(folder: Path) -> dict[str, float]:
    """Peak RSS of `formcheck analyze` (the defaults: 2 workers, every output) on 10 s of
    3840x2160 at 30 fps, made by scaling the sample up (issue 17's bound: 400 MB a process)."""
    import cv2

    from formcheck.video.reader import VideoReader
    from formcheck.video.writer import VideoSink

    clip = folder / "uhd_10s.mp4"
    sink = VideoSink(clip, 3840, 2160, 30.0, preset="ultrafast", crf=30)
    with sink, VideoReader(SAMPLE) as reader:
        for frame in reader:
            sink.write(cv2.resize(frame.image_bgr, (3840, 2160)))
            if sink.frames_written >= 10 * 30:
                break
    return measure("video-w2", clip)


def phone_clip(folder: Path, fps: float, seconds: float = 40.0) -> Path:
    """A phone-style clip: the sample scaled to 1920x1080 and looped to ``seconds``; at 60 fps
    a blend of each two neighbouring frames goes between them (new pixels in every frame, as
    a camera gives, so the encoder and decoder do real work)."""
    import cv2

    from formcheck.video.reader import VideoReader
    from formcheck.video.writer import VideoSink

    clip = folder / f"phone_1080p{fps:g}.mp4"
    n = round(seconds * fps)
    with VideoSink(clip, 1920, 1080, fps, preset="ultrafast", crf=20) as sink:
        while sink.frames_written < n:
            with VideoReader(SAMPLE) as reader:
                prev = None
                for frame in reader:
                    img = cv2.resize(frame.image_bgr, (1920, 1080), interpolation=cv2.INTER_LINEAR)
                    if fps > 45 and prev is not None:
                        sink.write(cv2.addWeighted(prev, 0.5, img, 0.5, 0))
                    if sink.frames_written < n:
                        sink.write(img)
                    prev = img
                    if sink.frames_written >= n:
                        break
    return clip


#: What a lifter runs, against the bare landmarker: the default command (every output),
#: ``--no-video``, and ``--workers 1 --no-video`` (left out on the 60 fps clip, to keep one
#: round under 5 minutes: the 30 fps clip and the sample show it).
PHONE_VARIANTS = ["bare", "video-w2", "novideo-w2", "novideo-w1"]
PHONE_NAMES = {
    "bare": "bare: decode + one landmarker",
    "video-w2": "`formcheck analyze` (every output)",
    "novideo-w2": "`--no-video`",
    "novideo-w1": "`--workers 1 --no-video`",
    "annotated-w2": "`--annotated` (annotated.mp4 too)",
}


def phone(folder: Path, rounds: int, annotated: bool) -> None:
    """Issue 19's table: phone clips (1080p60, 1080p30, made here) and the sample, the
    variants in alternating order round by round; medians and ratios to bare."""
    start = time.perf_counter()
    clips = [phone_clip(folder, 60.0), phone_clip(folder, 30.0), SAMPLE]
    made = time.perf_counter() - start
    variants = PHONE_VARIANTS + (["annotated-w2"] if annotated else [])
    rows: dict[tuple[str, str], list[dict[str, float]]] = {}
    for k in range(rounds):
        for clip in clips:
            order = variants if k % 2 == 0 else variants[::-1]
            for variant in order:
                if variant == "novideo-w1" and "1080p60" in clip.name:
                    continue
                rows.setdefault((clip.name, variant), []).append(measure(variant, clip))
    print(f"{rounds} round(s), medians; clips made in {made:.0f} s; seconds from the start of")
    print("the work (imports and model loading included) to every output written\n")
    print("| clip | variant | seconds | vs bare | largest process MB |")
    print("|---|---|---|---|---|")
    for clip in clips:
        bare = statistics.median(r["seconds"] for r in rows[(clip.name, "bare")])
        for variant in variants:
            runs = rows.get((clip.name, variant))
            if not runs:
                continue
            sec = statistics.median(r["seconds"] for r in runs)
            one = statistics.median(r["one_mb"] for r in runs)
            print(
                f"| {clip.name} | {PHONE_NAMES[variant]} | {sec:.1f} | {bare / sec:.2f}x "
                f"| {one:.0f} |"
            )
    print(f"\nbenchmark took {time.perf_counter() - start:.0f} s")


def looped(folder: Path, times: int) -> Path:
    """The sample played ``times`` times in a row, as one clip."""
    from formcheck.video.reader import VideoReader
    from formcheck.video.writer import VideoSink

    clip = folder / f"sample_x{times}.mp4"
    with VideoReader(SAMPLE) as reader:
        info = reader.info
    with VideoSink(clip, info.width, info.height, info.fps, crf=18) as sink:
        for _ in range(times):
            with VideoReader(SAMPLE) as reader:
                for frame in reader:
                    sink.write(frame.image_bgr)
    return clip


def lengths(folder: Path) -> None:
    """bare against 2 workers (JSON only, and with the video) as the clip gets longer."""
    print("| clip | seconds | bare frames/s | 2 workers | vs bare | 2 workers + video | vs bare |")
    print("|---|---|---|---|---|---|---|")
    for times in (1, 2, 4):
        clip = looped(folder, times)
        bare, two, video = (measure(v, clip) for v in ("bare", "analyze-w2", "video-w2"))
        f0, f2, fv = (r["frames"] / r["seconds"] for r in (bare, two, video))
        print(
            f"| {SAMPLE.name} x{times} | {bare['frames'] / 30:.0f} | {f0:.1f} | {f2:.1f} "
            f"| {f2 / f0:.2f}x | {fv:.1f} | {fv / f0:.2f}x |"
        )


def agreement() -> None:
    """Rep counts, statuses, per-rep faults and per-frame hip angles: 2 workers against 1."""
    import numpy as np

    from formcheck.pipeline import analyze

    folders = [ROOT.parent / "shared" / "synth", ROOT.parent / "shared" / "videos"]
    folders.append(ROOT / "sample_videos")
    print("| clip | ranges | reps 1 / 2 | reps with the same faults | max hip-angle diff |")
    print("|---|---|---|---|---|")
    clips = reps = same = counts = 0
    worst = 0.0
    for folder in folders:
        for lab in json.loads((folder / "labels.json").read_text()):
            one = analyze(folder / lab["file"], workers=1)
            two = analyze(folder / lab["file"], workers=2)
            equal = sum(
                {f.code for f in a.faults} == {f.code for f in b.faults}
                for a, b in zip(one.reps, two.reps, strict=False)
            )
            diff = np.abs(one.metrics.hip_extension_deg - two.metrics.hip_extension_deg)
            deg = float(np.nanmax(diff)) if np.isfinite(diff).any() else 0.0
            clips += 1
            counts += one.rep_count == two.rep_count and one.status == two.status
            reps += one.rep_count
            same += equal
            worst = max(worst, deg)
            ranges = two.series.meta.get("segments", "1")
            print(
                f"| {lab['file']} | {ranges} | {one.rep_count} / {two.rep_count} "
                f"| {equal}/{one.rep_count} | {deg:.2f} deg |"
            )
    print(f"\nsame rep count and status: {counts}/{clips} clips; same faults: {same}/{reps} reps;")
    print(f"largest per-frame hip-angle difference: {worst:.2f} deg")


def ceiling(rounds: int) -> None:
    """What any split could give, against what formcheck gives: in alternating rounds, wall
    times (interpreter start included) of bare, the ideal split (two bare landmarkers, each
    on half of the clip, started together: no warm-up, no analysis, no outputs), and the
    ``formcheck`` command with 2 workers, JSON only and with the video and HTML."""
    command = [str(Path(sys.executable).with_name("formcheck"))]
    if not Path(command[0]).exists():
        run = "import sys; from formcheck.cli import run; sys.exit(run())"
        command = [sys.executable, "-c", run]

    def timed(*cmds: list[str]) -> float:
        t0 = time.perf_counter()
        procs = [subprocess.Popen(c, env=ENV, stdout=subprocess.DEVNULL) for c in cmds]
        if any(p.wait() for p in procs):
            raise RuntimeError(f"failed: {cmds}")
        return time.perf_counter() - t0

    print("| clip | bare | ideal split | 2 workers, JSON | 2 workers + video + HTML |")
    print("|---|---|---|---|---|")
    for clip in (SAMPLE, HD):
        me = [sys.executable, __file__, "--clip", str(clip), "--variant"]
        times: dict[str, list[float]] = {}
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as tmp:
                analyze = [*command, "analyze", str(clip), "-q", "--workers", "2"]
                for name, cmds in (
                    ("bare", [[*me, "bare"]]),
                    ("ideal", [[*me, "half0"], [*me, "half1"]]),
                    ("json", [[*analyze, "--json", f"{tmp}/report.json"]]),
                    ("video", [[*analyze, "--out", tmp]]),
                ):
                    times.setdefault(name, []).append(timed(*cmds))
        med = {k: statistics.median(v) for k, v in times.items()}
        cells = [f"{med['bare']:.2f} s"]
        for k in ("ideal", "json", "video"):
            cells.append(f"{med[k]:.2f} s ({med['bare'] / med[k]:.2f}x)")
        print(f"| {clip.name} | {' | '.join(cells)} |")


def memory_line(what: str, r: dict[str, float]) -> str:
    return (
        f"{what}: largest process {r['one_mb']:.0f} MB (all processes: RSS "
        f"{r['rss_mb']:.0f}, PSS {r['pss_mb']:.0f} MB), {r['frames'] / r['seconds']:.1f} frames/s"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, help="rounds (default 2; 1 with --phone)")
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--uhd", action="store_true", help="peak memory on 10 s of 4K (~1 minute)")
    ap.add_argument("--agreement", action="store_true")
    ap.add_argument("--lengths", action="store_true")
    ap.add_argument("--ceiling", action="store_true")
    ap.add_argument("--phone", action="store_true", help="phone clips, one round ~5 minutes")
    ap.add_argument("--annotated", action="store_true", help="with --phone: --annotated too")
    ap.add_argument("--variant", help=argparse.SUPPRESS)
    ap.add_argument("--clip", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--max-fps", type=float, default=0.0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.variant:
        run_variant(args.variant, args.clip, args.max_fps)
        return 0
    if args.agreement:
        agreement()
        return 0
    if args.ceiling:
        ceiling(max(args.runs, 3))
        return 0
    if args.lengths:
        with tempfile.TemporaryDirectory() as tmp:
            lengths(Path(tmp))
        return 0
    if args.phone:
        with tempfile.TemporaryDirectory() as tmp:
            phone(Path(tmp), args.runs or 1, args.annotated)
        return 0
    if args.uhd:
        with tempfile.TemporaryDirectory() as tmp:
            r = uhd_clip_rss(Path(tmp))
        print(memory_line("10 s of 3840x2160, 2 workers, every output", r))
        return 0

    start = time.perf_counter()
    rows: dict[tuple[str, str], list[dict[str, float]]] = {}
    args.runs = args.runs or 2
    for k in range(args.runs):
        for clip in (SAMPLE, HD):
            for variant in VARIANTS:
                if k == 0 or variant not in ONCE:
                    rows.setdefault((clip.name, variant), []).append(measure(variant, clip))
        for variant in ("analyze-w1", "analyze-w2"):
            rows.setdefault((HD.name, f"{variant}, stride 30 fps"), []).append(
                measure(variant, HD, 30.0)
            )

    def fps(key: tuple[str, str]) -> float:
        return statistics.median(r["frames"] / r["seconds"] for r in rows[key])

    print(f"medians of {args.runs} runs; frames/s are clip frames per second of the work")
    print("(interpreter start excluded); ratios against `bare` on the same clip\n")
    print("| clip | variant | runs | frames/s | vs bare | RSS MB | PSS MB | largest process MB |")
    print("|---|---|---|---|---|---|---|---|")
    for (name, variant), runs in rows.items():
        base = fps((name, "bare"))
        rss, pss, one = (
            statistics.median(r[k] for r in runs) for k in ("rss_mb", "pss_mb", "one_mb")
        )
        print(
            f"| {name} | {variant} | {len(runs)} | {fps((name, variant)):.1f} "
            f"| {fps((name, variant)) / base:.2f}x | {rss:.0f} | {pss:.0f} | {one:.0f} |"
        )
    for w in (1, 2):
        every = fps((HD.name, f"analyze-w{w}"))
        strided = fps((HD.name, f"analyze-w{w}, stride 30 fps"))
        print(
            f"\nstride on the 60 fps clip ({w} worker(s), no video): {strided / every:.2f}x faster"
        )
    for clip in (SAMPLE, HD):
        ms = statistics.median(r["analyzer_ms"] for r in rows[(clip.name, "analyze-w1")])
        print(f"analyzer (after pose) on {clip.name}: {ms:.2f} ms/frame")
    print(f"\nbenchmark took {time.perf_counter() - start:.0f} s")
    if args.long:
        with tempfile.TemporaryDirectory() as tmp:
            for variant in ("video-w2", "annotated-w2"):
                r = long_clip_rss(Path(tmp), variant)
                print(memory_line(f"10 minutes of 1080p60, {PHONE_NAMES[variant]}", r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
