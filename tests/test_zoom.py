"""Looking again for the lifter: zoomed tiles for a small one, a window of their own for the
one lying nearest the middle among several people (stacked panels, a bystander)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.pipeline import analyze
from formcheck.pose.zoom import (
    MIN_CROP_SHARE,
    Crop,
    crop_around,
    follow,
    holds,
    is_small,
    pick_lifter,
    strips,
    tiles,
)

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


def _standing(cx: float, cy: float, height: float) -> np.ndarray:
    """Landmarks of someone standing: shoulders straight above the hips."""
    xy = _lifter(cx, cy, height / 3)
    xy[[11, 12]] = [cx, cy - height / 4]
    xy[[23, 24]] = [cx, cy + height / 8]
    return xy


def _lying(cx: float, cy: float, length: float) -> np.ndarray:
    xy = _lifter(cx, cy, length)
    xy[[11, 12]] = [cx - length / 4, cy - length / 12]  # trunk ~20 deg from level
    xy[[23, 24]] = [cx, cy]
    return xy


def test_the_lifter_is_the_one_lying_nearest_the_middle() -> None:
    panels = [_lying(640, y, 400) for y in (120, 360, 600)]  # stacked panels: the middle one
    assert pick_lifter(panels, W, H) == 1
    bystander = [_lying(300, 500, 400), _standing(640, 360, 500)]  # standing in the middle
    assert pick_lifter(bystander, W, H) == 0
    assert pick_lifter([_standing(640, 360, 500)], W, H) is None
    assert holds(panels[1], np.array([640.0, 360.0])) and not holds(
        panels[0], np.array([640.0, 360.0])
    )


def test_a_window_of_the_lifters_own_shape_cuts_out_the_other_panels() -> None:
    xy = _lying(640, 360, 400)  # 400 x ~130 px
    crop = crop_around(xy, W, H, keep_aspect=False)
    span = np.ptp(xy, axis=0)
    assert crop.w == round(2 * span[0]) and crop.h == round(max(2 * span[1], MIN_CROP_SHARE * H))
    assert crop.h < 240 + 40  # not the frame's aspect: the panels above and below stay out
    same = follow(crop, xy + 5, W, H, keep_aspect=False)
    assert same == crop


def test_strips_are_half_the_frame_one_way_and_all_of_it_the_other() -> None:
    ss = strips(W, H)
    assert [(s.w, s.h) for s in ss] == [(W, H // 2)] * 3 + [(W // 2, H)] * 3
    assert {s.y0 for s in ss[:3]} == {0, H // 4, H - H // 2}


def _stacked(names: list[str], dst: Path, seconds: float) -> None:
    """Three sample clips stacked into one portrait video, 640x360 each, as comparison videos
    are edited."""
    from formcheck.video.reader import VideoReader
    from formcheck.video.writer import VideoSink

    root = Path(__file__).resolve().parents[1] / "sample_videos"
    readers = [VideoReader(root / n) for n in names]
    try:
        with VideoSink(dst, 640, 3 * 360, 30.0) as sink:
            for frames in zip(*(r.frames() for r in readers), strict=False):
                if frames[0].timestamp_s > seconds:
                    break
                sink.write(np.vstack([cv2.resize(f.image_bgr, (640, 360)) for f in frames]))
    finally:
        for r in readers:
            r.close()


@pytest.mark.model
@pytest.mark.slow
def test_of_three_stacked_panels_the_middle_lifter_is_analysed(tmp_path: Path) -> None:
    """Three sets stacked in one video: the whole-frame tracker follows the top or bottom
    panel (lockouts 3.1, 8.0, 12.1 s, the single-leg and hip-thrust sets' timing); the lifter
    picked is the middle one, whose reps (the glute bridges, lockouts 3.05, 7.2, 10.55 s)
    are analysed, with a warning."""
    root = Path(__file__).resolve().parents[1] / "sample_videos"
    labels = json.loads((root / "labels.json").read_text())
    middle = next(c for c in labels if c["file"] == "glute_bridge_right.mp4")
    clip = tmp_path / "panels.mp4"
    names = ["single_leg_hip_thrust_left.mp4", middle["file"], "hip_thrust_side.mp4"]
    _stacked(names, clip, 12.5)
    report = analyze(clip)
    want = [d["lockout_s"] for d in middle["rep_details"] if d["lockout_s"] < 12.0]
    assert [r.lockout_s for r in report.reps] == pytest.approx(want, abs=0.5)
    assert any("lying nearest the middle" in w for w in report.warnings)
