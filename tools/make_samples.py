"""Render the bundled sample clips into sample_videos/ (fixed specs and seeds).

    python tools/make_samples.py

Each clip comes with its ground truth (``*_gt.npz``) and one ``labels.json`` in the format of
../shared/README.md. The figure is drawn by formcheck.synth (numpy + OpenCV), so the samples
carry no third-party footage. Frames, ground truth and labels are the same on every run; the
mp4's bytes are not (libx264 in PyAV's wheel gave different streams for identical frames, even
single-threaded), so compare decoded frames or labels, not file hashes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from formcheck.synth import CameraSpec, ClipSpec, RepSpec, render_clip

OUT = Path(__file__).resolve().parents[1] / "sample_videos"

SAMPLES = (
    ClipSpec(
        "hip_thrust_side",
        (
            RepSpec(),
            RepSpec(faults=("lumbar_hyperextension",)),
            RepSpec(),
            RepSpec(faults=("incomplete_lockout", "range_drift")),
            RepSpec(faults=("rushed_eccentric",), down_s=0.45),
        ),
        camera=CameraSpec(facing="left"),
        lead_in_s=0.5,
        lead_out_s=1.0,
        crf=30,
        seed=1,
    ),
    ClipSpec(
        "glute_bridge_right",
        (
            RepSpec(),
            RepSpec(faults=("no_top_pause",), top_s=0.0),
            RepSpec(faults=("bounce",)),
            RepSpec(faults=("neck_craning",)),
        ),
        variation="glute_bridge",
        camera=CameraSpec(facing="right"),
        width=640,
        height=360,
        lead_in_s=0.5,
        lead_out_s=0.8,
        crf=30,
        seed=2,
    ),
    ClipSpec(
        "single_leg_hip_thrust_left",
        (RepSpec(), RepSpec(faults=("heels_lifting",)), RepSpec()),
        variation="single_leg_hip_thrust",
        working_leg="right",
        camera=CameraSpec(facing="left", distance_m=3.3, height_m=0.6),
        width=640,
        height=360,
        lead_in_s=0.5,
        lead_out_s=0.8,
        crf=30,
        seed=3,
    ),
)


def main() -> int:
    OUT.mkdir(exist_ok=True)
    labels = [render_clip(spec, OUT) for spec in SAMPLES]
    (OUT / "labels.json").write_text(json.dumps(labels, indent=1) + "\n", encoding="utf-8")
    for spec in SAMPLES:
        size = (OUT / f"{spec.name}.mp4").stat().st_size
        sys.stdout.write(f"{spec.name}.mp4: {size / 1e6:.2f} MB\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
