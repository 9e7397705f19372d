"""Write every output of one analysis into a folder: report.json, report.html and the video.

All come from the same `SetReport`, report.json first (the verdict can be shown while the
rest is made). By default the page plays the clip itself, copied beside it, and the browser
draws the analysis over it: no frame is re-encoded, and the key frames the page shows are
found by seeking to each lockout. annotated.mp4 (the overlay drawn into every frame, to share
as one file) is rendered on request, or when no browser plays the clip; its pass grabs the
key frames as it goes, and above 720p or 2 minutes runs in a fresh process of its own
(`APART_PIXELS`, `APART_FRAMES`).
"""

from __future__ import annotations

import logging
import pickle
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.memory import return_freed_memory
from formcheck.processes import CONTEXT, CounterProgress, ProgressFn, count_one, worker_pool
from formcheck.report.html import render_html
from formcheck.report.json_report import dumps, write_atomic
from formcheck.report.player import browser_playable
from formcheck.report.video import PARTS, lockout_thumbnails, write_annotated_video
from formcheck.results import SetReport

log = logging.getLogger(__name__)

#: Frames larger than this (pixels) are annotated in a fresh process: at 1080p the video pass
#: holds ~135 MB of libx264 buffers and ~55 MB of decoding, which would stack on the analysis
#: this process holds (10 minutes of 1080p: ~230 MB here once analysed, 345 MB for the video
#: pass in a process of its own; docs/PERFORMANCE.md). Smaller frames stay here: a process
#: costs ~0.4 s to start.
APART_PIXELS = 1280 * 720
#: So is a clip with more analysed frames than this (2 minutes at 30 fps), whatever its size:
#: the analysis held here grows with the clip (10 minutes of 1080p60, decoded at 1280x720:
#: ~300 MB here, and the pass in this process took it to 409 MB; docs/PERFORMANCE.md).
APART_FRAMES = 3600


@dataclass(frozen=True)
class Written:
    json: Path
    html: Path
    video: Path | None
    video_s: float
    html_s: float
    keyframes: dict[int, bytes]  # JPEG of each rep's lockout, by rep index (with the video)
    overlay: bool = False  # video is the clip itself, the page draws the analysis over it


def write_outputs(
    source: Path,
    report: SetReport,
    out_dir: Path,
    *,
    video: bool = True,
    annotated: bool = False,
    encoder_threads: int = 0,
    on_json: Callable[[Path], object] | None = None,
    progress: ProgressFn | None = None,
) -> Written:
    """Write the outputs; no video for landmarks input or with ``video=False``.

    The page plays the clip itself with the analysis drawn over it by the browser
    (`formcheck.report.player`; the clip is copied beside the page as clip.<ext> unless it is
    there already), when a browser can play it. With ``annotated``, or a clip no browser
    plays (HEVC, AVI...), annotated.mp4 is rendered instead (the overlay drawn into every
    frame and re-encoded: a file to share, ~10 ms a frame) and the page plays it.

    report.json comes first, and ``on_json(path)`` is called as soon as it is written (the
    verdict can be shown while the video is made); ``progress(frames, total)`` follows the
    video pass. ``encoder_threads``: libx264 threads (0 = its own choice; 1 when other
    processes already fill the cores, as in a batch).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(out_dir / "report.json", dumps(report) + "\n")
    if on_json is not None:
        on_json(out_dir / "report.json")
    keyframes: dict[int, bytes] = {}
    finding: Future[tuple[dict[int, bytes], float]] | None = None
    video_path: Path | None = None
    video_s = 0.0
    overlay = False
    if video and source.suffix.lower() != ".npz" and not annotated and browser_playable(source):
        start = time.perf_counter()
        video_path, overlay = _place_clip(source, out_dir), True
        video_s = time.perf_counter() - start
        # the key frames are found in a thread while the page's plots are drawn: seeking,
        # decoding and drawing leave the GIL to the plots (SVG written in Python)
        threads = ThreadPoolExecutor(1, thread_name_prefix="formcheck-keyframes")
        finding = threads.submit(_timed_thumbnails, source, report)
        threads.shutdown(wait=False)  # the thread ends with its one task
    elif video and source.suffix.lower() != ".npz":
        target = out_dir / "annotated.mp4"
        tmp = out_dir / "annotated.tmp.mp4"
        width, height = report.series.image_size
        counter = CONTEXT.Value("q", 0)  # frames written, by this process or the video's
        expected = len(report.series) * int(report.series.meta.get("stride", "1"))
        with CounterProgress(counter, progress, expected):
            if width * height > APART_PIXELS or len(report.series) > APART_FRAMES:
                stats, keyframes = _annotate_apart(source, report, tmp, encoder_threads, counter)
            else:  # in parts at once, unless a batch's neighbours fill the cores
                parts = 1 if encoder_threads == 1 else PARTS
                tick = lambda: count_one(counter)  # noqa: E731
                stats, keyframes = _annotate(source, report, tmp, encoder_threads, parts, tick)
        tmp.replace(target)
        video_path, video_s = target, float(stats["seconds"])  # type: ignore[arg-type]
    start = time.perf_counter()
    page = render_html(
        report,
        video_name=video_path.name if video_path else None,
        keyframes=(lambda: finding.result()[0]) if finding else keyframes or None,
        overlay=overlay,
    )
    if finding is not None:
        keyframes, found_s = finding.result()
        video_s += found_s
    write_atomic(out_dir / "report.html", page)
    html_s = time.perf_counter() - start
    return Written(
        out_dir / "report.json",
        out_dir / "report.html",
        video_path,
        video_s,
        html_s,
        keyframes,
        overlay,
    )


def _timed_thumbnails(source: Path, report: SetReport) -> tuple[dict[int, bytes], float]:
    start = time.perf_counter()
    return lockout_thumbnails(source, report), time.perf_counter() - start


def _place_clip(source: Path, out_dir: Path) -> Path:
    """The clip beside the page: itself when it is in the folder already (a live session's
    raw.mp4), else a copy named clip.<ext> (written whole, then renamed into place)."""
    if source.resolve().parent == out_dir.resolve():
        return source
    target = out_dir / f"clip{source.suffix.lower()}"
    if target.exists() and target.samefile(source):
        return target
    tmp = out_dir / f".clip.tmp{source.suffix.lower()}"
    shutil.copyfile(source, tmp)
    tmp.replace(target)
    return target


Annotated = tuple[dict[str, object], dict[int, bytes]]  # stats, key frames by rep index


def _annotate(
    source: Path,
    report: SetReport,
    out: Path,
    encoder_threads: int,
    parts: int,
    tick: Callable[[], object] | None,
) -> Annotated:
    keyframes: dict[int, bytes] = {}
    stats = write_annotated_video(
        source,
        report,
        out,
        keyframes=keyframes,
        encoder_threads=encoder_threads,
        parts=parts,
        tick=tick,
    )
    return stats, keyframes


#: The video process's frame counter (set by `_init_apart`).
_COUNTER: Any = None


def _init_apart(counter: Any) -> None:
    global _COUNTER
    _COUNTER = counter


def _annotate_apart(
    source: Path, report: SetReport, out: Path, encoder_threads: int, counter: Any
) -> Annotated:
    """`_annotate` in a fresh process; its warnings are logged here. The report goes through
    a file: pickled into the pipe it would cost this process ~80 MB on 10 minutes of video
    (the pickle and the queue's copies), written to a file nothing."""
    return_freed_memory()  # the analysis' freed temporaries, while the video process works
    job = out.with_name(f".{out.name}.report.pickle")
    try:
        with job.open("wb") as f:
            pickle.dump(report, f, protocol=pickle.HIGHEST_PROTOCOL)
        with worker_pool(1, _init_apart, (counter,)) as pool:
            future = pool.submit(_annotate_task, source, job, out, encoder_threads)
            annotated, records = future.result()
    finally:
        job.unlink(missing_ok=True)
    for name, level, message in records:
        logging.getLogger(name).log(level, "%s", message)
    return annotated


def _annotate_task(
    source: Path, job: Path, out: Path, encoder_threads: int
) -> tuple[Annotated, list[tuple[str, int, str]]]:
    import cv2

    with job.open("rb") as f:
        report = pickle.load(f)  # written by `_annotate_apart` just before: trusted
    if encoder_threads == 1:  # a batch running one clip per core
        cv2.setNumThreads(1)
    records: list[logging.LogRecord] = []
    keep = _Keep(records)
    logger = logging.getLogger("formcheck")
    logger.addHandler(keep)
    try:
        # one part: each part holds its own decoder and encoder, ~190 MB at 1080p
        annotated = _annotate(source, report, out, encoder_threads, 1, lambda: count_one(_COUNTER))
    finally:
        logger.removeHandler(keep)
    return annotated, [(r.name, r.levelno, r.getMessage()) for r in records]


class _Keep(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
