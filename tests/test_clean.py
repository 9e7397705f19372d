"""Landmark clean-up (formcheck.landmarks.clean): outliers, gaps, leg swaps, smoothing.

Every input is built here from numpy (no video, no MediaPipe); random inputs are seeded.
"""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.config import CleaningConfig
from formcheck.landmarks.clean import (
    CausalSmoother,
    ZeroPhaseSmoother,
    apply_leg_swaps,
    clean_series,
    even_slots,
    fill_gaps,
    find_leg_swaps,
    hampel,
    runs,
)
from formcheck.landmarks.names import LEG_GROUPS, N_LANDMARKS, Landmark
from formcheck.landmarks.series import PoseSeries

FS = 30.0
SMOOTHERS = [ZeroPhaseSmoother, CausalSmoother]


def _column(values: list[float]) -> np.ndarray:
    """(T, 1) float array from a list (NaN allowed)."""
    return np.asarray(values, dtype=float)[:, None]


def _series(xy: np.ndarray, visibility: np.ndarray | None = None, fps: float = FS) -> PoseSeries:
    """A PoseSeries over ``xy`` (T, 33, 2); world landmarks are xy / 1000 with z = 0."""
    t = len(xy)
    world = np.concatenate([xy / 1000.0, np.zeros((t, N_LANDMARKS, 1))], axis=-1)
    vis = np.ones((t, N_LANDMARKS)) if visibility is None else visibility
    return PoseSeries(
        np.arange(t) / fps, xy, vis, world, np.ones(t, dtype=np.int16), (640, 480), fps
    )


def _moving_pose(t: int, seed: int = 0) -> np.ndarray:
    """(T, 33, 2): each landmark at its own place, drifting slowly (0.5 Hz, 20 px)."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(50, 450, size=(N_LANDMARKS, 2))
    phase = rng.uniform(0, 2 * np.pi, size=(N_LANDMARKS, 2))
    time = np.arange(t)[:, None, None] / FS
    return base + 20.0 * np.sin(2 * np.pi * 0.5 * time + phase)


# --- hampel -------------------------------------------------------------------------------


def test_hampel_removes_an_injected_spike() -> None:
    x = np.sin(np.linspace(0, 4 * np.pi, 120))[:, None] * 50.0
    x[60, 0] += 400.0
    out = hampel(x, window=11, k=4.0)
    assert np.isnan(out[60, 0])
    assert np.isfinite(np.delete(out[:, 0], 60)).all()
    np.testing.assert_array_equal(np.delete(out, 60, axis=0), np.delete(x, 60, axis=0))


@pytest.mark.parametrize(
    "x",
    [
        # two slow sine periods: peaks and troughs are not outliers
        np.sin(np.linspace(0, 4 * np.pi, 120)) * 50.0,
        # a straight ramp
        np.linspace(0.0, 300.0, 90),
        # a perfectly still landmark with sub-pixel jitter (the spread floor applies)
        500.0 + np.random.default_rng(1).normal(0, 1e-4, 90),
    ],
)
def test_hampel_leaves_smooth_data_alone(x: np.ndarray) -> None:
    out = hampel(x[:, None], window=15, k=4.0)
    np.testing.assert_array_equal(out, x[:, None])


def test_hampel_rejects_few_samples_of_plain_white_noise() -> None:
    # a 15-sample MAD is a noisy spread estimate, so a few Gaussian samples do go (< 1.5 %)
    x = np.random.default_rng(2).normal(0.0, 1.0, (1000, 4))
    assert np.isnan(hampel(x, window=15, k=4.0)).mean() < 0.015


def test_hampel_shorter_than_window_is_returned_unchanged() -> None:
    x = _column([0.0, 1.0, 100.0, 1.0])
    out = hampel(x, window=11, k=4.0)
    np.testing.assert_array_equal(out, x)
    assert out is not x


# --- fill_gaps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "max_gap", "expected"),
    [
        # one interior NaN: linear interpolation
        ([0, 1, np.nan, 3, 4], 2, [0, 1, 2, 3, 4]),
        # an interior run exactly max_gap long is filled
        ([0, np.nan, np.nan, 3], 2, [0, 1, 2, 3]),
        # an interior run longer than max_gap stays NaN
        ([0, np.nan, np.nan, np.nan, 4], 2, [0, np.nan, np.nan, np.nan, 4]),
        # leading and trailing NaN are never extrapolated
        ([np.nan, 1, 2, np.nan], 5, [np.nan, 1, 2, np.nan]),
        # short gap filled, long gap kept, in the same column
        ([0, np.nan, 2, np.nan, np.nan, np.nan, 6], 1, [0, 1, 2, np.nan, np.nan, np.nan, 6]),
        # max_gap 0 fills nothing
        ([0, np.nan, 2], 0, [0, np.nan, 2]),
        # an all-NaN column stays NaN
        ([np.nan, np.nan, np.nan], 5, [np.nan, np.nan, np.nan]),
        # no NaN: unchanged
        ([3, 1, 4, 1, 5], 2, [3, 1, 4, 1, 5]),
    ],
)
def test_fill_gaps(values: list[float], max_gap: int, expected: list[float]) -> None:
    out = fill_gaps(_column(values), max_gap)
    np.testing.assert_allclose(out, _column(expected), equal_nan=True)


def test_fill_gaps_treats_columns_independently() -> None:
    x = np.array([[0.0, 10.0], [np.nan, 20.0], [2.0, np.nan], [3.0, 40.0]])
    out = fill_gaps(x, 1)
    np.testing.assert_allclose(out, [[0, 10], [1, 20], [2, 30], [3, 40]])
    assert np.isnan(x[1, 0])  # the input is not modified


@pytest.mark.parametrize(
    ("mask", "expected"),
    [
        ([], []),  # empty
        ([0, 0, 0], []),  # no run
        ([1, 1, 0, 1], [(0, 2), (3, 4)]),  # runs touching both ends
        ([0, 1, 1, 1, 0], [(1, 4)]),  # one interior run
    ],
)
def test_runs(mask: list[int], expected: list[tuple[int, int]]) -> None:
    assert [(int(a), int(b)) for a, b in runs(np.array(mask, dtype=bool))] == expected


# --- leg swaps ----------------------------------------------------------------------------


def _two_legs(t: int) -> np.ndarray:
    """(T, 33, 2) with the left leg near y = 100 and the right leg near y = 400, moving a little."""
    xy = _moving_pose(t, seed=3)
    wiggle = 5.0 * np.sin(np.arange(t) / 4.0)[:, None]
    for i, lm in enumerate(LEG_GROUPS["left"]):
        xy[:, lm] = np.array([100.0 + 60.0 * i, 100.0]) + wiggle
    for i, lm in enumerate(LEG_GROUPS["right"]):
        xy[:, lm] = np.array([100.0 + 60.0 * i, 400.0]) - wiggle
    return xy


@pytest.mark.parametrize(
    "swapped_frames",
    [
        [],  # clean series: nothing flagged
        [10],  # a single swapped frame
        [10, 11, 12, 13, 14],  # a run of swapped frames
        [5, 6, 20, 38, 39],  # several runs, one at the very end
    ],
)
def test_leg_swaps_are_found_and_repaired(swapped_frames: list[int]) -> None:
    truth = _two_legs(40)
    mask = np.zeros(40, dtype=bool)
    mask[swapped_frames] = True
    observed = truth.copy()
    apply_leg_swaps(observed, mask)  # corrupt: the same swap twice is the identity
    if swapped_frames:
        assert not np.allclose(observed, truth)

    found = find_leg_swaps(observed, margin=0.6)
    np.testing.assert_array_equal(found, mask)
    apply_leg_swaps(observed, found)
    np.testing.assert_array_equal(observed, truth)


def test_leg_swap_detection_survives_missing_frames() -> None:
    truth = _two_legs(30)
    observed = truth.copy()
    observed[8:12] = np.nan  # the person is lost for four frames
    mask = np.zeros(30, dtype=bool)
    mask[12:15] = True  # and comes back with the legs swapped
    apply_leg_swaps(observed, mask)
    np.testing.assert_array_equal(find_leg_swaps(observed, margin=0.6), mask)


def test_apply_leg_swaps_moves_whole_rows_of_any_trailing_shape() -> None:
    vis = np.tile(np.arange(N_LANDMARKS, dtype=float), (3, 1))  # (T, 33)
    apply_leg_swaps(vis, np.array([False, True, False]))
    assert vis[1, Landmark.LEFT_KNEE] == Landmark.RIGHT_KNEE
    assert vis[1, Landmark.RIGHT_FOOT_INDEX] == Landmark.LEFT_FOOT_INDEX
    assert vis[1, Landmark.NOSE] == Landmark.NOSE  # non-leg landmarks stay
    np.testing.assert_array_equal(vis[[0, 2]], np.tile(np.arange(N_LANDMARKS), (2, 1)))


# --- smoothers ----------------------------------------------------------------------------


def _peak(t: int = 180, at: int = 90, sigma_s: float = 0.3) -> np.ndarray:
    time = (np.arange(t) - at) / FS
    return (100.0 * np.exp(-0.5 * (time / sigma_s) ** 2))[:, None]


def test_zero_phase_smoother_keeps_the_peak_time() -> None:
    x = _peak()
    out = ZeroPhaseSmoother(cutoff_hz=2.0).smooth(x, FS)
    assert int(np.argmax(out)) == int(np.argmax(x)) == 90


def test_causal_smoother_lags_the_peak() -> None:
    out = CausalSmoother(cutoff_hz=2.0).smooth(_peak(), FS)
    assert int(np.argmax(out)) > 90


@pytest.mark.parametrize("smoother_cls", SMOOTHERS)
def test_smoothers_reduce_white_noise(smoother_cls: type) -> None:
    # a still landmark plus white noise: a 3 Hz low-pass at 30 fps keeps ~1/5 of the
    # noise power, so the spread should at least halve
    noise = np.random.default_rng(4).normal(0.0, 5.0, (600, 2))
    out = smoother_cls(cutoff_hz=3.0).smooth(200.0 + noise, FS)
    assert np.std(out[30:-30] - 200.0) < 0.5 * np.std(noise)


def test_zero_phase_smoother_follows_a_noisy_peak() -> None:
    truth = _peak(t=300, at=150, sigma_s=0.5)
    noisy = truth + np.random.default_rng(9).normal(0.0, 5.0, truth.shape)
    out = ZeroPhaseSmoother(cutoff_hz=3.0).smooth(noisy, FS)
    assert np.std(out - truth) < 0.5 * np.std(noisy - truth)
    assert abs(int(np.argmax(out)) - 150) <= 3


def test_causal_smoother_output_depends_only_on_the_past() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(0.0, 1.0, (100, 3))
    changed = x.copy()
    changed[60:, 1] += 50.0  # change the future of one column
    smoother = CausalSmoother(cutoff_hz=4.0)
    a, b = smoother.smooth(x, FS), smoother.smooth(changed, FS)
    np.testing.assert_array_equal(a[:60], b[:60])
    assert not np.allclose(a[60:, 1], b[60:, 1])
    np.testing.assert_array_equal(a[:, [0, 2]], b[:, [0, 2]])  # other columns untouched


def test_zero_phase_smoother_is_not_causal() -> None:
    # the contrast to the test above: zero-phase filtering looks ahead
    x = np.random.default_rng(6).normal(0.0, 1.0, (100, 1))
    changed = x.copy()
    changed[60:] += 50.0
    smoother = ZeroPhaseSmoother(cutoff_hz=4.0)
    assert not np.allclose(smoother.smooth(x, FS)[:60], smoother.smooth(changed, FS)[:60])


@pytest.mark.parametrize("smoother_cls", SMOOTHERS)
def test_smoothers_keep_nan_runs(smoother_cls: type) -> None:
    x = np.sin(np.arange(120) / 10.0)[:, None] * np.ones((1, 2))
    x[40:55, 0] = np.nan  # interior dropout
    x[:5, 1] = np.nan  # leading dropout
    x[-3:, 1] = np.nan  # trailing dropout
    out = smoother_cls(cutoff_hz=3.0).smooth(x, FS)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(x))


@pytest.mark.parametrize("smoother_cls", SMOOTHERS)
def test_smoothers_pass_through_when_the_cutoff_is_near_nyquist(smoother_cls: type) -> None:
    x = np.random.default_rng(7).normal(0.0, 1.0, (50, 2))
    out = smoother_cls(cutoff_hz=14.0).smooth(x, FS)  # 14 Hz >= 0.45 x 30 Hz
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize("smoother_cls", SMOOTHERS)
def test_smoothers_keep_a_constant(smoother_cls: type) -> None:
    x = np.full((60, 2), 123.0)
    out = smoother_cls(cutoff_hz=3.0).smooth(x, FS)
    np.testing.assert_allclose(out, x)


# --- clean_series -------------------------------------------------------------------------


def test_clean_series_hides_a_long_low_visibility_run() -> None:
    xy = _moving_pose(90)
    vis = np.ones((90, N_LANDMARKS))
    knee = Landmark.LEFT_KNEE
    vis[30:60, knee] = 0.1  # 1 s below min_visibility: longer than max_gap_s, stays missing
    out = clean_series(_series(xy, vis), CleaningConfig())
    assert np.isnan(out.xy_px[30:60, knee]).all()
    assert np.isnan(out.world_xyz_m[30:60, knee]).all()
    assert np.isfinite(out.xy_px[:30, knee]).all() and np.isfinite(out.xy_px[60:, knee]).all()
    np.testing.assert_array_equal(out.visibility, vis)  # visibility is kept, not zeroed


def test_clean_series_replaces_a_short_low_visibility_glitch() -> None:
    xy = _moving_pose(90)
    vis = np.ones((90, N_LANDMARKS))
    ankle = Landmark.RIGHT_ANKLE
    corrupted = xy.copy()
    corrupted[40:44, ankle] = [5000.0, -5000.0]  # garbage position the model was unsure of
    vis[40:44, ankle] = 0.05
    out = clean_series(_series(corrupted, vis), CleaningConfig())
    # hidden, then filled across the short gap: back near the true path
    np.testing.assert_allclose(out.xy_px[35:50, ankle], xy[35:50, ankle], atol=3.0)


@pytest.mark.parametrize(
    ("visibility", "hidden"),
    [
        (0.29, True),  # just below the default min_visibility 0.3
        (0.30, False),  # at the threshold: kept (the test is strict "<")
        (0.90, False),  # clearly visible
    ],
)
def test_clean_series_visibility_threshold(visibility: float, hidden: bool) -> None:
    xy = _moving_pose(60)
    vis = np.ones((60, N_LANDMARKS))
    vis[:, Landmark.NOSE] = visibility
    out = clean_series(_series(xy, vis), CleaningConfig(min_visibility=0.3))
    assert np.isnan(out.xy_px[:, Landmark.NOSE]).all() == hidden
    assert np.isfinite(out.xy_px[:, Landmark.NOSE]).all() == (not hidden)


def test_clean_series_smooths_noise_and_keeps_the_input() -> None:
    truth = _moving_pose(150)
    noisy = truth + np.random.default_rng(8).normal(0.0, 3.0, truth.shape)
    series = _series(noisy)
    out = clean_series(series, CleaningConfig())
    inner = slice(15, -15)
    assert np.std(out.xy_px[inner] - truth[inner]) < 0.6 * np.std(noisy[inner] - truth[inner])
    np.testing.assert_array_equal(series.xy_px, noisy)  # the input series is not modified
    assert out.image_size == series.image_size and len(out) == len(series)


def test_clean_series_repairs_leg_swaps_in_every_array() -> None:
    xy = _two_legs(60)
    vis = np.ones((60, N_LANDMARKS))
    vis[:, LEG_GROUPS["left"]] = 0.9
    vis[:, LEG_GROUPS["right"]] = 0.6
    mask = np.zeros(60, dtype=bool)
    mask[20:23] = True
    swapped_xy, swapped_vis = xy.copy(), vis.copy()
    apply_leg_swaps(swapped_xy, mask)
    apply_leg_swaps(swapped_vis, mask)
    out = clean_series(_series(swapped_xy, swapped_vis), CleaningConfig())
    np.testing.assert_array_equal(out.visibility, vis)
    knee = Landmark.LEFT_KNEE
    np.testing.assert_allclose(out.xy_px[:, knee], xy[:, knee], atol=3.0)


def test_even_slots_keep_every_time_and_fill_holes() -> None:
    t = np.array([0, 1, 2, 5, 6, 6.4, 9.6]) / 30.0
    slots, kept = even_slots(t, 1 / 30.0)
    assert np.array_equal(slots[kept], t)
    assert len(slots) == 11 and np.all(np.diff(slots) > 0)
    assert np.diff(slots).max() < 1.5 / 30.0
    even = np.arange(40) / 30.0
    same, at = even_slots(even, 1 / 30.0)
    assert same is even and np.array_equal(at, np.arange(40))


def test_a_dropped_frame_hole_is_time_not_one_sample() -> None:
    """Live recordings drop frames: a 0.3 s hole in a slow movement is cleaned as 0.3 s of
    it, not as one frame's jump (which the low-pass smeared into speed)."""
    fps = 30.0
    t_all = np.arange(90) / fps
    truth = np.sin(2 * np.pi * 0.5 * t_all) * 50.0 + 300.0
    keep = np.ones(90, dtype=bool)
    keep[40:49] = False  # a verdict blocked the loop for 0.3 s
    t = t_all[keep]
    xy = np.full((len(t), 33, 2), 200.0)
    xy[:, :, 1] = truth[keep][:, None]
    vis = np.full((len(t), 33), 0.9)
    world = np.zeros((len(t), 33, 3))
    series = PoseSeries(t, xy, vis, world, np.ones(len(t), dtype=np.int16), (640, 480), fps)
    y = clean_series(series, CleaningConfig()).xy_px[:, 0, 1]
    # counted as one frame's step, the hole gave 2.8 px and 61 px/s of error (peak 157 px/s)
    assert np.abs(y - truth[keep])[10:-10].max() < 1.5  # px
    speed_err = np.abs(np.gradient(y, t) - np.gradient(truth[keep], t))
    assert speed_err[10:-10].max() < 35.0  # px/s
