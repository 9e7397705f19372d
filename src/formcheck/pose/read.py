"""Video -> pose: the landmarks of a clip, tracked by one or more landmarkers at once
(`formcheck.pose.parallel`) at every frame or every k-th one (`formcheck.pose.track.
stride_for`), or replayed from a landmarks file saved earlier. What the pipeline calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from formcheck.landmarks.series import LANDMARKS_FORMAT, PoseSeries
from formcheck.pose.models import resolve_model
from formcheck.pose.parallel import track_segments
from formcheck.pose.track import DEFAULT_MAX_FPS, stride_for
from formcheck.processes import ProgressFn
from formcheck.video.reader import VideoReader

log = logging.getLogger(__name__)


def read_pose_series(
    path: Path,
    model: str | None = None,
    progress: ProgressFn | None = None,
    *,
    workers: int = 1,
    max_fps: float = DEFAULT_MAX_FPS,
    meanwhile: Callable[[], object] | None = None,
    in_workers: bool = False,
) -> tuple[PoseSeries, list[str]]:
    """Landmarks of ``path``: replayed from a saved .npz, or tracked with MediaPipe by
    ``workers`` landmarkers at once, at no more than ``max_fps`` frames per second.
    ``meanwhile`` is the caller's other work, done while the landmarkers run; ``in_workers``
    keeps even one landmarker out of this process (`formcheck.pose.parallel.track_segments`)."""
    if path.suffix.lower() == ".npz":  # saved by --save-landmarks (checked as it loads)
        log.info("replaying landmarks from %s (%s)", path, LANDMARKS_FORMAT)
        return PoseSeries.load(path), []
    with VideoReader(path) as reader:  # fail fast, with one line, before loading the model
        info = reader.info
    stride = stride_for(info.fps, max_fps)
    if stride > 1:
        log.info("%s: %.0f fps, analysing every %d frames", path.name, info.fps, stride)
    return track_segments(
        path, resolve_model(model), info, workers, stride, progress, meanwhile, in_workers
    )
