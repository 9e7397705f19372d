"""Typed pose values: one frame (`PoseFrame`) and a whole clip (`PoseSeries`).

Coordinates are in pixels of the upright (rotation-corrected) frame, x right and
y down; world coordinates are MediaPipe's metric landmarks (origin between the
hips, camera-aligned axes, metres). Missing values are NaN, never zero.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from formcheck.errors import InputError
from formcheck.landmarks.names import N_LANDMARKS

LANDMARKS_FORMAT = "formcheck-landmarks/1"
#: The per-frame arrays of a `PoseSeries` (their first axis is the frame).
_FRAME_ARRAYS = (
    "timestamps_s",
    "xy_px",
    "visibility",
    "world_xyz_m",
    "n_people",
    "plate_px",
    "picture_change",
    "far_plate_px",
)


@dataclass(frozen=True)
class PoseFrame:
    """One person's pose in one frame.

    xy_px (33, 2): image position in pixels; visibility (33,): MediaPipe's
    visibility in [0, 1]; world_xyz_m (33, 3): metric landmarks; plate_px (3,): centre x,
    y and radius in pixels of a weight plate over the hip (`formcheck.pose.plate`), or None;
    far_plate_px (3,): the same for the plate on the bar's other end, when seen.
    """

    timestamp_s: float
    xy_px: np.ndarray
    visibility: np.ndarray
    world_xyz_m: np.ndarray
    n_people: int = 1
    plate_px: np.ndarray | None = None
    far_plate_px: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.xy_px.shape != (N_LANDMARKS, 2):
            raise ValueError(f"xy_px must be (33, 2), got {self.xy_px.shape}")
        if self.visibility.shape != (N_LANDMARKS,):
            raise ValueError(f"visibility must be (33,), got {self.visibility.shape}")
        if self.world_xyz_m.shape != (N_LANDMARKS, 3):
            raise ValueError(f"world_xyz_m must be (33, 3), got {self.world_xyz_m.shape}")


@dataclass(frozen=True)
class PoseSeries:
    """A clip's poses as stacked arrays over T frames.

    timestamps_s (T,), xy_px (T, 33, 2), visibility (T, 33), world_xyz_m
    (T, 33, 3), n_people (T,) people detected per frame (0 = no detection, and
    then the landmark rows are NaN). image_size is (width, height) in pixels.
    plate_px (T, 3): a weight plate over the hip per frame (centre x, y, radius in pixels;
    NaN where none was found; landmarks saved before plates were looked for have none).
    far_plate_px (T, 3): the plate on the bar's other end, where it shows beside the near one.
    picture_change (T,): how much the picture changed from the frame before
    (`formcheck.video.cuts`; NaN where unknown: the first frame, live, older files).
    """

    timestamps_s: np.ndarray
    xy_px: np.ndarray
    visibility: np.ndarray
    world_xyz_m: np.ndarray
    n_people: np.ndarray
    image_size: tuple[int, int]
    fps: float
    meta: dict[str, str] = field(default_factory=dict)
    plate_px: np.ndarray = field(default_factory=lambda: np.full((0, 3), np.nan))
    picture_change: np.ndarray = field(default_factory=lambda: np.full(0, np.nan))
    far_plate_px: np.ndarray = field(default_factory=lambda: np.full((0, 3), np.nan))

    def __post_init__(self) -> None:
        t = self.timestamps_s.shape[0]
        if self.plate_px.shape == (0, 3) and t:
            object.__setattr__(self, "plate_px", np.full((t, 3), np.nan))
        if self.far_plate_px.shape == (0, 3) and t:
            object.__setattr__(self, "far_plate_px", np.full((t, 3), np.nan))
        if self.picture_change.shape == (0,) and t:
            object.__setattr__(self, "picture_change", np.full(t, np.nan))
        expected = {
            "timestamps_s": (self.timestamps_s, (t,)),
            "xy_px": (self.xy_px, (t, N_LANDMARKS, 2)),
            "visibility": (self.visibility, (t, N_LANDMARKS)),
            "world_xyz_m": (self.world_xyz_m, (t, N_LANDMARKS, 3)),
            "n_people": (self.n_people, (t,)),
            "plate_px": (self.plate_px, (t, 3)),
            "far_plate_px": (self.far_plate_px, (t, 3)),
            "picture_change": (self.picture_change, (t,)),
        }
        for name, (arr, shape) in expected.items():
            if arr.shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")

    def __len__(self) -> int:
        return int(self.timestamps_s.shape[0])

    @property
    def detected(self) -> np.ndarray:
        """(T,) bool: a person was detected in the frame."""
        return self.n_people > 0

    def with_arrays(
        self,
        xy_px: np.ndarray | None = None,
        world_xyz_m: np.ndarray | None = None,
        visibility: np.ndarray | None = None,
    ) -> PoseSeries:
        """A copy with some landmark arrays replaced (the series is immutable)."""
        return replace(
            self,
            xy_px=self.xy_px if xy_px is None else xy_px,
            world_xyz_m=self.world_xyz_m if world_xyz_m is None else world_xyz_m,
            visibility=self.visibility if visibility is None else visibility,
        )

    @classmethod
    def from_frames(
        cls,
        timestamps_s: Iterable[float],
        frames: Iterable[PoseFrame | None],
        image_size: tuple[int, int],
        fps: float,
        meta: dict[str, str] | None = None,
        picture_change: Iterable[float] | None = None,
    ) -> PoseSeries:
        """Stack per-frame results (None = no person) into a series."""
        ts = np.asarray(list(timestamps_s), dtype=float)
        frame_list = list(frames)
        t = len(frame_list)
        xy = np.full((t, N_LANDMARKS, 2), np.nan)
        vis = np.zeros((t, N_LANDMARKS))
        world = np.full((t, N_LANDMARKS, 3), np.nan)
        people = np.zeros(t, dtype=np.int16)
        plate, far = np.full((t, 3), np.nan), np.full((t, 3), np.nan)
        for i, f in enumerate(frame_list):
            if f is None:
                continue
            xy[i], vis[i], world[i], people[i] = f.xy_px, f.visibility, f.world_xyz_m, f.n_people
            if f.plate_px is not None:
                plate[i] = f.plate_px
            if f.far_plate_px is not None:
                far[i] = f.far_plate_px
        change = np.full(t, np.nan) if picture_change is None else np.asarray(list(picture_change))
        return cls(
            ts, xy, vis, world, people, image_size, fps, dict(meta or {}), plate, change, far
        )

    @classmethod
    def concat(
        cls,
        parts: Iterable[PoseSeries],
        image_size: tuple[int, int],
        fps: float,
        meta: dict[str, str] | None = None,
        total: int | None = None,
    ) -> PoseSeries:
        """Consecutive series (blocks of one clip) joined into one, in order.

        With ``total`` (the frames they hold together), the blocks are copied into arrays of
        that length one at a time as ``parts`` yields them: a lazy ``parts`` then never holds
        more than one block beside the result (10 minutes at 60 fps: 60 MB instead of 120)."""
        if total is not None:
            return cls._filled(parts, total, image_size, fps, meta)
        blocks = list(parts)
        if not blocks:
            return cls.from_frames([], [], image_size, fps, meta)
        return cls(
            np.concatenate([b.timestamps_s for b in blocks]),
            np.concatenate([b.xy_px for b in blocks]),
            np.concatenate([b.visibility for b in blocks]),
            np.concatenate([b.world_xyz_m for b in blocks]),
            np.concatenate([b.n_people for b in blocks]),
            image_size,
            fps,
            dict(meta or {}),
            np.concatenate([b.plate_px for b in blocks]),
            np.concatenate([b.picture_change for b in blocks]),
            np.concatenate([b.far_plate_px for b in blocks]),
        )

    @classmethod
    def _filled(
        cls,
        parts: Iterable[PoseSeries],
        total: int,
        image_size: tuple[int, int],
        fps: float,
        meta: dict[str, str] | None,
    ) -> PoseSeries:
        empty = cls.from_frames([], [], image_size, fps, meta)
        arrays = {
            name: np.empty((total, *getattr(empty, name).shape[1:]), getattr(empty, name).dtype)
            for name in _FRAME_ARRAYS
        }
        at = 0
        for block in parts:
            n = len(block)
            if at + n > total:
                raise ValueError(f"the blocks hold more than the {total} frames announced")
            for name, arr in arrays.items():
                arr[at : at + n] = getattr(block, name)
            at += n
        if at != total:
            raise ValueError(f"the blocks hold {at} frames, not the {total} announced")
        return cls(
            timestamps_s=arrays["timestamps_s"],
            xy_px=arrays["xy_px"],
            visibility=arrays["visibility"],
            world_xyz_m=arrays["world_xyz_m"],
            n_people=arrays["n_people"],
            image_size=image_size,
            fps=fps,
            meta=dict(meta or {}),
            plate_px=arrays["plate_px"],
            picture_change=arrays["picture_change"],
            far_plate_px=arrays["far_plate_px"],
        )

    def take(self, index: slice | np.ndarray) -> PoseSeries:
        """The frames at ``index`` (a slice, indices or a mask) as a series of their own."""
        return replace(
            self,
            timestamps_s=self.timestamps_s[index],
            xy_px=self.xy_px[index],
            visibility=self.visibility[index],
            world_xyz_m=self.world_xyz_m[index],
            n_people=self.n_people[index],
            plate_px=self.plate_px[index],
            picture_change=self.picture_change[index],
            far_plate_px=self.far_plate_px[index],
            meta=dict(self.meta),
        )

    def frame(self, i: int) -> PoseFrame | None:
        if not self.n_people[i]:
            return None
        return PoseFrame(
            float(self.timestamps_s[i]),
            self.xy_px[i],
            self.visibility[i],
            self.world_xyz_m[i],
            int(self.n_people[i]),
            self.plate_px[i] if np.isfinite(self.plate_px[i]).all() else None,
            self.far_plate_px[i] if np.isfinite(self.far_plate_px[i]).all() else None,
        )

    @staticmethod
    def is_landmarks_file(path: str | Path) -> bool:
        """Whether ``path`` is an .npz written by `save` (checks its format tag only)."""
        try:
            with np.load(Path(path), allow_pickle=False) as data:
                return "format" in data.files and str(data["format"]) == LANDMARKS_FORMAT
        except (OSError, ValueError):
            return False

    def save(self, path: str | Path) -> None:
        """Write a compressed .npz that `load` (and `formcheck analyze`) read back."""
        np.savez_compressed(
            Path(path),
            format=np.array(LANDMARKS_FORMAT),
            timestamps_s=self.timestamps_s,
            xy_px=self.xy_px.astype(np.float32),
            visibility=self.visibility.astype(np.float32),
            world_xyz_m=self.world_xyz_m.astype(np.float32),
            n_people=self.n_people,
            plate_px=self.plate_px.astype(np.float32),
            picture_change=self.picture_change.astype(np.float32),
            far_plate_px=self.far_plate_px.astype(np.float32),
            image_size=np.array(self.image_size),
            fps=np.array(self.fps),
            meta_keys=np.array(list(self.meta.keys()), dtype=str),
            meta_values=np.array(list(self.meta.values()), dtype=str),
        )

    @classmethod
    def load(cls, path: str | Path) -> PoseSeries:
        """Read a file written by `save`, checked whole (`_check_loaded`); raise InputError with
        one clear line otherwise."""
        try:
            with Path(path).open("rb") as f:
                if f.read(4) != b"PK\x03\x04":  # an .npz is a zip archive
                    raise InputError(
                        f"{path}: not a formcheck landmarks file (not an .npz archive)"
                    )
            with np.load(Path(path), allow_pickle=False) as z:
                if "format" not in z or str(z["format"]) != LANDMARKS_FORMAT:
                    raise InputError(f"{path}: not a formcheck landmarks file")
                meta = dict(zip(z["meta_keys"].tolist(), z["meta_values"].tolist(), strict=True))
                w, h = (int(v) for v in z["image_size"])
                fps = np.asarray(z["fps"])
                if fps.ndim != 0 or not np.issubdtype(fps.dtype, np.number):
                    raise InputError(f"{path}: damaged landmarks (fps is not one number)")
                series = cls(
                    z["timestamps_s"].astype(float),
                    z["xy_px"].astype(float),
                    z["visibility"].astype(float),
                    z["world_xyz_m"].astype(float),
                    z["n_people"],
                    (w, h),
                    float(fps),
                    meta,
                    z["plate_px"].astype(float) if "plate_px" in z else np.full((0, 3), np.nan),
                    z["picture_change"].astype(float)
                    if "picture_change" in z
                    else np.full(0, np.nan),
                    z["far_plate_px"].astype(float)
                    if "far_plate_px" in z
                    else np.full((0, 3), np.nan),
                )
        except PermissionError as exc:
            raise InputError(f"{path}: permission denied") from exc
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            raise InputError(f"{path}: cannot read landmarks ({reason})") from exc
        problem = _check_loaded(series)
        if problem:
            raise InputError(f"{path}: damaged landmarks ({problem})")
        return series


#: No recording of a set spans a day: frame times beyond it are damage, not a clip.
MAX_SPAN_S = 86_400.0


def _check_loaded(series: PoseSeries) -> str | None:
    """The first thing wrong with a loaded series, or None: the frame times must be finite
    and increasing, the frame rate and image size positive."""
    t = series.timestamps_s
    if not np.isfinite(t).all():
        return "frame times that are not numbers"
    if len(t) > 1 and not (np.diff(t) > 0).all():
        return "frame times that do not increase"
    if len(t) and (abs(t[0]) > MAX_SPAN_S or t[-1] - t[0] > MAX_SPAN_S):
        return f"frame times beyond a day ({t[0]:.3g} to {t[-1]:.3g} s)"
    if not (np.isfinite(series.fps) and series.fps > 0):
        return f"frame rate {series.fps}"
    if min(series.image_size) <= 0:
        return f"image size {series.image_size[0]}x{series.image_size[1]}"
    return None
