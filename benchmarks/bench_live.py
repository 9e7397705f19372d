"""Live coaching speed and agreement with offline analysis.

    python benchmarks/bench_live.py [--models lite full] [--clips CLIP ...] [--busy quiet busy]
                                    [--agreement]

Speed: each clip is played as a camera (`FileSource`, real-time pacing, stale frames dropped)
through the whole live loop (pose, live analyzer, cues, and the screen drawn as the window
would show it) with each model, on a quiet machine and with a CPU-bound process beside it
(``--busy``). Latency is from the moment a frame arrives to the moment its screen is drawn
(capture-to-cue). Reported: frames analysed per second, dropped share, latency p50/p95, the
per-rep assessment time (median/max), each rep event's delay after the end of its rep in the
session report (median/max; issue 14 asks for at most 1.5 s), and whether the events are
numbered as the report's reps.

``--analyzer``: the live analyzer alone (no model, no screen) on the cached landmarks of every
labelled clip, every frame pushed: its cost per frame (the frames that did not try a verdict:
p50 / p95 / max) and per verdict try (median / max), in each smoothing mode.

``--agreement``: the live loop (every frame, no pacing) on the landmarks of every clip in
../shared/synth, ../shared/videos and sample_videos (cached like ``formcheck eval``), against
the offline analysis of the same landmarks: rep counts and per-rep fault sets.
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
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_CLIPS = [
    ROOT / "sample_videos" / "hip_thrust_side.mp4",
    ROOT / "sample_videos" / "glute_bridge_right.mp4",
    ROOT / "sample_videos" / "single_leg_hip_thrust_left.mp4",
    SHARED / "videos" / "wongfit__glute-bridge.mp4",
]
MODELS = {"lite": SHARED / "models" / "pose_landmarker_lite.task", "full": None}


class _Null:
    def write(self, s: str) -> None:
        pass

    def flush(self) -> None:
        pass


class _Events:
    """Keeps the rep events (JSON lines) a session emits."""

    def __init__(self) -> None:
        self.reps: list[dict[str, float]] = []

    def write(self, s: str) -> None:
        event = json.loads(s)
        if event["event"] == "rep":
            self.reps.append(event)

    def flush(self) -> None:
        pass


def rep_delays(events: _Events, report: object) -> list[float]:
    """Seconds from the end of each rep (as the session report has it) to its live event:
    the event's frame time plus the time the loop spent after that frame arrived."""
    ends = {r.index: r.end_s for r in report.reps}  # type: ignore[attr-defined]
    return [e["end_s"] + e["delay_s"] - ends.get(e["rep"], np.nan) for e in events.reps]


@contextlib.contextmanager
def busy(on: bool) -> Iterator[None]:
    """A CPU-bound process beside the measurement (one of this machine's two cores)."""
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if on else None
    try:
        yield
    finally:
        if burner is not None:
            burner.kill()
            burner.wait()


class _OffscreenWindow:
    """Takes the drawn screen like the real window would, without a display."""

    def show(self, img: np.ndarray, wait_ms: int = 1) -> int:
        return 255

    def close(self) -> None:
        pass


def speed(clip: Path, model: Path, out: Path, with_capacity: bool = True) -> dict[str, float]:
    import formcheck.live.session as session
    from formcheck.config import Config
    from formcheck.live.sources import FileSource
    from formcheck.pose.mediapipe_backend import MediaPipePose

    session.Window = _OffscreenWindow  # type: ignore[misc, assignment]
    session.SUMMARY_S = 0.0
    events = _Events()
    with FileSource(clip) as src, MediaPipePose(model, crowd_check_s=None) as pose:
        opts = session.SessionOptions(out_dir=out, clip=clip.name, show=True)
        result = session.run_session(src, pose, Config(), opts, session.EventLog(events))
        duration = result.report.duration_s if result.report else float("nan")
    delays = rep_delays(events, result.report) if result.report else []
    counted = result.report.rep_count if result.report else 0
    lat = np.array(result.latencies_ms)
    total = result.frames + result.dropped
    capacity = float("nan")
    if with_capacity:  # every frame, no pacing, as fast as the loop goes (model loaded before)
        with (
            FileSource(clip, every_frame=True) as src,
            MediaPipePose(model, crowd_check_s=None) as p,
        ):
            opts = session.SessionOptions(out_dir=out / "capacity", clip=clip.name, show=True)
            start = time.perf_counter()
            fast = session.run_session(src, p, Config(), opts, session.EventLog(_Null()))
            capacity = fast.frames / (time.perf_counter() - start)
    return {
        "capacity_fps": capacity,
        "fps_analysed": result.frames / duration,
        "dropped_pct": 100.0 * result.dropped / max(total, 1),
        "p50_ms": float(np.percentile(lat, 50)),
        "p95_ms": float(np.percentile(lat, 95)),
        "assess_median_ms": statistics.median(result.assess_ms) if result.assess_ms else 0.0,
        "assess_max_ms": max(result.assess_ms, default=0.0),
        "delay_median_s": statistics.median(delays) if delays else float("nan"),
        "delay_max_s": max(delays, default=float("nan")),
        "events_as_report": float([e["rep"] for e in events.reps] == list(range(1, counted + 1))),
    }


def agreement(smoothing: str) -> dict[str, float]:
    from formcheck.config import Config
    from formcheck.evaluate.cache import LandmarkCache, default_cache_dir
    from formcheck.live.session import EventLog, SessionOptions, run_session
    from formcheck.live.sources import FileSource
    from formcheck.pose.models import resolve_model
    from formcheck.pose.replay import ReplayPose

    cache = LandmarkCache(default_cache_dir(), resolve_model(None))
    clips = _labelled_clips()
    counts_equal = reps = same = 0
    with tempfile.TemporaryDirectory() as tmp:
        for clip in clips:
            raw, _ = cache.get(clip)
            with FileSource(clip, every_frame=True) as src:
                opts = SessionOptions(Path(tmp) / clip.stem, clip.name, smoothing=smoothing)
                r = run_session(src, ReplayPose(raw), Config(), opts, EventLog(_Null()))
            offline = r.report.reps if r.report else ()
            counts_equal += len(r.live_reps) == len(offline)
            for off in offline:
                match = [x for x in r.live_reps if abs(x.lockout_s - off.lockout_s) < 0.5]
                reps += 1
                same += bool(match) and {f.code for f in match[0].faults} == {
                    f.code for f in off.faults
                }
    return {"clips": len(clips), "counts_equal": counts_equal, "reps": reps, "same": same}


def _labelled_clips() -> list[Path]:
    clips = []
    for folder in (SHARED / "synth", SHARED / "videos", ROOT / "sample_videos"):
        labels = json.loads((folder / "labels.json").read_text())
        clips += [folder / lab["file"] for lab in labels]
    return clips


def analyzer_cost(smoothing: str) -> dict[str, float]:
    """The live analyzer's own cost, frame by frame, on every labelled clip's landmarks."""
    from formcheck.config import Config
    from formcheck.evaluate.cache import LandmarkCache, default_cache_dir
    from formcheck.live.analyzer import LiveAnalyzer
    from formcheck.pose.models import resolve_model

    cache = LandmarkCache(default_cache_dir(), resolve_model(None))
    frame_ms: list[float] = []
    try_ms: list[float] = []
    for clip in _labelled_clips():
        raw, _ = cache.get(clip)
        live = LiveAnalyzer(Config(), raw.image_size, raw.fps, smoothing=smoothing)
        for i in range(len(raw)):
            tries = len(live.assess_seconds)
            start = time.perf_counter()
            live.push(float(raw.timestamps_s[i]), raw.frame(i))
            ms = 1000.0 * (time.perf_counter() - start)
            (try_ms if len(live.assess_seconds) > tries else frame_ms).append(ms)
    f = np.array(frame_ms)
    return {
        "frames": float(f.size),
        "frame_p50_ms": float(np.percentile(f, 50)),
        "frame_p95_ms": float(np.percentile(f, 95)),
        "frame_max_ms": float(f.max()),
        "tries": float(len(try_ms)),
        "try_median_ms": statistics.median(try_ms) if try_ms else float("nan"),
        "try_max_ms": max(try_ms, default=float("nan")),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["lite", "full"], choices=list(MODELS))
    ap.add_argument("--clips", nargs="+", type=Path, default=DEFAULT_CLIPS)
    ap.add_argument("--agreement", action="store_true")
    ap.add_argument("--analyzer", action="store_true", help="only the live analyzer's own cost")
    ap.add_argument(
        "--paced-only", action="store_true", help="skip the unpaced capacity run of each clip"
    )
    ap.add_argument(
        "--busy",
        nargs="+",
        choices=["quiet", "busy"],
        default=["quiet", "busy"],
        help="run with a CPU-bound process beside it (busy), without (quiet), or both",
    )
    args = ap.parse_args()
    if args.analyzer:
        print(
            "| smoothing | frames | per frame p50 / p95 / max ms | verdict tries "
            "| per try median / max ms |"
        )
        print("|---|---|---|---|---|")
        for smoothing in ("causal", "past"):
            c = analyzer_cost(smoothing)
            print(
                f"| {smoothing} | {c['frames']:.0f} | {c['frame_p50_ms']:.2f} / "
                f"{c['frame_p95_ms']:.2f} / {c['frame_max_ms']:.1f} | {c['tries']:.0f} "
                f"| {c['try_median_ms']:.0f} / {c['try_max_ms']:.0f} |",
                flush=True,
            )
        return 0

    from formcheck.pose.models import resolve_model

    print(
        "| clip | model | machine | paced: frames analysed /s | dropped | latency p50 / p95 ms "
        "| rep assessment median / max ms | rep event after the rep's end: median / max s "
        "| events numbered as the report | unpaced: frames /s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for clip in args.clips:
            for name in args.models:
                for machine in args.busy:
                    model = MODELS[name] or resolve_model(None)
                    with busy(machine == "busy"):
                        out = Path(tmp) / f"{clip.stem}-{name}-{machine}"
                        s = speed(clip, model, out, not args.paced_only)
                    print(
                        f"| {clip.name} | {name} | {machine} | {s['fps_analysed']:.1f} "
                        f"| {s['dropped_pct']:.0f}% | {s['p50_ms']:.0f} / {s['p95_ms']:.0f} "
                        f"| {s['assess_median_ms']:.0f} / {s['assess_max_ms']:.0f} "
                        f"| {s['delay_median_s']:.2f} / {s['delay_max_s']:.2f} "
                        f"| {'yes' if s['events_as_report'] else 'NO'} "
                        f"| {s['capacity_fps']:.1f} |",
                        flush=True,
                    )
    if args.agreement:
        print("\n| rep verdicts | clips with equal rep count | reps with the same faults |")
        print("|---|---|---|")
        for smoothing in ("past", "causal"):
            a = agreement(smoothing)
            print(
                f"| {smoothing} | {a['counts_equal']}/{a['clips']} "
                f"| {a['same']}/{a['reps']} ({a['same'] / a['reps']:.0%}) |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
