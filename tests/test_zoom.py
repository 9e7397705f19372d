"""Looking again for a small lifter: zoomed tiles and the crop that follows them."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.pipeline import analyze
from formcheck.pose.zoom import MIN_CROP_SHARE, Crop, crop_around, follow, is_small, tiles

W, H = 1280, 720


def test_tiles_cover_the_frame_at_twice_the_size_middle_first() -> None:
    ts = tiles(W, H)
    assert len(ts) == 9
    assert all((t.w, t.h) == (640, 360) for t in ts)
    assert (ts[0].x0, ts[0].y0) == (320, 180)  # the middle one first
    covered = np.zeros((H, W), bool)
    for t in ts:
        covered[t.y0 : t.y0 + t.h, t.x0 : t.x0 + t.w] = True
    assert covered.all()


def _lifter(cx: float, cy: float, length: float) -> np.ndarray:
    """Landmarks of a lifter lying along x: ``length`` px long, a third as tall."""
    rng = np.random.default_rng(0)
    return np.c_[cx + rng.uniform(-0.5, 0.5, 33) * length, cy + rng.uniform(-1, 1, 33) * length / 6]


def test_crop_around_a_small_lifter() -> None:
    xy = _lifter(900, 500, 200)
    crop = crop_around(xy, W, H)
    assert abs(crop.w / crop.h - W / H) < 0.01
    inside = (xy >= [crop.x0, crop.y0]) & (xy <= [crop.x0 + crop.w, crop.y0 + crop.h])
    assert inside.all()
    assert crop.w == round(max(2 * np.ptp(xy[:, 0]), MIN_CROP_SHARE * W))
    assert crop.x0 >= 0 and crop.y0 >= 0
    assert crop.x0 + crop.w <= W and crop.y0 + crop.h <= H


def test_crop_maps_back_to_the_frame() -> None:
    crop = Crop(100, 50, 320, 180)
    image = np.arange(H * W).reshape(H, W)
    assert crop.cut(image).shape == (180, 320)
    assert crop.cut(image)[0, 0] == image[50, 100]
    assert np.allclose(crop.to_frame(np.array([[0.0, 0.0], [1.0, 1.0]])), [[100, 50], [420, 230]])


def test_crop_at_the_edge_stays_inside() -> None:
    crop = crop_around(_lifter(1270, 710, 200), W, H)
    assert crop.x0 + crop.w == W and crop.y0 + crop.h == H


def test_follow_keeps_the_crop_until_the_lifter_drifts() -> None:
    xy = _lifter(640, 360, 200)
    crop = crop_around(xy, W, H)
    assert follow(crop, xy + np.array([10, 5]), W, H) == crop  # a little motion: the same window
    moved = follow(crop, xy + np.array([150, 0]), W, H)
    assert moved != crop and moved.x0 > crop.x0
    grown = follow(crop, (xy - 640) * 2 + 640, W, H)  # the lifter came closer
    assert grown.w > crop.w


def _far_away(src: Path, dst: Path, scale: float) -> None:
    """``src`` as if filmed from further back: each frame shrunk by ``scale`` into a plain
    wall of the frame's median colour, low and right of centre."""
    from formcheck.video.reader import VideoReader
    from formcheck.video.writer import VideoSink

    with VideoReader(src) as r:
        w, h = r.info.width, r.info.height
        with VideoSink(dst, w, h, r.info.fps) as sink:
            for f in r.frames():
                small = cv2.resize(f.image_bgr, (int(w * scale), int(h * scale)))
                canvas = np.empty_like(f.image_bgr)
                canvas[:] = np.median(f.image_bgr.reshape(-1, 3), axis=0)
                y0, x0 = int(h * 0.62), int(w * 0.55)
                canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
                sink.write(canvas)


@pytest.mark.model
@pytest.mark.slow
def test_a_lifter_a_quarter_of_the_frame_tall_is_found_by_zooming_in(tmp_path: Path) -> None:
    """The sample set with the lifter shrunk to a quarter of the frame in each direction:
    nobody was found before ("no person found (0%)"); now every rep is counted, and the head
    and heels, a few pixels across, are not judged."""
    root = Path(__file__).resolve().parents[1] / "sample_videos"
    labels = json.loads((root / "labels.json").read_text())
    label = next(c for c in labels if c["file"] == "glute_bridge_right.mp4")
    clip = tmp_path / "far.mp4"
    _far_away(root / label["file"], clip, 0.25)
    report = analyze(clip)
    assert report.rep_count == label["reps"]
    found = [r.lockout_s for r in report.reps]
    assert found == pytest.approx([d["lockout_s"] for d in label["rep_details"]], abs=0.5)
    assert any("too small in the picture" in w for w in report.warnings)
    assert all("neck_craning" in r.not_judged for r in report.reps)


def test_only_a_small_lifter_is_small() -> None:
    assert is_small(_lifter(640, 360, 200), W, H)  # 200 px of a 1280 px frame
    assert not is_small(_lifter(640, 360, 400), W, H)  # 31%: the whole frame sees them
