"""Command line: ``formcheck analyze | live | batch | synth | eval | models``.

The only module that prints. Errors a user can fix are one line on stderr with
a documented exit code (formcheck.errors); ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import os
import sys

# Quiet the native libraries before they are imported (their logs are not for users: an
# OpenCV "[ERROR:0@0.4] ... Camera index out of range" beside formcheck's own one line);
# --debug keeps them.
os.environ.setdefault("GLOG_minloglevel", "0" if "--debug" in sys.argv else "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if "--debug" in sys.argv else "2")
os.environ.setdefault("OPENCV_LOG_LEVEL", "INFO" if "--debug" in sys.argv else "FATAL")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")  # the live window's Qt
# One BLAS thread per process: formcheck's arrays are small and its processes already fill
# the cores. OpenBLAS's own threads cost each process ~0.2 s of a core when numpy loads, and
# a process with threads cannot fork its landmarker workers (formcheck.processes).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import gc
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from formcheck import __version__, errors
from formcheck.pose.track import DEFAULT_MAX_FPS

log = logging.getLogger("formcheck")


def _parser() -> argparse.ArgumentParser:
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
    a.add_argument("--no-video", action="store_true", help="skip annotated.mp4")
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
    b.add_argument("--no-video", action="store_true", help="skip annotated.mp4")
    b.add_argument("--model", help="pose model: full, lite, heavy, or a .task path")
    b.add_argument("--config", type=Path, help="TOML file overriding thresholds")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no table")

    m = sub.add_parser("models", help="list and verify pose models; --fetch downloads one")
    m.add_argument("--fetch", choices=["lite", "full", "heavy"], help="download this model")
    return p


def _progress(enabled: bool):  # type: ignore[no-untyped-def]
    """A tqdm-backed progress callback, or None."""
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: it would keep the landmarkers from forking
    bar = tqdm(unit="frame", desc="pose", leave=False, file=sys.stderr)

    def update(done: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return update, bar.close


def cmd_analyze(args: argparse.Namespace) -> int:
    from formcheck.config import load_config, with_plate
    from formcheck.pipeline import analyze
    from formcheck.report.json_report import dumps, write_atomic
    from formcheck.report.table import render_table

    cfg = with_plate(load_config(args.config), args.plate_cm)
    out_dir = args.out or Path("formcheck-out") / Path(args.clip).stem
    if args.json and args.json != "-":  # every output is checked before any work is done
        _check_writable(Path(args.json), "--json", folder=False)
    elif not args.json:
        _check_writable(out_dir, "--out" if args.out else "the output folder", folder=True)
    if args.save_landmarks:
        _check_writable(Path(args.save_landmarks), "--save-landmarks", folder=False)
    progress, close = _progress(not args.quiet and sys.stderr.isatty())
    try:
        report = analyze(
            args.clip,
            config=cfg,
            model=args.model,
            save_landmarks=args.save_landmarks,
            progress=progress,
            workers=_workers(args.workers),
            max_fps=args.max_fps,
            in_workers=True,  # alone on the machine: the pose model runs beside this process
        )
    finally:
        close()
    if args.json == "-":
        sys.stdout.write(dumps(report) + "\n")
    elif args.json:
        write_atomic(Path(args.json), dumps(report) + "\n")
    else:
        from formcheck.report.outputs import write_outputs

        written = write_outputs(Path(args.clip), report, out_dir, video=not args.no_video)
        if not args.quiet:
            print(render_table(report))
            print(f"\nreport: {written.html}")
            print(f"json:   {written.json}")
            if written.video:
                print(f"video:  {written.video}")
    if report.status == "not_hip_thrust":
        print(
            f"formcheck: {report.clip}: not a hip thrust (no hip-thrust reps found)",
            file=sys.stderr,
        )
        return errors.EXIT_NOT_HIP_THRUST
    if report.status == "tracking_unreliable":
        print(f"formcheck: {report.clip}: {report.warnings[-1]}", file=sys.stderr)
        return errors.EXIT_TRACKING_UNRELIABLE
    return errors.EXIT_OK


def _check_writable(path: Path, what: str, folder: bool) -> None:
    """A usage error now, before the analysis, if ``path`` cannot be written: a folder that is
    a file, a file that is a folder, or a place that cannot be created or written. Nothing is
    created here (a run that fails leaves no empty folder)."""
    if path.exists():
        if folder and not path.is_dir():
            raise errors.UsageError(f"{what} {path}: exists and is not a folder")
        if not folder and path.is_dir():
            raise errors.UsageError(f"{what} {path}: is a folder, not a file")
    existing = path if path.exists() and folder else path.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise errors.UsageError(f"{what} {path}: cannot be created ({existing} is a file)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise errors.UsageError(f"{what} {path}: cannot be written (permission denied)")


def cmd_synth(args: argparse.Namespace) -> int:
    from formcheck.synth.cli_args import run_synth

    entries = run_synth(args)
    frames = sum(round(e["rep_details"][-1]["end_s"] * e["fps"]) for e in entries if e["reps"])
    print(f"rendered {len(entries)} clip(s), about {frames} frames, into {args.out_dir}")
    print(f"labels: {Path(args.out_dir) / 'labels.json'}")
    return errors.EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    import json

    from formcheck.config import load_config
    from formcheck.evaluate.cache import default_cache_dir
    from formcheck.evaluate.run import evaluate
    from formcheck.evaluate.summary import summarize, to_markdown
    from formcheck.report.json_report import write_atomic

    for folder in args.datasets:
        if not (folder / "labels.json").is_file():
            raise errors.InputError(f"{folder}: no labels.json (not a labelled dataset)")
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(unit="clip", desc="eval", leave=False, file=sys.stderr)
    result = evaluate(
        args.datasets,
        args.cache or default_cache_dir(),
        config=load_config(args.config),
        model=args.model,
        on_clip=(lambda clip: bar.update(1)) if bar else None,
    )
    if bar:
        bar.close()
    summary = summarize(result.rows)
    markdown = to_markdown(summary)
    print(markdown)
    print(f"landmark cache: {result.cache_hits} hits, {result.cache_misses} runs of the model")
    if args.out:
        write_atomic(args.out / "eval.json", json.dumps(summary, indent=1) + "\n")
        write_atomic(args.out / "eval.md", markdown)
    return errors.EXIT_OK


def cmd_live(args: argparse.Namespace) -> int:
    import contextlib
    import time

    import numpy as np

    from formcheck.config import load_config
    from formcheck.live.session import EventLog, SessionOptions, can_open_window, run_session
    from formcheck.live.sources import CameraSource, FileSource, FrameSource
    from formcheck.pose.mediapipe_backend import MediaPipePose
    from formcheck.pose.models import resolve_live_model

    cfg = load_config(args.config)
    if args.every_frame and args.source is None:
        raise errors.UsageError("--every-frame needs --source")
    if not args.headless and not can_open_window():
        raise errors.UsageError("cannot open a window here (no display): use --headless")
    name = args.source.stem if args.source else f"camera{args.camera}"
    out_dir = args.out or Path("formcheck-out") / f"live-{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    model = resolve_live_model(args.model)
    with contextlib.ExitStack() as stack:
        source: FrameSource
        if args.source is not None:
            source = stack.enter_context(FileSource(args.source, every_frame=args.every_frame))
        else:
            source = stack.enter_context(CameraSource(args.camera))
        # no zoomed tiles live: a search (~0.5 s) would stall the loop while nobody is in
        # view yet; the setup check asks a lifter too small in the picture to come closer
        backend = stack.enter_context(MediaPipePose(model, crowd_check_s=None, zoom=False))
        out_dir.mkdir(parents=True, exist_ok=True)
        streams = [stack.enter_context((out_dir / "events.jsonl").open("w", encoding="utf-8"))]
        if args.events == "-" or (args.headless and args.events is None):
            streams.append(sys.stdout)
        elif args.events:
            streams.append(stack.enter_context(Path(args.events).open("w", encoding="utf-8")))
        opts = SessionOptions(
            out_dir=out_dir,
            clip=args.source.name if args.source else name,
            record=args.record,
            smoothing=args.smoothing,
            show=not args.headless,
            voice=args.voice,
        )
        result = run_session(source, backend, cfg, opts, EventLog(*streams))
    lat = np.array(result.latencies_ms)
    say = sys.stderr if args.headless else sys.stdout
    if lat.size:
        print(
            f"{result.frames} frames analysed, {result.dropped} dropped; latency "
            f"p50 {np.percentile(lat, 50):.0f} ms, p95 {np.percentile(lat, 95):.0f} ms; "
            f"set ended: {result.ended_by}",
            file=say,
        )
    if result.report is not None:
        print(f"{result.report.rep_count} reps; report: {out_dir / 'report.html'}", file=say)
    if result.error is not None:
        print(f"formcheck: error: {result.error}", file=sys.stderr)
        return result.error.exit_code
    if result.report is None and result.report_error is not None:
        print(f"formcheck: error: {result.report_error}", file=sys.stderr)
        return result.report_error.exit_code
    if result.report is None:
        print("formcheck: error: nobody was analysed in this session", file=sys.stderr)
        return errors.EXIT_NO_PERSON
    return errors.EXIT_OK


def _cores() -> int:
    """CPUs this process may use (the affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _workers(asked: int | None) -> int:
    if asked is not None and asked < 1:
        raise errors.UsageError("--workers must be at least 1")
    return asked or _cores()


def cmd_batch(args: argparse.Namespace) -> int:
    import time

    from formcheck.batch.inputs import expand_inputs
    from formcheck.batch.run import run_batch
    from formcheck.config import load_config
    from formcheck.pose.models import resolve_model

    cfg = load_config(args.config)
    workers = _workers(args.workers)
    if args.address and args.engine != "ray":
        raise errors.UsageError("--address needs --engine ray")
    clips = expand_inputs(args.inputs)
    if not clips:
        raise errors.InputError("no clips found in the inputs")
    model = resolve_model(args.model)
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(clips), unit="clip", desc="batch", file=sys.stderr)
    counts = {"done": 0, "failed": 0, "reused": 0}

    def progress(result: Any, reused: bool) -> None:
        counts["failed" if result.status == "failed" else "done"] += 1
        counts["reused"] += reused
        if bar is not None:
            bar.update(1)
            left = len(clips) - counts["done"] - counts["failed"]
            bar.set_postfix(done=counts["done"], failed=counts["failed"], left=left)

    start = time.perf_counter()
    try:
        outcome = run_batch(
            clips,
            args.out,
            config=cfg,
            model=model,
            video=not args.no_video,
            workers=workers,
            engine=args.engine,
            address=args.address,
            resume=not args.no_resume,
            on_result=progress,
        )
    finally:
        if bar is not None:
            bar.close()
    took = time.perf_counter() - start
    if not args.quiet:
        for r in outcome.results:
            what = f"{r.reps} reps, score {r.score}" if r.status != "failed" else r.reason
            print(f"{r.status:15s} {Path(r.source).name}: {what}")
    print(
        f"{len(outcome.results)} clips ({outcome.reused} finished earlier), "
        f"{len(outcome.failed)} failed, {took:.1f} s; index: {outcome.index}"
    )
    return errors.EXIT_BATCH_FAILED if outcome.failed else errors.EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    from formcheck.pose.models import KNOWN_MODELS, fetch, list_models

    if args.fetch:
        path = fetch(KNOWN_MODELS[args.fetch])
        print(f"{args.fetch}: downloaded and verified: {path}")
    bad = 0
    for row in list_models():
        where = str(row.path) if row.path else "-"
        print(f"{row.name:6s} {row.status:18s} {where}")
        bad += row.status == "checksum mismatch"
    return errors.EXIT_MODEL if bad else errors.EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="formcheck: %(levelname)s: %(message)s",
    )
    commands = {
        "analyze": cmd_analyze,
        "synth": cmd_synth,
        "eval": cmd_eval,
        "live": cmd_live,
        "batch": cmd_batch,
        "models": cmd_models,
    }
    try:
        return commands[args.command](args)
    except errors.FormcheckError as exc:
        if args.debug:
            raise
        print(f"formcheck: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("formcheck: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"formcheck: internal error: {type(exc).__name__}: {exc} "
            "(run with --debug for details)",
            file=sys.stderr,
        )
        return errors.EXIT_INTERNAL


def run() -> int:
    """The ``formcheck`` command: `main`, in a process that ends right after it."""
    code = main()
    # Nothing is left to clean up: skip the final collection of every object the process
    # holds, 0.15-0.3 s once scipy and matplotlib are loaded (docs/PERFORMANCE.md).
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(run())
