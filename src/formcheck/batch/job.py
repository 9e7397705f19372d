"""One clip of a batch: analyse it into its own folder, never raising.

`run_clip` is the unit of work every engine runs (a local process or a Ray task). It writes
the clip's outputs into a private temporary folder and renames it into place, then returns a
`ClipResult`; ``result.json`` inside the folder is what resume checks. A clip that cannot be
analysed (unreadable, no person, damaged) gives a failed result with its one-line reason.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from formcheck.config import Config
from formcheck.errors import FormcheckError
from formcheck.processes import ProgressFn
from formcheck.report.json_report import write_atomic

log = logging.getLogger(__name__)

RESULT_FILE = "result.json"
THUMB_FILE = "thumb.jpg"


@dataclass(frozen=True)
class ClipJob:
    source: Path
    clip_id: str  # folder name under <out>/clips/
    key: str  # content hash + settings hash: what makes a finished result reusable
    out_root: Path
    config: Config
    model: Path
    video: bool = True
    one_core: bool = False  # other workers fill the other cores: no extra threads here
    annotated: bool = False  # also annotated.mp4 (the page draws over the clip without it)

    @property
    def folder(self) -> Path:
        return self.out_root / "clips" / self.clip_id


@dataclass(frozen=True)
class ClipResult:
    """One row of summary.csv (and its reps for reps.csv)."""

    clip_id: str
    source: str
    key: str
    status: str  # ok, not_hip_thrust, tracking_unreliable, failed
    reason: str = ""
    exit_code: int = 0
    seconds: float = 0.0
    variation: str = ""
    view: str = ""
    reps: int | None = None
    score: int | None = None
    top_faults: list[str] = field(default_factory=list)
    has_thumb: bool = False
    rep_rows: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClipResult:
        return cls(**data)


def run_clip(job: ClipJob, progress: ProgressFn | None = None) -> ClipResult:
    """Analyse ``job.source`` into ``job.folder``; every outcome is a result, never raised.

    ``progress(done, total)`` follows the pose model through the clip's frames."""
    from formcheck.pipeline import analyze
    from formcheck.report.outputs import write_outputs

    start = time.perf_counter()
    partial = job.folder.with_name(f".{job.clip_id}.partial-{os.getpid()}")
    # what an earlier run of this clip left when its process was killed (one runner per clip
    # at a time: a batch holds its folder's lock, a server worker its job's lease)
    for stale in job.folder.parent.glob(f".{job.clip_id}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)
    try:
        if job.one_core:
            import cv2

            cv2.setNumThreads(1)
        report = analyze(job.source, config=job.config, model=str(job.model), progress=progress)
        written = write_outputs(
            job.source,
            report,
            partial,
            video=job.video,
            annotated=job.annotated,
            encoder_threads=int(job.one_core),
        )
    except FormcheckError as exc:
        result = ClipResult(
            job.clip_id, str(job.source), job.key, "failed", str(exc), exc.exit_code
        )
    except Exception as exc:
        log.exception("%s: internal error", job.source)
        result = ClipResult(
            job.clip_id, str(job.source), job.key, "failed", f"internal error: {exc}", 1
        )
    else:
        thumb = _thumbnail(report, written.keyframes)
        if thumb is not None:
            (partial / THUMB_FILE).write_bytes(thumb)
        s = report.summary
        result = ClipResult(
            clip_id=job.clip_id,
            source=str(job.source),
            key=job.key,
            status="ok" if report.status == "ok" else report.status,
            reason="; ".join(report.warnings),
            variation=s.variation,
            view=report.view.name,
            reps=s.rep_count,
            score=s.score,
            top_faults=[code for code, _ in s.top_faults],
            has_thumb=thumb is not None,
            rep_rows=[_rep_row(job.clip_id, r) for r in report.reps],
        )
    result = _with_seconds(result, time.perf_counter() - start)
    partial.mkdir(parents=True, exist_ok=True)
    write_atomic(partial / RESULT_FILE, json.dumps(result.to_json(), indent=1) + "\n")
    if job.folder.exists():
        shutil.rmtree(job.folder)
    partial.replace(job.folder)  # the clip's folder appears whole, or not at all
    return result


def load_result(folder: Path, key: str) -> ClipResult | None:
    """The finished result in ``folder`` when it was made from the same content and settings."""
    try:
        data = json.loads((folder / RESULT_FILE).read_text(encoding="utf-8"))
        result = ClipResult.from_json(data)
    except (OSError, ValueError, TypeError):
        return None
    return result if result.key == key else None


def _with_seconds(r: ClipResult, seconds: float) -> ClipResult:
    data = r.to_json()
    data["seconds"] = round(seconds, 2)
    return ClipResult.from_json(data)


def _thumbnail(report: Any, keyframes: dict[int, bytes]) -> bytes | None:
    """The lockout frame of the lowest-scoring rep (the one to look at first)."""
    if not keyframes:
        return None
    worst = min(report.reps, key=lambda r: (r.score, r.index), default=None)
    if worst is not None and worst.index in keyframes:
        return keyframes[worst.index]
    return next(iter(keyframes.values()))


def _rep_row(clip_id: str, rep: Any) -> dict[str, Any]:
    t = rep.tempo
    return {
        "clip_id": clip_id,
        "rep": rep.index,
        "start_s": round(rep.start_s, 3),
        "lockout_s": round(rep.lockout_s, 3),
        "end_s": round(rep.end_s, 3),
        "concentric_s": _round(t.concentric_s, 3),
        "top_hold_s": _round(t.top_hold_s, 3),
        "eccentric_s": _round(t.eccentric_s, 3),
        "peak_hip_extension_deg": _round(rep.peak_hip_extension_deg, 1),
        "score": rep.score,
        "faults": " ".join(f.code for f in rep.faults),
    }


def _round(v: float | None, digits: int) -> float | None:
    return None if v is None else round(v, digits)
