"""``formcheck live`` and ``formcheck batch``: a camera session, and a folder of clips."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from formcheck import errors
from formcheck.cli.commands import workers_for

log = logging.getLogger("formcheck")


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


def cmd_batch(args: argparse.Namespace) -> int:
    import time

    from formcheck.batch.inputs import expand_inputs
    from formcheck.batch.run import run_batch
    from formcheck.config import load_config
    from formcheck.pose.models import resolve_model

    cfg = load_config(args.config)
    workers = workers_for(args.workers)
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
            annotated=args.annotated,
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
