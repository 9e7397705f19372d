"""A whole batch: plan one job per clip, reuse finished results, run the rest, write the index.

The output folder::

    OUT/clips/<clip id>/   report.json, report.html, annotated.mp4, thumb.jpg, result.json
    OUT/summary.csv, summary.json   one row per clip (failed clips with their reason)
    OUT/reps.csv, reps.json         one row per rep
    OUT/index.html                  every clip on one page

A clip's folder is renamed into place complete, with result.json holding the hash of the
clip's content and of the settings (thresholds, pose model, video on/off, formcheck version).
A later run with the same content and settings reuses it, so a batch killed at any moment
(even with SIGKILL) and started again redoes nothing finished and loses nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from formcheck import __version__
from formcheck.batch.engines import run_local, run_ray
from formcheck.batch.index import write_index
from formcheck.batch.job import ClipJob, ClipResult, load_result
from formcheck.batch.lock import batch_lock
from formcheck.config import Config
from formcheck.hashing import file_sha256

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchOutcome:
    results: list[ClipResult]  # in input order
    reused: int  # finished earlier with the same content and settings
    index: Path

    @property
    def failed(self) -> list[ClipResult]:
        return [r for r in self.results if r.status == "failed"]


def settings_key(cfg: Config, model: Path, video: bool, annotated: bool = False) -> str:
    """What a result depends on besides the clip's content."""
    blob = json.dumps(
        {
            "config": asdict(cfg),
            "model": file_sha256(model),
            "video": video,
            "annotated": annotated,
            "v": __version__,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _slug(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._")[:60] or "clip"


def plan(
    clips: list[Path],
    out: Path,
    cfg: Config,
    model: Path,
    video: bool,
    one_core: bool = False,
    annotated: bool = False,
) -> list[ClipJob]:
    settings = settings_key(cfg, model, video, annotated)
    jobs = []
    for clip in clips:
        try:
            content = file_sha256(clip)
        except OSError:  # missing or unreadable: still a row (with its reason) in the batch
            content = "unreadable-" + hashlib.sha256(str(clip.resolve()).encode()).hexdigest()
        tag = content.split("-")[-1][:10]
        jobs.append(
            ClipJob(
                clip,
                f"{_slug(clip.stem)}-{tag}",
                f"{content}-{settings}",
                out,
                cfg,
                model,
                video,
                one_core,
                annotated,
            )
        )
    return jobs


def _work(job: ClipJob) -> float:
    """Rough cost of a clip: its frame count (file size for what OpenCV cannot open)."""
    import cv2

    if job.source.suffix.lower() != ".npz":
        cap = cv2.VideoCapture(str(job.source))
        frames = cap.get(cv2.CAP_PROP_FRAME_COUNT) if cap.isOpened() else 0.0
        cap.release()
        if frames > 0:
            return float(frames)
    try:
        return job.source.stat().st_size / 1e6
    except OSError:
        return 0.0


def run_batch(
    clips: list[Path],
    out: Path,
    *,
    config: Config,
    model: Path,
    video: bool = True,
    annotated: bool = False,
    workers: int = 1,
    engine: str = "local",
    address: str | None = None,
    resume: bool = True,
    on_result: Callable[[ClipResult, bool], None] | None = None,
) -> BatchOutcome:
    """Analyse every clip into ``out``; ``on_result(result, reused)`` follows progress.
    One batch at a time per folder (`batch_lock`): a second one stops with BatchBusyError."""
    (out / "clips").mkdir(parents=True, exist_ok=True)
    with batch_lock(out):
        return _run_locked(
            clips,
            out,
            config,
            model,
            (video, annotated),
            workers,
            engine,
            address,
            resume,
            on_result,
        )


def _run_locked(
    clips: list[Path],
    out: Path,
    config: Config,
    model: Path,
    videos: tuple[bool, bool],
    workers: int,
    engine: str,
    address: str | None,
    resume: bool,
    on_result: Callable[[ClipResult, bool], None] | None,
) -> BatchOutcome:
    for leftover in (out / "clips").glob(".*.partial-*"):  # a run killed mid-clip
        shutil.rmtree(leftover, ignore_errors=True)
    video, annotated = videos
    jobs = plan(clips, out, config, model, video, one_core=workers > 1, annotated=annotated)
    by_id: dict[str, ClipResult] = {}
    todo: list[ClipJob] = []
    planned: set[str] = set()
    for job in jobs:
        if job.clip_id in planned:
            continue  # the same content listed twice
        planned.add(job.clip_id)
        done = load_result(job.folder, job.key) if resume else None
        if done is not None:
            by_id[job.clip_id] = done
            if on_result:
                on_result(done, True)
        else:
            todo.append(job)
    reused = len(by_id)
    log.info("%d clips: %d finished earlier, %d to analyse", len(jobs), reused, len(todo))

    def collect(result: ClipResult) -> None:
        by_id[result.clip_id] = result
        if on_result:
            on_result(result, False)

    todo.sort(key=_work, reverse=True)  # longest first: no long clip left alone at the end
    if engine == "ray":
        run_ray(todo, address, workers, collect)
    else:
        run_local(todo, workers, collect)
    seen: set[str] = set()
    results = []
    for job in jobs:
        if job.clip_id not in seen:
            seen.add(job.clip_id)
            results.append(by_id[job.clip_id])
    index = write_index(out, results)
    return BatchOutcome(results, reused, index)
