"""annotated.mp4: the analysed clip re-encoded with the overlay drawn on each frame.

The clip is read again (frame k of the video is frame k of ``report.series``),
each frame is drawn by `formcheck.report.overlay.draw_overlay` and encoded by
`formcheck.video.writer.VideoSink` (H.264, or mp4v when libx264 is missing).

The overlay shows the finished analysis (zero-phase smoothed angles, each rep's faults from
the rep's first frame), so the video is a pass after the analysis, not overlapped with the pose
model. It is spread over the cores by rendering ranges of the clip at once (`PARTS`), each in a
thread with its own decoder and a single-threaded libx264, then joining the files without
re-encoding (`formcheck.video.writer.join_mp4`). What was measured, and the ways that were no
faster, are in docs/PERFORMANCE.md ("Reports and annotated video").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from formcheck.errors import InputError
from formcheck.report.overlay import draw_overlay
from formcheck.results import SetReport
from formcheck.video.av_capture import frames_at
from formcheck.video.reader import MAX_SIDE_PX, VideoReader
from formcheck.video.writer import VideoSink, h264_available, join_mp4

log = logging.getLogger(__name__)


def even_size(width: int, height: int) -> tuple[int, int]:
    """The largest even size not above (width, height) (H.264 with yuv420p needs even sizes)."""
    return width - width % 2, height - height % 2


def _fit(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """Crop (by at most one pixel per axis) to the even output size."""
    return img[:height, :width] if img.shape[:2] != (height, width) else img


#: The video pass is split into this many parts rendered at once (one thread each, each with
#: a single-threaded libx264) and joined without re-encoding: one pass keeps its Python thread
#: (decode, draw) in series with x264's threads; two parts use both cores.
PARTS = 2
#: Parts only for clips up to this many analysed frames (2 minutes at 30 fps) and pixels
#: (960x540): each part holds its own decoder and encoder beside the analysis, whose memory
#: grows with the clip (the 400 MB bound; docs/PERFORMANCE.md).
SPLIT_MAX_FRAMES = 3600
SPLIT_MAX_PIXELS = 960 * 540
#: Fewer frames than this per part are not worth a part.
MIN_PART_FRAMES = 60


def write_annotated_video(
    source: Path,
    report: SetReport,
    out_path: Path,
    *,
    crf: int = 23,
    keyframes: dict[int, bytes] | None = None,
    encoder_threads: int = 0,
    parts: int = 1,
    tick: Callable[[], object] | None = None,
) -> dict[str, object]:
    """Write ``out_path``; returns {"frames", "codec", "seconds", "parts"}.

    When ``keyframes`` is given, it is filled with a JPEG thumbnail (overlay included) of the
    frame at each rep's lockout, keyed by rep index (for the HTML report). ``parts`` > 1
    renders that many ranges of the clip at once and joins them (`PARTS`), when the clip is
    long enough, short and small enough (`SPLIT_MAX_FRAMES`, `SPLIT_MAX_PIXELS`) and H.264 is
    available. ``tick()`` is called after each frame written (from the parts' threads).
    Raises `InputError` when ``source`` is a landmarks file (no video to annotate).
    """
    source = Path(source)
    if source.suffix.lower() == ".npz":
        raise InputError(f"{source}: no video to annotate (the input is a landmarks file)")
    start = time.perf_counter()
    with VideoReader(source) as reader:  # the parts read it again: a header read costs ~ms
        info = reader.info
    width, height = even_size(info.width, info.height)
    if width < 2 or height < 2:
        raise InputError(f"{source}: frames too small to encode ({info.width}x{info.height})")
    stride = int(report.series.meta.get("stride", "1"))
    expected = len(report.series) * stride
    split = (
        1 < parts <= expected // MIN_PART_FRAMES
        and len(report.series) <= SPLIT_MAX_FRAMES
        and width * height <= SPLIT_MAX_PIXELS
        and h264_available()
    )
    parts = parts if split else 1
    job = _Pass(source, report, width, height, info.fps, stride, crf, keyframes, tick)
    if parts == 1:
        frames, codec = job.render(out_path, 0, None, encoder_threads)
    else:
        bounds = [expected * k // parts for k in range(parts)]
        files = [out_path.with_name(f".{out_path.stem}.part{k}.mp4") for k in range(parts)]
        try:
            with ThreadPoolExecutor(parts, thread_name_prefix="formcheck-video") as pool:
                done = list(
                    pool.map(
                        lambda k: job.render(files[k], bounds[k], _next(bounds, k), 1),
                        range(parts),
                    )
                )
            # a clip shorter than its analysis leaves the later parts empty (and unwritten)
            join_mp4([f for f, (n, _) in zip(files, done, strict=True) if n] or files[:1], out_path)
        finally:
            for f in files:
                f.unlink(missing_ok=True)
        frames, codec = sum(n for n, _ in done), done[0][1]
    if frames < expected - stride + 1:
        log.warning("%s: annotated %d frames, the analysis covers %d", source, frames, expected)
    seconds = round(time.perf_counter() - start, 3)
    return {"frames": frames, "codec": codec, "seconds": seconds, "parts": parts}


def _next(bounds: list[int], k: int) -> int | None:
    return bounds[k + 1] if k + 1 < len(bounds) else None  # the last part reads to the end


class _Pass:
    """What every part of one video pass shares."""

    def __init__(
        self,
        source: Path,
        report: SetReport,
        width: int,
        height: int,
        fps: float,
        stride: int,
        crf: int,
        keyframes: dict[int, bytes] | None,
        tick: Callable[[], object] | None,
    ) -> None:
        self.source, self.report, self.crf, self.keyframes = source, report, crf, keyframes
        self.tick = tick
        # a clip analysed at every k-th frame: frames in between show the last analysed one
        self.width, self.height, self.fps, self.stride = width, height, fps, stride
        self.wanted = {rep.lockout_i: rep.index for rep in report.reps}

    def render(
        self, out: Path, first: int, stop: int | None, encoder_threads: int
    ) -> tuple[int, str]:
        """Frames ``first`` to ``stop - 1`` of the clip, drawn and encoded into ``out``."""
        report, width, height, keyframes = self.report, self.width, self.height, self.keyframes
        n, stride = len(report.series), self.stride
        with (
            VideoReader(self.source) as reader,
            VideoSink(out, width, height, self.fps, crf=self.crf, threads=encoder_threads) as sink,
        ):

            def drawn() -> Iterator[np.ndarray]:
                for frame in reader.frames(first, stop):
                    i = frame.index // stride
                    if i >= n:  # more frames than were analysed: stop
                        break
                    img = _fit(draw_overlay(frame.image_bgr, report, i), width, height)
                    if keyframes is not None and i in self.wanted and frame.index % stride == 0:
                        keyframes[self.wanted[i]] = thumbnail_jpeg(img)
                    yield img

            for img in drawn():
                sink.write(img)
                if self.tick is not None:
                    self.tick()
            return sink.frames_written, sink.codec


#: Key-frame thumbnails are this wide (pixels) in the HTML report.
THUMB_WIDTH = 480


def thumbnail_jpeg(img: np.ndarray, width: int = THUMB_WIDTH) -> bytes:
    scale = min(1.0, width / img.shape[1])
    small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


def lockout_thumbnails(source: Path, report: SetReport) -> dict[int, bytes]:
    """A JPEG thumbnail of each rep's lockout frame with the overlay drawn, by rep index, for
    the page when no video pass is made: each frame found by seeking (`frames_at`), not by
    decoding the clip; by decoding it when the clip cannot be sought. Each frame is made a
    thumbnail as it comes, so one full frame is held at a time."""
    series = report.series
    wanted = {float(series.timestamps_s[r.lockout_i]): r for r in report.reps}
    out: dict[int, bytes] = {}

    def thumbnail(t: float, img: np.ndarray) -> None:
        rep = wanted[t]
        out[rep.index] = thumbnail_jpeg(draw_overlay(img, report, rep.lockout_i))

    try:
        for t, img in frames_at(source, list(wanted), MAX_SIDE_PX):
            thumbnail(t, img)
    except Exception as exc:  # noqa: BLE001 - any PyAV failure: decode in order instead
        log.info("%s: cannot seek (%s); decoding up to the last lockout", source, exc)
        stride = int(series.meta.get("stride", "1"))
        by_index = {r.lockout_i * stride: t for t, r in wanted.items() if r.index not in out}
        with VideoReader(source) as reader:
            for frame in reader.frames(0, max(by_index, default=-1) + 1):
                if frame.index in by_index:
                    thumbnail(by_index[frame.index], frame.image_bgr)
    return out
