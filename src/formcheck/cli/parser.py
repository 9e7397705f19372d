"""The command line's arguments: one subcommand per use (analyze, live, batch, synth, eval,
models, serve, users)."""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck import __version__
from formcheck.pose.track import DEFAULT_MAX_FPS

_ANNOTATED = (
    "also render annotated.mp4, the analysis drawn into the video (a file to share; ~10 ms a "
    "frame). Without it the page draws the analysis over a copy of the clip"
)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="formcheck", description="Hip-thrust form coaching from video."
    )
    p.add_argument("--version", action="version", version=f"formcheck {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyze", help="analyse a recorded set and write report.json")
    a.add_argument("clip", type=Path, help="video file, or landmarks .npz from --save-landmarks")
    a.add_argument("--out", type=Path, help="output folder (default ./formcheck-out/<clip name>/)")
    a.add_argument("--json", metavar="PATH", help="write report.json here instead; '-' = stdout")
    a.add_argument("--model", help="pose model: full, lite, heavy, or a .task path")
    a.add_argument("--config", type=Path, help="TOML file overriding thresholds")
    a.add_argument(
        "--plate-cm",
        type=float,
        help="diameter of the plates on the bar, for bar speeds in m/s (default 45)",
    )
    a.add_argument("--save-landmarks", type=Path, metavar="NPZ", help="also save the landmarks")
    a.add_argument("--no-video", action="store_true", help="no video in the outputs")
    a.add_argument("--annotated", action="store_true", help=_ANNOTATED)
    a.add_argument(
        "--workers", type=int, help="landmarkers tracking the clip at once (default: the cores)"
    )
    a.add_argument(
        "--max-fps",
        type=float,
        default=DEFAULT_MAX_FPS,
        help="analyse clips faster than this at every k-th frame, e.g. 30 (default 0: every frame)",
    )
    a.add_argument("-q", "--quiet", action="store_true", help="no table, no progress bar")

    from formcheck.synth.cli_args import add_synth_arguments

    y = sub.add_parser(
        "synth",
        help="render labelled synthetic hip-thrust clips (one clip, or --benchmark for the set)",
    )
    add_synth_arguments(y)

    e = sub.add_parser("eval", help="measure accuracy on labelled datasets")
    e.add_argument("datasets", nargs="+", type=Path, help="folders holding clips + labels.json")
    e.add_argument("--out", type=Path, help="write eval.json and eval.md here")
    e.add_argument("--cache", type=Path, help="landmark cache (default ~/.cache/formcheck)")
    e.add_argument("--model", help="pose model: full, lite, heavy, or a .task path")
    e.add_argument("--config", type=Path, help="TOML file overriding thresholds")
    e.add_argument(
        "--workers", type=int, help="clips tracked at once by the pose model (default: the cores)"
    )
    e.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    v = sub.add_parser("live", help="live coaching from a camera (or a clip played as one)")
    src = v.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, default=0, help="camera index (default 0)")
    src.add_argument("--source", type=Path, help="play this video file as if it were a camera")
    v.add_argument(
        "--every-frame",
        action="store_true",
        help="with --source: every frame in order, as fast as pose runs (no pacing, no drops)",
    )
    v.add_argument("--headless", action="store_true", help="no window; cue events as JSON lines")
    v.add_argument("--events", metavar="PATH", help="also write events here ('-' = stdout)")
    v.add_argument("--out", type=Path, help="session folder (default ./formcheck-out/live-<time>/)")
    v.add_argument("--record", action="store_true", help="also save raw.mp4 and annotated.mp4")
    v.add_argument("--voice", action="store_true", help="speak the cues (espeak-ng)")
    v.add_argument("--model", help="pose model: lite (default when present), full, or a path")
    v.add_argument("--config", type=Path, help="TOML file overriding thresholds")
    v.add_argument(
        "--smoothing",
        choices=["past", "causal"],
        default="past",
        help="rep verdicts: zero-phase over the frames seen so far (default) or forward-only",
    )

    b = sub.add_parser("batch", help="analyse many clips: a report per clip plus an index page")
    b.add_argument("inputs", nargs="+", help="folders, globs, clips, or .txt files listing paths")
    b.add_argument("--out", type=Path, required=True, help="output folder")
    b.add_argument("--workers", type=int, help="processes (default: the cores there are)")
    b.add_argument("--engine", choices=["local", "ray"], default="local")
    b.add_argument("--address", help="with --engine ray: the cluster (default: a local Ray)")
    b.add_argument("--no-resume", action="store_true", help="redo clips already finished in --out")
    b.add_argument("--no-video", action="store_true", help="no video in the outputs")
    b.add_argument("--annotated", action="store_true", help=_ANNOTATED)
    b.add_argument("--model", help="pose model: full, lite, heavy, or a .task path")
    b.add_argument("--config", type=Path, help="TOML file overriding thresholds")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no table")

    m = sub.add_parser("models", help="list and verify pose models; --fetch downloads one")
    m.add_argument("--fetch", choices=["lite", "full", "heavy"], help="download this model")

    from formcheck.cli.serve import add_parsers

    add_parsers(sub)
    return p
