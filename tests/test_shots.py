"""Camera cuts: the picture change per frame, which changes are cuts, and a set analysed shot
by shot."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from builders import SIZE, RepShape, build_set

from formcheck.analysis.shots import find_cuts, shot_slices
from formcheck.config import Config, ShotConfig
from formcheck.landmarks.series import PoseSeries
from formcheck.pipeline import analyze_series
from formcheck.report.json_report import to_dict
from formcheck.report.plots import hip_extension_svg
from formcheck.video.cuts import ContentChange

FPS = 30.0


def _scene(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (9, 16, 3), dtype=np.uint8)
    return np.kron(small, np.ones((40, 40, 1), dtype=np.uint8))  # 360 x 640, big blocks


def test_content_change_of_the_same_moving_and_another_picture() -> None:
    change = ContentChange()
    a = _scene(1)
    assert np.isnan(change(a))  # nothing before the first frame
    assert change(a) == pytest.approx(0.0, abs=1e-6)
    assert change(np.roll(a, 3, axis=1)) < 0.05  # the camera moved a little
    assert change(_scene(2)) > 0.5  # another shot
    assert change(np.zeros_like(a)) == 1.0  # a black card has no picture left
    assert change(np.zeros_like(a)) == 0.0
    assert np.isnan(change(None))  # no image (replay): unknown


def _changes(n: int, spikes: dict[int, float], base: float = 0.002) -> np.ndarray:
    c = np.full(n, base)
    c[0] = np.nan
    for i, v in spikes.items():
        c[i] = v
    return c


@pytest.mark.parametrize(
    ("spikes", "base", "cuts"),
    [
        ({90: 0.1}, 0.002, [90]),  # one frame jumps: a cut
        ({90: 0.1, 100: 0.2}, 0.002, [90]),  # a second jump 0.3 s later: not a shot of its own
        ({10: 0.5}, 0.002, []),  # 0.3 s after the start: no shot before it
        ({170: 0.5}, 0.002, []),  # 0.3 s before the end: no shot after it
        ({90: 0.04}, 0.002, []),  # under min_change
        ({90: 0.1}, 0.02, []),  # handheld motion around it: only 5 times the usual change
        ({89: 0.1, 90: 0.1}, 0.002, []),  # two frames changing alike: motion, not one jump
    ],
)
def test_find_cuts(spikes: dict[int, float], base: float, cuts: list[int]) -> None:
    t = np.arange(180) / FPS
    assert find_cuts(t, _changes(180, spikes, base), ShotConfig()) == cuts


def test_shot_slices() -> None:
    assert shot_slices([], 10) == [slice(0, 10)]
    assert shot_slices([4, 7], 10) == [slice(0, 4), slice(4, 7), slice(7, 10)]


def _two_shots() -> tuple[PoseSeries, list[float]]:
    """Two reps filmed close, then a cut to a camera further back and lower (the lifter at
    0.6 x the size, elsewhere in the frame) for two more."""
    near, t_near = build_set([RepShape()] * 2, noise_px=1.0)
    far, t_far = build_set([RepShape()] * 2, noise_px=1.0, seed=3)
    xy = far.xy_px * 0.6 + np.array([300.0, 180.0])
    t0 = near.timestamps_s[-1] + 1 / FPS
    far = replace(far, xy_px=xy, timestamps_s=far.timestamps_s + t0)
    both = PoseSeries.concat([near, far], SIZE, FPS)
    change = np.full(len(both), 0.002)
    change[len(near)] = 0.4
    lockouts = [*t_near.lockout_s, *(x + t0 for x in t_far.lockout_s)]
    return replace(both, picture_change=change), lockouts


def test_a_set_across_a_camera_cut_is_analysed_shot_by_shot() -> None:
    series, lockouts = _two_shots()
    report = analyze_series(series, Config(), "cut")
    assert [r.lockout_s for r in report.reps] == pytest.approx(lockouts, abs=0.25)
    assert [r.index for r in report.reps] == [1, 2, 3, 4]
    cut_s = series.timestamps_s[np.argmax(series.picture_change)]
    assert any(w.startswith(f"camera cut at {cut_s:.1f} s") for w in report.warnings)
    for rep in report.reps:  # no rep spans the cut, and its frames are the whole clip's
        assert (rep.start_s < cut_s) == (rep.end_s <= cut_s)
        assert rep.start_s < report.metrics.t_s[rep.lockout_i] < rep.end_s
    assert len(report.series) == len(report.metrics.t_s) == len(series)
    assert not any(f.code == "range_drift" for r in report.reps for f in r.faults)
    assert report.cuts_s == pytest.approx([cut_s])
    data = to_dict(report)
    assert data["schema_version"] == "1.3" and data["cuts_s"] == [round(cut_s, 3)]
    assert f"camera cut at {cut_s:.1f} s" in hip_extension_svg(report)  # type: ignore[operator]
    assert (
        to_dict(analyze_series(_two_shots()[0].take(slice(0, 100)), Config(), "one"))["cuts_s"]
        == []
    )


def test_without_the_cut_the_jump_is_measured_as_motion() -> None:
    """What the shots prevent: the same landmarks with no picture change known."""
    series, lockouts = _two_shots()
    unknown = replace(series, picture_change=np.full(len(series), np.nan))
    report = analyze_series(unknown, Config(), "cut")
    assert not any(w.startswith("camera cut") for w in report.warnings)
    assert [r.lockout_s for r in report.reps] != pytest.approx(lockouts, abs=0.25)


def test_a_shot_without_reps_adds_no_warning_of_its_own() -> None:
    """A cut to an outro where the lifter holds still: the set's reps are in the first shot,
    and "no repetition found" of the second is not the set's."""
    near, _ = build_set([RepShape()] * 2, noise_px=1.0)
    still = near.take(np.full(60, len(near) - 1))  # 2 s held at the bottom after the set
    t0 = near.timestamps_s[-1] + 1 / FPS
    both = PoseSeries.concat(
        [near, replace(still, timestamps_s=t0 + np.arange(60) / FPS)], SIZE, FPS
    )
    change = np.full(len(both), 0.002)
    change[len(near)] = 0.4
    report = analyze_series(replace(both, picture_change=change), Config(), "outro")
    assert report.rep_count == 2
    assert any(w.startswith("camera cut") for w in report.warnings)
    assert not any("no repetition" in w for w in report.warnings)
