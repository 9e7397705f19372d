"""One pose backend over a stream of frames: `track_frames`, the one-landmarker loop, and the
frame stride of clips above ``max_fps``. `formcheck.pose.parallel` runs it in segments;
`formcheck.pose.read` is the entry point the pipeline calls.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from formcheck.landmarks.series import PoseFrame
from formcheck.pose.base import PoseBackend
from formcheck.video.cuts import ContentChange
from formcheck.video.reader import TRUNCATION_RATIO, Frame, VideoInfo, prefetched

log = logging.getLogger(__name__)

#: By default every frame is analysed. ``max_fps=30`` analyses faster clips at every k-th
#: frame: about 1.8x faster on 60 fps clips with the same rep counts, but one of the two
#: reps of ../shared's 60 fps glute bridge changed its rushed_eccentric verdict (a descent at
#: the 1 s threshold), so it is opt-in (docs/PERFORMANCE.md).
DEFAULT_MAX_FPS = 0.0


def stride_for(fps: float, max_fps: float) -> int:
    """Analyse every k-th frame so that the analysed rate stays at or under ``max_fps``
    (0 = every frame). 60 fps -> 2, 50 fps -> 2 (25 fps), 120 fps -> 4, 30 fps -> 1."""
    if max_fps <= 0 or fps <= max_fps * 1.1:
        return 1
    return max(1, math.ceil(fps / max_fps - 0.1))


#: Tracked frames are handed on in blocks of this many (as arrays, `PoseSeries`), so a worker
#: can send each block on as it is done and its memory does not grow with the clip.
BLOCK_FRAMES = 256


def track_frames(
    frames: Iterable[Frame],
    backend: PoseBackend,
    *,
    keep_from: int = 0,
    stride: int = 1,
    on_frame: Callable[[int], None] | None = None,
    prefetch: bool = True,
    block_frames: int = BLOCK_FRAMES,
) -> Iterator[tuple[list[float], list[PoseFrame | None], list[float]]]:
    """Pose of every ``stride``-th frame (by clip index, so segments agree on which), yielded
    in blocks of up to ``block_frames`` (timestamps, poses, picture changes); frames before
    ``keep_from`` only warm the tracker up and are not yielded. ``prefetch`` decodes in a
    thread beside the model, and measures there how much the picture changed (camera cuts):
    ~1 ms a frame off the model's thread, which a lone landmarker's process gets back from
    the other core."""
    timestamps: list[float] = []
    poses: list[PoseFrame | None] = []
    changes: list[float] = []
    analysed = _with_change(frames, stride)
    for frame, picture in prefetched(analysed) if prefetch else analysed:
        pose = backend.estimate(frame.image_bgr, frame.timestamp_s)
        if frame.index >= keep_from:
            timestamps.append(frame.timestamp_s)
            poses.append(pose)
            changes.append(picture)
        if on_frame:
            on_frame(frame.index)
        if len(timestamps) >= block_frames:
            yield timestamps, poses, changes
            timestamps, poses, changes = [], [], []
    if timestamps:
        yield timestamps, poses, changes


def _with_change(frames: Iterable[Frame], stride: int) -> Iterator[tuple[Frame, float]]:
    """Every ``stride``-th frame (by clip index) with how much its picture changed from the
    analysed frame before (camera cuts are told from the picture, not the pose)."""
    change = ContentChange()
    for frame in frames:
        if frame.index % stride == 0:
            yield frame, change(frame.image_bgr)


def truncation_warning(frames_read: int, info: VideoInfo) -> list[str]:
    if info.frame_count > 0 and frames_read < TRUNCATION_RATIO * info.frame_count:
        return [
            f"the video ended early: {frames_read} of {info.frame_count} frames "
            "could be decoded (truncated file?); analysed what was there"
        ]
    return []


def series_meta(path: Path, backend: str, info: VideoInfo, stride: int) -> dict[str, str]:
    meta = {"source": path.name, "backend": backend, "rotation_deg": str(info.rotation_deg)}
    if stride > 1:
        meta["stride"] = str(stride)
    return meta
