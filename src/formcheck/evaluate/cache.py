"""Landmarks cached by clip content and model, so re-evaluating after a rule change
does not re-run the pose model."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from dataclasses import replace
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.hashing import file_sha256
from formcheck.landmarks.series import PoseSeries
from formcheck.pose.read import read_pose_series
from formcheck.pose.track import DEFAULT_MAX_FPS
from formcheck.processes import ProgressFn, worker_pool

log = logging.getLogger(__name__)

#: Bumped when what a cached entry holds changes (v2: weight plates over the hip; v3: plates
#: searched every 100 ms; v4: perfect circles only; v5: picture change per frame, for cuts;
#: v6: a lifter nobody finds in the whole frame looked for in zoomed tiles; v7: the plate on
#: the bar's far end; v8: of several people, the one lying nearest the middle).
CACHE_VERSION = "v8"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "formcheck" / "landmarks"


class LandmarkCache:
    """``get(clip)``: the clip's raw landmarks, from the cache or by running the model;
    ``fill(clips, workers)`` first runs it on several clips at once."""

    def __init__(
        self,
        folder: Path,
        model: Path,
        *,
        max_fps: float = DEFAULT_MAX_FPS,
    ) -> None:
        self.folder = folder
        self.model = model
        self.max_fps = max_fps
        self._model_key = f"{file_sha256(model)[:16]}-fps{max_fps:g}-{CACHE_VERSION}"
        self.hits = self.misses = 0
        self._keys: dict[tuple[Path, int, int], str] = {}
        self._filled: set[str] = set()  # run by `fill`: their first `get` is not a hit

    def key(self, clip: Path) -> str:
        """Content hash of the clip and the model (each clip file is hashed once per cache)."""
        stat = clip.stat()
        ident = (clip.resolve(), stat.st_size, stat.st_mtime_ns)
        if ident not in self._keys:
            self._keys[ident] = f"{file_sha256(clip)[:24]}-{self._model_key}"
        return self._keys[ident]

    def _entry(self, clip: Path) -> Path:
        return self.folder / f"{self.key(clip)}.npz"

    def fill(
        self,
        clips: Sequence[Path],
        workers: int,
        done: Callable[[Path], None] | None = None,
    ) -> None:
        """Run the model on the clips not cached yet, ``workers`` clips at a time, each in a
        worker process with its own landmarker (one landmarker keeps about one core busy:
        docs/PERFORMANCE.md); ``done(clip)`` as each finishes. A clip that cannot be read is
        left out, for `get` to raise its error. With one worker this does nothing: `get`
        runs the model when asked."""
        todo = list(dict.fromkeys(c for c in clips if not self._entry(c).is_file()))
        if workers <= 1 or len(todo) <= 1:
            return
        log.info("landmarks: %d clips, %d at a time", len(todo), workers)
        with worker_pool(min(workers, len(todo))) as pool:
            runs = {
                pool.submit(_fill_one, self.folder, self.model, self.max_fps, c): c for c in todo
            }
            for run in as_completed(runs):
                clip = runs[run]
                if run.result():
                    self.misses += 1
                    self._filled.add(self.key(clip))
                if done:
                    done(clip)

    def get(self, clip: Path, progress: ProgressFn | None = None) -> tuple[PoseSeries, list[str]]:
        target = self._entry(clip)
        if target.is_file():
            if target.stem in self._filled:
                self._filled.discard(target.stem)
            else:
                self.hits += 1
            series = PoseSeries.load(target)
            return series, [w for w in series.meta.get("warnings", "").split("\n") if w]
        self.misses += 1
        series, warnings = read_pose_series(clip, str(self.model), progress, max_fps=self.max_fps)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.stem}.{os.getpid()}.tmp.npz")  # one per process
        replace(series, meta={**series.meta, "warnings": "\n".join(warnings)}).save(tmp)
        tmp.replace(target)  # atomic: a killed run never leaves a half-written entry
        # what a later hit returns (float32 on disk): a first run and a rerun score alike
        return PoseSeries.load(target), warnings


def _fill_one(folder: Path, model: Path, max_fps: float, clip: Path) -> bool:
    """In a worker: the clip's landmarks into the cache (False: the clip cannot be read)."""
    try:
        LandmarkCache(folder, model, max_fps=max_fps).get(clip)
    except FormcheckError:
        return False  # `get` in the caller raises it again, with its message
    return True
