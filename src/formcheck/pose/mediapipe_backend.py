"""MediaPipe Tasks PoseLandmarker (VIDEO running mode) as a `PoseBackend`.

mediapipe is imported here only, so ``import formcheck`` stays light. Landmarks
are converted to pixels of the frame before any geometry (normalised x and y
have different units when the frame is not square).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from formcheck.landmarks.names import joint
from formcheck.landmarks.series import PoseFrame
from formcheck.memory import return_freed_memory
from formcheck.pose.plate import find_far_plate, find_plate
from formcheck.pose.zoom import (
    Crop,
    crop_around,
    follow,
    holds,
    is_small,
    pick_lifter,
    strips,
    tiles,
)

log = logging.getLogger(__name__)


#: Seconds between two counts of the people in view (a second, IMAGE-mode landmarker).
CROWD_CHECK_S = 4.0
_CROWD_MAX = 3
#: A pose found while picking the lifter counts when its shoulders, hips and knees are seen
#: this well (mean visibility): a body cut at a strip's edge is not a person to pick.
MIN_PERSON_VIS = 0.5
_TRUNK_AND_KNEES = [joint(j, s) for j in ("shoulder", "hip", "knee") for s in ("left", "right")]
#: The first frames make MediaPipe log set-up messages; they run with fd 2 silenced.
_CHATTY_FRAMES = 2


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for a moment.

    MediaPipe's C++ code (absl, TFLite) logs set-up chatter straight to fd 2 when a
    model loads and on the first frame, ignoring GLOG_minloglevel; users should
    see formcheck's messages only. Python exceptions are unaffected (raised, not
    printed).
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with Path(os.devnull).open("wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _Deferred(types.ModuleType):
    """Stands in for a module while mediapipe imports; the first attribute used imports the
    real module."""

    def __getattr__(self, attr: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


def import_mediapipe() -> types.ModuleType:
    """``import mediapipe``, without matplotlib.pyplot.

    mediapipe's package imports all its tasks, and its drawing utilities import
    matplotlib.pyplot: 0.3 s and 36 MB of every process that tracks, for plotting formcheck
    never does. While mediapipe loads, matplotlib and pyplot are stand-ins that import the
    real modules on first use; sys.modules holds them only during that import, so any later
    ``import matplotlib.pyplot`` gets the real module.
    """
    if "mediapipe" in sys.modules:
        return sys.modules["mediapipe"]
    names = [n for n in ("matplotlib", "matplotlib.pyplot") if n not in sys.modules]
    stand_ins = {n: _Deferred(n) for n in names}
    if len(stand_ins) == 2:  # ``import matplotlib.pyplot as plt`` looks pyplot up on its parent
        stand_ins["matplotlib"].__dict__["pyplot"] = stand_ins["matplotlib.pyplot"]
    sys.modules.update(stand_ins)
    try:
        import mediapipe
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    return mediapipe


#: The plate over the hip is looked for this often (ms) and held in between: 10 searches a
#: second cost ~3% of the pose estimate at 30 fps (benchmarks/bench_plate.py).
PLATE_EVERY_MS = 100


#: When the whole frame shows nobody, zoomed tiles are searched at most this often (s):
#: 9 tiles cost ~0.5 s, so a clip with nobody in it is slowed by at most a half.
SEARCH_EVERY_S = 1.0
#: Once a lifter has been found, tiles are searched only after nobody is found for this long
#: (s): a head hidden at a lockout or a camera cut loses them for less.
SEARCH_AFTER_S = 1.0
#: A lifter not found in their window for this long (s): back to the whole frame.
LOST_S = 1.0


class MediaPipePose:
    """Pose Landmarker in VIDEO mode over a `.task` bundle.

    The tracker follows one person (``num_poses=1``: asking it for two makes its
    detector run on every frame, +70% time). Every ``crowd_check_s`` seconds a
    second landmarker in IMAGE mode counts the people in view, so reports can
    warn about several people for about 0.5 ms per frame. With ``num_poses`` > 1
    the person kept is the one nearest the previously kept one. With ``find_plates`` each
    pose also carries the weight plate over its hip, if any (`formcheck.pose.plate`). With
    ``zoom``, when the whole frame shows nobody, zoomed tiles are searched (at most every
    SEARCH_EVERY_S) and a lifter found there is tracked in a window that follows them
    (`formcheck.pose.zoom`) until they are lost for LOST_S. When the first count finds several
    people and the tracker follows someone other than the lifter (`zoom.pick_lifter`: lying
    down, nearest the middle of the picture), the lifter is tracked in a window of their own
    from then on, as a small one is (a bystander, or stacked panels of a comparison video).
    """

    name = "mediapipe"

    def __init__(
        self,
        model_path: str | Path,
        *,
        num_poses: int = 1,
        min_detection: float = 0.5,
        min_presence: float = 0.5,
        min_tracking: float = 0.5,
        crowd_check_s: float | None = CROWD_CHECK_S,
        find_plates: bool = True,
        zoom: bool = True,
    ) -> None:
        import_mediapipe()
        from mediapipe.tasks.python.core.base_options import BaseOptions
        from mediapipe.tasks.python.vision import PoseLandmarker, PoseLandmarkerOptions
        from mediapipe.tasks.python.vision.core.vision_task_running_mode import (
            VisionTaskRunningMode,
        )

        options = PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=VisionTaskRunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=min_detection,
            min_pose_presence_confidence=min_presence,
            min_tracking_confidence=min_tracking,
        )
        self._options = options
        with native_stderr_silenced():
            self._landmarker: Any = PoseLandmarker.create_from_options(options)
        self._counter: Any = None
        if crowd_check_s:
            with native_stderr_silenced():
                self._counter = PoseLandmarker.create_from_options(
                    PoseLandmarkerOptions(
                        base_options=BaseOptions(model_asset_path=str(model_path)),
                        running_mode=VisionTaskRunningMode.IMAGE,
                        num_poses=_CROWD_MAX,
                        min_pose_detection_confidence=min_detection,
                        min_pose_presence_confidence=min_presence,
                    )
                )
        self._finder: Any = None  # IMAGE mode, for zoomed tiles (made when first needed)
        self._finder_options = PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=VisionTaskRunningMode.IMAGE,
            num_poses=1,
            min_pose_detection_confidence=min_detection,
            min_pose_presence_confidence=min_presence,
        )
        self.zoom = zoom
        self._crop: Crop | None = None
        self._chosen = False  # the crop is the lifter picked among several people
        self._picked = False  # and that choice has been made
        self._crop_seen_s = 0.0
        self._found_s: float | None = None  # when a lifter was last found
        self._found_small = False  # and whether they were small in the frame
        self._next_search_s = 0.0
        self.find_plates = find_plates
        self._plate: np.ndarray | None = None
        self._far: np.ndarray | None = None
        self._next_plate_ms = 0
        self._crowd_every_s = crowd_check_s or 0.0
        self._next_check_s = 0.0
        self._people = 1
        self._last_ms = -1
        self._frames = 0
        self._last_center: np.ndarray | None = None

    def estimate(self, image_bgr: np.ndarray | None, timestamp_s: float) -> PoseFrame | None:
        import mediapipe as mp

        if image_bgr is None:
            raise ValueError("the MediaPipe backend needs an image")
        ms = max(int(round(timestamp_s * 1000.0)), self._last_ms + 1)
        self._last_ms = ms
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        h, w = image_bgr.shape[:2]
        crop = self._crop
        seen = crop.cut(rgb) if crop else rgb
        view = mp.Image(image_format=mp.ImageFormat.SRGB, data=seen) if crop else image
        with native_stderr_silenced() if self._frames < _CHATTY_FRAMES else nullcontext():
            result = self._landmarker.detect_for_video(view, ms)
            if crop is None:
                crop = self._crop = self._count_people(image, rgb, result, timestamp_s)
                if crop is None and not result.pose_landmarks and self._search_due(timestamp_s):
                    crop = self._crop = self._search(rgb, timestamp_s)
                if crop is not None:  # track the lifter in their window from this frame on
                    view = mp.Image(image_format=mp.ImageFormat.SRGB, data=crop.cut(rgb))
                    self._last_ms = ms = ms + 1  # the tracker's second look at this frame
                    result = self._landmarker.detect_for_video(view, ms)
            else:
                self._count_people(image, rgb, None, timestamp_s)
        self._frames += 1
        if not result.pose_landmarks:
            if crop is not None and timestamp_s - self._crop_seen_s > LOST_S:
                log.info("lost the lifter in their window at %.1f s", timestamp_s)
                self._crop, self._chosen, self._picked = None, False, False
            return None
        people = max(len(result.pose_landmarks), self._people, 1)
        poses = [_to_arrays(lms, crop, w, h) for lms in result.pose_landmarks]
        k = self._pick(poses)
        xy, vis = poses[k]
        world = np.array([[p.x, p.y, p.z] for p in result.pose_world_landmarks[k]], dtype=float)
        self._last_center = np.nanmean(xy, axis=0)
        self._found_s, self._found_small = timestamp_s, is_small(xy, w, h)
        if crop is not None:  # follow the lifter; a small one back to the whole frame once big
            self._crop_seen_s = timestamp_s
            keep = self._chosen or self._found_small
            self._crop = follow(crop, xy, w, h, keep_aspect=not self._chosen) if keep else None
        plate, far = self._plates_at(image_bgr, xy, ms)
        return PoseFrame(timestamp_s, xy, vis, world, people, plate, far)

    def _plates_at(
        self, image_bgr: np.ndarray, xy: np.ndarray, ms: int
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The plate over the hip and the one on the bar's far end, looked for every
        PLATE_EVERY_MS and held in between (they move with the hips, a few pixels a frame;
        3-5 ms a search, the far one only beside a near one)."""
        if not self.find_plates:
            return None, None
        if ms >= self._next_plate_ms:
            self._plate = find_plate(image_bgr, xy)
            self._far = None if self._plate is None else find_far_plate(image_bgr, self._plate)
            self._next_plate_ms = ms + PLATE_EVERY_MS
        return self._plate, self._far

    def _count_people(
        self, whole: Any, rgb: np.ndarray, tracked: Any, timestamp_s: float
    ) -> Crop | None:
        """Now and then, count the people in the ``whole`` frame. The first time several are
        seen, with the tracker's result on the whole frame (``tracked``): the window to follow
        the lifter in when the tracker follows someone else, else None."""
        if self._counter is None or timestamp_s < self._next_check_s:
            return None
        import mediapipe as mp

        h, w = rgb.shape[:2]
        found = self._counter.detect(whole).pose_landmarks
        self._people = len(found)
        self._next_check_s = timestamp_s + self._crowd_every_s
        if self._picked or len(found) < 2 or tracked is None:
            return None
        self._picked = True
        poses = [_to_arrays(lms, None, w, h) for lms in found]
        for strip in strips(w, h):  # people the whole frame is too small to show: ~0.3 s once
            part = mp.Image(image_format=mp.ImageFormat.SRGB, data=strip.cut(rgb))
            in_strip = self._counter.detect(part).pose_landmarks
            poses += [_to_arrays(lms, strip, w, h) for lms in in_strip]
        seen = [xy for xy, vis in poses if np.mean(vis[_TRUNK_AND_KNEES]) >= MIN_PERSON_VIS]
        k = pick_lifter(seen, w, h)
        if k is None:
            return None
        if tracked.pose_landmarks:
            now = np.nanmean(_to_arrays(tracked.pose_landmarks[0], None, w, h)[0], axis=0)
            if holds(seen[k], now):  # already the lifter
                return None
        log.info("%d people in view: following the one lying nearest the middle", len(found))
        self._chosen, self._crop_seen_s = True, timestamp_s
        # A fresh tracker: the old one would look for the other person where it last saw them.
        self._landmarker.close()
        with native_stderr_silenced():
            self._landmarker = type(self._landmarker).create_from_options(self._options)
        return crop_around(seen[k], w, h, keep_aspect=False)

    def _search_due(self, timestamp_s: float) -> bool:
        """Tiles are searched, at most every SEARCH_EVERY_S, while nobody has been found yet,
        or when the last lifter found was small and has not been seen for SEARCH_AFTER_S (a
        lifter lost for a moment is found again in the whole frame; a big one lost - off
        camera, an end card - would not be found in a tile either)."""
        if not self.zoom or timestamp_s < self._next_search_s:
            return False
        if self._found_s is not None and (
            not self._found_small or timestamp_s - self._found_s < SEARCH_AFTER_S
        ):
            return False
        self._next_search_s = timestamp_s + SEARCH_EVERY_S
        return True

    def _search(self, rgb: np.ndarray, timestamp_s: float) -> Crop | None:
        """Nobody in the whole frame: look in zoomed tiles (`formcheck.pose.zoom`); the
        window to track the first person found in, or None."""
        import mediapipe as mp

        if self._finder is None:
            with native_stderr_silenced():
                self._finder = type(self._landmarker).create_from_options(self._finder_options)
        h, w = rgb.shape[:2]
        for tile in tiles(w, h):
            part = mp.Image(image_format=mp.ImageFormat.SRGB, data=tile.cut(rgb))
            found = self._finder.detect(part).pose_landmarks
            if found:
                xy, _ = _to_arrays(found[0], tile, w, h)
                if not is_small(xy, w, h):  # not small: the whole frame lost them otherwise
                    return None
                log.info("found a small lifter in a zoomed tile at %.1f s", timestamp_s)
                self._crop_seen_s = timestamp_s
                return crop_around(xy, w, h)
        return None

    def _pick(self, poses: list[tuple[np.ndarray, np.ndarray]]) -> int:
        if len(poses) == 1:
            return 0
        if self._last_center is None:
            areas = [np.prod(np.ptp(xy, axis=0)) for xy, _ in poses]
            return int(np.argmax(areas))
        dists = [np.linalg.norm(np.mean(xy, axis=0) - self._last_center) for xy, _ in poses]
        return int(np.argmin(dists))

    def close(self) -> None:
        for lm in (self._landmarker, self._counter, self._finder):
            if lm is not None:
                lm.close()
        if self._landmarker is not None:
            return_freed_memory()
        self._landmarker = self._counter = self._finder = None

    def __enter__(self) -> MediaPipePose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _to_arrays(
    landmarks: Any, window: Crop | None, width: int, height: int
) -> tuple[np.ndarray, np.ndarray]:
    """Frame pixels and visibility of landmarks normalised to ``window`` (None: the frame)."""
    xy = np.array([[p.x, p.y] for p in landmarks], dtype=float)
    xy = window.to_frame(xy) if window else xy * np.array([width, height], dtype=float)
    vis = np.array([p.visibility if p.visibility is not None else 0.0 for p in landmarks])
    return xy, vis
