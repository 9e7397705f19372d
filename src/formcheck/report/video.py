"""annotated.mp4: the analysed clip re-encoded with the overlay drawn on each frame.

The clip is read again (frame k of the video is frame k of ``report.series``),
each frame is drawn by `formcheck.report.overlay.draw_overlay` and encoded by
`formcheck.video.writer.VideoSink` (H.264, or mp4v when libx264 is missing).

The overlay shows the finished analysis (zero-phase smoothed angles, each rep's faults from
the rep's first frame), so the video is a pass after the analysis, not overlapped with the pose
model. It is kept cheap instead (benchmarks/bench_outputs.py; docs/PERFORMANCE.md): OpenCV's
colour conversion instead of swscale's and in-place panel blending cut it from 32% to 20% of the
analysis time on the 960x540 sample. Two ways of spreading it over the 2 cores measured no
faster, because libx264 already runs threads of its own: a producer thread (decode + draw)
feeding the encoder, kept as ``threaded=True``, and segments rendered in separate processes
and joined without re-encoding (1.05x and 0.95x, not kept).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

from formcheck.errors import InputError
from formcheck.report.overlay import draw_overlay
from formcheck.results import SetReport
from formcheck.video.reader import VideoReader
from formcheck.video.writer import VideoSink

log = logging.getLogger(__name__)

QUEUE_SIZE = 8
_DONE = object()


def even_size(width: int, height: int) -> tuple[int, int]:
    """The largest even size not above (width, height) (H.264 with yuv420p needs even sizes)."""
    return width - width % 2, height - height % 2


def _fit(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """Crop (by at most one pixel per axis) to the even output size."""
    return img[:height, :width] if img.shape[:2] != (height, width) else img


def write_annotated_video(
    source: Path,
    report: SetReport,
    out_path: Path,
    *,
    threaded: bool = False,
    crf: int = 23,
    keyframes: dict[int, bytes] | None = None,
    encoder_threads: int = 0,
) -> dict[str, object]:
    """Write ``out_path``; returns {"frames", "codec", "seconds"}.

    When ``keyframes`` is given, it is filled with a JPEG thumbnail (overlay included) of the
    frame at each rep's lockout, keyed by rep index (for the HTML report).
    Raises `InputError` when ``source`` is a landmarks file (no video to annotate).
    """
    wanted = {rep.lockout_i: rep.index for rep in report.reps}
    source = Path(source)
    if source.suffix.lower() == ".npz":
        raise InputError(f"{source}: no video to annotate (the input is a landmarks file)")
    start = time.perf_counter()
    with VideoReader(source) as reader:
        info = reader.info
        width, height = even_size(info.width, info.height)
        if width < 2 or height < 2:
            raise InputError(f"{source}: frames too small to encode ({info.width}x{info.height})")
        with VideoSink(out_path, width, height, info.fps, crf=crf, threads=encoder_threads) as sink:
            n = len(report.series)
            # a clip analysed at every k-th frame: frames in between show the last analysed one
            stride = int(report.series.meta.get("stride", "1"))

            def drawn() -> Iterator[np.ndarray]:
                for frame in reader:
                    i = frame.index // stride
                    if i >= n:  # more frames than were analysed: stop
                        break
                    img = _fit(draw_overlay(frame.image_bgr, report, i), width, height)
                    if keyframes is not None and i in wanted and frame.index % stride == 0:
                        keyframes[wanted[i]] = thumbnail_jpeg(img)
                    yield img

            run = _threaded if threaded else _plain
            run(drawn, sink.write)
            frames, codec = sink.frames_written, sink.codec
    expected = len(report.series) * int(report.series.meta.get("stride", "1"))
    if frames < expected - int(report.series.meta.get("stride", "1")) + 1:
        log.warning("%s: annotated %d frames, the analysis covers %d", source, frames, expected)
    return {"frames": frames, "codec": codec, "seconds": round(time.perf_counter() - start, 3)}


#: Key-frame thumbnails are this wide (pixels) in the HTML report.
THUMB_WIDTH = 480


def thumbnail_jpeg(img: np.ndarray, width: int = THUMB_WIDTH) -> bytes:
    scale = min(1.0, width / img.shape[1])
    small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


def _plain(
    produce: Callable[[], Iterator[np.ndarray]], consume: Callable[[np.ndarray], None]
) -> None:
    for img in produce():
        consume(img)


def _threaded(
    produce: Callable[[], Iterator[np.ndarray]], consume: Callable[[np.ndarray], None]
) -> None:
    """Produce in a worker thread, consume here; errors on either side stop both."""
    q: queue.Queue[object] = queue.Queue(maxsize=QUEUE_SIZE)
    stop = threading.Event()
    failure: list[BaseException] = []

    def worker() -> None:
        try:
            for img in produce():
                while not stop.is_set():
                    try:
                        q.put(img, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            failure.append(exc)
        finally:
            while True:
                try:
                    q.put(_DONE, timeout=0.1)
                    break
                except queue.Full:
                    if stop.is_set():
                        break

    thread = threading.Thread(target=worker, name="formcheck-overlay", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                break
            consume(item)  # type: ignore[arg-type]
    finally:
        stop.set()
        thread.join()
    if failure:
        raise failure[0]
