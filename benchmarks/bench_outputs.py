"""What the report outputs cost beside the analysis: annotated.mp4 and report.html.

    python benchmarks/bench_outputs.py [CLIP ...] [--repeats 3]

For each clip (default: sample_videos/hip_thrust_side.mp4 and the shared 720p glute bridge),
runs `formcheck.pipeline.analyze` once (pose model included) and then ``--repeats`` output
passes, and prints medians: the whole annotated video in one pass and in `PARTS` parts at once
(alternating), the HTML page, and per frame the video's stages (decode, draw the overlay,
colour conversion + H.264 encode). One run, one machine: the
shares are the numbers to quote.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIPS = [
    ROOT / "sample_videos" / "hip_thrust_side.mp4",
    ROOT.parent / "shared" / "videos" / "wongfit__glute-bridge.mp4",
]


def _per_frame_parts(clip: Path, report: object, out: Path) -> tuple[float, float, float]:
    """Median ms per frame of decode, draw and encode in one plain pass."""
    from formcheck.report.overlay import draw_overlay
    from formcheck.report.video import even_size
    from formcheck.video.reader import VideoReader
    from formcheck.video.writer import VideoSink

    dec, draw, enc = [], [], []
    with VideoReader(clip) as reader:
        w, h = even_size(reader.info.width, reader.info.height)
        with VideoSink(out, w, h, reader.info.fps) as sink:
            t0 = time.perf_counter()
            for frame in reader:
                t1 = time.perf_counter()
                img = draw_overlay(frame.image_bgr, report, frame.index)[:h, :w]
                t2 = time.perf_counter()
                sink.write(img)
                t3 = time.perf_counter()
                dec.append(t1 - t0)
                draw.append(t2 - t1)
                enc.append(t3 - t2)
                t0 = time.perf_counter()
    # the encoder buffers frames (lookahead), so its per-frame median understates the flush;
    # the whole-video time below is the number that counts
    return tuple(1000 * statistics.median(v) for v in (dec, draw, enc))  # type: ignore[return-value]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", type=Path)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    from formcheck.pipeline import analyze
    from formcheck.report.html import render_html
    from formcheck.report.video import PARTS, write_annotated_video

    print(
        f"| clip | frames | analysis s | annotated.mp4 s, one pass (share) | in {PARTS} parts "
        "(share) | MB, one pass / parts | report.html s (share) "
        "| decode / draw / encode ms per frame |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for clip in args.clips or DEFAULT_CLIPS:
        t = time.perf_counter()
        report = analyze(clip)
        analysis = time.perf_counter() - t
        times: dict[int, list[float]] = {1: [], PARTS: []}
        sizes: dict[int, float] = {}
        used = 1  # parts the split pass really used (write_annotated_video may refuse to split)
        pages = []
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "annotated.mp4"
            for _ in range(args.repeats):
                for parts in times:  # alternating, so both see the same machine
                    keyframes: dict[int, bytes] = {}
                    stats = write_annotated_video(
                        clip, report, out, keyframes=keyframes, parts=parts
                    )
                    times[parts].append(float(stats["seconds"]))
                    sizes[parts] = out.stat().st_size / 1e6
                    used = max(used, int(stats["parts"]))
                t = time.perf_counter()
                render_html(report, video_name="annotated.mp4", keyframes=keyframes)
                pages.append(time.perf_counter() - t)
            costs = _per_frame_parts(clip, report, out)
        one, split = (statistics.median(times[k]) for k in (1, PARTS))
        p = statistics.median(pages)
        parts_cell = f"{split:.2f} ({split / analysis:.0%})" if used > 1 else "not split"
        print(
            f"| {clip.name} ({report.fps:.0f} fps) | {len(report.series)} | {analysis:.2f} "
            f"| {one:.2f} ({one / analysis:.0%}) | {parts_cell} "
            f"| {sizes[1]:.2f} / {sizes[PARTS]:.2f} | {p:.2f} ({p / analysis:.0%}) "
            f"| {costs[0]:.2f} / {costs[1]:.2f} / {costs[2]:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
