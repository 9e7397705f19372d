"""Run a pose backend over a video (or load saved landmarks): the first two stages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from formcheck.landmarks.series import LANDMARKS_FORMAT, PoseFrame, PoseSeries
from formcheck.pose.base import PoseBackend
from formcheck.video.reader import VideoReader

log = logging.getLogger(__name__)

#: progress(frames_done, frames_expected); frames_expected is 0 when unknown.
ProgressFn = Callable[[int, int], None]


def track_video(
    path: Path, backend: PoseBackend, progress: ProgressFn | None = None
) -> tuple[PoseSeries, list[str]]:
    """Pose of every frame of ``path``, streamed; also returns warnings about the file."""
    warnings: list[str] = []
    timestamps: list[float] = []
    poses: list[PoseFrame | None] = []
    with VideoReader(path) as reader:
        info = reader.info
        for frame in reader:
            timestamps.append(frame.timestamp_s)
            poses.append(backend.estimate(frame.image_bgr, frame.timestamp_s))
            if progress:
                progress(frame.index + 1, info.frame_count)
        if reader.ended_early:
            warnings.append(
                f"the video ended early: {reader.frames_read} of {info.frame_count} frames "
                "could be decoded (truncated file?); analysed what was there"
            )
    meta = {"source": path.name, "backend": backend.name, "rotation_deg": str(info.rotation_deg)}
    series = PoseSeries.from_frames(timestamps, poses, (info.width, info.height), info.fps, meta)
    return series, warnings


def is_landmarks_file(path: Path) -> bool:
    return path.suffix.lower() == ".npz"


def read_pose_series(
    path: Path, model: str | None = None, progress: ProgressFn | None = None
) -> tuple[PoseSeries, list[str]]:
    """Landmarks of ``path``: replayed from a saved .npz, or tracked with MediaPipe."""
    if is_landmarks_file(path):
        log.info("replaying landmarks from %s (%s)", path, LANDMARKS_FORMAT)
        return PoseSeries.load(path), []
    from formcheck.pose.mediapipe_backend import MediaPipePose
    from formcheck.pose.models import resolve_model

    with VideoReader(path):  # fail fast, with one line, before loading the model
        pass
    with MediaPipePose(resolve_model(model)) as backend:
        return track_video(path, backend, progress)
