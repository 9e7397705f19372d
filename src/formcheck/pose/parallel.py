"""Both cores on one clip: the clip is cut into contiguous segments, each tracked by its own
landmarker in its own process, and the landmark series are stitched back in order.

A MediaPipe landmarker in VIDEO mode tracks from frame to frame, so each worker starts
``WARMUP_S`` before its segment (those frames only warm the tracker up) and its first kept
frame is tracked like a sequential run's. One segment (``workers=1``, a short clip, or a
header without a frame count) runs in this process with the same code. The last segment
always reads to the end of the stream, whatever the header said.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.landmarks.series import PoseFrame, PoseSeries
from formcheck.pose.track import ProgressFn, series_meta, track_frames, truncation_warning
from formcheck.video.reader import VideoInfo, VideoReader

log = logging.getLogger(__name__)

#: Seconds each worker tracks before its segment so that tracking is warm at its start.
WARMUP_S = 1.0
#: Fewer frames than this are not worth a process of their own (about 2 s of model time).
MIN_SEGMENT_FRAMES = 100
#: Measured on the 2-core development machine: a worker process needs ~1.3 s (spawn,
#: imports, model) before its first frame, and two landmarkers side by side take ~20 ms a
#: frame each. The first segment (tracked in this process, which starts at once) is made
#: longer by the frames the others lose, so that all finish together.
WORKER_START_S = 1.3
FRAME_S = 0.02


@dataclass(frozen=True)
class Segment:
    start: int  # first frame kept
    stop: int | None  # one past the last frame (None: to the end of the stream)
    warmup: int  # frames tracked before ``start`` and not kept


def plan_segments(frame_count: int, fps: float, workers: int, stride: int = 1) -> list[Segment]:
    """Contiguous segments covering the clip, at most ``workers`` of them; the first one,
    tracked in this process, is longer by what the workers lose to starting up. Counts are
    clip frames; with a stride of k, one frame in k is tracked."""
    analysed = frame_count // stride
    k = max(1, min(workers, analysed // MIN_SEGMENT_FRAMES)) if frame_count > 0 else 1
    if k == 1:
        return [Segment(0, None, 0)]
    warm = int(round(WARMUP_S * fps))
    # clip frames a worker could have tracked while starting up and warming up
    lost = (WORKER_START_S / FRAME_S) * stride + warm
    share = (frame_count - lost) / k  # what each worker's segment gets
    first = int(round(frame_count - (k - 1) * share))
    bounds = [0, first, *(first + round(j * share) for j in range(1, k))]
    bounds[-1] = frame_count
    return [
        Segment(a, b if j < k - 1 else None, min(warm, a))
        for j, (a, b) in enumerate(itertools.pairwise(bounds))
    ]


@dataclass(frozen=True)
class SegmentResult:
    timestamps: list[float]
    poses: list[PoseFrame | None]
    frames_read: int  # frames the reader went through (the last segment: the whole clip)


def track_segment(
    path: Path,
    model: Path,
    seg: Segment,
    stride: int,
    counter: Any = None,
) -> SegmentResult:
    """One landmarker over one segment (in a worker process, or in this one)."""
    from formcheck.pose.mediapipe_backend import MediaPipePose

    def count(_: int) -> None:
        if counter is not None:
            with counter.get_lock():
                counter.value += 1

    with VideoReader(path) as reader, MediaPipePose(model) as backend:
        frames = reader.frames(seg.start - seg.warmup, seg.stop, stride)
        ts, poses = track_frames(
            frames, backend, keep_from=seg.start, stride=stride, on_frame=count
        )
        return SegmentResult(ts, poses, reader.frames_read)


_COUNTER: Any = None


def _init_worker(counter: Any) -> None:
    global _COUNTER
    _COUNTER = counter
    import cv2

    cv2.setNumThreads(1)  # the other workers use the other cores


def _run_segment(path: Path, model: Path, seg: Segment, stride: int) -> SegmentResult:
    return track_segment(path, model, seg, stride, _COUNTER)


def track_segments(
    path: Path,
    model: Path,
    info: VideoInfo,
    workers: int,
    stride: int,
    progress: ProgressFn | None = None,
) -> tuple[PoseSeries, list[str]]:
    """The clip's landmark series, tracked by up to ``workers`` landmarkers at once."""
    segments = plan_segments(info.frame_count, info.fps, workers, stride)
    expected = info.frame_count // stride if info.frame_count else 0
    if len(segments) == 1:
        on_frame = (lambda i: progress(i // stride + 1, expected)) if progress else None
        from formcheck.pose.mediapipe_backend import MediaPipePose

        with VideoReader(path) as reader, MediaPipePose(model) as backend:
            frames = reader.frames(0, None, stride)
            ts, poses = track_frames(frames, backend, stride=stride, on_frame=on_frame)
            results = [SegmentResult(ts, poses, reader.frames_read)]
    else:
        results = _in_processes(path, model, segments, stride, progress, expected)
    timestamps = [t for r in results for t in r.timestamps]
    poses = [p for r in results for p in r.poses]
    meta = series_meta(path, "mediapipe", info, stride)
    if len(segments) > 1:
        meta["segments"] = str(len(segments))
    series = PoseSeries.from_frames(
        timestamps, poses, (info.width, info.height), info.fps / stride, meta
    )
    return series, truncation_warning(results[-1].frames_read, info)


def _in_processes(
    path: Path,
    model: Path,
    segments: list[Segment],
    stride: int,
    progress: ProgressFn | None,
    expected: int,
) -> list[SegmentResult]:
    """Segments 1.. in worker processes; segment 0 here meanwhile (one process fewer to start,
    and this one's model is loaded already by the time the workers have imported theirs)."""
    # spawn, not fork: a parent holding MediaPipe's threads cannot be forked safely
    ctx = multiprocessing.get_context("spawn")
    counter = ctx.Value("q", 0)
    log.info("%s: %d landmarkers on %d segments", path.name, len(segments), len(segments))
    with ProcessPoolExecutor(
        max_workers=len(segments) - 1,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(counter,),
    ) as pool:
        futures = [pool.submit(_run_segment, path, model, seg, stride) for seg in segments[1:]]
        watcher = _Progress(counter, progress, expected)
        with watcher:
            first = track_segment(path, model, segments[0], stride, counter)
            rest = [f.result() for f in futures]
    return [first, *rest]


class _Progress:
    """Reports the shared frame counter every 0.25 s from a thread while segments run."""

    def __init__(self, counter: Any, progress: ProgressFn | None, expected: int) -> None:
        self.counter, self.progress, self.expected = counter, progress, expected
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self._report()

    def _report(self) -> None:
        if self.progress:
            done = int(self.counter.value)
            self.progress(min(done, self.expected) if self.expected else done, self.expected)

    def __enter__(self) -> _Progress:
        if self.progress:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._report()
