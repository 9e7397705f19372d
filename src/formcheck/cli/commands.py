"""``formcheck analyze``, ``synth``, ``eval`` and ``models``: one clip or a dataset, and the
pose models. The package's only printing is here and in `formcheck.cli.sessions`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from formcheck import errors

log = logging.getLogger("formcheck")


def _progress(enabled: bool, desc: str = "pose"):  # type: ignore[no-untyped-def]
    """A tqdm-backed progress callback, or None."""
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: it would keep the landmarkers from forking
    bar = tqdm(unit="frame", desc=desc, leave=False, file=sys.stderr)

    def update(done: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return update, bar.close


def warm_outputs() -> None:
    """While the pose model runs: the analysis' imports, and the outputs' (matplotlib for the
    plots, ~0.3 s), each in a background thread."""
    import threading

    from formcheck.landmarks.clean import warm_imports

    warm_imports()
    threading.Thread(target=_import_outputs, name="formcheck-imports", daemon=True).start()


def _import_outputs() -> None:
    import formcheck.report.outputs  # noqa: F401


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
            workers=workers_for(args.workers),
            max_fps=args.max_fps,
            in_workers=True,  # alone on the machine: the pose model runs beside this process
            meanwhile=None if args.json else warm_outputs,
        )
    finally:
        close()
    if args.json == "-":
        sys.stdout.write(dumps(report) + "\n")
    elif args.json:
        write_atomic(Path(args.json), dumps(report) + "\n")
    else:
        from formcheck.report.outputs import write_outputs

        def verdict(json_path: Path) -> None:  # shown before the video is made
            if not args.quiet:
                print(render_table(report))
                print(f"\njson:   {json_path}", flush=True)

        progress, close = _progress(not args.quiet and sys.stderr.isatty(), "video")
        try:
            written = write_outputs(
                Path(args.clip),
                report,
                out_dir,
                video=not args.no_video,
                annotated=args.annotated,
                on_json=verdict,
                progress=progress,
            )
        finally:
            close()
        if not args.quiet:
            if written.video and written.overlay:
                print(f"video:  {written.video} (the page draws the analysis over it)")
            elif written.video:
                print(f"video:  {written.video}")
            print(f"report: {written.html}")
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
        workers=workers_for(args.workers),
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


def workers_for(asked: int | None) -> int:
    """``--workers``: at least 1; by default the cores there are (analyze and batch)."""
    if asked is not None and asked < 1:
        raise errors.UsageError("--workers must be at least 1")
    from formcheck.processes import usable_cores

    return asked or usable_cores()
