"""``evaluate``: analyse every clip of some labelled datasets and score the reports."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from formcheck.config import Config
from formcheck.errors import FormcheckError
from formcheck.evaluate.cache import LandmarkCache
from formcheck.evaluate.dataset import LabelledClip, load_dataset
from formcheck.evaluate.scoring import ClipScore, score_clip
from formcheck.pipeline import analyze_series
from formcheck.pose.models import resolve_model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalResult:
    rows: tuple[ClipScore, ...]
    cache_hits: int
    cache_misses: int


def evaluate(
    datasets: list[Path],
    cache_dir: Path,
    *,
    config: Config | None = None,
    model: str | None = None,
    workers: int = 1,
    on_clip: Callable[[LabelledClip], None] | None = None,
) -> EvalResult:
    """Score every clip; a clip that cannot be analysed becomes a row with its reason.
    ``workers`` > 1 runs the model on that many clips at once first (`LandmarkCache.fill`);
    ``on_clip(clip)`` once per clip, as its landmarks are ready."""
    cfg = config or Config()
    clips = [clip for folder in datasets for clip in load_dataset(folder)]
    cache = LandmarkCache(cache_dir, resolve_model(model))
    by_path = {clip.path: clip for clip in clips}
    told: set[Path] = set()

    def ready(path: Path) -> None:
        if on_clip and path not in told:
            told.add(path)
            on_clip(by_path[path])

    cache.fill(list(by_path), workers, done=ready)
    rows = []
    for clip in clips:
        ready(clip.path)
        try:
            raw, warnings = cache.get(clip.path)
            report = analyze_series(raw, cfg, clip.name, warnings)
        except FormcheckError as exc:
            log.warning("%s: %s", clip.name, exc)
            rows.append(ClipScore(clip, error=str(exc), reps_true=int(clip.label.get("reps", 0))))
            continue
        rows.append(score_clip(clip, report))
    return EvalResult(tuple(rows), cache.hits, cache.misses)


def rescore(rows: tuple[ClipScore, ...], cache: LandmarkCache, config: Config) -> EvalResult:
    """Score the same clips again under another config (landmarks from the cache only)."""
    out = []
    for row in rows:
        if row.error:
            out.append(row)
            continue
        raw, warnings = cache.get(row.clip.path)
        out.append(score_clip(row.clip, analyze_series(raw, config, row.clip.name, warnings)))
    return EvalResult(tuple(out), cache.hits, cache.misses)
