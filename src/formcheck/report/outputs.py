"""Write every output of one analysis into a folder: report.json, annotated.mp4, report.html.

All three are made from the same `SetReport`. The video pass also grabs the key frames the
HTML page shows, so the clip is decoded once more, not twice.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from formcheck.report.html import render_html
from formcheck.report.json_report import dumps, write_atomic
from formcheck.report.video import write_annotated_video
from formcheck.results import SetReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Written:
    json: Path
    html: Path
    video: Path | None
    video_s: float
    html_s: float
    keyframes: dict[int, bytes]  # JPEG of each rep's lockout, by rep index (with the video)


def write_outputs(
    source: Path,
    report: SetReport,
    out_dir: Path,
    *,
    video: bool = True,
    encoder_threads: int = 0,
) -> Written:
    """Write the outputs; no video for landmarks input or with ``video=False``.

    ``encoder_threads``: libx264 threads (0 = its own choice; 1 when other processes
    already fill the cores, as in a batch).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(out_dir / "report.json", dumps(report) + "\n")
    keyframes: dict[int, bytes] = {}
    video_path: Path | None = None
    video_s = 0.0
    if video and source.suffix.lower() != ".npz":
        target = out_dir / "annotated.mp4"
        tmp = out_dir / "annotated.tmp.mp4"
        stats = write_annotated_video(
            source, report, tmp, keyframes=keyframes, encoder_threads=encoder_threads
        )
        tmp.replace(target)
        video_path, video_s = target, float(stats["seconds"])  # type: ignore[arg-type]
    start = time.perf_counter()
    page = render_html(
        report,
        video_name=video_path.name if video_path else None,
        keyframes=keyframes or None,
    )
    write_atomic(out_dir / "report.html", page)
    html_s = time.perf_counter() - start
    return Written(
        out_dir / "report.json", out_dir / "report.html", video_path, video_s, html_s, keyframes
    )
