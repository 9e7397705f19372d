"""Write BGR frames to a browser-playable H.264 mp4 (PyAV), with an mp4v fallback.

PyAV's wheels ship FFmpeg with libx264, so no system FFmpeg is needed. When
libx264 is unavailable the writer falls back to OpenCV's mp4v (MPEG-4 Part 2),
which desktop players read but browsers do not, and logs a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import numpy as np

log = logging.getLogger(__name__)

#: libx264's rate-control look-ahead, frames (its buffers are most of its memory at 1080p).
RC_LOOKAHEAD = 5


class VideoSink:
    """Context manager that encodes BGR uint8 frames of one fixed size.

    Frames are timestamped at a constant ``fps`` (float rates such as 29.97 are
    kept as a rational). ``crf`` is x264's constant rate factor (lower = better,
    23 = default quality, 28 = small files); ``threads`` is the encoder's thread count
    (0 = libx264 decides).
    """

    def __init__(
        self,
        path: str | Path,
        width: int,
        height: int,
        fps: float,
        *,
        crf: int = 23,
        preset: str = "veryfast",
        threads: int = 0,
    ) -> None:
        if width % 2 or height % 2:
            raise ValueError(f"H.264 needs even frame sizes, got {width}x{height}")
        self.path = Path(path)
        self.width, self.height, self.fps = width, height, fps
        self.codec = "h264"
        self._crf, self._preset, self._threads = crf, preset, threads
        self._container: Any = None
        self._stream: Any = None
        self._cv_writer: Any = None
        self._count = 0
        self._last_pts = -1
        self._time_base = Fraction(1, 30)

    def __enter__(self) -> VideoSink:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._open_pyav()
        except Exception as exc:  # noqa: BLE001 - any codec/FFmpeg failure means fallback
            log.warning("H.264 encoder unavailable (%s); writing mp4v instead", exc)
            self._open_opencv()
        return self

    def _open_pyav(self) -> None:
        import av

        rate = Fraction(self.fps).limit_denominator(1001)
        self._time_base = 1 / rate
        container = av.open(str(self.path), mode="w")
        try:
            stream = container.add_stream("libx264", rate=rate)
            stream.width, stream.height = self.width, self.height
            stream.pix_fmt = "yuv420p"
            stream.options = {
                "crf": str(self._crf),
                "preset": self._preset,
                # 5 frames of look-ahead instead of veryfast's 10: -40 MB at 1080p, the same
                # speed and file size (docs/PERFORMANCE.md)
                "rc-lookahead": str(RC_LOOKAHEAD),
            }
            if self._threads:
                stream.codec_context.thread_count = self._threads
        except Exception:
            container.close()
            raise
        self._container, self._stream = container, stream

    def _open_opencv(self) -> None:
        fourcc = cv2.VideoWriter.fourcc(*"mp4v")
        self._cv_writer = cv2.VideoWriter(
            str(self.path), fourcc, self.fps, (self.width, self.height)
        )
        if not self._cv_writer.isOpened():
            raise OSError(f"cannot open a video writer for {self.path}")
        self.codec = "mp4v"

    def write(self, frame_bgr: np.ndarray, timestamp_s: float | None = None) -> None:
        """Append one (H, W, 3) uint8 BGR frame.

        ``timestamp_s`` (from the first frame) gives frames their real time, for a camera
        that dropped frames (variable frame rate); by default frames are 1/fps apart.
        The mp4v fallback ignores it.
        """
        if frame_bgr.shape[:2] != (self.height, self.width):
            raise ValueError(
                f"frame is {frame_bgr.shape[1]}x{frame_bgr.shape[0]}, "
                f"writer expects {self.width}x{self.height}"
            )
        if self._cv_writer is not None:
            self._cv_writer.write(frame_bgr)
        else:
            import av

            # OpenCV's BGR -> I420 matches swscale's (BT.601, limited range) at a tenth of its
            # cost (0.25 vs 2.1 ms per 720p frame here)
            yuv = cv2.cvtColor(np.ascontiguousarray(frame_bgr), cv2.COLOR_BGR2YUV_I420)
            frame = av.VideoFrame.from_ndarray(yuv.astype(np.uint8, copy=False), format="yuv420p")
            pts = self._count if timestamp_s is None else round(timestamp_s / self._time_base)
            pts = max(pts, self._last_pts + 1)
            frame.pts, frame.time_base = pts, self._time_base
            self._last_pts = pts
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        self._count += 1

    @property
    def frames_written(self) -> int:
        return self._count

    def close(self) -> None:
        if self._cv_writer is not None:
            self._cv_writer.release()
            self._cv_writer = None
        if self._container is not None:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
            self._container = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def h264_available() -> bool:
    """Whether PyAV and its libx264 encoder are there (`VideoSink` falls back to mp4v)."""
    try:
        import av

        av.codec.Codec("libx264", "w")
    except Exception:  # noqa: BLE001 - missing module, codec or library: all mean no
        return False
    return True


def join_mp4(parts: Sequence[Path], out: Path) -> None:
    """Join MP4 files, each one H.264 stream written by `VideoSink` with the same settings and
    size, into ``out`` without re-encoding: packets are copied, each part's times shifted to
    follow the previous part's end. Raises ValueError when the parts' codec parameters differ
    (their packets would not decode with the first part's)."""
    import av

    with av.open(str(out), mode="w") as dst:
        stream: Any = None
        extradata: bytes | None = None
        offset = 0
        for part in parts:
            with av.open(str(part)) as src:
                video = src.streams.video[0]
                if stream is None:
                    stream = dst.add_stream_from_template(video)
                    extradata = video.codec_context.extradata
                elif video.codec_context.extradata != extradata:
                    raise ValueError(
                        f"{part.name}: its H.264 parameters differ from the first part's"
                    )
                end = offset
                for packet in src.demux(video):
                    if packet.dts is None or packet.pts is None:  # the end-of-stream marker
                        continue
                    packet.dts += offset
                    packet.pts += offset
                    end = max(end, packet.pts + (packet.duration or 0))
                    packet.stream = stream
                    dst.mux(packet)
                offset = end
