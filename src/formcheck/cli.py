"""Command line: ``formcheck analyze CLIP`` and ``formcheck models``.

The only module that prints. Errors a user can fix are one line on stderr with
a documented exit code (formcheck.errors); ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import os

# Quiet the native libraries before they are imported (their logs are not for users).
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from formcheck import errors

log = logging.getLogger("formcheck")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="formcheck", description="Hip-thrust form coaching from video."
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyze", help="analyse a recorded set and write report.json")
    a.add_argument("clip", type=Path, help="video file, or landmarks .npz from --save-landmarks")
    a.add_argument("--out", type=Path, help="output folder (default ./formcheck-out/<clip name>/)")
    a.add_argument("--json", metavar="PATH", help="write report.json here instead; '-' = stdout")
    a.add_argument("--model", help="pose model: full, lite, heavy, or a .task path")
    a.add_argument("--config", type=Path, help="TOML file overriding thresholds")
    a.add_argument("--save-landmarks", type=Path, metavar="NPZ", help="also save the landmarks")
    a.add_argument("--no-video", action="store_true", help="skip annotated.mp4")
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

    m = sub.add_parser("models", help="list and verify pose models; --fetch downloads one")
    m.add_argument("--fetch", choices=["lite", "full", "heavy"], help="download this model")
    return p


def _progress(enabled: bool):  # type: ignore[no-untyped-def]
    """A tqdm-backed progress callback, or None."""
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(unit="frame", desc="pose", leave=False, file=sys.stderr)

    def update(done: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return update, bar.close


def cmd_analyze(args: argparse.Namespace) -> int:
    from formcheck.config import load_config
    from formcheck.pipeline import analyze
    from formcheck.report.json_report import dumps, write_atomic
    from formcheck.report.table import render_table

    cfg = load_config(args.config)
    progress, close = _progress(not args.quiet and sys.stderr.isatty())
    try:
        report = analyze(
            args.clip,
            config=cfg,
            model=args.model,
            save_landmarks=args.save_landmarks,
            progress=progress,
        )
    finally:
        close()
    if args.json == "-":
        sys.stdout.write(dumps(report) + "\n")
    elif args.json:
        write_atomic(Path(args.json), dumps(report) + "\n")
    else:
        from formcheck.report.outputs import write_outputs

        out_dir = args.out or Path("formcheck-out") / Path(args.clip).stem
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
    return errors.EXIT_OK


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
    commands = {"analyze": cmd_analyze, "synth": cmd_synth, "eval": cmd_eval, "models": cmd_models}
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


if __name__ == "__main__":
    sys.exit(main())
