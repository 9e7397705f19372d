"""Both cores on one clip: the clip is cut into contiguous segments, each tracked by its own
landmarker in its own process, and the landmark series are stitched back in order.

A MediaPipe landmarker in VIDEO mode tracks from frame to frame, so each worker starts
``WARMUP_FRAMES`` before its segment (those frames only warm the tracker up) and its first
kept frame is tracked like a sequential run's. The last segment always reads to the end of
the stream, whatever the header said.

One segment (``workers=1``, a clip too short to split, or a header without a frame count)
is tracked in this process, unless the clip is long (`TRACK_HERE_MAX_FRAMES`) or the caller
asks for ``in_workers``. Otherwise every segment, the first included, is tracked in a worker
process while this process imports what the analysis needs, and each worker pickles its
landmarks to a spill file block by block (`BLOCK_FRAMES`) as it tracks. So no process holds
both the pose model and the analysis: the analysis' memory grows with the clip's length and
the pose model's does not, and apart they peak at the larger of the two instead of their sum
(docs/PERFORMANCE.md).

The segments are planned from the frame count alone, so a clip gives the same result every
time it is analysed with the same number of workers. The measurements behind the constants
below are in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import itertools
import logging
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from formcheck.landmarks.series import PoseSeries
from formcheck.pose.base import PoseBackend
from formcheck.pose.track import series_meta, track_frames, truncation_warning
from formcheck.processes import CounterProgress, ProgressFn, count_one, start_context, worker_pool
from formcheck.video.reader import VideoInfo, VideoReader

log = logging.getLogger(__name__)

#: Analysed frames each worker tracks before its segment, so that tracking is warm at its start
#: (fewer left a segment's first hip angles several degrees off a sequential run's).
WARMUP_FRAMES = 30
#: Fewer analysed frames per landmarker than this are not worth starting one more (a worker
#: needs ~1 s of a core to start: interpreter, imports, model).
MIN_SEGMENT_FRAMES = 100
#: What a frame a worker skips to reach its segment costs (grabbed: decoded, not converted),
#: as a share of a tracked frame.
GRAB_SHARE = 0.05
#: A clip with more analysed frames than this is tracked in a worker process even by one
#: landmarker (2 minutes at 30 fps): this process then never loads the pose model beside the
#: analysis of a long clip (the 400 MB bound).
TRACK_HERE_MAX_FRAMES = 3600


@dataclass(frozen=True)
class Segment:
    start: int  # first frame kept
    stop: int | None  # one past the last frame kept (None: to the end of the stream)
    warmup: int  # frames tracked before ``start`` and not kept


def plan_segments(
    frame_count: int,
    workers: int,
    stride: int = 1,
    warmup: int = WARMUP_FRAMES,
    min_frames: int = MIN_SEGMENT_FRAMES,
) -> list[Segment]:
    """Contiguous segments covering the clip, at most ``workers`` of them, sized so that all
    finish together: a worker also tracks ``warmup`` analysed frames before its segment and
    first skips to it (`GRAB_SHARE`). Counts are clip frames; with a stride of k, one frame
    in k is tracked and ``warmup`` counts tracked frames."""
    analysed = frame_count // stride
    k = max(1, min(workers, analysed // min_frames)) if frame_count > 0 else 1
    if k == 1:
        return [Segment(0, None, 0)]
    warm = warmup * stride
    # In clip frames of strided tracking: segment 0 costs its length; a worker's segment
    # starting at s also costs its warm-up and skipping the s - warm frames before it (each
    # grabbed, `GRAB_SHARE` of a tracked frame). All cost the same C: the starts follow from
    # C, and C is found by bisection so that the last segment ends at the clip's end.
    skip = GRAB_SHARE * stride / (1 + GRAB_SHARE * (stride - 1))

    def ends_at(cost: float) -> list[float]:
        starts = [0.0, cost]
        for _ in range(k - 1):
            s = starts[-1]
            starts.append(s + cost - warm - skip * max(0.0, s - warm))
        return starts

    lo, hi = 0.0, float(frame_count + warm)
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ends_at(mid)[-1] < frame_count else (lo, mid)
    bounds = [int(round(b / stride)) * stride for b in ends_at(hi)[:-1]] + [frame_count]
    return [
        Segment(a, b if j < k - 1 else None, min(warm, a))
        for j, (a, b) in enumerate(itertools.pairwise(bounds))
    ]


@dataclass(frozen=True)
class SegmentResult:
    blocks: Iterable[PoseSeries]  # the kept frames, in order (read back lazily when spilled)
    frames_read: int  # frames the reader went through (the last segment: the whole clip)
    frames_kept: int  # frames in ``blocks``


def track_segment(
    path: Path,
    model: Path,
    seg: Segment,
    stride: int,
    *,
    on_frame: Callable[[int], None] | None = None,
    on_ready: Callable[[], object] | None = None,
    make_backend: Callable[[Path], PoseBackend] | None = None,
    keep: Callable[[PoseSeries], object] | None = None,
) -> SegmentResult:
    """One landmarker over one segment (in a worker process, or in this one). ``on_ready``
    is called once the landmarker is loaded; ``make_backend`` defaults to MediaPipe.
    ``keep`` takes each block of tracked frames as it is done; without it they are returned."""
    if make_backend is None:
        from formcheck.pose.mediapipe_backend import MediaPipePose

        make_backend = MediaPipePose
    blocks: list[PoseSeries] = []
    kept = 0
    with make_backend(model) as backend, VideoReader(path) as reader:
        if on_ready is not None:
            on_ready()
        size, fps = (reader.info.width, reader.info.height), reader.info.fps / stride
        frames = reader.frames(seg.start - seg.warmup, seg.stop, stride)
        tracked = track_frames(
            frames, backend, keep_from=seg.start, stride=stride, on_frame=on_frame
        )
        for ts, poses, changes in tracked:
            block = PoseSeries.from_frames(ts, poses, size, fps, picture_change=changes)
            (blocks.append if keep is None else keep)(block)
            kept += len(block)
        return SegmentResult(blocks, reader.frames_read, kept)


_COUNTER: Any = None


def _init_worker(counter: Any) -> None:
    global _COUNTER
    _COUNTER = counter
    import cv2

    cv2.setNumThreads(1)  # the other workers use the other cores


def _run_segment(
    path: Path, model: Path, seg: Segment, stride: int, spill: Path
) -> tuple[int, int]:
    """A worker's segment, each block pickled to ``spill`` as it is done (so the worker's
    memory does not grow with the clip, and nothing large goes back through the pipe).
    Returns the frames read and the frames kept."""
    with spill.open("wb") as f:
        keep = partial(pickle.dump, file=f, protocol=pickle.HIGHEST_PROTOCOL)
        done = track_segment(
            path, model, seg, stride, on_frame=lambda _: count_one(_COUNTER), keep=keep
        )
        return done.frames_read, done.frames_kept


def _unspill(spill: Path) -> Iterator[PoseSeries]:
    """A worker's blocks, read back one at a time (the file is deleted once read)."""
    with spill.open("rb") as f:
        while f.peek(1):
            yield pickle.load(f)  # written by this run's own worker
    spill.unlink()


def track_segments(
    path: Path,
    model: Path,
    info: VideoInfo,
    workers: int,
    stride: int,
    progress: ProgressFn | None = None,
    meanwhile: Callable[[], object] | None = None,
    in_workers: bool = False,
) -> tuple[PoseSeries, list[str]]:
    """The clip's landmark series, tracked by up to ``workers`` landmarkers at once.

    ``meanwhile`` is the caller's other work (a pipeline's imports): called once the
    landmarker is loaded when one tracks in this process (a thread then uses the free core),
    or while the workers track. ``in_workers`` tracks in a worker even with one landmarker:
    what a run alone on the machine wants (``formcheck analyze``), so the caller's work does
    not wait on the landmarker's GIL. A batch, whose jobs already fill the cores, keeps each
    clip in its job's process.
    """
    segments = plan_segments(info.frame_count, workers, stride)
    expected = info.frame_count // stride if info.frame_count else 0
    meta = series_meta(path, "mediapipe", info, stride)
    if len(segments) > 1:
        meta["segments"] = str(len(segments))
    size, fps = (info.width, info.height), info.fps / stride
    if len(segments) == 1 and not in_workers and expected <= TRACK_HERE_MAX_FRAMES:
        on_frame = (lambda i: progress(i // stride + 1, expected)) if progress else None
        seg = segments[0]
        results = [track_segment(path, model, seg, stride, on_frame=on_frame, on_ready=meanwhile)]
        series = _joined(results, size, fps, meta)
    else:
        with tempfile.TemporaryDirectory(prefix="formcheck-") as tmp:
            results = _in_workers(
                path, model, segments, stride, progress, expected, meanwhile, Path(tmp)
            )
            series = _joined(results, size, fps, meta)  # read back from the spill files
    return series, truncation_warning(results[-1].frames_read, info)


def _joined(
    results: list[SegmentResult], size: tuple[int, int], fps: float, meta: dict[str, str]
) -> PoseSeries:
    """The segments' blocks in one series, copied into place one block at a time."""
    blocks = (b for r in results for b in r.blocks)
    total = sum(r.frames_kept for r in results)
    return PoseSeries.concat(blocks, size, fps, meta, total=total)


def _in_workers(
    path: Path,
    model: Path,
    segments: list[Segment],
    stride: int,
    progress: ProgressFn | None,
    expected: int,
    meanwhile: Callable[[], object] | None,
    tmp: Path,
) -> list[SegmentResult]:
    """Each segment in a worker process (the first one too: this process goes on to hold
    the analysis, and should not also hold the pose model); ``meanwhile`` here as they run.
    Each worker's blocks are spilled to a file in ``tmp``, read back as they are joined."""
    context = start_context(fork_if_safe=True)  # this process holds nothing large yet
    counter = context.Value("q", 0)
    spans = ", ".join(f"[{s.start}, {s.stop if s.stop is not None else 'end'})" for s in segments)
    how = context.get_start_method()
    log.info("%s: %d landmarkers (%s) on %s", path.name, len(segments), how, spans)
    with worker_pool(len(segments), _init_worker, (counter,), context) as pool:
        spills = [tmp / f"segment{k}.pickle" for k in range(len(segments))]
        futures = [
            pool.submit(_run_segment, path, model, seg, stride, spill)
            for seg, spill in zip(segments, spills, strict=True)
        ]
        with CounterProgress(counter, progress, expected):
            if meanwhile is not None:
                meanwhile()
            done = [f.result() for f in futures]
    return [
        SegmentResult(_unspill(s), read, kept) for s, (read, kept) in zip(spills, done, strict=True)
    ]
